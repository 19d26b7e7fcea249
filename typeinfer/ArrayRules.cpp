// Typing rules for attributes, subscripts, iteration and unpacking of arrays, tuples and
// modules.  What a subscript selects (and so the view's type) is index analysis, shared with
// lowering: ir/rules/IndexAnalysis.h.
#include "ir/rules/IndexAnalysis.h"
#include "ir/rules/Kernel.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/ContainerRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

TypeId type_getattr(RuleContext &cx, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  const TypeData &od = types.get(obj);
  auto set = [&](AttrId a) { *attr_id = static_cast<uint32_t>(a); };
  TypeId record_attr;
  if (type_record_getattr(cx, attr_id, &record_attr)) return record_attr;
  if (od.kind == TypeKind::Instance || od.kind == TypeKind::JitClass ||
      (od.kind == TypeKind::Optional && types.kind(od.elems[0]) == TypeKind::Instance))
    return type_jitclass_getattr(cx, attr_id);  // an optional instance: MakeExplicit unwraps it
  if (od.kind == TypeKind::Module) {
    auto m = cx.f.modules.find(od.handle);
    internal_assert(m != cx.f.modules.end()) << "module handle without attributes";
    auto a = m->second.find(name);
    if (a == m->second.end())
      typing_error(cx.loc()) << "the module has no attribute '" << name
                             << "' usable in compiled code";
    if (a->second.kind == ConstValue::Kind::Builtin && is_kernel_value(a->second.builtin))
      return type_kernel_value(cx, a->second.builtin, attr_id);
    set(AttrId::ModuleAttr);
    return type_const(types, a->second, cx.loc());
  }
  if (types.is_string(obj)) {
    MethodId m;
    if (lookup_method(name, &m) && string_method_builtin(m) != BuiltinId::NumBuiltins) {
      set(AttrId::Method);
      return types.bound_method(types.unicode(), m);
    }
    // str's own methods that compiled code lacks are unsupported, not misspelt.
    if (name == "encode" || name == "format_map" || name == "maketrans")
      unsupported(cx.loc()) << "str." << name << "() is not supported in compiled code";
    typing_error(cx.loc()) << "a string has no attribute '" << name << "' usable in compiled code";
  }
  TypeId class_attr = type_container_class_attr(cx, attr_id);
  if (!class_attr.unknown()) return class_attr;
  if (od.kind == TypeKind::Builtin && is_kernel_builtin(static_cast<BuiltinId>(od.a)))
    return type_kernel_attr(cx, static_cast<BuiltinId>(od.a), name, attr_id);
  if (od.kind == TypeKind::CaughtException)  // e.args is typed in InferTypes (CaughtArgs.h)
    unsupported(cx.loc()) << "a caught exception's attribute e." << name
                          << " is not supported in compiled code (e.args and str(e) are)";
  if (od.kind == TypeKind::Array) {
    int ndim = types.ndim(obj);
    std::vector<TypeId> ints(static_cast<size_t>(ndim), types.int64());
    static const struct {
      const char *name;
      AttrId id;
    } attrs[] = {{"shape", AttrId::Shape},     {"ndim", AttrId::Ndim},
                 {"size", AttrId::Size},       {"T", AttrId::Transpose},
                 {"dtype", AttrId::Dtype},     {"itemsize", AttrId::Itemsize},
                 {"strides", AttrId::Strides}, {"flags", AttrId::Flags},
                 {"nbytes", AttrId::Nbytes},   {"ctypes", AttrId::CTypes}};
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
        case AttrId::CTypes: return types.array_ctypes(obj);
        default: break;
      }
    }
    MethodId m;
    if (lookup_method(name, &m) && method_builtin(m, TypeKind::Array) != BuiltinId::NumBuiltins) {
      set(AttrId::Method);
      return types.bound_method(obj, m);
    }
    typing_error(cx.loc()) << "an array (" << types.to_string(obj) << ") has no attribute '" << name
                           << "' usable in compiled code";
  }
  if (types.is_container(obj)) {
    MethodId m;
    if (lookup_method(name, &m) && method_builtin(m, od.kind) != BuiltinId::NumBuiltins) {
      set(AttrId::Method);
      return types.bound_method(obj, m);
    }
    typing_error(cx.loc()) << "a " << types.to_string(obj) << " has no attribute '" << name
                           << "' usable in compiled code";
  }
  if (od.kind == TypeKind::ArrayCTypes) {
    AttrId a = AttrId::None;
    TypeId t = type_array_ctypes_attr(cx, obj, name, &a);
    set(a);
    return t;
  }
  if (od.kind == TypeKind::ArrayFlags) {
    if (name == "c_contiguous" || name == "f_contiguous" || name == "contiguous") {
      set(name == "f_contiguous" ? AttrId::FContiguous : AttrId::CContiguous);
      return types.boolean();
    }
    if (name == "writeable") {
      set(AttrId::Writeable);
      return types.boolean();
    }
    typing_error(cx.loc()) << "a.flags." << name << " is not supported in compiled code "
                           << "(c_contiguous, f_contiguous, contiguous and writeable are)";
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
  if (od.kind == TypeKind::Generator && (name == "send" || name == "throw" || name == "close"))
    unsupported(cx.loc()) << "generator." << name << "() is not supported in compiled code: "
                          << "a compiled generator is consumed by iteration only (for, list(), "
                          << "sorted(), ...), and a finally around a yield does not run when it "
                          << "is dropped";
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
      std::vector<int64_t> picks;
      if (const_slice_positions(cx.f, index, static_cast<int64_t>(elems.size()), cx.loc(),
                                &picks)) {
        std::vector<TypeId> sliced;
        for (int64_t p : picks) sliced.push_back(elems[static_cast<size_t>(p)]);
        return types.tuple(sliced);
      }
      if (types.kind(it) == TypeKind::Slice)
        typing_error(cx.loc()) << "a tuple can only be sliced with constant bounds and step";
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
    case TypeKind::Str:
    case TypeKind::Unicode: return type_string_getitem(cx);
    case TypeKind::Pointer: return type_pointer_getitem(cx);
    case TypeKind::Record:
    case TypeKind::RecordArray: return type_record_getitem(cx);
    default:
      typing_error(cx.loc()) << "a value of type " << types.to_string(c)
                             << " cannot be subscripted in compiled code";
  }
}

void check_setitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]);
  TypeId v = cx.type(cx.inst.operands[2]);
  if (types.kind(c) == TypeKind::Pointer) return check_pointer_setitem(cx);
  if (types.kind(c) == TypeKind::Record || types.kind(c) == TypeKind::RecordArray)
    return check_record_setitem(cx);
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

TypeId iterator_type(TypeContext &types, TypeId t, SourceLoc loc, const std::string &who) {
  if (is_iterator(types, t)) return t;  // its own iterator
  switch (types.kind(t)) {
    case TypeKind::Range: return types.range_iter();
    case TypeKind::Array:
    case TypeKind::RecordArray:
      if (types.ndim(t) == 0) typing_error(loc) << "iteration over a 0-d array";
      return types.array_iter(t);
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::DictView: return container_iterator(types, t);
    case TypeKind::Str:
    case TypeKind::Unicode: return types.unicode_iter();
    case TypeKind::Tuple: {
      const auto &elems = types.get(t).elems;
      for (TypeId e : elems)
        if (e != elems[0])
          unsupported(loc) << (who.empty() ? "iterating over" : who + "() of")
                           << " a tuple of mixed types (" << types.to_string(t)
                           << ") is not supported in compiled code";
      return types.tuple_iter(t);
    }
    default:
      if (who.empty())
        typing_error(loc) << "a value of type " << types.to_string(t)
                          << " is not iterable in compiled code";
      typing_error(loc) << who << "() cannot iterate over " << types.to_string(t);
  }
}

bool is_iterator(const TypeContext &types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::RangeIter:
    case TypeKind::ArrayIter:
    case TypeKind::EnumerateIter:
    case TypeKind::ZipIter:
    case TypeKind::TupleIter:
    case TypeKind::ListIter:
    case TypeKind::DictIter:
    case TypeKind::UnicodeIter:
    case TypeKind::Generator: return true;
    default: return false;
  }
}

TypeId type_getiter(RuleContext &cx) {
  return iterator_type(cx.types, cx.type(cx.inst.operands[0]), cx.loc(), "");
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
