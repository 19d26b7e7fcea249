// Typing rules for attributes, subscripts, iteration and unpacking of arrays, tuples and
// modules.  An integer index drops an axis, a slice keeps it, None (np.newaxis) adds one; a view
// keeps C layout only when it provably stays contiguous.
#include "typeinfer/ArrayRules.h"

#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

bool is_int_like(const TypeContext &types, TypeId t) {
  t = unwrap_optional(types, t);
  return types.is_scalar(t) &&
         (is_integer(types.scalar_kind(t)) || types.scalar_kind(t) == ScalarKind::Bool);
}

bool is_none_const(const Function &f, Value v) {
  Inst i = f.def(v);
  if (!i.valid()) return false;
  const InstData &d = f.inst(i);
  return d.op == Op::Const && f.consts[static_cast<size_t>(d.imm)].kind == ConstValue::Kind::None;
}

}  // namespace

SliceShape slice_shape(const Function &f, Value slice) {
  SliceShape s;
  Inst i = f.def(slice);
  if (!i.valid() || f.inst(i).op != Op::BuildSlice) return s;
  const InstData &d = f.inst(i);
  bool no_step = d.operands.size() < 3 || is_none_const(f, d.operands[2]);
  int64_t step = 0;
  if (!no_step && f.const_int(d.operands[2], &step) && step == 1) no_step = true;
  s.unit_step = no_step;
  s.full = no_step && is_none_const(f, d.operands[0]) && is_none_const(f, d.operands[1]);
  return s;
}

std::vector<IndexItem> analyze_index(const Function &f, const TypeContext &types, Value index,
                                     SourceLoc loc) {
  std::vector<Value> parts;
  TypeId t = f.type(index);
  if (types.kind(t) == TypeKind::Tuple) {
    Inst i = f.def(index);
    if (i.valid() && f.inst(i).op == Op::BuildTuple) {
      parts = f.inst(i).operands;
    } else {
      // A tuple of integers held in a variable (e.g. a.shape): every element is an int.
      std::vector<IndexItem> items;
      for (TypeId e : types.get(t).elems) {
        if (!is_int_like(types, e))
          typing_error(loc) << "array index tuples may only hold integers, slices and None "
                               "when they are not written in place; got "
                            << types.to_string(t);
        items.push_back({IndexItem::Kind::Int, Value{}, {}});
      }
      return items;
    }
  } else {
    parts = {index};
  }
  std::vector<IndexItem> items;
  for (Value p : parts) {
    TypeId pt = f.type(p);
    IndexItem item;
    item.value = p;
    if (is_int_like(types, pt)) {
      item.kind = IndexItem::Kind::Int;
    } else if (types.kind(pt) == TypeKind::Slice) {
      item.kind = IndexItem::Kind::Slice;
      item.slice = slice_shape(f, p);
    } else if (types.kind(pt) == TypeKind::None) {
      item.kind = IndexItem::Kind::NewAxis;
    } else if (types.is_array(pt)) {
      item.kind = IndexItem::Kind::Array;
    } else {
      typing_error(loc) << "arrays can be indexed by integers, slices, None and arrays, not by "
                        << types.to_string(pt);
    }
    items.push_back(item);
  }
  return items;
}

TypeId view_type(TypeContext &types, TypeId array, const std::vector<IndexItem> &items,
                 SourceLoc loc, const Function *f) {
  int ndim = types.ndim(array);
  if (items.size() == 1 && items[0].kind == IndexItem::Kind::Array && f) {
    // Boolean masks select elements (a copy, 1-d); integer arrays select along the first axis.
    TypeId it = f->type(items[0].value);
    ScalarKind ik = types.dtype(it);
    if (ik == ScalarKind::Bool) {
      if (types.ndim(it) != ndim)
        unsupported(loc) << "a boolean mask must have the array's number of dimensions (" << ndim
                         << "), not " << types.ndim(it);
      return types.array(types.dtype(array), 1, Layout::C);
    }
    if (!is_integer(ik) || types.ndim(it) != 1)
      unsupported(loc) << "arrays can be indexed by one boolean mask or one 1-d integer array; "
                       << "got " << types.to_string(it);
    if (ndim == 0) typing_error(loc) << "a 0-d array cannot be indexed by an array";
    return types.array(types.dtype(array), ndim, Layout::C);
  }
  int used = 0, ints = 0, added = 0;
  for (const IndexItem &it : items) {
    switch (it.kind) {
      case IndexItem::Kind::Int:
        ++used;
        ++ints;
        break;
      case IndexItem::Kind::Slice: ++used; break;
      case IndexItem::Kind::NewAxis: ++added; break;
      case IndexItem::Kind::Array:
        unsupported(loc) << "indexing an array with an array (fancy or boolean indexing) is "
                            "not supported in compiled code yet";
    }
  }
  if (used > ndim)
    typing_error(loc) << "too many indices for " << types.to_string(array) << ": " << used
                      << " were given";
  int out_ndim = ndim - ints + added;
  if (out_ndim == 0 && added == 0) return types.scalar(types.dtype(array));
  // Which layout survives: leading integers, then at most one unit-step slice, then full slices
  // keep a C array C; the mirror image keeps an F array F.
  auto keeps = [&](bool forward) {
    if (added > 0) return false;
    int n = static_cast<int>(items.size());
    int k = 0;
    auto at = [&](int j) -> const IndexItem & {
      return items[static_cast<size_t>(forward ? j : n - 1 - j)];
    };
    while (k < n && at(k).kind == IndexItem::Kind::Int) ++k;
    if (k < n && at(k).kind == IndexItem::Kind::Slice) {
      if (!at(k).slice.unit_step) return false;
      ++k;
    }
    for (; k < n; ++k)
      if (at(k).kind != IndexItem::Kind::Slice || !at(k).slice.full) return false;
    // For F order the unspecified trailing axes count as full slices too, which only holds
    // when every axis was indexed explicitly.
    return forward || used == ndim;
  };
  Layout in = types.layout(array);
  Layout out = Layout::A;
  if (in == Layout::C && keeps(true)) out = Layout::C;
  if (in == Layout::F && keeps(false)) out = Layout::F;
  if (out_ndim <= 1 && out != Layout::A) out = Layout::C;
  return types.array(types.dtype(array), out_ndim, out, types.readonly(array));
}

TypeId array_item_type(TypeContext &types, TypeId array) {
  int ndim = types.ndim(array);
  if (ndim == 1) return types.scalar(types.dtype(array));
  Layout l = types.layout(array) == Layout::C ? Layout::C : Layout::A;
  return types.array(types.dtype(array), ndim - 1, l, types.readonly(array));
}

TypeId type_getattr(RuleContext &cx, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  const TypeData &od = types.get(obj);
  auto set = [&](AttrId a) { *attr_id = static_cast<uint32_t>(a); };
  if (od.kind == TypeKind::Module) {
    auto m = cx.f.modules.find(od.handle);
    internal_assert(m != cx.f.modules.end()) << "module handle without attributes";
    auto a = m->second.find(name);
    if (a == m->second.end())
      typing_error(cx.loc()) << "the module has no attribute '" << name
                             << "' usable in compiled code";
    set(AttrId::ModuleAttr);
    return type_const(types, a->second, cx.loc());
  }
  if (od.kind == TypeKind::Array) {
    int ndim = types.ndim(obj);
    std::vector<TypeId> ints(static_cast<size_t>(ndim), types.int64());
    static const struct {
      const char *name;
      AttrId id;
    } attrs[] = {
        {"shape", AttrId::Shape},     {"ndim", AttrId::Ndim},   {"size", AttrId::Size},
        {"T", AttrId::Transpose},     {"dtype", AttrId::Dtype}, {"itemsize", AttrId::Itemsize},
        {"strides", AttrId::Strides}, {"flags", AttrId::Flags}, {"nbytes", AttrId::Nbytes}};
    for (const auto &a : attrs) {
      if (name != a.name) continue;
      set(a.id);
      switch (a.id) {
        case AttrId::Shape:
        case AttrId::Strides: return types.tuple(ints);
        case AttrId::Ndim:
        case AttrId::Size:
        case AttrId::Itemsize:
        case AttrId::Nbytes: return types.int64();
        case AttrId::Transpose: {
          Layout l = types.layout(obj);
          Layout t = l == Layout::C ? Layout::F : l == Layout::F ? Layout::C : Layout::A;
          return types.array(types.dtype(obj), ndim, t, types.readonly(obj));
        }
        case AttrId::Dtype: return types.number_class(types.dtype(obj));
        case AttrId::Flags: return types.array_flags(obj);
        default: break;
      }
    }
    MethodId m;
    if (lookup_method(name, &m)) {
      set(AttrId::Method);
      return types.bound_method(obj, m);
    }
    typing_error(cx.loc()) << "an array (" << types.to_string(obj) << ") has no attribute '" << name
                           << "' usable in compiled code";
  }
  if (od.kind == TypeKind::ArrayFlags) {
    if (name == "c_contiguous" || name == "f_contiguous" || name == "contiguous") {
      set(name == "f_contiguous" ? AttrId::FContiguous : AttrId::CContiguous);
      return types.boolean();
    }
    typing_error(cx.loc()) << "a.flags." << name << " is not supported in compiled code "
                           << "(c_contiguous and f_contiguous are)";
  }
  if (od.kind == TypeKind::Scalar && name == "conjugate") {
    set(AttrId::Method);
    return types.bound_method(obj, MethodId::Conjugate);
  }
  if (od.kind == TypeKind::Scalar && (name == "real" || name == "imag")) {
    ScalarKind k = types.scalar_kind(obj);
    set(name == "real" ? AttrId::Real : AttrId::Imag);
    if (k == ScalarKind::Complex64) return types.scalar(ScalarKind::Float32);
    if (k == ScalarKind::Complex128) return types.float64();
    return obj;
  }
  typing_error(cx.loc()) << "a value of type " << types.to_string(obj) << " has no attribute '"
                         << name << "' usable in compiled code";
}

TypeId type_getitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]);
  Value index = cx.inst.operands[1];
  TypeId it = cx.type(index);
  switch (types.kind(c)) {
    case TypeKind::Tuple: {
      const auto &elems = types.get(c).elems;
      int64_t k;
      if (cx.f.const_int(index, &k)) {
        int64_t n = static_cast<int64_t>(elems.size());
        if (k < -n || k >= n)
          typing_error(cx.loc()) << "tuple index " << k << " out of range for a tuple of " << n;
        return elems[static_cast<size_t>(k < 0 ? k + n : k)];
      }
      if (!is_int_like(types, it))
        typing_error(cx.loc()) << "tuple indices must be integers, not " << types.to_string(it);
      if (elems.empty()) typing_error(cx.loc()) << "index into an empty tuple";
      for (TypeId e : elems)
        if (e != elems[0])
          typing_error(cx.loc()) << "a tuple of mixed types (" << types.to_string(c)
                                 << ") can only be indexed by a constant";
      return elems[0];
    }
    case TypeKind::Array: {
      auto items = analyze_index(cx.f, types, index, cx.loc());
      return view_type(types, c, items, cx.loc(), &cx.f);
    }
    default:
      typing_error(cx.loc()) << "a value of type " << types.to_string(c)
                             << " cannot be subscripted in compiled code";
  }
}

void check_setitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]);
  TypeId v = cx.type(cx.inst.operands[2]);
  if (!types.is_array(c))
    typing_error(cx.loc()) << "a value of type " << types.to_string(c)
                           << " does not support item assignment in compiled code";
  if (types.readonly(c))
    typing_error(cx.loc()) << "cannot store into a read-only array (" << types.to_string(c) << ")";
  auto items = analyze_index(cx.f, types, cx.inst.operands[1], cx.loc());
  TypeId target = view_type(types, c, items, cx.loc(), &cx.f);
  TypeId vv = unwrap_optional(types, v);
  if (items.size() == 1 && items[0].kind == IndexItem::Kind::Array) {
    if (types.is_scalar(vv) || (types.is_array(vv) && types.ndim(vv) == 1)) return;
    typing_error(cx.loc()) << "a store through a mask or an index array takes a scalar or a "
                              "1-d array, not "
                           << types.to_string(v);
  }
  if (types.is_scalar(target)) {
    if (!types.is_scalar(vv))
      typing_error(cx.loc()) << "cannot store a " << types.to_string(v) << " into an element of "
                             << types.to_string(c);
    if (is_complex(types.scalar_kind(vv)) && !is_complex(types.scalar_kind(target)))
      typing_error(cx.loc()) << "cannot store a complex value into " << types.to_string(c);
    return;
  }
  if (types.is_scalar(vv)) return;  // fill a view
  if (types.is_array(vv)) return;   // copy with broadcasting
  typing_error(cx.loc()) << "cannot store a " << types.to_string(v) << " into "
                         << types.to_string(target);
}

TypeId type_getiter(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId t = cx.type(cx.inst.operands[0]);
  switch (types.kind(t)) {
    case TypeKind::Range: return types.range_iter();
    case TypeKind::Array:
      if (types.ndim(t) == 0) typing_error(cx.loc()) << "iteration over a 0-d array";
      return types.array_iter(t);
    case TypeKind::RangeIter:
    case TypeKind::ArrayIter:
    case TypeKind::EnumerateIter:
    case TypeKind::ZipIter:
    case TypeKind::TupleIter: return t;
    case TypeKind::Tuple: {
      const auto &elems = types.get(t).elems;
      for (TypeId e : elems)
        if (e != elems[0])
          unsupported(cx.loc()) << "iterating over a tuple of mixed types (" << types.to_string(t)
                                << ") is not supported in compiled code";
      return types.tuple_iter(t);
    }
    default:
      typing_error(cx.loc()) << "a value of type " << types.to_string(t)
                             << " is not iterable in compiled code";
  }
}

TypeId iterator_value_type(TypeContext &types, TypeId iter) {
  const TypeData &d = types.get(iter);
  switch (d.kind) {
    case TypeKind::RangeIter: return types.int64();
    case TypeKind::ArrayIter: return array_item_type(types, d.elems[0]);
    case TypeKind::EnumerateIter:
      return types.tuple({types.int64(), iterator_value_type(types, d.elems[0])});
    case TypeKind::ZipIter: {
      std::vector<TypeId> elems;
      for (TypeId e : d.elems) elems.push_back(iterator_value_type(types, e));
      return types.tuple(elems);
    }
    case TypeKind::TupleIter: {
      const auto &elems = types.get(d.elems[0]).elems;
      return elems.empty() ? types.none() : elems[0];
    }
    default: internal_error << "not an iterator: " << types.to_string(iter);
  }
  return types.unknown();
}

TypeId type_itervalue(RuleContext &cx) {
  return iterator_value_type(cx.types, cx.type(cx.inst.operands[0]));
}

TypeId type_unpack(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId t = cx.type(cx.inst.operands[0]);
  int64_t k = cx.inst.imm, n = cx.inst.imm2;
  if (types.kind(t) == TypeKind::Tuple) {
    const auto &elems = types.get(t).elems;
    if (static_cast<int64_t>(elems.size()) != n)
      typing_error(cx.loc()) << "cannot unpack a tuple of " << elems.size() << " values into " << n
                             << " variables";
    return elems[static_cast<size_t>(k)];
  }
  if (types.is_array(t) && types.ndim(t) >= 1) return array_item_type(types, t);
  typing_error(cx.loc()) << "cannot unpack a value of type " << types.to_string(t);
}

}  // namespace ember
