// bytes and bytearray in compiled code (typing: typeinfer/BytesRules.cpp).  Their values are
// 1-d uint8 array structs, so everything arrays do is lowered as for arrays; this file lowers
// what differs: Python's comparisons of two byte strings, np.frombuffer (a view of the buffer
// with another dtype) and ndarray.tobytes (a C-order copy, typed as bytes).
#include <algorithm>

#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_bytes_compare(const InstData &d) {
  V a = get(d.operands[0]), b = get(d.operands[1]);
  auto parts = [&](V s) {
    return std::vector<V>{array_field(s, DataModel::kData), array_dim(s, DataModel::kStrides, 0),
                          array_dim(s, DataModel::kShape, 0)};
  };
  std::vector<V> args = parts(a), rest = parts(b);
  args.insert(args.end(), rest.begin(), rest.end());
  V c = b_.CreateCall(runtime(RuntimeFn::BytesCompare), args);
  V zero = llvm::ConstantInt::get(c->getType(), 0);
  switch (static_cast<CmpKind>(d.imm)) {
    case CmpKind::Lt: return b_.CreateICmpSLT(c, zero);
    case CmpKind::Le: return b_.CreateICmpSLE(c, zero);
    case CmpKind::Eq: return b_.CreateICmpEQ(c, zero);
    case CmpKind::Ne: return b_.CreateICmpNE(c, zero);
    case CmpKind::Gt: return b_.CreateICmpSGT(c, zero);
    case CmpKind::Ge: return b_.CreateICmpSGE(c, zero);
  }
  return nullptr;
}

bool FunctionLowerer::lower_bytes_call(const InstData &d, BuiltinId id, V *out) {
  TypeId rt = type(d.result);
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  switch (id) {
    case BuiltinId::NpFrombuffer: {
      V buf = get(arg(0));
      V n = array_dim(buf, DataModel::kShape, 0), stride = array_dim(buf, DataModel::kStrides, 0);
      V data = array_field(buf, DataModel::kData);
      auto itemsize = static_cast<uint64_t>(types_.itemsize(rt));  // records' too
      llvm::Constant *one = llvm::ConstantInt::get(i64_, 1);
      raise_if(b_.CreateAnd(b_.CreateICmpNE(stride, one), b_.CreateICmpSGT(n, one)),
               EMBER_EXC_ValueError, "ndarray is not C-contiguous");
      V size = llvm::ConstantInt::get(i64_, itemsize);
      raise_if(b_.CreateICmpNE(b_.CreateSRem(n, size), llvm::ConstantInt::get(i64_, 0)),
               EMBER_EXC_ValueError, "buffer size must be a multiple of element size");
      // Compiled code loads elements with their natural alignment: a buffer that breaks it
      // (a slice of a uint8 array at an odd offset) is refused rather than misread.
      // A record's fields are accessed at their natural alignment when the dtype is aligned,
      // which its itemsize (a multiple of it) bounds; a packed one's with alignment 1.
      uint64_t align = itemsize;
      if (types_.kind(rt) == TypeKind::RecordArray) {
        const RecordInfo *r = types_.record_info(types_.get(rt).handle);
        align = r && r->aligned ? std::min<uint64_t>(itemsize & (~itemsize + 1), 16) : 1;
      }
      V misaligned =
          b_.CreateAnd(b_.CreatePtrToInt(data, i64_), llvm::ConstantInt::get(i64_, align - 1));
      raise_if(b_.CreateICmpNE(misaligned, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_ValueError,
               "np.frombuffer(): the buffer's address is not aligned to the dtype's item size, "
               "which compiled code needs");
      V v =
          make_array(rt, array_field(buf, DataModel::kMeminfo),
                     array_field(buf, DataModel::kParent), data, {b_.CreateSDiv(n, size)}, {size});
      incref(v, rt);  // the view holds its own reference to the buffer
      *out = v;
      return true;
    }
    case BuiltinId::ArrayTobytes: {
      TypeId at = type(arg(0));
      if (!types_.is_array(at) || types_.bytes_kind(at) != BytesKind::None) return false;
      V src = get(arg(0));
      int nd = types_.ndim(at);
      ScalarKind dk = types_.dtype(at);
      std::vector<V> shape;
      for (int k = 0; k < nd; ++k) shape.push_back(array_dim(src, DataModel::kShape, k));
      TypeId ct = types_.array(dk, nd, Layout::C);
      V copy = allocate_array(ct, shape);
      emit_nd_loop(shape, [&](const std::vector<V> &idx) {
        store_element(element_pointer(copy, ct, idx),
                      load_element(element_pointer(src, at, idx), dk), dk);
      });
      V nbytes = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(dk) / 8));
      for (V s : shape) nbytes = b_.CreateMul(nbytes, s);
      // The copy's buffer (and its reference) becomes the bytes value's.
      *out = make_array(rt, array_field(copy, DataModel::kMeminfo),
                        array_field(copy, DataModel::kParent), array_field(copy, DataModel::kData),
                        {nbytes}, {llvm::ConstantInt::get(i64_, 1)});
      return true;
    }
    default: return false;
  }
}

}  // namespace ember
