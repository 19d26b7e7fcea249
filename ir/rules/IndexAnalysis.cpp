// Index analysis: the parts of a subscript, the view or element it selects, and what iteration
// yields.  An integer index drops an axis, a slice keeps it, None (np.newaxis) adds one; a view
// keeps C layout only when it provably stays contiguous.
#include "ir/rules/IndexAnalysis.h"

#include <algorithm>

#include "ir/Error.h"

namespace ember {

bool is_int_like(const TypeContext &types, TypeId t) {
  t = unwrap_optional(types, t);
  return types.is_scalar(t) &&
         (is_integer(types.scalar_kind(t)) || types.scalar_kind(t) == ScalarKind::Bool);
}

namespace {

bool is_none_const(const Function &f, Value v) {
  Inst i = f.def(v);
  if (!i.valid()) return false;
  const InstData &d = f.inst(i);
  return d.op == Op::Const && f.consts[static_cast<size_t>(d.imm)].kind == ConstValue::Kind::None;
}

bool is_ellipsis(const TypeContext &types, TypeId t) {
  return types.kind(t) == TypeKind::Builtin &&
         static_cast<BuiltinId>(types.get(t).a) == BuiltinId::EllipsisValue;
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

bool const_slice_positions(const Function &f, Value slice, int64_t n, SourceLoc loc,
                           std::vector<int64_t> *out) {
  Inst i = f.def(slice);
  if (!i.valid() || f.inst(i).op != Op::BuildSlice) return false;
  const InstData &d = f.inst(i);
  int64_t bound[3] = {0, 0, 1};
  bool given[3] = {false, false, false};
  for (size_t k = 0; k < d.operands.size() && k < 3; ++k) {
    if (is_none_const(f, d.operands[k])) continue;
    if (!f.const_int(d.operands[k], &bound[k])) return false;
    given[k] = true;
  }
  int64_t step = bound[2];
  if (step == 0) typing_error(loc) << "slice step cannot be zero";
  int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](int64_t v) {
    if (v < 0) return std::max(v + n, lower);
    return std::min(v, upper);
  };
  int64_t start = given[0] ? clamp(bound[0]) : (step > 0 ? lower : upper);
  int64_t stop = given[1] ? clamp(bound[1]) : (step > 0 ? upper : lower);
  out->clear();
  for (int64_t p = start; step > 0 ? p < stop : p > stop; p += step) out->push_back(p);
  return true;
}

std::vector<int> transpose_axes(const Function &f, const std::vector<Value> &args, int ndim,
                                SourceLoc loc) {
  std::vector<int> perm;
  if (args.empty()) {
    for (int k = ndim - 1; k >= 0; --k) perm.push_back(k);
    return perm;
  }
  std::vector<int64_t> given;
  bool constant = true;
  auto take = [&](Value v) {
    int64_t k;
    if (f.const_int(v, &k))
      given.push_back(k);
    else
      constant = false;
  };
  Inst def = args.size() == 1 ? f.def(args[0]) : Inst{};
  if (def.valid() && f.inst(def).op == Op::BuildTuple) {
    for (Value v : f.inst(def).operands) take(v);
  } else if (def.valid() && f.inst(def).op == Op::Const &&
             f.consts[static_cast<size_t>(f.inst(def).imm)].kind == ConstValue::Kind::Tuple) {
    for (const ConstValue &e : f.consts[static_cast<size_t>(f.inst(def).imm)].elems) {
      if (e.kind != ConstValue::Kind::Int) constant = false;
      given.push_back(e.i);
    }
  } else {
    for (Value v : args) take(v);
  }
  if (!constant) typing_error(loc) << "transpose's axes must be constant integers";
  if (static_cast<int>(given.size()) != ndim)
    typing_error(loc) << "axes don't match array: " << given.size() << " axes for an array of "
                      << ndim << " dimensions";
  std::vector<bool> seen(static_cast<size_t>(ndim), false);
  for (int64_t k : given) {
    if (k < -ndim || k >= ndim)
      typing_error(loc) << "axis " << k << " is out of bounds for an array of dimension " << ndim;
    int axis = static_cast<int>(k < 0 ? k + ndim : k);
    if (seen[static_cast<size_t>(axis)]) typing_error(loc) << "repeated axis in transpose";
    seen[static_cast<size_t>(axis)] = true;
    perm.push_back(axis);
  }
  return perm;
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
      // A constant tuple (`a[0, ...]`) may end with an Ellipsis, which needs no value.
      std::vector<IndexItem> items;
      const auto &elems = types.get(t).elems;
      for (size_t k = 0; k < elems.size(); ++k) {
        TypeId e = elems[k];
        if (is_ellipsis(types, e)) {
          if (k + 1 != elems.size())
            unsupported(loc) << "an Ellipsis (...) is supported only as the last index";
          items.push_back({IndexItem::Kind::Ellipsis, Value{}, {}});
          break;
        }
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
  for (size_t k = 0; k < parts.size(); ++k) {
    Value p = parts[k];
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
    } else if (is_ellipsis(types, pt)) {
      item.kind = IndexItem::Kind::Ellipsis;
      if (k + 1 != parts.size())
        unsupported(loc) << "an Ellipsis (...) is supported only as the last index";
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
  if (items.size() == 1 && items[0].kind == IndexItem::Kind::Array && f &&
      types.kind(array) == TypeKind::RecordArray)
    unsupported(loc) << "indexing an array of records with a mask or an index array is not "
                        "supported in compiled code";
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
  bool ellipsis = false;
  for (const IndexItem &it : items) {
    switch (it.kind) {
      case IndexItem::Kind::Int:
        ++used;
        ++ints;
        break;
      case IndexItem::Kind::Slice: ++used; break;
      case IndexItem::Kind::NewAxis: ++added; break;
      case IndexItem::Kind::Ellipsis: ellipsis = true; break;
      case IndexItem::Kind::Array:
        unsupported(loc) << "indexing an array with an array (fancy or boolean indexing) is "
                            "not supported in compiled code yet";
    }
  }
  if (used > ndim)
    typing_error(loc) << "too many indices for " << types.to_string(array) << ": " << used
                      << " were given";
  int out_ndim = ndim - ints + added;
  if (out_ndim == 0 && added == 0 && !ellipsis) return types.element_type(array);
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
    for (; k < n; ++k) {
      if (at(k).kind == IndexItem::Kind::Ellipsis) continue;  // the remaining axes, whole
      if (at(k).kind != IndexItem::Kind::Slice || !at(k).slice.full) return false;
    }
    // For F order the unspecified trailing axes count as full slices too, which only holds
    // when every axis was indexed explicitly.
    return forward || used == ndim;
  };
  Layout in = types.layout(array);
  Layout out = Layout::A;
  if (in == Layout::C && keeps(true)) out = Layout::C;
  if (in == Layout::F && keeps(false)) out = Layout::F;
  if (out_ndim <= 1 && out != Layout::A) out = Layout::C;
  return types.array_like(array, out_ndim, out, types.readonly(array));
}

TypeId array_item_type(TypeContext &types, TypeId array) {
  int ndim = types.ndim(array);
  if (ndim == 1) return types.element_type(array);
  Layout l = types.layout(array) == Layout::C ? Layout::C : Layout::A;
  return types.array_like(array, ndim - 1, l, types.readonly(array));
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
    case TypeKind::ListIter: return types.get(d.elems[0]).elems[0];
    case TypeKind::DictIter: {
      const auto &kv = types.get(d.elems[0]).elems;
      switch (static_cast<DictViewKind>(d.a)) {
        case DictViewKind::Keys: return kv[0];
        case DictViewKind::Values: return kv[1];
        case DictViewKind::Items: return types.tuple({kv[0], kv[1]});
      }
      return types.unknown();
    }
    case TypeKind::UnicodeIter: return types.unicode();
    case TypeKind::Generator: return d.elems[0];
    default: internal_error << "not an iterator: " << types.to_string(iter);
  }
  return types.unknown();
}

}  // namespace ember
