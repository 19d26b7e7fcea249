// Typing rules for lists, dicts and sets: displays, list()/dict()/set(), their methods,
// subscripts, `in`, iteration, operators, heapq, sorted/reversed and ember.typed.
//
// Item types are checked here, at compile time, with messages naming both types.  An empty
// display (`[]`, `{}`, `set()`) has no item type yet: its type carries the display's site, and
// the first store into it (append, d[k] = v, add, ...) records the item type for that site in
// RuleContext::sites; the display is retyped on the next sweep, so the inference fixpoint
// spreads it to every use.
#include <sstream>

#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/ContainerRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

const char *container_noun(const TypeContext &types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::List: return "list";
    case TypeKind::Dict: return "dict";
    default: return "set";
  }
}

/// Whether values of t may be stored in a container.
bool storable(const TypeContext &types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::Scalar:
    case TypeKind::Array:
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::Unicode:
    case TypeKind::Instance:  // a jitclass instance: its MemInfo
    case TypeKind::None: return true;
    case TypeKind::Optional: return storable(types, types.get(t).elems[0]);
    case TypeKind::Tuple:
      for (TypeId e : types.get(t).elems)
        if (!storable(types, e)) return false;
      return true;
    default: return false;
  }
}

/// The least item type holding both (numbers promote, as in Numba); a TypingError naming both.
TypeId unify_items(TypeContext &types, TypeId a, TypeId b, SourceLoc loc, const char *what) {
  if (a.unknown()) return b;
  if (b.unknown() || a == b) return a;
  TypeKind ka = types.kind(a), kb = types.kind(b);
  bool ok =
      (ka == kb && ka != TypeKind::Array) || (ka == TypeKind::None || kb == TypeKind::None ||
                                              ka == TypeKind::Optional || kb == TypeKind::Optional);
  if (ka == TypeKind::Array && kb == TypeKind::Array)
    ok = types.dtype(a) == types.dtype(b) && types.ndim(a) == types.ndim(b);
  if (ok) {
    try {
      return unify(types, a, b, loc);
    } catch (const CompileError &e) {
      if (e.kind() == ErrorKind::Internal) throw;
    }
  }
  typing_error(loc) << what << " must all have one type, but here one is " << types.to_string(a)
                    << " and another " << types.to_string(b);
}

void check_storable(TypeContext &types, TypeId t, SourceLoc loc, const char *what) {
  if (types.kind(t) == TypeKind::Record)  // it holds no reference to its array's buffer
    unsupported(loc) << "a record (" << types.to_string(t) << ") cannot be " << what
                     << " in compiled code yet (tuples of records are supported)";
  if (!storable(types, t))
    typing_error(loc) << "a " << types.to_string(t) << " cannot be " << what << " in compiled code";
}

void check_hashable(TypeContext &types, TypeId t, SourceLoc loc) {
  if (types.bytes_kind(t) != BytesKind::None)
    unsupported(loc) << "a " << types.to_string(t)
                     << " as a dict key or a set element is not supported in compiled code";
  if (!is_hashable(types, t))
    typing_error(loc) << "a " << types.to_string(t)
                      << " cannot be a dict key or a set element (it is not hashable)";
}

}  // namespace

bool is_hashable(const TypeContext &types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::Scalar:
    case TypeKind::Unicode:
    case TypeKind::None: return true;
    case TypeKind::Tuple:
      for (TypeId e : types.get(t).elems)
        if (!is_hashable(types, e)) return false;
      return true;
    default: return false;
  }
}

void refine_container(RuleContext &cx, TypeId container, size_t slot, TypeId item) {
  TypeContext &types = cx.types;
  item = stored_type(types, item);  // a string literal is stored as a unicode_type
  const TypeData &d = types.get(container);
  const char *noun = container_noun(types, container);
  bool key = d.kind != TypeKind::List && slot == 0;
  check_storable(types, item, cx.loc(),
                 key ? "a dict key or set element" : "stored in a container");
  if (key) check_hashable(types, item, cx.loc());
  TypeId elem = d.elems[slot];
  if ((elem.unknown() || types.is_unresolved_container(elem)) && d.handle) {
    internal_assert(d.handle && cx.sites) << "an unresolved container without a site";
    std::vector<TypeId> &known = (*cx.sites)[d.handle];
    known.resize(d.elems.size());
    std::string what = std::string("the ") +
                       (key && d.kind == TypeKind::Set ? "elements"
                        : key                          ? "keys"
                        : slot                         ? "values"
                                                       : "items") +
                       " of a " + noun;
    known[slot] = unify_items(types, known[slot], item, cx.loc(), what.c_str());
    return;
  }
  if (!can_convert(types, item, elem) ||
      (types.kind(item) != types.kind(elem) && types.kind(elem) != TypeKind::Optional &&
       !(types.is_scalar(item) && types.is_scalar(elem))))
    typing_error(cx.loc()) << "cannot store a " << types.to_string(item) << " in a "
                           << types.to_string(container) << ", whose "
                           << (key && d.kind == TypeKind::Set ? "elements"
                               : key                          ? "keys"
                               : slot                         ? "values"
                                                              : "items")
                           << " are " << types.to_string(elem) << ": the "
                           << (key && d.kind == TypeKind::Set ? "elements"
                               : key                          ? "keys"
                               : slot                         ? "values"
                                                              : "items")
                           << " of a " << noun << " must all have one type";
}

TypeId site_container(RuleContext &cx, TypeKind kind, bool typed) {
  TypeContext &types = cx.types;
  uint64_t site = static_cast<uint64_t>(cx.inst.result.id) + 1;
  std::vector<TypeId> known;
  if (cx.sites) {
    auto it = cx.sites->find(site);
    if (it != cx.sites->end()) known = it->second;
  }
  size_t n = kind == TypeKind::Dict ? 2 : 1;
  known.resize(n);
  switch (kind) {
    case TypeKind::List: return types.list(known[0], typed, site);
    case TypeKind::Dict: return types.dict(known[0], known[1], site);
    default: return types.set(known[0], site);
  }
}

TypeId type_build_container(RuleContext &cx) {
  TypeContext &types = cx.types;
  const InstData &d = cx.inst;
  SourceLoc loc = d.loc;
  if (d.op == Op::BuildMap) {
    if (d.operands.empty()) return site_container(cx, TypeKind::Dict, false);
    TypeId k, v;
    for (size_t i = 0; i < d.operands.size(); i += 2) {
      TypeId kt = stored_type(types, cx.type(d.operands[i]));
      TypeId vt = stored_type(types, cx.type(d.operands[i + 1]));
      check_storable(types, kt, loc, "a dict key");
      check_hashable(types, kt, loc);
      check_storable(types, vt, loc, "a dict value");
      k = unify_items(types, k, kt, loc, "the keys of a dict display");
      v = unify_items(types, v, vt, loc, "the values of a dict display");
    }
    return types.dict(k, v);
  }
  bool list = d.op == Op::BuildList;
  if (d.operands.empty()) return site_container(cx, list ? TypeKind::List : TypeKind::Set, false);
  TypeId item;
  for (Value v : d.operands) {
    TypeId t = stored_type(types, cx.type(v));
    check_storable(types, t, loc, list ? "a list item" : "a set element");
    if (!list) check_hashable(types, t, loc);
    item = unify_items(types, item, t, loc,
                       list ? "the items of a list display" : "the elements of a set display");
  }
  return list ? types.list(item) : types.set(item);
}

TypeId type_container_class_attr(RuleContext &cx, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  if (types.kind(obj) != TypeKind::Builtin) return TypeId{};
  auto id = static_cast<BuiltinId>(types.get(obj).a);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  BuiltinId method = BuiltinId::NumBuiltins;
  if (id == BuiltinId::TypedList && name == "empty_list") method = BuiltinId::TypedListEmpty;
  if (id == BuiltinId::TypedDict && name == "empty") method = BuiltinId::TypedDictEmpty;
  if (id == BuiltinId::Str && name == "maketrans") method = BuiltinId::StrMaketrans;
  if (method == BuiltinId::NumBuiltins) return TypeId{};
  *attr_id = static_cast<uint32_t>(AttrId::Method);  // a compile-time value: nothing to lower
  return types.builtin(method);
}

TypeId container_iterator(TypeContext &types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::List: return types.list_iter(t);
    case TypeKind::Dict:
    case TypeKind::Set: return types.dict_iter(t, DictViewKind::Keys);
    case TypeKind::DictView:
      return types.dict_iter(types.get(t).elems[0], static_cast<DictViewKind>(types.get(t).a));
    case TypeKind::ListIter:
    case TypeKind::DictIter: return t;
    default: return types.unknown();
  }
}

bool type_container_getitem(RuleContext &cx, TypeId *out) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]), i = cx.type(cx.inst.operands[1]);
  switch (types.kind(c)) {
    case TypeKind::List:
      if (types.kind(i) == TypeKind::Slice) {
        *out = c;
        return true;
      }
      if (!is_int_like(types, i))
        typing_error(cx.loc()) << "list indices must be integers or slices, not "
                               << types.to_string(i);
      *out = types.get(c).elems[0];
      return true;
    case TypeKind::Dict:
      if (!can_convert(types, i, types.get(c).elems[0]))
        typing_error(cx.loc()) << "a " << types.to_string(c) << " has no key of type "
                               << types.to_string(i);
      *out = types.get(c).elems[1];
      return true;
    case TypeKind::Set:
    case TypeKind::DictView:
      typing_error(cx.loc()) << "a " << types.to_string(c) << " is not subscriptable";
    default: return false;
  }
}

TypeId slice_source_item(RuleContext &cx, TypeId source) {
  TypeContext &types = cx.types;
  switch (types.kind(source)) {
    case TypeKind::List:
    case TypeKind::Set:
    case TypeKind::Dict:
    case TypeKind::DictView: return iterator_value_type(types, container_iterator(types, source));
    case TypeKind::Range: return types.int64();
    case TypeKind::Array:
      if (types.ndim(source) == 1) return types.scalar(types.dtype(source));
      break;
    case TypeKind::Tuple: {
      const auto &elems = types.get(source).elems;
      if (elems.empty()) return types.unknown();
      for (TypeId e : elems)
        if (e != elems[0])
          typing_error(cx.loc()) << "a list slice can be assigned a tuple whose items have one "
                                    "type, not a "
                                 << types.to_string(source);
      return elems[0];
    }
    default: break;
  }
  typing_error(cx.loc()) << "a list slice can be assigned a list, tuple, set, range or 1-d "
                            "array, not a "
                         << types.to_string(source);
}

bool check_container_setitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]), i = cx.type(cx.inst.operands[1]);
  TypeId v = cx.type(cx.inst.operands[2]);
  switch (types.kind(c)) {
    case TypeKind::List:
      if (types.kind(i) == TypeKind::Slice) {
        TypeId item = slice_source_item(cx, v);
        if (!item.unknown()) refine_container(cx, c, 0, item);
        return true;
      }
      if (!is_int_like(types, i))
        typing_error(cx.loc()) << "list indices must be integers, not " << types.to_string(i);
      refine_container(cx, c, 0, v);
      return true;
    case TypeKind::Dict:
      refine_container(cx, c, 0, i);
      refine_container(cx, c, 1, v);
      return true;
    case TypeKind::Set: typing_error(cx.loc()) << "a set does not support item assignment";
    default: return false;
  }
}

void check_delitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]), i = cx.type(cx.inst.operands[1]);
  switch (types.kind(c)) {
    case TypeKind::List:
      if (types.kind(i) != TypeKind::Slice && !is_int_like(types, i))
        typing_error(cx.loc()) << "list indices must be integers or slices, not "
                               << types.to_string(i);
      return;
    case TypeKind::Dict:
      if (!can_convert(types, i, types.get(c).elems[0]))
        typing_error(cx.loc()) << "a " << types.to_string(c) << " has no key of type "
                               << types.to_string(i);
      return;
    default:
      typing_error(cx.loc()) << "a value of type " << types.to_string(c)
                             << " does not support item deletion in compiled code";
  }
}

bool type_container_contains(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId item = cx.type(cx.inst.operands[0]), c = cx.type(cx.inst.operands[1]);
  TypeId elem;
  switch (types.kind(c)) {
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set: elem = types.get(c).elems[0]; break;
    case TypeKind::DictView:
      if (static_cast<DictViewKind>(types.get(c).a) != DictViewKind::Keys)
        unsupported(cx.loc()) << "`in` is only supported on dict.keys() among dict views";
      elem = types.get(types.get(c).elems[0]).elems[0];
      break;
    default: return false;
  }
  if (!elem.unknown() && !can_convert(types, item, elem))
    typing_error(cx.loc()) << "`in` looks for a " << types.to_string(item) << " in a "
                           << types.to_string(c);
  return true;
}

bool type_container_operator(RuleContext &cx, TypeId *out) {
  TypeContext &types = cx.types;
  const InstData &d = cx.inst;
  TypeId l = cx.type(d.operands[0]), r = cx.type(d.operands[1]);
  if (!types.is_container(l) && !types.is_container(r)) return false;
  auto bad = [&]() {
    typing_error(cx.loc()) << "unsupported operand types for this operation: " << types.to_string(l)
                           << " and " << types.to_string(r);
  };
  if (d.op == Op::Compare) {
    auto k = static_cast<CmpKind>(d.imm);
    // `d == {}`: an empty display compared with a typed container takes its types.
    if (types.kind(l) == types.kind(r) &&
        types.is_unresolved_container(l) != types.is_unresolved_container(r)) {
      TypeId known = types.is_unresolved_container(l) ? r : l;
      TypeId empty = known == l ? r : l;
      const auto &e = types.get(known).elems;
      for (size_t slot = 0; slot < e.size(); ++slot)
        if (!e[slot].unknown()) refine_container(cx, empty, slot, e[slot]);
    }
    if (types.kind(l) != types.kind(r) ||
        (k != CmpKind::Eq && k != CmpKind::Ne && types.kind(l) == TypeKind::Dict))
      bad();
    if (types.kind(l) != TypeKind::List && !can_convert(types, r, l)) bad();
    *out = types.boolean();
    return true;
  }
  auto k = static_cast<BinOpKind>(d.imm);
  if (types.kind(l) == TypeKind::List) {
    if (k == BinOpKind::Add && types.kind(r) == TypeKind::List) {
      if (!can_convert(types, r, l)) bad();
      *out = types.is_unresolved_container(l) ? r : l;
      return true;
    }
    if (k == BinOpKind::Mul && is_int_like(types, r)) {
      *out = l;
      return true;
    }
    bad();
  }
  if (types.kind(l) == TypeKind::Set && types.kind(r) == TypeKind::Set &&
      (k == BinOpKind::Or || k == BinOpKind::And || k == BinOpKind::Sub || k == BinOpKind::Xor)) {
    if (!can_convert(types, r, l)) bad();
    *out = l;
    return true;
  }
  bad();
  return false;
}

}  // namespace ember
