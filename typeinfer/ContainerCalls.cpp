// Typing of the calls that make or use containers: list() / dict() / set() / sorted() /
// reversed(), ember.typed.List and Dict, heapq, and the methods of lists, dicts and sets
// (a method call reaches here as its builtin, receiver first: CallRules.h).
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/ContainerRules.h"
#include "typeinfer/InferTypes.h"

namespace ember {

BuiltinId container_method_builtin(MethodId m, TypeKind receiver) {
  using B = BuiltinId;
  if (receiver == TypeKind::List) {
    switch (m) {
      case MethodId::Append: return B::ListAppend;
      case MethodId::Extend: return B::ListExtend;
      case MethodId::Insert: return B::ListInsert;
      case MethodId::Pop: return B::ListPop;
      case MethodId::Remove: return B::ListRemove;
      case MethodId::Clear: return B::ListClear;
      case MethodId::Index: return B::ListIndex;
      case MethodId::Count: return B::ListCount;
      case MethodId::Reverse: return B::ListReverse;
      case MethodId::Sort: return B::ListSort;
      case MethodId::Copy: return B::ListCopy;
      default: return B::NumBuiltins;
    }
  }
  if (receiver == TypeKind::Dict) {
    switch (m) {
      case MethodId::Get: return B::DictGet;
      case MethodId::Setdefault: return B::DictSetdefault;
      case MethodId::Pop: return B::DictPop;
      case MethodId::Popitem: return B::DictPopitem;
      case MethodId::Update: return B::DictUpdate;
      case MethodId::Clear: return B::DictClear;
      case MethodId::Copy: return B::DictCopy;
      case MethodId::Keys: return B::DictKeys;
      case MethodId::Values: return B::DictValues;
      case MethodId::Items: return B::DictItems;
      default: return B::NumBuiltins;
    }
  }
  if (receiver == TypeKind::Set) {
    switch (m) {
      case MethodId::Add: return B::SetAdd;
      case MethodId::Discard: return B::SetDiscard;
      case MethodId::Remove: return B::SetRemove;
      case MethodId::Pop: return B::SetPop;
      case MethodId::Clear: return B::SetClear;
      case MethodId::Update: return B::SetUpdate;
      case MethodId::Copy: return B::SetCopy;
      case MethodId::Union: return B::SetUnion;
      case MethodId::Intersection: return B::SetIntersection;
      case MethodId::Difference: return B::SetDifference;
      case MethodId::SymmetricDifference: return B::SetSymmetricDifference;
      case MethodId::Issubset: return B::SetIssubset;
      case MethodId::Issuperset: return B::SetIssuperset;
      case MethodId::Isdisjoint: return B::SetIsdisjoint;
      case MethodId::DifferenceUpdate: return B::SetDifferenceUpdate;
      case MethodId::IntersectionUpdate: return B::SetIntersectionUpdate;
      case MethodId::SymmetricDifferenceUpdate: return B::SetSymmetricDifferenceUpdate;
      default: return B::NumBuiltins;
    }
  }
  return B::NumBuiltins;
}

const BuiltinSignature *container_builtin_signature(BuiltinId id) {
  using S = BuiltinSignature;
  static const S iterable{{"iterable"}, 0, false};
  static const S sorted{{"iterable", "key", "reverse"}, 1, false};
  static const S seq{{"seq"}, 1, false};
  static const S heap_item{{"heap", "item"}, 2, false};
  static const S heap{{"heap"}, 1, false};
  static const S self{{"self"}, 1, false};
  static const S self_object{{"self", "object"}, 2, false};
  static const S self_iterable{{"self", "iterable"}, 2, false};
  static const S insert{{"self", "index", "object"}, 3, false};
  static const S pop{{"self", "index"}, 1, false};
  static const S index{{"self", "value", "start", "stop"}, 2, false};
  static const S sort{{"self", "key", "reverse"}, 1, false};
  static const S key_default{{"self", "key", "default"}, 2, false};
  static const S other{{"self", "other"}, 2, false};
  static const S array{{"object", "dtype"}, 1, false};
  static const S nothing{{}, 0, false};
  static const S list_empty{{"item_type", "allocated"}, 1, false};
  static const S dict_empty{{"key_type", "value_type", "n_keys"}, 2, false};
  switch (id) {
    case BuiltinId::List:
    case BuiltinId::Dict:
    case BuiltinId::Set:
    case BuiltinId::TypedList: return &iterable;
    case BuiltinId::TypedDict: return &nothing;
    case BuiltinId::Sorted: return &sorted;
    case BuiltinId::Sum: {
      static const S sum{{"iterable", "start"}, 1, false};
      return &sum;
    }
    case BuiltinId::Any:
    case BuiltinId::All: return &iterable;
    case BuiltinId::Reversed: return &seq;
    case BuiltinId::HeapPush: return &heap_item;
    case BuiltinId::HeapPop:
    case BuiltinId::Heapify: return &heap;
    case BuiltinId::ListAppend:
    case BuiltinId::ListRemove:
    case BuiltinId::ListCount:
    case BuiltinId::SetAdd:
    case BuiltinId::SetDiscard:
    case BuiltinId::SetRemove: return &self_object;
    case BuiltinId::ListExtend:
    case BuiltinId::SetUpdate: return &self_iterable;
    case BuiltinId::ListInsert: return &insert;
    case BuiltinId::ListPop: return &pop;
    case BuiltinId::ListIndex: return &index;
    case BuiltinId::ListSort: return &sort;
    case BuiltinId::ListClear:
    case BuiltinId::ListReverse:
    case BuiltinId::ListCopy:
    case BuiltinId::DictPopitem:
    case BuiltinId::DictClear:
    case BuiltinId::DictCopy:
    case BuiltinId::DictKeys:
    case BuiltinId::DictValues:
    case BuiltinId::DictItems:
    case BuiltinId::SetPop:
    case BuiltinId::SetClear:
    case BuiltinId::SetCopy: return &self;
    case BuiltinId::DictGet:
    case BuiltinId::DictSetdefault:
    case BuiltinId::DictPop: return &key_default;
    case BuiltinId::DictUpdate:
    case BuiltinId::SetUnion:
    case BuiltinId::SetIntersection:
    case BuiltinId::SetDifference:
    case BuiltinId::SetSymmetricDifference:
    case BuiltinId::SetIssubset:
    case BuiltinId::SetIssuperset:
    case BuiltinId::SetIsdisjoint:
    case BuiltinId::SetDifferenceUpdate:
    case BuiltinId::SetIntersectionUpdate:
    case BuiltinId::SetSymmetricDifferenceUpdate: return &other;
    case BuiltinId::TypedListEmpty: return &list_empty;
    case BuiltinId::TypedDictEmpty: return &dict_empty;
    case BuiltinId::NpArray:
    case BuiltinId::NpAsarray: return &array;
    default: return nullptr;
  }
}

namespace {

/// The type of the values iterating over t yields.
TypeId iterated(BuiltinCall &c, TypeId t) {
  return iterator_value_type(c.types, iterator_of(c, t));
}

TypeId need(BuiltinCall &c, size_t p, TypeKind kind) {
  TypeId t = c.param(p);
  if (c.types.kind(t) != kind) c.bad_args();
  return t;
}

/// A value whose type must be storable where the container keeps `slot`.
TypeId value_for(BuiltinCall &c, TypeId container, size_t slot, size_t p) {
  refine_container(c.cx, container, slot, c.param(p));
  return c.types.get(container).elems[slot];
}

TypeId with_default(BuiltinCall &c, TypeId value, size_t p) {
  TypeContext &types = c.types;
  if (!c.given(p)) return types.optional(value);
  TypeId d = c.param(p);
  if (value.unknown()) return stored_type(types, d);
  if (types.is_scalar(value) && types.is_scalar(d)) return unify(types, value, d, c.cx.loc());
  if (!can_convert(types, d, value))
    typing_error(c.cx.loc()) << c.name() << "(): the default (" << types.to_string(d)
                             << ") must have the dict's value type, " << types.to_string(value);
  return value;
}

/// sort(key=f) / sorted(key=f): f (a jitted function or lambda) specialized for the items; the
/// call records it as its callee, which lowering calls once per item.
void type_sort_key(BuiltinCall &c, size_t p, TypeId item) {
  TypeContext &types = c.types;
  TypeId f = c.param(p);
  if (types.kind(f) != TypeKind::Dispatcher ||
      static_cast<CalleeKind>(types.get(f).a) != CalleeKind::Function)
    typing_error(c.cx.loc()) << c.name() << "(key=...) takes a jitted function or a lambda, not "
                             << types.to_string(f);
  internal_assert(c.cx.resolver) << "no callee resolver";
  CalleeRef ref = c.cx.resolver->resolve(types.get(f).handle, {item}, {}, c.cx.loc());
  if (ref.self || ref.result.unknown())
    typing_error(c.cx.loc()) << c.name() << "(key=...) cannot be the function being compiled";
  if (!is_hashable(types, ref.result) || types.kind(ref.result) == TypeKind::None)
    typing_error(c.cx.loc()) << c.name() << "(key=...): the key function returns a "
                             << types.to_string(ref.result) << "; keys must be numbers or tuples";
  if (c.cx.callee_out) *c.cx.callee_out = ref;
}

/// The item type named by argument p of typed.List.empty_list / typed.Dict.empty: an
/// ember.types type (types.int64, types.unicode_type, types.ListType(...)) or a number class.
TypeId declared_type(BuiltinCall &c, size_t p) {
  TypeContext &types = c.types;
  TypeId t = c.param(p);
  switch (types.kind(t)) {
    case TypeKind::NumberClass: return types.scalar(static_cast<ScalarKind>(types.get(t).a));
    case TypeKind::TypeRef: return types.get(t).elems[0];
    default:
      typing_error(c.cx.loc()) << c.name() << "() takes types such as types.int64 or "
                               << "types.unicode_type, not a " << types.to_string(t);
  }
}

}  // namespace

TypeId type_container_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  using B = BuiltinId;
  switch (c.id) {
    case B::List:
    case B::TypedList:
    case B::Set: {
      bool list = c.id != B::Set;
      if (!c.given(0))
        return site_container(c.cx, list ? TypeKind::List : TypeKind::Set, c.id == B::TypedList);
      TypeId item = iterated(c, c.param(0));
      if (!list && !is_hashable(types, item))
        typing_error(c.cx.loc()) << "a set of " << types.to_string(item)
                                 << " is not supported (elements must be hashable)";
      if (item.unknown()) return TypeId{};
      return list ? types.list(item, c.id == B::TypedList) : types.set(item);
    }
    case B::Dict:
      if (!c.given(0)) return site_container(c.cx, TypeKind::Dict, false);
      if (types.kind(c.param(0)) == TypeKind::Dict) return c.param(0);
      {
        // dict(pairs): an iterable of (key, value) tuples, as dict(zip(keys, values)).
        TypeId pair = iterated(c, c.param(0));
        if (pair.unknown()) return TypeId{};
        if (types.kind(pair) != TypeKind::Tuple || types.get(pair).elems.size() != 2)
          typing_error(c.cx.loc()) << "dict() takes a dict or an iterable of (key, value) "
                                      "pairs, not an iterable of "
                                   << types.to_string(pair);
        TypeId k = types.get(pair).elems[0], v = types.get(pair).elems[1];
        if (!is_hashable(types, k))
          typing_error(c.cx.loc())
              << "a " << types.to_string(k) << " cannot be a dict key (it is not hashable)";
        return types.dict(k, v);
      }
    case B::TypedDict: return site_container(c.cx, TypeKind::Dict, false);
    case B::TypedListEmpty: {
      if (c.given(1) && !c.is_int_like(c.param(1))) c.bad_args();
      return types.list(declared_type(c, 0), true);
    }
    case B::TypedDictEmpty: {
      if (c.given(2) && !c.is_int_like(c.param(2))) c.bad_args();
      TypeId k = declared_type(c, 0), v = declared_type(c, 1);
      if (!is_hashable(types, k))
        typing_error(c.cx.loc()) << "typed.Dict.empty(): a " << types.to_string(k)
                                 << " cannot be a dict key (it is not hashable)";
      return types.dict(k, v);
    }
    case B::Sorted: {
      TypeId item = iterated(c, c.param(0));
      if (item.unknown()) return TypeId{};  // a display whose items are not known yet
      if (c.given(1)) type_sort_key(c, 1, item);
      if (c.given(2) && !c.is_int_like(c.param(2))) c.bad_args();
      return types.list(item);
    }
    case B::Sum: {
      // The running total's type: start + item, then that + item (an int start and float items
      // make a float; bools add as ints).  Strings are refused, as CPython refuses them.
      TypeId item = iterated(c, c.param(0));
      if (item.unknown()) return TypeId{};
      TypeId start = c.given(1) ? c.param(1) : types.int64();
      if (!c.is_number(item) || !c.is_number(start)) c.bad_args();
      TypeId total = type_binop(types, BinOpKind::Add, start, item, c.cx.loc()).result;
      return type_binop(types, BinOpKind::Add, total, item, c.cx.loc()).result;
    }
    case B::Any:
    case B::All: {
      TypeId item = iterated(c, c.param(0));
      if (item.unknown()) return TypeId{};
      if (!c.is_number(item) && types.kind(item) != TypeKind::Unicode) c.bad_args();
      return types.boolean();
    }
    case B::Reversed: return types.list_iter(need(c, 0, TypeKind::List), true);
    case B::HeapPush: value_for(c, need(c, 0, TypeKind::List), 0, 1); return types.none();
    case B::HeapPop: return types.get(need(c, 0, TypeKind::List)).elems[0];
    case B::Heapify: need(c, 0, TypeKind::List); return types.none();
    // ---- list methods
    case B::ListAppend: value_for(c, c.param(0), 0, 1); return types.none();
    case B::ListExtend: {
      TypeId item = iterated(c, c.param(1));
      if (item.unknown()) return TypeId{};
      refine_container(c.cx, c.param(0), 0, item);
      return types.none();
    }
    case B::ListInsert:
      if (!c.is_int_like(c.param(1))) c.bad_args();
      value_for(c, c.param(0), 0, 2);
      return types.none();
    case B::ListPop:
      if (c.given(1) && !c.is_int_like(c.param(1))) c.bad_args();
      return types.get(c.param(0)).elems[0];
    case B::ListRemove:
    case B::ListCount:
    case B::ListIndex: {
      TypeId item = types.get(c.param(0)).elems[0];
      if (!item.unknown() && !can_convert(types, c.param(1), item)) c.bad_args();
      for (size_t p = 2; p < 4; ++p)
        if (c.given(p) && !c.is_int_like(c.param(p))) c.bad_args();
      return c.id == B::ListRemove ? types.none() : types.int64();
    }
    case B::ListClear:
    case B::ListReverse: return types.none();
    case B::ListSort:
      if (c.given(1)) {
        TypeId item = types.get(c.param(0)).elems[0];
        if (item.unknown()) return TypeId{};
        type_sort_key(c, 1, item);
      }
      if (c.given(2) && !c.is_int_like(c.param(2))) c.bad_args();
      return types.none();
    case B::ListCopy: return c.param(0);
    // ---- dict methods
    case B::DictGet:
    case B::DictPop: {
      TypeId d = c.param(0);
      if (types.is_unresolved_container(d)) {
        // `d = {}; d[k] = d.get(k, 0) + 1`: the first use tells the types, the default the
        // value's (Numba's rule too).
        refine_container(c.cx, d, 0, c.param(1));
        if (c.given(2)) refine_container(c.cx, d, 1, c.param(2));
        return TypeId{};
      }
      if (!can_convert(types, c.param(1), types.get(d).elems[0])) c.bad_args();
      // d.pop(k) raises KeyError when k is missing: its value is never None (d.get(k) is).
      if (c.id == B::DictPop && !c.given(2)) return types.get(d).elems[1];
      return with_default(c, types.get(d).elems[1], 2);
    }
    case B::DictSetdefault: {
      TypeId d = c.param(0);
      refine_container(c.cx, d, 0, c.param(1));
      if (!c.given(2))
        unsupported(c.cx.loc()) << "dict.setdefault() needs a default in compiled code";
      return value_for(c, d, 1, 2);
    }
    case B::DictPopitem: {
      const auto &e = types.get(c.param(0)).elems;
      return types.tuple({e[0], e[1]});
    }
    case B::DictUpdate: {
      TypeId o = need(c, 1, TypeKind::Dict);
      const auto &e = types.get(o).elems;
      if (e[0].unknown() || e[1].unknown()) return types.none();
      refine_container(c.cx, c.param(0), 0, e[0]);
      refine_container(c.cx, c.param(0), 1, e[1]);
      return types.none();
    }
    case B::DictClear: return types.none();
    case B::DictCopy: return c.param(0);
    case B::DictKeys: return types.dict_view(c.param(0), DictViewKind::Keys);
    case B::DictValues: return types.dict_view(c.param(0), DictViewKind::Values);
    case B::DictItems: return types.dict_view(c.param(0), DictViewKind::Items);
    // ---- set methods
    case B::SetAdd: value_for(c, c.param(0), 0, 1); return types.none();
    case B::SetDiscard:
    case B::SetRemove: {
      TypeId item = types.get(c.param(0)).elems[0];
      if (!item.unknown() && !can_convert(types, c.param(1), item)) c.bad_args();
      return types.none();
    }
    case B::SetPop: return types.get(c.param(0)).elems[0];
    case B::SetClear: return types.none();
    case B::SetUpdate: {
      TypeId item = iterated(c, c.param(1));
      if (item.unknown()) return TypeId{};
      refine_container(c.cx, c.param(0), 0, item);
      return types.none();
    }
    case B::SetCopy: return c.param(0);
    case B::SetUnion:
    case B::SetIntersection:
    case B::SetDifference:
    case B::SetSymmetricDifference:
    case B::SetIssubset:
    case B::SetIssuperset:
    case B::SetIsdisjoint:
    case B::SetDifferenceUpdate:
    case B::SetIntersectionUpdate:
    case B::SetSymmetricDifferenceUpdate: {
      // The other operand may be any iterable of the set's elements (lowered as a set of them).
      TypeId s = c.param(0), o = c.param(1);
      if (types.kind(o) == TypeKind::Set) {
        if (!can_convert(types, o, s)) c.bad_args();
      } else {
        TypeId item = iterated(c, o);
        if (item.unknown()) return TypeId{};
        TypeId elem = types.get(s).elems[0];
        if (types.kind(item) == TypeKind::Str) item = types.unicode();
        if (!elem.unknown() &&
            (!can_convert(types, item, elem) || types.is_scalar(item) != types.is_scalar(elem)))
          c.bad_args();
        if (elem.unknown()) refine_container(c.cx, s, 0, item);
      }
      switch (c.id) {
        case B::SetIssubset:
        case B::SetIssuperset:
        case B::SetIsdisjoint: return types.boolean();
        case B::SetDifferenceUpdate:
        case B::SetIntersectionUpdate:
        case B::SetSymmetricDifferenceUpdate: return types.none();
        default: return s;
      }
    }
    case B::NpArray:
    case B::NpAsarray: {
      // np.array of an array (a copy; asarray: itself), of a list of numbers, or of a list of
      // equal-length lists of numbers (checked when it runs).
      TypeId t = c.param(0);
      if (types.is_array(t)) {
        ScalarKind k = c.dtype_param(1, types.dtype(t));
        if (c.id == B::NpAsarray && k == types.dtype(t)) return t;
        return types.array(k, types.ndim(t), Layout::C);
      }
      int ndim = 0;
      while (types.kind(t) == TypeKind::List) {
        t = types.get(t).elems[0];
        ++ndim;
      }
      if (ndim == 0 || ndim > 2 || !types.is_scalar(t))
        typing_error(c.cx.loc()) << c.name() << "() of a " << types.to_string(c.param(0))
                                 << " is not supported: it takes an array, a list of numbers "
                                    "or a list of lists of numbers";
      return types.array(c.dtype_param(1, types.scalar_kind(t)), ndim, Layout::C);
    }
    default: return TypeId{};
  }
}

}  // namespace ember
