// Records of structured dtypes and arrays of them (typing: typeinfer/RecordRules.cpp).  A
// record value is {data, owner}: the address of its bytes in the array (or np.void argument)
// it came from, and the Python object owning them, which a subarray field's view names as its
// parent so that the view, returned to Python, keeps the buffer alive.  Fields are read and
// written in place at their byte offsets, so `r = a[i]; r.x = 3` changes the array, as in
// Numba.  A packed dtype's fields may sit at any byte: they are accessed with alignment 1.
#include <cstddef>

#include "ember/abi.h"
#include "ember/str.h"
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

namespace {

const RecordInfo &info_of(const TypeContext &types, TypeId t) {
  const RecordInfo *r = types.record_info(types.get(t).handle);
  internal_assert(r) << "record " << types.get(t).handle << " was never defined";
  return *r;
}

/// The field a GetItem/SetItem key names: a string literal or a constant position.
size_t field_of_key(const Function &f, const TypeContext &types, const RecordInfo &r, Value key) {
  TypeId kt = f.type(key);
  if (types.kind(kt) == TypeKind::Str) {
    int k = r.field(types.string(types.get(kt).a));
    internal_assert(k >= 0) << "an unknown record field reached lowering";
    return static_cast<size_t>(k);
  }
  int64_t pos = 0;
  internal_assert(f.const_int(key, &pos)) << "a record key that is not a constant";
  auto n = static_cast<int64_t>(r.fields.size());
  return static_cast<size_t>(pos < 0 ? pos + n : pos);
}

/// The alignment a scalar field of memory type m may be accessed with: its natural one, unless
/// the dtype is packed and the field's offset breaks it.
llvm::Align field_align(const llvm::DataLayout &dl, const RecordInfo &r, const RecordField &f,
                        llvm::Type *m) {
  llvm::Align natural = dl.getABITypeAlign(m);
  bool aligned = r.aligned && f.offset % static_cast<int64_t>(natural.value()) == 0;
  return aligned ? natural : llvm::Align(1);
}

}  // namespace

V FunctionLowerer::make_record(V data, V owner) {
  auto *st = llvm::StructType::get(ctx_, {ptr_, ptr_});
  V r = b_.CreateInsertValue(llvm::UndefValue::get(st), data, {0});
  return b_.CreateInsertValue(r, owner, {1});
}

V FunctionLowerer::record_field_read(V rec, TypeId rt, size_t k, TypeId result) {
  const RecordInfo &r = info_of(types_, rt);
  const RecordField &f = r.fields[k];
  V owner = b_.CreateExtractValue(rec, {1});
  V p =
      b_.CreateConstGEP1_64(i8_, b_.CreateExtractValue(rec, {0}), static_cast<uint64_t>(f.offset));
  switch (f.kind) {
    case RecordField::Kind::Scalar: {
      llvm::Type *m = mt(f.type);
      V x = b_.CreateAlignedLoad(m, p, field_align(ms_.module.getDataLayout(), r, f, m));
      return from_memory(x, f.type);
    }
    case RecordField::Kind::Record: return make_record(p, owner);
    case RecordField::Kind::Subarray: {
      std::vector<V> shape;
      for (int64_t n : f.shape)
        shape.push_back(llvm::ConstantInt::get(i64_, static_cast<uint64_t>(n)));
      auto itemsize = static_cast<uint64_t>(bit_width(types_.scalar_kind(f.type)) / 8);
      V meminfo = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
      V v = make_array(result, meminfo, owner, p, shape, c_strides(shape, itemsize));
      incref(v, result);
      return v;
    }
    case RecordField::Kind::Chars: {  // a copy without the trailing NULs, as NumPy's
      V n = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(f.shape[0]));
      V len = b_.CreateCall(runtime(RuntimeFn::CharsLength),
                            {p, n, llvm::ConstantInt::get(b_.getInt32Ty(), 1)});
      V v = allocate_array(result, {len});
      b_.CreateMemCpy(array_field(v, DataModel::kData), llvm::MaybeAlign(1), p, llvm::MaybeAlign(1),
                      len);
      return v;
    }
    case RecordField::Kind::UChars: {  // a str of the code points before the trailing NULs
      V n = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(f.shape[0]));
      llvm::Constant *four = llvm::ConstantInt::get(b_.getInt32Ty(), 4);
      V len = b_.CreateCall(runtime(RuntimeFn::CharsLength), {p, n, four});
      return checked_string(b_.CreateCall(runtime(RuntimeFn::StrFromUnits), {p, len, four}),
                            "a str field");
    }
    case RecordField::Kind::Other: break;
  }
  internal_error << "an unreadable record field reached lowering";
  return nullptr;
}

V FunctionLowerer::record_field_view(V arr, TypeId at, size_t k, TypeId result) {
  const RecordInfo &r = info_of(types_, at);
  const RecordField &f = r.fields[k];
  int nd = types_.ndim(at);
  V data = b_.CreateConstGEP1_64(i8_, array_field(arr, DataModel::kData),
                                 static_cast<uint64_t>(f.offset));
  std::vector<V> shape, strides;
  for (int j = 0; j < nd; ++j) {
    shape.push_back(array_dim(arr, DataModel::kShape, j));
    strides.push_back(array_dim(arr, DataModel::kStrides, j));
  }
  if (f.kind == RecordField::Kind::Subarray) {  // the subarray's axes follow the array's
    std::vector<V> sub;
    for (int64_t n : f.shape) sub.push_back(llvm::ConstantInt::get(i64_, static_cast<uint64_t>(n)));
    auto itemsize = static_cast<uint64_t>(bit_width(types_.scalar_kind(f.type)) / 8);
    std::vector<V> sub_strides = c_strides(sub, itemsize);
    shape.insert(shape.end(), sub.begin(), sub.end());
    strides.insert(strides.end(), sub_strides.begin(), sub_strides.end());
  }
  V v = make_array(result, array_field(arr, DataModel::kMeminfo),
                   array_field(arr, DataModel::kParent), data, shape, strides);
  incref(v, result);
  return v;
}

void FunctionLowerer::record_field_store(V rec, TypeId rt, size_t k, V value, TypeId vt) {
  const RecordInfo &r = info_of(types_, rt);
  const RecordField &f = r.fields[k];
  V p =
      b_.CreateConstGEP1_64(i8_, b_.CreateExtractValue(rec, {0}), static_cast<uint64_t>(f.offset));
  switch (f.kind) {
    case RecordField::Kind::Scalar: {
      llvm::Type *m = mt(f.type);
      b_.CreateAlignedStore(to_memory(convert(value, vt, f.type), f.type), p,
                            field_align(ms_.module.getDataLayout(), r, f, m));
      return;
    }
    case RecordField::Kind::Record: {  // a record of the same dtype: its bytes
      const RecordInfo &sub = info_of(types_, f.type);
      b_.CreateMemMove(p, llvm::MaybeAlign(1), b_.CreateExtractValue(value, {0}),
                       llvm::MaybeAlign(1), static_cast<uint64_t>(sub.itemsize));
      return;
    }
    case RecordField::Kind::Chars:
    case RecordField::Kind::UChars: {  // truncated or padded with NULs, as NumPy stores
      llvm::Type *i32 = b_.getInt32Ty();
      bool wide = f.kind == RecordField::Kind::UChars;
      V n = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(f.shape[0]));
      V src, stride, len, kind;
      if (types_.kind(vt) == TypeKind::Str && !wide) {  // an ASCII literal (typing checked)
        const std::string &text = types_.string(types_.get(vt).a);
        src = message(text);
        stride = llvm::ConstantInt::get(i64_, 1);
        len = llvm::ConstantInt::get(i64_, text.size());
        kind = llvm::ConstantInt::get(i32, 1);
      } else if (!wide) {  // a bytes or bytearray
        src = array_field(value, DataModel::kData);
        stride = array_dim(value, DataModel::kStrides, 0);
        len = array_dim(value, DataModel::kShape, 0);
        kind = llvm::ConstantInt::get(i32, 1);
      } else {  // a str: its code points, `kind` bytes each
        V s = types_.kind(vt) == TypeKind::Str ? string_literal(types_.string(types_.get(vt).a))
                                               : value;
        V header = string_header(s);
        len = string_length(s);
        src = b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, header, offsetof(ember_str, chars)));
        kind = b_.CreateLoad(i32, b_.CreateConstGEP1_64(i8_, header, offsetof(ember_str, kind)));
        stride = b_.CreateSExt(kind, i64_);
      }
      b_.CreateCall(runtime(RuntimeFn::CharsStore),
                    {p, n, llvm::ConstantInt::get(i32, wide ? 4 : 1), src, stride, len, kind});
      return;
    }
    case RecordField::Kind::Subarray:
    case RecordField::Kind::Other: break;
  }
  internal_error << "a store into this record field reached lowering";
}

V FunctionLowerer::lower_record_getattr(const InstData &d) {
  TypeId t = type(d.operands[0]);
  const RecordInfo &r = info_of(types_, t);
  int k = r.field(f_.names[static_cast<size_t>(d.imm)]);
  internal_assert(k >= 0) << "an unknown record field reached lowering";
  if (types_.kind(t) == TypeKind::Record)
    return record_field_read(get(d.operands[0]), t, static_cast<size_t>(k), type(d.result));
  return record_field_view(get(d.operands[0]), t, static_cast<size_t>(k), type(d.result));
}

V FunctionLowerer::lower_record_getitem(const InstData &d) {
  TypeId t = type(d.operands[0]);
  size_t k = field_of_key(f_, types_, info_of(types_, t), d.operands[1]);
  if (types_.kind(t) == TypeKind::Record)
    return record_field_read(get(d.operands[0]), t, k, type(d.result));
  return record_field_view(get(d.operands[0]), t, k, type(d.result));
}

void FunctionLowerer::lower_record_setattr(const InstData &d) {
  TypeId t = type(d.operands[0]);
  int k = info_of(types_, t).field(f_.names[static_cast<size_t>(d.imm)]);
  internal_assert(k >= 0) << "an unknown record field reached lowering";
  record_field_store(get(d.operands[0]), t, static_cast<size_t>(k), get(d.operands[1]),
                     type(d.operands[1]));
}

void FunctionLowerer::lower_record_setitem(const InstData &d) {
  TypeId t = type(d.operands[0]);
  const RecordInfo &r = info_of(types_, t);
  V value = get(d.operands[2]);
  TypeId vt = type(d.operands[2]);
  if (types_.kind(t) == TypeKind::Record) {
    record_field_store(get(d.operands[0]), t, field_of_key(f_, types_, r, d.operands[1]), value,
                       vt);
    return;
  }
  if (types_.kind(type(d.operands[1])) == TypeKind::Str) {  // a["x"] = v fills the field's view
    size_t k = field_of_key(f_, types_, r, d.operands[1]);
    const RecordField &f = r.fields[k];
    int nd = types_.ndim(t) + static_cast<int>(f.shape.size());
    TypeId view_t = types_.array(types_.scalar_kind(f.type), nd, Layout::A);
    V view = record_field_view(get(d.operands[0]), t, k, view_t);
    assign_to_view(view, view_t, value, vt);
    decref(view, view_t);
    return;
  }
  // a[i] = r: the record's bytes (memmove: r may be a[i] itself).
  TypeId elem = types_.record(types_.get(t).handle, types_.readonly(t));
  V target = index_array(get(d.operands[0]), t, d.operands[1], elem, d.loc);
  b_.CreateMemMove(b_.CreateExtractValue(target, {0}), llvm::MaybeAlign(1),
                   b_.CreateExtractValue(value, {0}), llvm::MaybeAlign(1),
                   static_cast<uint64_t>(r.itemsize));
}

bool FunctionLowerer::lower_record_creation(const InstData &d, BuiltinId id, V *out) {
  TypeId rt = type(d.result);
  if (types_.kind(rt) != TypeKind::RecordArray ||
      (id != BuiltinId::NpEmpty && id != BuiltinId::NpZeros))
    return false;
  std::vector<V> shape;
  shape_values(d.operands[1], &shape);
  V arr = allocate_array(rt, shape);
  if (id == BuiltinId::NpZeros)  // np.empty's is left as it is (NumPy's is uninitialised too)
    b_.CreateMemSet(
        array_field(arr, DataModel::kData), llvm::ConstantInt::get(i8_, 0),
        b_.CreateMul(array_field(arr, DataModel::kNitems),
                     llvm::ConstantInt::get(i64_, static_cast<uint64_t>(types_.itemsize(rt)))),
        llvm::MaybeAlign(1));
  *out = arr;
  return true;
}

}  // namespace ember
