// Arrays: the array struct, element addresses, views, attributes, stores, iteration and
// allocation.  An index wraps when negative (Python's rule) and is checked only under
// boundscheck=True; views share the buffer and take a reference to it.
#include "ember/abi.h"
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::array_field(V arr, unsigned field) {
  return b_.CreateExtractValue(arr, {field});
}

V FunctionLowerer::array_dim(V arr, unsigned field, int k) {
  return b_.CreateExtractValue(arr, {field, static_cast<unsigned>(k)});
}

V FunctionLowerer::stride_of(V arr, TypeId t, int k) {
  int nd = types_.ndim(t);
  Layout l = types_.layout(t);
  // The innermost axis of a contiguous array has a known stride: this is what vectorizes.
  if ((l == Layout::C && k == nd - 1) || (l == Layout::F && k == 0))
    return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(types_.itemsize(t)));
  return array_dim(arr, DataModel::kStrides, k);
}

V FunctionLowerer::wrap_index(V index, ScalarKind kind, V extent) {
  V i = index;
  if (kind == ScalarKind::Bool || !is_signed(kind)) {
    i = b_.CreateZExtOrTrunc(i, i64_);
  } else {
    i = b_.CreateSExtOrTrunc(i, i64_);
    i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)),
                        b_.CreateAdd(i, extent), i);
  }
  if (f_.flags.boundscheck)
    raise_if(b_.CreateICmpUGE(i, extent), EMBER_EXC_IndexError, "index is out of bounds");
  return i;
}

V FunctionLowerer::element_pointer(V arr, TypeId t, const std::vector<V> &indices) {
  // A record is addressed as an array of its bytes.
  llvm::Type *et = types_.kind(t) == TypeKind::RecordArray
                       ? llvm::ArrayType::get(i8_, static_cast<uint64_t>(types_.itemsize(t)))
                       : mt(types_.scalar(types_.dtype(t)));
  V data = array_field(arr, DataModel::kData);
  int nd = static_cast<int>(indices.size());
  if (nd == 0) return data;
  Layout l = types_.layout(t);
  // Byte offsets for the strided axes; a typed GEP for the contiguous one.
  int contiguous = l == Layout::C ? nd - 1 : l == Layout::F ? 0 : -1;
  V offset = nullptr;
  for (int k = 0; k < nd; ++k) {
    if (k == contiguous) continue;
    V term = b_.CreateMul(indices[static_cast<size_t>(k)], stride_of(arr, t, k));
    offset = offset ? b_.CreateAdd(offset, term) : term;
  }
  V base = offset ? b_.CreateGEP(i8_, data, offset) : data;
  if (contiguous >= 0)
    return b_.CreateInBoundsGEP(et, base, indices[static_cast<size_t>(contiguous)]);
  return base;
}

V FunctionLowerer::load_element(V ptr, ScalarKind dtype) {
  TypeId t = types_.scalar(dtype);
  return from_memory(b_.CreateLoad(mt(t), ptr), t);
}

void FunctionLowerer::store_element(V ptr, V value, ScalarKind dtype) {
  TypeId t = types_.scalar(dtype);
  b_.CreateStore(to_memory(value, t), ptr);
}

V FunctionLowerer::make_array(TypeId t, V meminfo, V parent, V data, const std::vector<V> &shape,
                              const std::vector<V> &strides) {
  int nd = types_.ndim(t);
  llvm::StructType *st = dm_.array_type(nd);
  V arr = llvm::UndefValue::get(st);
  V nitems = llvm::ConstantInt::get(i64_, 1);
  for (V s : shape) nitems = b_.CreateMul(nitems, s);
  auto itemsize = static_cast<uint64_t>(types_.itemsize(t));
  arr = b_.CreateInsertValue(arr, meminfo, {DataModel::kMeminfo});
  arr = b_.CreateInsertValue(arr, parent, {DataModel::kParent});
  arr = b_.CreateInsertValue(arr, nitems, {DataModel::kNitems});
  arr = b_.CreateInsertValue(arr, llvm::ConstantInt::get(i64_, itemsize), {DataModel::kItemsize});
  arr = b_.CreateInsertValue(arr, data, {DataModel::kData});
  for (unsigned k = 0; k < static_cast<unsigned>(nd); ++k) {
    arr = b_.CreateInsertValue(arr, shape[k], {DataModel::kShape, k});
    arr = b_.CreateInsertValue(arr, strides[k], {DataModel::kStrides, k});
  }
  return arr;
}

V FunctionLowerer::allocate_array(TypeId t, const std::vector<V> &shape) {
  int nd = types_.ndim(t);
  auto itemsize = static_cast<uint64_t>(types_.itemsize(t));  // an array of records' too
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0), *one = llvm::ConstantInt::get(i64_, 1);
  V nitems = one;
  V negative = llvm::ConstantInt::getFalse(ctx_);
  for (V s : shape) {
    negative = b_.CreateOr(negative, b_.CreateICmpSLT(s, zero));
    nitems = b_.CreateMul(nitems, s);
  }
  raise_if(negative, EMBER_EXC_ValueError, "negative dimensions are not allowed");
  // NumPy's check: the item size times every non-zero dimension must fit in int64 (even when
  // another dimension is 0), or the byte count would wrap and the buffer be too small.
  V checked = llvm::ConstantInt::get(i64_, itemsize);
  V overflow = llvm::ConstantInt::getFalse(ctx_);
  for (V s : shape) {
    V product = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smul_with_overflow, checked,
                                         b_.CreateSelect(b_.CreateICmpEQ(s, zero), one, s));
    checked = b_.CreateExtractValue(product, {0});
    overflow = b_.CreateOr(overflow, b_.CreateExtractValue(product, {1}));
  }
  raise_if(overflow, EMBER_EXC_ValueError,
           "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum "
           "possible size.");
  V nbytes = b_.CreateMul(nitems, llvm::ConstantInt::get(i64_, itemsize));
  V meminfo = b_.CreateCall(runtime(RuntimeFn::MeminfoAlloc), {nbytes});
  raise_if(b_.CreateIsNull(meminfo), EMBER_EXC_MemoryError, "cannot allocate an array");
  V data = b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, meminfo, DataModel::kMeminfoDataOffset));
  std::vector<V> strides(static_cast<size_t>(nd));
  V stride = llvm::ConstantInt::get(i64_, itemsize);
  for (int k = nd - 1; k >= 0; --k) {
    strides[static_cast<size_t>(k)] = stride;
    stride = b_.CreateMul(stride, shape[static_cast<size_t>(k)]);
  }
  return make_array(t, meminfo, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_)),
                    data, shape, strides);
}

V FunctionLowerer::lower_getattr(const InstData &d) {
  TypeId t = type(d.operands[0]);
  if (static_cast<AttrId>(d.aux) == AttrId::RecordField) return lower_record_getattr(d);
  if (types_.kind(t) == TypeKind::Instance || types_.kind(t) == TypeKind::JitClass)
    return lower_jitclass_getattr(d);  // before aux is read: a property's aux is its callee
  auto attr = static_cast<AttrId>(d.aux);
  V obj = get(d.operands[0]);
  switch (attr) {
    case AttrId::ModuleAttr: {
      // A module's attribute is a frozen value: numbers (math.pi) become constants.
      const ModuleAttrs &attrs = f_.modules.at(types_.get(t).handle);
      return lower_const(attrs.at(f_.names[static_cast<size_t>(d.imm)]), type(d.result));
    }
    case AttrId::None:
    case AttrId::Method:
    case AttrId::Dtype: return nullptr;
    case AttrId::GridAxisX:
    case AttrId::GridAxisY:
    case AttrId::GridAxisZ:
    case AttrId::KernelValue: return lower_kernel_attr(d);
    case AttrId::UserMethod:
    case AttrId::UserAttribute: return lower_user_attribute(d);
    case AttrId::JitclassField:
    case AttrId::JitclassMethod:
    case AttrId::JitclassProperty:
    case AttrId::JitclassStatic: return lower_jitclass_getattr(d);
    case AttrId::ExceptionArgs: return lower_caught_args(d);
    case AttrId::Flags: return obj;  // the array itself: its flags are computed when read
    case AttrId::CTypes:
    case AttrId::CTypesDataAs: return obj;  // the array itself, as flags
    case AttrId::CTypesData: return lower_ctypes_data(obj);
    case AttrId::Shape:
    case AttrId::Strides: {
      int nd = types_.ndim(t);
      TypeId rt = type(d.result);
      V tup = llvm::UndefValue::get(mt(rt));
      for (int k = 0; k < nd; ++k)
        tup = b_.CreateInsertValue(tup,
                                   attr == AttrId::Shape ? array_dim(obj, DataModel::kShape, k)
                                                         : array_dim(obj, DataModel::kStrides, k),
                                   {static_cast<unsigned>(k)});
      return tup;
    }
    case AttrId::Ndim: return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(types_.ndim(t)));
    case AttrId::Size: return array_field(obj, DataModel::kNitems);
    case AttrId::Itemsize:
      return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(types_.itemsize(t)));
    case AttrId::Nbytes:
      return b_.CreateMul(array_field(obj, DataModel::kNitems),
                          llvm::ConstantInt::get(i64_, static_cast<uint64_t>(types_.itemsize(t))));
    case AttrId::RecordField: return lower_record_getattr(d);
    case AttrId::Transpose: {
      int nd = types_.ndim(t);
      std::vector<V> shape, strides;
      for (int k = nd - 1; k >= 0; --k) {
        shape.push_back(array_dim(obj, DataModel::kShape, k));
        strides.push_back(array_dim(obj, DataModel::kStrides, k));
      }
      V v = make_array(type(d.result), array_field(obj, DataModel::kMeminfo),
                       array_field(obj, DataModel::kParent), array_field(obj, DataModel::kData),
                       shape, strides);
      incref(v, type(d.result));
      return v;
    }
    case AttrId::Real:
    case AttrId::Imag: {
      ScalarKind k = types_.scalar_kind(t);
      if (is_complex(k)) return b_.CreateExtractValue(obj, {attr == AttrId::Real ? 0u : 1u});
      return attr == AttrId::Real ? obj : scalar_zero(k);
    }
    case AttrId::Writeable:  // read-only arrays have their own types
      return llvm::ConstantInt::getBool(ctx_, !types_.readonly(types_.get(t).elems[0]));
    case AttrId::CContiguous:
    case AttrId::FContiguous: {
      // NumPy's rule: strides match the dense layout, ignoring axes of extent 1.
      TypeId at = types_.get(t).elems[0];
      bool c = attr == AttrId::CContiguous;
      Layout l = types_.layout(at);
      if ((c && l == Layout::C) || (!c && l == Layout::F) || types_.ndim(at) <= 0)
        return llvm::ConstantInt::getTrue(ctx_);
      int nd = types_.ndim(at);
      V expected =
          llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(types_.dtype(at)) / 8));
      V ok = llvm::ConstantInt::getTrue(ctx_);
      V empty = llvm::ConstantInt::getFalse(ctx_);
      for (int j = 0; j < nd; ++j) {
        int k = c ? nd - 1 - j : j;
        V extent = array_dim(obj, DataModel::kShape, k);
        V stride = array_dim(obj, DataModel::kStrides, k);
        V one = b_.CreateICmpEQ(extent, llvm::ConstantInt::get(i64_, 1));
        ok = b_.CreateAnd(ok, b_.CreateOr(one, b_.CreateICmpEQ(stride, expected)));
        empty = b_.CreateOr(empty, b_.CreateICmpEQ(extent, llvm::ConstantInt::get(i64_, 0)));
        expected = b_.CreateMul(expected, extent);
      }
      return b_.CreateOr(ok, empty);
    }
  }
  unsupported(d.loc) << "this attribute is not supported in compiled code yet";
}

V FunctionLowerer::resolve_slice(V slice, V n, V *length, V *step_out) {
  V start = b_.CreateExtractValue(slice, {0});
  V stop = b_.CreateExtractValue(slice, {1});
  V step = b_.CreateExtractValue(slice, {2});
  V flags = b_.CreateExtractValue(slice, {3});
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0),
                 *minus1 = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(-1), true);
  raise_if(b_.CreateICmpEQ(step, zero), EMBER_EXC_ValueError, "slice step cannot be zero");
  V neg = b_.CreateICmpSLT(step, zero);
  V n_minus1 = b_.CreateSub(n, llvm::ConstantInt::get(i64_, 1));
  // CPython's PySlice_AdjustIndices.
  auto adjust = [&](V x, V lo_if_neg_step, V hi_if_neg_step) {
    V wrapped = b_.CreateSelect(b_.CreateICmpSLT(x, zero), b_.CreateAdd(x, n), x);
    V below = b_.CreateICmpSLT(wrapped, zero);
    V above = b_.CreateICmpSGE(wrapped, n);
    V lo = b_.CreateSelect(neg, lo_if_neg_step, zero);
    V hi = b_.CreateSelect(neg, hi_if_neg_step, n);
    return b_.CreateSelect(below, lo, b_.CreateSelect(above, hi, wrapped));
  };
  V no_start = b_.CreateICmpNE(b_.CreateAnd(flags, llvm::ConstantInt::get(i8_, 1)),
                               llvm::ConstantInt::get(i8_, 0));
  V no_stop = b_.CreateICmpNE(b_.CreateAnd(flags, llvm::ConstantInt::get(i8_, 2)),
                              llvm::ConstantInt::get(i8_, 0));
  V s = b_.CreateSelect(no_start, b_.CreateSelect(neg, n_minus1, zero),
                        adjust(start, minus1, n_minus1));
  V e = b_.CreateSelect(no_stop, b_.CreateSelect(neg, minus1, n), adjust(stop, minus1, n_minus1));
  V one = llvm::ConstantInt::get(i64_, 1);
  V len_pos = b_.CreateSelect(
      b_.CreateICmpSLT(s, e),
      b_.CreateAdd(b_.CreateSDiv(b_.CreateSub(b_.CreateSub(e, s), one), step), one), zero);
  V len_neg = b_.CreateSelect(
      b_.CreateICmpSLT(e, s),
      b_.CreateAdd(b_.CreateSDiv(b_.CreateSub(b_.CreateSub(s, e), one), b_.CreateNeg(step)), one),
      zero);
  *length = b_.CreateSelect(neg, len_neg, len_pos);
  *step_out = step;
  return s;
}

V FunctionLowerer::index_array(V arr, TypeId t, Value index, TypeId result, SourceLoc loc) {
  std::vector<IndexItem> items = analyze_index(f_, types_, index, loc);
  int nd = types_.ndim(t);
  V idx_value = get(index);
  TypeId idx_type = type(index);
  auto item_value = [&](size_t k, ScalarKind *kind) -> V {
    const IndexItem &it = items[k];
    if (it.value.valid()) {
      TypeId vt0 = type(it.value);
      if (types_.kind(vt0) == TypeKind::Optional) {
        TypeId inner = types_.get(vt0).elems[0];
        *kind = types_.is_scalar(inner) ? types_.scalar_kind(inner) : ScalarKind::Int64;
        return convert(get(it.value), vt0, inner);
      }
      *kind = types_.is_scalar(vt0) ? types_.scalar_kind(vt0) : ScalarKind::Int64;
      return get(it.value);
    }
    TypeId et = types_.get(idx_type).elems[k];
    *kind = types_.scalar_kind(et);
    return from_memory(b_.CreateExtractValue(idx_value, {static_cast<unsigned>(k)}), et);
  };
  bool scalar = types_.is_scalar(result) || types_.kind(result) == TypeKind::Record;
  if (scalar) {
    std::vector<V> indices;
    for (size_t k = 0; k < items.size(); ++k) {
      ScalarKind kind;
      V raw = item_value(k, &kind);
      indices.push_back(
          wrap_index(raw, kind, array_dim(arr, DataModel::kShape, static_cast<int>(k))));
    }
    if (types_.kind(result) == TypeKind::Record)  // the record in place
      return make_record(element_pointer(arr, t, indices), array_field(arr, DataModel::kParent));
    return load_element(element_pointer(arr, t, indices), types_.dtype(t));
  }
  V data = array_field(arr, DataModel::kData);
  std::vector<V> shape, strides;
  int ax = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const IndexItem &it = items[k];
    switch (it.kind) {
      case IndexItem::Kind::Int: {
        ScalarKind kind;
        V raw = item_value(k, &kind);
        V i = wrap_index(raw, kind, array_dim(arr, DataModel::kShape, ax));
        data = b_.CreateGEP(i8_, data, b_.CreateMul(i, array_dim(arr, DataModel::kStrides, ax)));
        ++ax;
        break;
      }
      case IndexItem::Kind::Slice: {
        V length, step;
        V start =
            resolve_slice(get(it.value), array_dim(arr, DataModel::kShape, ax), &length, &step);
        V stride = array_dim(arr, DataModel::kStrides, ax);
        data = b_.CreateGEP(i8_, data, b_.CreateMul(start, stride));
        shape.push_back(length);
        strides.push_back(b_.CreateMul(stride, step));
        ++ax;
        break;
      }
      case IndexItem::Kind::NewAxis:
        shape.push_back(llvm::ConstantInt::get(i64_, 1));
        strides.push_back(llvm::ConstantInt::get(i64_, 0));
        break;
      case IndexItem::Kind::Ellipsis: break;  // the last part: the axes the loop below keeps
      case IndexItem::Kind::Array: internal_error << "array index reached lowering";
    }
  }
  for (; ax < nd; ++ax) {
    shape.push_back(array_dim(arr, DataModel::kShape, ax));
    strides.push_back(array_dim(arr, DataModel::kStrides, ax));
  }
  return make_array(result, array_field(arr, DataModel::kMeminfo),
                    array_field(arr, DataModel::kParent), data, shape, strides);
}

V FunctionLowerer::lower_getitem(const InstData &d) {
  TypeId ct = type(d.operands[0]);
  V c = get(d.operands[0]);
  TypeId rt = type(d.result);
  if (types_.kind(ct) == TypeKind::Tuple) {
    const auto &elems = types_.get(ct).elems;
    int64_t k;
    V v;
    std::vector<int64_t> picks;
    if (const_slice_positions(f_, d.operands[1], static_cast<int64_t>(elems.size()), d.loc,
                              &picks)) {
      v = llvm::UndefValue::get(mt(rt));
      for (unsigned k = 0; k < picks.size(); ++k) {
        unsigned idx = static_cast<unsigned>(picks[k]);
        v = b_.CreateInsertValue(v, b_.CreateExtractValue(c, {idx}), {k});
      }
    } else if (f_.const_int(d.operands[1], &k)) {
      int64_t n = static_cast<int64_t>(elems.size());
      unsigned idx = static_cast<unsigned>(k < 0 ? k + n : k);
      v = from_memory(b_.CreateExtractValue(c, {idx}), elems[idx]);
    } else {
      // A homogeneous tuple indexed at run time: spill it and index the memory.
      V slot = entry_alloca(mt(ct), "tuple");
      b_.CreateStore(c, slot);
      TypeId it = type(d.operands[1]);
      V n = llvm::ConstantInt::get(i64_, elems.size());
      V i = b_.CreateSExtOrTrunc(convert(get(d.operands[1]), it, types_.int64()), i64_);
      i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)), b_.CreateAdd(i, n),
                          i);
      raise_if(b_.CreateICmpUGE(i, n), EMBER_EXC_IndexError, "tuple index out of range");
      v = from_memory(b_.CreateLoad(mt(rt), b_.CreateGEP(mt(rt), slot, i)), rt);
    }
    incref(v, rt);
    return v;
  }
  std::vector<IndexItem> items = analyze_index(f_, types_, d.operands[1], d.loc);
  if (items.size() == 1 && items[0].kind == IndexItem::Kind::Array)
    return lower_fancy_get(c, ct, items[0].value, rt);  // a new array: already owned
  V v = index_array(c, ct, d.operands[1], rt, d.loc);
  incref(v, rt);
  return v;
}

V FunctionLowerer::lower_fancy_get(V a, TypeId at, Value index, TypeId rt) {
  TypeId it = type(index);
  V idx = get(index);
  ScalarKind dk = types_.dtype(at);
  int nd = types_.ndim(at);
  if (types_.dtype(it) == ScalarKind::Bool) {
    // a[mask]: the selected elements in C order.
    V bad = llvm::ConstantInt::getFalse(ctx_);
    for (int k = 0; k < nd; ++k)
      bad = b_.CreateOr(bad, b_.CreateICmpNE(array_dim(idx, DataModel::kShape, k),
                                             array_dim(a, DataModel::kShape, k)));
    raise_if(bad, EMBER_EXC_IndexError, "the boolean index does not match the array's shape");
    V count = entry_alloca(i64_, "selected");
    b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
    for_each_element(idx, it, [&](V m, V) {
      b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), b_.CreateZExt(m, i64_)), count);
    });
    V out = allocate_array(rt, {b_.CreateLoad(i64_, count)});
    V odata = array_field(out, DataModel::kData);
    b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
    std::vector<V> shape;
    for (int k = 0; k < nd; ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
    emit_nd_loop(shape, [&](const std::vector<V> &ix) {
      V m = load_element(element_pointer(idx, it, ix), ScalarKind::Bool);
      auto *take = llvm::BasicBlock::Create(ctx_, "mask.take", fn_);
      auto *next = llvm::BasicBlock::Create(ctx_, "mask.next", fn_);
      b_.CreateCondBr(m, take, next);
      b_.SetInsertPoint(take);
      V c = b_.CreateLoad(i64_, count);
      store_element(b_.CreateInBoundsGEP(mt(types_.scalar(dk)), odata, c),
                    load_element(element_pointer(a, at, ix), dk), dk);
      b_.CreateStore(b_.CreateAdd(c, llvm::ConstantInt::get(i64_, 1)), count);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    });
    return out;
  }
  // a[idx]: rows (or elements) of a picked by an integer array.
  V n = array_dim(idx, DataModel::kShape, 0);
  std::vector<V> shape = {n};
  for (int k = 1; k < nd; ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
  V out = allocate_array(rt, shape);
  V extent = array_dim(a, DataModel::kShape, 0);
  ScalarKind ik = types_.dtype(it);
  emit_nd_loop(shape, [&](const std::vector<V> &ix) {
    V raw = load_element(element_pointer(idx, it, {ix[0]}), ik);
    V i = b_.CreateSExtOrTrunc(raw, i64_);
    if (!is_signed(ik)) i = b_.CreateZExtOrTrunc(raw, i64_);
    i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)),
                        b_.CreateAdd(i, extent), i);
    raise_if(b_.CreateICmpUGE(i, extent), EMBER_EXC_IndexError, "index is out of bounds");
    std::vector<V> src = ix;
    src[0] = i;
    store_element(element_pointer(out, rt, ix), load_element(element_pointer(a, at, src), dk), dk);
  });
  return out;
}

void FunctionLowerer::lower_fancy_set(V a, TypeId at, Value index, V value, TypeId vt0) {
  TypeId it = type(index);
  V idx = get(index);
  ScalarKind dk = types_.dtype(at);
  TypeId dt = types_.scalar(dk);
  int nd = types_.ndim(at);
  TypeId vu = vt0;
  if (types_.kind(vu) == TypeKind::Optional) {
    value = convert(value, vu, types_.get(vu).elems[0]);
    vu = types_.get(vu).elems[0];
  }
  bool scalar = types_.is_scalar(vu);
  V to_free = nullptr;
  if (!scalar) value = detach_from(value, vu, a, at, &to_free);  // a[m] = a[::-1][:3]
  // The k-th assigned element: the scalar, or value[k] (broadcast when value has one element).
  auto source = [&](V k) -> V {
    if (scalar) return convert(value, vu, dt);
    V one =
        b_.CreateICmpEQ(array_dim(value, DataModel::kShape, 0), llvm::ConstantInt::get(i64_, 1));
    V j = b_.CreateSelect(one, llvm::ConstantInt::get(i64_, 0), k);
    return convert(load_element(element_pointer(value, vu, {j}), types_.dtype(vu)),
                   types_.scalar(types_.dtype(vu)), dt);
  };
  if (types_.dtype(it) == ScalarKind::Bool) {
    V bad = llvm::ConstantInt::getFalse(ctx_);
    for (int k = 0; k < nd; ++k)
      bad = b_.CreateOr(bad, b_.CreateICmpNE(array_dim(idx, DataModel::kShape, k),
                                             array_dim(a, DataModel::kShape, k)));
    raise_if(bad, EMBER_EXC_IndexError, "the boolean index does not match the array's shape");
    V count = entry_alloca(i64_, "assigned");
    b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
    std::vector<V> shape;
    for (int k = 0; k < nd; ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
    if (!scalar) {
      // NumPy assigns len(value) values to as many True positions, or broadcasts one value.
      emit_nd_loop(shape, [&](const std::vector<V> &ix) {
        V m = b_.CreateZExt(load_element(element_pointer(idx, it, ix), ScalarKind::Bool), i64_);
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), m), count);
      });
      V len = array_dim(value, DataModel::kShape, 0);
      V fits = b_.CreateOr(b_.CreateICmpEQ(len, b_.CreateLoad(i64_, count)),
                           b_.CreateICmpEQ(len, llvm::ConstantInt::get(i64_, 1)));
      raise_if(b_.CreateNot(fits), EMBER_EXC_ValueError,
               "boolean index assignment: the value's length does not match the number of True "
               "entries");
      b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
    }
    emit_nd_loop(shape, [&](const std::vector<V> &ix) {
      V m = load_element(element_pointer(idx, it, ix), ScalarKind::Bool);
      auto *put = llvm::BasicBlock::Create(ctx_, "mask.put", fn_);
      auto *next = llvm::BasicBlock::Create(ctx_, "mask.next", fn_);
      b_.CreateCondBr(m, put, next);
      b_.SetInsertPoint(put);
      V c = b_.CreateLoad(i64_, count);
      store_element(element_pointer(a, at, ix), source(c), dk);
      b_.CreateStore(b_.CreateAdd(c, llvm::ConstantInt::get(i64_, 1)), count);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    });
    if (to_free) meminfo_decref(to_free);
    return;
  }
  if (nd != 1)
    unsupported(current_ ? current_->loc : SourceLoc{})
        << "storing through an integer index array is supported on 1-d arrays only";
  V n = array_dim(idx, DataModel::kShape, 0);
  V extent = array_dim(a, DataModel::kShape, 0);
  ScalarKind ik = types_.dtype(it);
  if (!scalar) {
    V len = array_dim(value, DataModel::kShape, 0);
    V fits =
        b_.CreateOr(b_.CreateICmpEQ(len, n), b_.CreateICmpEQ(len, llvm::ConstantInt::get(i64_, 1)));
    raise_if(b_.CreateNot(fits), EMBER_EXC_ValueError,
             "shape mismatch: the value cannot be broadcast to the index array's shape");
  }
  emit_loop(n, [&](V k) {
    V raw = load_element(element_pointer(idx, it, {k}), ik);
    V i = is_signed(ik) ? b_.CreateSExtOrTrunc(raw, i64_) : b_.CreateZExtOrTrunc(raw, i64_);
    i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)),
                        b_.CreateAdd(i, extent), i);
    raise_if(b_.CreateICmpUGE(i, extent), EMBER_EXC_IndexError, "index is out of bounds");
    store_element(element_pointer(a, at, {i}), source(k), dk);
  });
  if (to_free) meminfo_decref(to_free);
}

void FunctionLowerer::lower_setitem(const InstData &d) {
  TypeId ct = type(d.operands[0]);
  if (types_.kind(ct) == TypeKind::Record || types_.kind(ct) == TypeKind::RecordArray) {
    lower_record_setitem(d);
    return;
  }
  V c = get(d.operands[0]);
  std::vector<IndexItem> items = analyze_index(f_, types_, d.operands[1], d.loc);
  TypeId vt0 = type(d.operands[2]);
  if (items.size() == 1 && items[0].kind == IndexItem::Kind::Array) {
    lower_fancy_set(c, ct, items[0].value, get(d.operands[2]), vt0);
    return;
  }
  TypeId target = view_type(types_, ct, items, d.loc);
  if (types_.is_scalar(target)) {
    // index_array computes the address; reuse it by indexing without the load.
    std::vector<V> indices;
    V idx_value = get(d.operands[1]);
    TypeId idx_type = type(d.operands[1]);
    for (size_t k = 0; k < items.size(); ++k) {
      const IndexItem &it = items[k];
      V raw;
      ScalarKind kind;
      if (it.value.valid()) {
        TypeId t0 = type(it.value);
        if (types_.kind(t0) == TypeKind::Optional) {
          TypeId inner = types_.get(t0).elems[0];
          raw = convert(get(it.value), t0, inner);
          kind = types_.scalar_kind(inner);
        } else {
          raw = get(it.value);
          kind = types_.scalar_kind(t0);
        }
      } else {
        TypeId et = types_.get(idx_type).elems[k];
        raw = from_memory(b_.CreateExtractValue(idx_value, {static_cast<unsigned>(k)}), et);
        kind = types_.scalar_kind(et);
      }
      indices.push_back(
          wrap_index(raw, kind, array_dim(c, DataModel::kShape, static_cast<int>(k))));
    }
    V value = convert(get(d.operands[2]), vt0, types_.scalar(types_.dtype(ct)));
    store_element(element_pointer(c, ct, indices), value, types_.dtype(ct));
    return;
  }
  V view = index_array(c, ct, d.operands[1], target, d.loc);
  TypeId vt = unwrap_optional(types_, vt0);
  if (d.imm == 1 && types_.is_array(vt) && types_.ndim(vt) > types_.ndim(target)) {
    // A ufunc's out= (MakeExplicit's ufunc_into): NumPy raises when it runs, and so does ember.
    raise_if(llvm::ConstantInt::getTrue(ctx_), EMBER_EXC_ValueError,
             "non-broadcastable output operand: out has fewer dimensions than the result");
    return;
  }
  if (f_.is_fused(d.operands[2])) {
    // out[1:-1] = 0.25 * v[:-2] + ...: evaluated straight into the view, no temporary.
    ExprTree tree;
    collect_leaves(d.operands[2], tree, true);
    std::vector<V> shape;
    for (int k = 0; k < types_.ndim(target); ++k)
      shape.push_back(array_dim(view, DataModel::kShape, k));
    broadcast_shape(tree, types_.ndim(target), &shape);
    evaluate_into(view, target, d.operands[2], tree, shape, false);
    return;
  }
  assign_to_view(view, target, get(d.operands[2]), vt0);
}

void FunctionLowerer::emit_nd_loop(const std::vector<V> &shape,
                                   const std::function<void(const std::vector<V> &)> &body) {
  std::vector<V> idx;
  std::function<void(size_t)> level = [&](size_t k) {
    if (k == shape.size()) {
      body(idx);
      return;
    }
    emit_loop(shape[k], [&](V i) {
      idx.push_back(i);
      level(k + 1);
      idx.pop_back();
    });
  };
  level(0);
}

void FunctionLowerer::assign_to_view(V dst, TypeId dt, V value, TypeId value_type) {
  int nd = types_.ndim(dt);
  ScalarKind dk = types_.dtype(dt);
  std::vector<V> shape;
  for (int k = 0; k < nd; ++k) shape.push_back(array_dim(dst, DataModel::kShape, k));
  TypeId vu = value_type;
  if (types_.kind(vu) == TypeKind::Optional) {
    value = convert(value, vu, types_.get(vu).elems[0]);
    vu = types_.get(vu).elems[0];
  }
  if (types_.is_scalar(vu)) {
    V x = convert(value, vu, types_.scalar(dk));
    emit_nd_loop(shape, [&](const std::vector<V> &idx) {
      store_element(element_pointer(dst, dt, idx), x, dk);
    });
    return;
  }
  // Broadcast the source array's trailing axes onto the destination's.
  int snd = types_.ndim(vu);
  ScalarKind sk = types_.dtype(vu);
  // As in NumPy, a value of more dimensions than the view fits when its extra leading axes
  // have length 1 (a[:] = b[None]); those axes are always indexed at 0.
  int extra = std::max(0, snd - nd);
  for (int k = 0; k < extra; ++k)
    raise_if(
        b_.CreateICmpNE(array_dim(value, DataModel::kShape, k), llvm::ConstantInt::get(i64_, 1)),
        EMBER_EXC_ValueError,
        "could not broadcast input array into the destination's shape: it has more "
        "dimensions, and an extra leading axis is not of length 1");
  std::vector<V> src_extent;
  for (int k = extra; k < snd; ++k) {
    V se = array_dim(value, DataModel::kShape, k);
    V de = shape[static_cast<size_t>(nd - snd + k)];
    V ok =
        b_.CreateOr(b_.CreateICmpEQ(se, de), b_.CreateICmpEQ(se, llvm::ConstantInt::get(i64_, 1)));
    raise_if(b_.CreateNot(ok), EMBER_EXC_ValueError,
             "could not broadcast the input array into the target's shape");
    src_extent.push_back(se);
  }
  // Copy through a temporary when the source may overlap the destination (a[1:] = a[:-1]).
  V to_free = nullptr;
  V src = detach_from(value, vu, dst, dt, &to_free);
  emit_nd_loop(shape, [&](const std::vector<V> &idx) {
    std::vector<V> sidx(static_cast<size_t>(extra), llvm::ConstantInt::get(i64_, 0));
    for (int k = extra; k < snd; ++k) {
      V i = idx[static_cast<size_t>(nd - snd + k)];
      V one = b_.CreateICmpEQ(src_extent[static_cast<size_t>(k - extra)],
                              llvm::ConstantInt::get(i64_, 1));
      sidx.push_back(b_.CreateSelect(one, llvm::ConstantInt::get(i64_, 0), i));
    }
    TypeId any_layout = types_.array(sk, snd, Layout::A);
    V x = load_element(element_pointer(src, any_layout, sidx), sk);
    store_element(element_pointer(dst, dt, idx), convert(x, types_.scalar(sk), types_.scalar(dk)),
                  dk);
  });
  meminfo_decref(to_free);
}

V FunctionLowerer::detach_from(V src, TypeId st, V dst, TypeId dt, V *to_free) {
  V overlaps = memory_overlaps(src, st, dst, dt);
  int nd = types_.ndim(st);
  ScalarKind sk = types_.dtype(st);
  TypeId tmp_type = types_.array(sk, nd, Layout::C);
  std::vector<V> extent;
  for (int k = 0; k < nd; ++k) extent.push_back(array_dim(src, DataModel::kShape, k));
  auto *copy_bb = llvm::BasicBlock::Create(ctx_, "overlap.copy", fn_);
  auto *join = llvm::BasicBlock::Create(ctx_, "overlap.join", fn_);
  llvm::BasicBlock *before = b_.GetInsertBlock();
  b_.CreateCondBr(overlaps, copy_bb, join);
  b_.SetInsertPoint(copy_bb);
  V tmp = allocate_array(tmp_type, extent);
  emit_nd_loop(extent, [&](const std::vector<V> &idx) {
    store_element(element_pointer(tmp, tmp_type, idx),
                  load_element(element_pointer(src, st, idx), sk), sk);
  });
  V tmp_meminfo = array_field(tmp, DataModel::kMeminfo);
  llvm::BasicBlock *copy_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::PHINode *out = b_.CreatePHI(mt(st), 2);
  out->addIncoming(src, before);
  out->addIncoming(tmp, copy_end);  // same struct type: C layout is a special case of any layout
  llvm::PHINode *owned = b_.CreatePHI(ptr_, 2);
  owned->addIncoming(llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_)), before);
  owned->addIncoming(tmp_meminfo, copy_end);
  *to_free = owned;
  return out;
}

V FunctionLowerer::memory_overlaps(V a, TypeId at, V b, TypeId bt) {
  // [lo, hi) of the bytes an array may touch; an empty array touches none.
  auto extent = [&](V arr, TypeId t, V *lo, V *hi, V *empty) {
    V zero = llvm::ConstantInt::get(i64_, 0);
    V base = b_.CreatePtrToInt(array_field(arr, DataModel::kData), i64_);
    *lo = base;
    *hi = b_.CreateAdd(base, array_field(arr, DataModel::kItemsize));
    *empty = llvm::ConstantInt::getFalse(ctx_);
    for (int k = 0; k < types_.ndim(t); ++k) {
      V n = array_dim(arr, DataModel::kShape, k);
      *empty = b_.CreateOr(*empty, b_.CreateICmpSLE(n, zero));
      V reach = b_.CreateMul(b_.CreateSub(n, llvm::ConstantInt::get(i64_, 1)),
                             array_dim(arr, DataModel::kStrides, k));
      V neg = b_.CreateICmpSLT(reach, zero);
      *lo = b_.CreateAdd(*lo, b_.CreateSelect(neg, reach, zero));
      *hi = b_.CreateAdd(*hi, b_.CreateSelect(neg, zero, reach));
    }
  };
  V alo, ahi, aempty, blo, bhi, bempty;
  extent(a, at, &alo, &ahi, &aempty);
  extent(b, bt, &blo, &bhi, &bempty);
  V meet = b_.CreateAnd(b_.CreateICmpULT(alo, bhi), b_.CreateICmpULT(blo, ahi));
  return b_.CreateAnd(meet, b_.CreateNot(b_.CreateOr(aempty, bempty)));
}

// ---- iteration -----------------------------------------------------------------------------

V FunctionLowerer::iterator_from(V iterable, TypeId from, TypeId iter_type) {
  const TypeData &fd = types_.get(from);
  if (fd.kind == TypeKind::Generator) {  // its own iterator: a new reference to it
    incref(iterable, from);
    return iterable;
  }
  // The index of the current item starts before the first (DataModel::iterator_state_type).
  llvm::Constant *minus_one = llvm::ConstantInt::getSigned(i64_, -1);
  switch (fd.kind) {
    case TypeKind::Range: {
      llvm::Type *st = dm_.iterator_state_type(iter_type);
      V state = entry_alloca(st, "range");
      V start = b_.CreateExtractValue(iterable, {0});
      V stop = b_.CreateExtractValue(iterable, {1});
      V step = b_.CreateExtractValue(iterable, {2});
      V count = range_count(start, stop, step);
      b_.CreateStore(start, b_.CreateStructGEP(st, state, 0));
      b_.CreateStore(step, b_.CreateStructGEP(st, state, 1));
      b_.CreateStore(count, b_.CreateStructGEP(st, state, 2));
      b_.CreateStore(minus_one, b_.CreateStructGEP(st, state, 3));  // before the first item
      return state;
    }
    case TypeKind::Array:
    case TypeKind::RecordArray: {
      llvm::Type *st = dm_.iterator_state_type(iter_type);
      V state = entry_alloca(st, "arrayiter");
      b_.CreateStore(iterable, b_.CreateStructGEP(st, state, 0));
      b_.CreateStore(minus_one, b_.CreateStructGEP(st, state, 1));
      incref(iterable, from);  // the iterator holds the array
      return state;
    }
    case TypeKind::Tuple: {
      llvm::Type *st = dm_.iterator_state_type(iter_type);
      V state = entry_alloca(st, "tupleiter");
      b_.CreateStore(iterable, b_.CreateStructGEP(st, state, 0));
      b_.CreateStore(minus_one, b_.CreateStructGEP(st, state, 1));
      incref(iterable, from);
      return state;
    }
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::DictView: return container_iterator_from(iterable, from, iter_type);
    case TypeKind::Unicode: return string_iter_init(iterable, iter_type);
    case TypeKind::RangeIter:
    case TypeKind::ArrayIter:
    case TypeKind::EnumerateIter:
    case TypeKind::ZipIter:
    case TypeKind::TupleIter:
    case TypeKind::ListIter:
    case TypeKind::DictIter:
    case TypeKind::UnicodeIter:
      incref(iterable, from);  // another owner of the same iterator
      return iterable;
    default: internal_error << "cannot iterate over " << types_.to_string(from);
  }
  return nullptr;
}

V FunctionLowerer::lower_getiter(const InstData &d) {
  if (types_.kind(type(d.operands[0])) == TypeKind::Str)  // for c in "abc"
    return string_iter_init(string_value(d.operands[0]), type(d.result));
  return iterator_from(get(d.operands[0]), type(d.operands[0]), type(d.result));
}

V FunctionLowerer::lower_iternext(V state, TypeId iter) {
  const TypeData &d = types_.get(iter);
  if (d.kind == TypeKind::Generator) return generator_next(state, iter);
  llvm::Type *st = dm_.iterator_state_type(iter);
  llvm::Constant *one = llvm::ConstantInt::get(i64_, 1);
  switch (d.kind) {
    case TypeKind::ListIter:
    case TypeKind::DictIter: return container_iternext(state, iter);
    // Each step increments the one index first (it starts at -1), then tests it.  The add is
    // nsw but not nuw: -1 + 1 wraps as unsigned (nuw made it poison).
    case TypeKind::RangeIter: {
      V count = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 2));
      V idx =
          b_.CreateAdd(b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 3)), one, "", false, true);
      b_.CreateStore(idx, b_.CreateStructGEP(st, state, 3));
      return b_.CreateICmpSLT(idx, count);
    }
    case TypeKind::ArrayIter: {
      V arr = b_.CreateLoad(mt(d.elems[0]), b_.CreateStructGEP(st, state, 0));
      V idx =
          b_.CreateAdd(b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1)), one, "", false, true);
      b_.CreateStore(idx, b_.CreateStructGEP(st, state, 1));
      return b_.CreateICmpSLT(idx, array_dim(arr, DataModel::kShape, 0));
    }
    case TypeKind::EnumerateIter: {
      V inner = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 0));
      V ok = lower_iternext(inner, d.elems[0]);
      V count = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
      b_.CreateStore(b_.CreateAdd(count, one), b_.CreateStructGEP(st, state, 1));
      return ok;
    }
    case TypeKind::TupleIter: {
      V idx =
          b_.CreateAdd(b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1)), one, "", false, true);
      V n = llvm::ConstantInt::get(i64_, types_.get(d.elems[0]).elems.size());
      b_.CreateStore(idx, b_.CreateStructGEP(st, state, 1));
      return b_.CreateICmpSLT(idx, n);
    }
    case TypeKind::ZipIter: {
      V ok = llvm::ConstantInt::getTrue(ctx_);
      for (unsigned k = 0; k < d.elems.size(); ++k) {
        V inner = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, k));
        ok = b_.CreateAnd(ok, lower_iternext(inner, d.elems[k]));
      }
      return ok;
    }
    case TypeKind::UnicodeIter: return string_iter_next(state, iter);
    default: internal_error << "not an iterator";
  }
  return nullptr;
}

V FunctionLowerer::lower_itervalue(V state, TypeId iter) {
  const TypeData &d = types_.get(iter);
  if (d.kind == TypeKind::Generator) return generator_value(state, iter);
  llvm::Type *st = dm_.iterator_state_type(iter);
  switch (d.kind) {
    case TypeKind::RangeIter: {
      V start = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 0));
      V step = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
      V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 3));
      // No overflow: the item lies between the range's start and stop.
      return b_.CreateAdd(start, b_.CreateMul(idx, step, "", false, true), "", false, true);
    }
    case TypeKind::ListIter:
    case TypeKind::DictIter: return container_itervalue(state, iter);
    case TypeKind::ArrayIter: {
      TypeId at = d.elems[0];
      V arr = b_.CreateLoad(mt(at), b_.CreateStructGEP(st, state, 0));
      V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
      int nd = types_.ndim(at);
      if (nd == 1 && types_.kind(at) == TypeKind::RecordArray)
        return make_record(element_pointer(arr, at, {idx}), array_field(arr, DataModel::kParent));
      if (nd == 1) return load_element(element_pointer(arr, at, {idx}), types_.dtype(at));
      TypeId row = array_item_type(types_, at);
      V data = b_.CreateGEP(i8_, array_field(arr, DataModel::kData),
                            b_.CreateMul(idx, array_dim(arr, DataModel::kStrides, 0)));
      std::vector<V> shape, strides;
      for (int k = 1; k < nd; ++k) {
        shape.push_back(array_dim(arr, DataModel::kShape, k));
        strides.push_back(array_dim(arr, DataModel::kStrides, k));
      }
      return make_array(row, array_field(arr, DataModel::kMeminfo),
                        array_field(arr, DataModel::kParent), data, shape, strides);
    }
    case TypeKind::EnumerateIter: {
      V inner = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 0));
      V count = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
      TypeId vt0 = iterator_value_type(types_, d.elems[0]);
      TypeId tt = types_.tuple({types_.int64(), vt0});
      V tup = b_.CreateInsertValue(llvm::UndefValue::get(mt(tt)), count, {0});
      return b_.CreateInsertValue(tup, to_memory(lower_itervalue(inner, d.elems[0]), vt0), {1});
    }
    case TypeKind::TupleIter: {
      const auto &elems = types_.get(d.elems[0]).elems;
      if (elems.empty()) return llvm::ConstantInt::get(i8_, 0);
      V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
      // A homogeneous tuple is laid out like an array of its element type.
      llvm::Type *et = mt(elems[0]);
      V elem = b_.CreateGEP(et, b_.CreateStructGEP(st, state, 0), idx);
      return from_memory(b_.CreateLoad(et, elem), elems[0]);
    }
    case TypeKind::ZipIter: {
      std::vector<TypeId> vts;
      for (TypeId e : d.elems) vts.push_back(iterator_value_type(types_, e));
      TypeId tt = types_.tuple(vts);
      V tup = llvm::UndefValue::get(mt(tt));
      for (unsigned k = 0; k < d.elems.size(); ++k) {
        V inner = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, k));
        tup = b_.CreateInsertValue(tup, to_memory(lower_itervalue(inner, d.elems[k]), vts[k]), {k});
      }
      return tup;
    }
    case TypeKind::UnicodeIter: return string_iter_value(state, iter);
    default: internal_error << "not an iterator";
  }
  return nullptr;
}

V FunctionLowerer::lower_next(const InstData &d) {
  Value itv = d.operands[1];
  TypeId it = type(itv), rt = type(d.result);
  TypeId item = iterator_value_type(types_, it);
  V state = get(itv);
  V ok = lower_iternext(state, it);
  if (d.operands.size() < 3) {  // Python raises StopIteration() with no arguments
    raise_if(b_.CreateNot(ok), EMBER_EXC_StopIteration, "");
    V v = lower_itervalue(state, it);
    incref(v, item);
    return convert(v, item, rt);
  }
  // next(it, default): the item, or a new reference to the default once it is exhausted.
  auto *has = llvm::BasicBlock::Create(ctx_, "next.item", fn_);
  auto *dflt = llvm::BasicBlock::Create(ctx_, "next.default", fn_);
  auto *join = llvm::BasicBlock::Create(ctx_, "next.join", fn_);
  b_.CreateCondBr(ok, has, dflt);
  b_.SetInsertPoint(has);
  V v = lower_itervalue(state, it);
  incref(v, item);
  v = convert(v, item, rt);
  llvm::BasicBlock *from_item = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(dflt);
  Value dv = d.operands[2];
  TypeId dt = type(dv);
  V w = types_.kind(dt) == TypeKind::None  ? llvm::Constant::getNullValue(mt(rt))
        : types_.kind(dt) == TypeKind::Str ? convert(string_value(dv), types_.unicode(), rt)
                                           : convert(get(dv), dt, rt);
  incref(w, rt);
  llvm::BasicBlock *from_default = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::PHINode *out = b_.CreatePHI(mt(rt), 2);
  out->addIncoming(v, from_item);
  out->addIncoming(w, from_default);
  return out;
}

V FunctionLowerer::lower_unpack(const InstData &d) {
  TypeId t = type(d.operands[0]);
  V seq = get(d.operands[0]);
  TypeId rt = type(d.result);
  unsigned k = static_cast<unsigned>(d.imm);
  V v;
  if (types_.kind(t) == TypeKind::Tuple) {
    v = from_memory(b_.CreateExtractValue(seq, {k}), rt);
  } else {
    V n = array_dim(seq, DataModel::kShape, 0);
    if (k == 0)
      raise_if(b_.CreateICmpNE(n, llvm::ConstantInt::get(i64_, static_cast<uint64_t>(d.imm2))),
               EMBER_EXC_ValueError, "cannot unpack the array: wrong number of values");
    V idx = llvm::ConstantInt::get(i64_, k);
    if (types_.ndim(t) == 1) {
      v = load_element(element_pointer(seq, t, {idx}), types_.dtype(t));
    } else {
      int nd = types_.ndim(t);
      V data = b_.CreateGEP(i8_, array_field(seq, DataModel::kData),
                            b_.CreateMul(idx, array_dim(seq, DataModel::kStrides, 0)));
      std::vector<V> shape, strides;
      for (int a = 1; a < nd; ++a) {
        shape.push_back(array_dim(seq, DataModel::kShape, a));
        strides.push_back(array_dim(seq, DataModel::kStrides, a));
      }
      v = make_array(rt, array_field(seq, DataModel::kMeminfo),
                     array_field(seq, DataModel::kParent), data, shape, strides);
    }
  }
  incref(v, rt);
  return v;
}

}  // namespace ember
