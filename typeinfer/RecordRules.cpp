// Typing of records (structured dtypes) and arrays of records: ember/records.py registers each
// dtype's fields (RecordInfo in ir/Types.h) before a function taking one is compiled.  A field
// is named by an attribute (`r.x`, and `a.x` on an array of records, as Numba and np.recarray)
// or a constant string subscript (`r["x"]`, `a["x"]`), or by its position (`r[0]`).  Reading a
// scalar field gives the scalar; a nested record, the record in place; a subarray field, a
// C-contiguous view; on an array of records, a strided view of the field over every record.
// Stores go through to the array.  An unknown field name is a TypingError naming it.
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

const RecordInfo &record_of(RuleContext &cx, TypeId t) {
  const RecordInfo *r = cx.types.record_info(cx.types.get(t).handle);
  internal_assert(r) << "record " << cx.types.get(t).handle << " was never defined";
  return *r;
}

/// The field a constant key names (a string literal, or an integer position), or -1 when the
/// key is not a constant; a TypingError when no field has that name.
int field_of_key(RuleContext &cx, const RecordInfo &r, Value key, bool *constant) {
  TypeContext &types = cx.types;
  TypeId kt = cx.type(key);
  *constant = true;
  if (types.kind(kt) == TypeKind::Str) {
    const std::string &name = types.string(types.get(kt).a);
    int k = r.field(name);
    if (k < 0)
      typing_error(cx.loc()) << "the record " << r.name << " has no field '" << name << "'";
    return k;
  }
  int64_t pos;
  if (cx.f.const_int(key, &pos)) {
    auto n = static_cast<int64_t>(r.fields.size());
    if (pos < -n || pos >= n)
      typing_error(cx.loc()) << "field index " << pos << " out of range for the record " << r.name
                             << " of " << n << " fields";
    return static_cast<int>(pos < 0 ? pos + n : pos);
  }
  *constant = false;
  return -1;
}

/// Raises UnsupportedError for a field compiled code cannot read (datetime, ...).
void check_readable(RuleContext &cx, const RecordInfo &r, const RecordField &f) {
  if (f.kind == RecordField::Kind::Other)
    unsupported(cx.loc()) << "the field '" << f.name << "' of the record " << r.name
                          << " has dtype " << f.dtype
                          << ", which compiled code does not support (datetimes and subarrays "
                             "of records are not supported yet; numbers, nested records, "
                             "subarrays of numbers and fixed-size S/U char fields are)";
}

/// Raises UnsupportedError for a field that has no view over an array of records (a char
/// field: NumPy's view is an array of S/U dtype, which compiled code has no type for).
void check_viewable(RuleContext &cx, const RecordInfo &r, const RecordField &f) {
  check_readable(cx, r, f);
  if (f.kind == RecordField::Kind::Chars || f.kind == RecordField::Kind::UChars)
    unsupported(cx.loc()) << "the view of the char field '" << f.name << "' (" << f.dtype
                          << ") over an array of records " << r.name
                          << " is not supported in compiled code (arrays of S/U dtype are not); "
                             "read it record by record (a[i]."
                          << f.name << ")";
}

/// The type of reading field f of a record (readonly: the record lies in a read-only array).
TypeId field_type(TypeContext &types, const RecordField &f, bool readonly) {
  switch (f.kind) {
    case RecordField::Kind::Scalar: return f.type;
    case RecordField::Kind::Record: return types.record(types.get(f.type).handle, readonly);
    case RecordField::Kind::Subarray:
      return types.array(types.scalar_kind(f.type), static_cast<int>(f.shape.size()), Layout::C,
                         readonly);
    case RecordField::Kind::Chars:   // a bytes (a copy for Python, as NumPy's r['s'])
    case RecordField::Kind::UChars:  // a str
      return f.type;
    case RecordField::Kind::Other: break;
  }
  return types.unknown();
}

/// The type of `a.x` / `a["x"]` on an array of records: field f over every record.
TypeId field_view_type(TypeContext &types, TypeId arr, const RecordField &f) {
  int nd = types.ndim(arr);
  bool ro = types.readonly(arr);
  switch (f.kind) {
    case RecordField::Kind::Scalar:
      return types.array(types.scalar_kind(f.type), nd, Layout::A, ro);
    case RecordField::Kind::Record:
      return types.record_array(types.get(f.type).handle, nd, Layout::A, ro);
    case RecordField::Kind::Subarray:
      return types.array(types.scalar_kind(f.type), nd + static_cast<int>(f.shape.size()),
                         Layout::A, ro);
    case RecordField::Kind::Chars:  // refused by check_viewable
    case RecordField::Kind::UChars:
    case RecordField::Kind::Other: break;
  }
  return types.unknown();
}

/// The checks of a store of `value` into field k of a record of type rec.
void check_field_store(RuleContext &cx, TypeId rec, int k, TypeId value) {
  TypeContext &types = cx.types;
  const RecordInfo &r = record_of(cx, rec);
  const RecordField &f = r.fields[static_cast<size_t>(k)];
  check_readable(cx, r, f);
  if (types.get(rec).a)
    typing_error(cx.loc()) << "cannot store into the field '" << f.name
                           << "' of a record of a read-only array";
  if (value.unknown()) return;  // typed on a later pass of the fixpoint
  switch (f.kind) {
    case RecordField::Kind::Scalar: {
      TypeId v = unwrap_optional(types, value);
      if (!types.is_scalar(v) || !can_convert(types, v, f.type) ||
          (is_complex(types.scalar_kind(v)) && !is_complex(types.scalar_kind(f.type))))
        typing_error(cx.loc()) << "cannot store a " << cx.str(value) << " into the field '"
                               << f.name << "' of the record " << r.name << ", which is a "
                               << cx.str(f.type);
      return;
    }
    case RecordField::Kind::Record:
      if (types.kind(value) != TypeKind::Record ||
          types.get(value).handle != types.get(f.type).handle)
        typing_error(cx.loc()) << "cannot store a " << cx.str(value) << " into the field '"
                               << f.name << "' of the record " << r.name
                               << ", which is a record of dtype "
                               << cx.str(types.record(types.get(f.type).handle));
      return;
    case RecordField::Kind::Subarray:
      unsupported(cx.loc()) << "assigning the whole subarray field '" << f.name
                            << "' is not supported in compiled code; store its elements "
                            << "(r." << f.name << "[i] = v)";
    case RecordField::Kind::Chars: {  // a bytes, or a str literal of ASCII characters
      bool ascii_literal = false;
      if (types.kind(value) == TypeKind::Str) {
        ascii_literal = true;
        for (unsigned char ch : types.string(types.get(value).a)) ascii_literal &= ch < 128;
        if (!ascii_literal)
          typing_error(cx.loc()) << "the field '" << f.name << "' (" << f.dtype
                                 << ") holds bytes: a str stored into it must be ASCII, as "
                                    "NumPy encodes it";
      }
      if (!ascii_literal && types.bytes_kind(value) == BytesKind::None)
        typing_error(cx.loc()) << "cannot store a " << cx.str(value) << " into the field '"
                               << f.name << "' (" << f.dtype << ") of the record " << r.name
                               << ": it takes bytes (or a str literal)";
      return;
    }
    case RecordField::Kind::UChars:
      if (!types.is_string(value))
        typing_error(cx.loc()) << "cannot store a " << cx.str(value) << " into the field '"
                               << f.name << "' (" << f.dtype << ") of the record " << r.name
                               << ": it takes a str";
      return;
    case RecordField::Kind::Other: return;
  }
}

}  // namespace

bool type_record_getattr(RuleContext &cx, uint32_t *attr_id, TypeId *out) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  TypeKind kind = types.kind(obj);
  if (kind != TypeKind::Record && kind != TypeKind::RecordArray) return false;
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  const RecordInfo &r = record_of(cx, obj);
  auto set = [&](AttrId a) { *attr_id = static_cast<uint32_t>(a); };
  if (kind == TypeKind::RecordArray) {
    int nd = types.ndim(obj);
    std::vector<TypeId> ints(static_cast<size_t>(nd), types.int64());
    if (name == "shape" || name == "strides") {
      set(name == "shape" ? AttrId::Shape : AttrId::Strides);
      *out = types.tuple(ints);
      return true;
    }
    static const struct {
      const char *name;
      AttrId id;
    } ints_attrs[] = {{"ndim", AttrId::Ndim},
                      {"size", AttrId::Size},
                      {"itemsize", AttrId::Itemsize},
                      {"nbytes", AttrId::Nbytes}};
    for (const auto &a : ints_attrs)
      if (name == a.name) {
        set(a.id);
        *out = types.int64();
        return true;
      }
    if (name == "dtype") {  // a compile-time value: np.empty(n, a.dtype)
      set(AttrId::Dtype);
      *out = types.type_ref(types.record(types.get(obj).handle));
      return true;
    }
    if (name == "T") {
      Layout l = types.layout(obj);
      Layout t = l == Layout::C ? Layout::F : l == Layout::F ? Layout::C : Layout::A;
      set(AttrId::Transpose);
      *out = types.record_array(types.get(obj).handle, nd, t, types.readonly(obj));
      return true;
    }
  }
  int k = r.field(name);
  if (k >= 0) {
    const RecordField &f = r.fields[static_cast<size_t>(k)];
    if (kind == TypeKind::RecordArray) check_viewable(cx, r, f);
    check_readable(cx, r, f);
    set(AttrId::RecordField);
    *out = kind == TypeKind::Record ? field_type(types, f, types.get(obj).a != 0)
                                    : field_view_type(types, obj, f);
    return true;
  }
  if (kind == TypeKind::RecordArray)
    typing_error(cx.loc()) << "an array of records (" << cx.str(obj) << ") has no field or "
                           << "attribute '" << name << "' usable in compiled code (its fields, "
                           << "shape, strides, ndim, size, itemsize, nbytes and T are)";
  typing_error(cx.loc()) << "the record " << r.name << " has no field '" << name << "'";
}

TypeId type_record_getitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]);
  const RecordInfo &r = record_of(cx, c);
  bool constant;
  if (types.kind(c) == TypeKind::Record) {
    int k = field_of_key(cx, r, cx.inst.operands[1], &constant);
    if (!constant)
      typing_error(cx.loc()) << "a record's fields are indexed by a constant string or a "
                             << "constant integer, not a " << cx.str(cx.type(cx.inst.operands[1]));
    const RecordField &f = r.fields[static_cast<size_t>(k)];
    check_readable(cx, r, f);
    return field_type(types, f, types.get(c).a != 0);
  }
  if (types.kind(cx.type(cx.inst.operands[1])) == TypeKind::Str) {
    int k = field_of_key(cx, r, cx.inst.operands[1], &constant);
    const RecordField &f = r.fields[static_cast<size_t>(k)];
    check_viewable(cx, r, f);
    return field_view_type(types, c, f);
  }
  if (types.is_string(cx.type(cx.inst.operands[1])))
    typing_error(cx.loc()) << "the fields of an array of records are named by constant strings";
  auto items = analyze_index(cx.f, types, cx.inst.operands[1], cx.loc());
  return view_type(types, c, items, cx.loc(), &cx.f);
}

void check_record_setattr(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  const RecordInfo &r = record_of(cx, obj);
  int k = r.field(name);
  if (types.kind(obj) == TypeKind::RecordArray)
    unsupported(cx.loc()) << "assigning the attribute '" << name << "' of an array of records "
                          << "is not supported; assign through its view (a." << name
                          << "[:] = v, or a['" << name << "'][:] = v)";
  if (k < 0) typing_error(cx.loc()) << "the record " << r.name << " has no field '" << name << "'";
  check_field_store(cx, obj, k, cx.type(cx.inst.operands[1]));
}

void check_record_setitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId c = cx.type(cx.inst.operands[0]);
  TypeId v = cx.type(cx.inst.operands[2]);
  const RecordInfo &r = record_of(cx, c);
  bool constant;
  if (types.kind(c) == TypeKind::Record) {
    int k = field_of_key(cx, r, cx.inst.operands[1], &constant);
    if (!constant)
      typing_error(cx.loc()) << "a record's fields are indexed by a constant string or a "
                             << "constant integer";
    check_field_store(cx, c, k, v);
    return;
  }
  if (types.readonly(c))
    typing_error(cx.loc()) << "cannot store into a read-only array (" << cx.str(c) << ")";
  if (types.kind(cx.type(cx.inst.operands[1])) == TypeKind::Str) {  // a["x"] = v: fill the view
    int k = field_of_key(cx, r, cx.inst.operands[1], &constant);
    const RecordField &f = r.fields[static_cast<size_t>(k)];
    check_viewable(cx, r, f);
    TypeId vv = unwrap_optional(types, v);
    if (f.kind == RecordField::Kind::Record || !(types.is_scalar(vv) || types.is_array(vv)))
      typing_error(cx.loc()) << "cannot store a " << cx.str(v) << " into the field '" << f.name
                             << "' of " << cx.str(c);
    return;
  }
  auto items = analyze_index(cx.f, types, cx.inst.operands[1], cx.loc());
  TypeId target = view_type(types, c, items, cx.loc(), &cx.f);
  if (types.kind(target) != TypeKind::Record)
    unsupported(cx.loc()) << "storing into a slice of an array of records is not supported in "
                             "compiled code; store records one at a time";
  if (types.kind(v) != TypeKind::Record || types.get(v).handle != types.get(c).handle)
    typing_error(cx.loc()) << "cannot store a " << cx.str(v) << " into an element of " << cx.str(c)
                           << " (a record of the same dtype is needed)";
}

TypeId type_record_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  if (c.id != BuiltinId::NpEmpty && c.id != BuiltinId::NpZeros && c.id != BuiltinId::NpOnes)
    return TypeId{};
  if (!c.given(1) || types.kind(c.param(1)) != TypeKind::TypeRef) return TypeId{};
  TypeId rec = types.get(c.param(1)).elems[0];
  if (types.kind(rec) != TypeKind::Record) return TypeId{};
  if (c.id == BuiltinId::NpOnes)
    unsupported(c.cx.loc()) << "np.ones() of a structured dtype (" << c.cx.str(rec)
                            << ") is not supported in compiled code; np.empty and np.zeros are";
  return types.record_array(types.get(rec).handle, c.shape_ndim(c.param(0)), Layout::C);
}

}  // namespace ember
