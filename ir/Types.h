/** \file Types.h
 * ember's types and the TypeContext that interns them.
 *
 * A TypeId is a 32-bit index into one TypeContext; equal types have equal ids, so comparing
 * types is comparing integers.  There is no global context: the compiler session owns one and
 * every function compiled in the session shares it.  Types fall in three groups:
 *   - runtime values: scalars, None, arrays, tuples, optionals, iterators, slices;
 *   - compile-time values that have no runtime representation: modules, builtin functions,
 *     other jitted functions (dispatchers), exception classes, number classes (np.float32,
 *     float, ...), bound methods, string literals;
 *   - Unknown, the bottom of the inference lattice.
 * This file may touch nothing but itself: it knows no IR, no LLVM and no Python.
 */
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/Builtins.h"

namespace ember {

enum class ScalarKind : uint8_t {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float32,
  Float64,
  Complex64,
  Complex128,
  Float16,  ///< IEEE half; arithmetic rounds each result to half, as NumPy's float16 does
  // NumPy's datetime64 and timedelta64, one kind per unit (in TimeUnit's order): an int64
  // count of units since 1970-01-01 (a duration for timedelta64), NaT = INT64_MIN
  // (ir/rules/Datetime.h has their rules).
  DatetimeY,
  DatetimeM,
  DatetimeW,
  DatetimeD,
  Datetimeh,
  Datetimem,
  Datetimes,
  Datetimems,
  Datetimeus,
  Datetimens,
  Datetimeps,
  Datetimefs,
  Datetimeas,
  DatetimeGeneric,
  TimedeltaY,
  TimedeltaM,
  TimedeltaW,
  TimedeltaD,
  Timedeltah,
  Timedeltam,
  Timedeltas,
  Timedeltams,
  Timedeltaus,
  Timedeltans,
  Timedeltaps,
  Timedeltafs,
  Timedeltaas,
  TimedeltaGeneric,
};
/// The numeric kinds (Bool .. Float16): tables over numbers have this many rows; the datetime
/// kinds after them are never numbers.
constexpr int kNumScalarKinds = 14;
/// A datetime64/timedelta64 unit, finest last but Generic (a unit-less value, np.timedelta64(5),
/// which takes the other operand's unit).  NumPy's NPY_DATETIMEUNIT without its B gap.
enum class TimeUnit : uint8_t { Y, M, W, D, h, m, s, ms, us, ns, ps, fs, as, Generic };
constexpr int kNumTimeUnits = 14;
bool is_datetime(ScalarKind k);   ///< datetime64[unit]
bool is_timedelta(ScalarKind k);  ///< timedelta64[unit]
inline bool is_time(ScalarKind k) { return is_datetime(k) || is_timedelta(k); }
TimeUnit time_unit(ScalarKind k);  ///< of a datetime or timedelta kind
ScalarKind datetime_kind(TimeUnit u);
ScalarKind timedelta_kind(TimeUnit u);
const char *time_unit_name(TimeUnit u);  ///< NumPy's: "Y", "ms", "generic"

/// The case labels of every datetime and timedelta kind, for exhaustive switches.
#define EMBER_TIME_KIND_CASES       \
  case ScalarKind::DatetimeY:       \
  case ScalarKind::TimedeltaY:      \
  case ScalarKind::DatetimeM:       \
  case ScalarKind::TimedeltaM:      \
  case ScalarKind::DatetimeW:       \
  case ScalarKind::TimedeltaW:      \
  case ScalarKind::DatetimeD:       \
  case ScalarKind::TimedeltaD:      \
  case ScalarKind::Datetimeh:       \
  case ScalarKind::Timedeltah:      \
  case ScalarKind::Datetimem:       \
  case ScalarKind::Timedeltam:      \
  case ScalarKind::Datetimes:       \
  case ScalarKind::Timedeltas:      \
  case ScalarKind::Datetimems:      \
  case ScalarKind::Timedeltams:     \
  case ScalarKind::Datetimeus:      \
  case ScalarKind::Timedeltaus:     \
  case ScalarKind::Datetimens:      \
  case ScalarKind::Timedeltans:     \
  case ScalarKind::Datetimeps:      \
  case ScalarKind::Timedeltaps:     \
  case ScalarKind::Datetimefs:      \
  case ScalarKind::Timedeltafs:     \
  case ScalarKind::Datetimeas:      \
  case ScalarKind::Timedeltaas:     \
  case ScalarKind::DatetimeGeneric: \
  case ScalarKind::TimedeltaGeneric:

bool is_integer(ScalarKind k);  ///< signed or unsigned integer (not bool)
bool is_signed(ScalarKind k);   ///< signed integer
bool is_float(ScalarKind k);
bool is_complex(ScalarKind k);
int bit_width(ScalarKind k);            ///< storage bits (bool: 8; complex128: 128)
const char *scalar_name(ScalarKind k);  ///< NumPy's name: "float64", "bool", ...

enum class Layout : uint8_t { C, F, A };

/// What a jitted callee is: a function, or the kernel behind a @vectorize ufunc (called
/// element-wise on arrays) or a @guvectorize gufunc (called over the outer dimensions).
enum class CalleeKind : uint8_t { Function = 0, UfuncKernel = 1, GufuncKernel = 2 };

enum class TypeKind : uint8_t {
  Unknown,
  Scalar,          ///< a = ScalarKind
  None,            ///< the type of None
  Array,           ///< a = dtype ScalarKind, b = ndim, c = Layout, d = readonly
  Tuple,           ///< elems = element types
  Optional,        ///< elems[0] = T; a value of T or None
  Range,           ///< the value of range(...) / prange(...); a = 1 for prange
  RangeIter,       ///< an iterator over a range
  ArrayIter,       ///< elems[0] = the array type iterated over its first axis
  EnumerateIter,   ///< elems[0] = the inner iterator type
  ZipIter,         ///< elems = the inner iterator types
  TupleIter,       ///< elems[0] = a homogeneous tuple type
  ArrayFlags,      ///< elems[0] = the array type: `a.flags` (its value is the array struct)
  Slice,           ///< a slice of int64 bounds (None bounds are resolved at run time)
  Str,             ///< a compile-time string literal; a = string id
  Module,          ///< handle = the module's id from the front end
  Builtin,         ///< a = BuiltinId
  Dispatcher,      ///< handle = the jitted function's id from the front end; a = CalleeKind
  ExceptionClass,  ///< handle = exception id (ember_exception_id or a user id)
  ExceptionValue,  ///< an exception instance: handle = exception id, a = message string id
  NumberClass,     ///< a = ScalarKind, b = 1 for Python's own class: float, int, np.float32, ...
  BoundMethod,     ///< elems[0] = receiver type, a = MethodId
  /// Containers (ember/containers.h): the value is the container's MemInfo pointer.
  List,      ///< elems[0] = item (Unknown until an append tells); a = 1 for ember.typed.List;
             ///< handle = the empty display's site while the item is unknown
  Dict,      ///< elems = {key, value} (Unknown until a store tells); handle = site, as List
  Set,       ///< elems[0] = item; handle = site, as List
  DictView,  ///< d.keys() / d.values() / d.items(): elems[0] = the dict type, a = DictViewKind
  ListIter,  ///< elems[0] = the list type; a = 1 for reversed()
  DictIter,  ///< elems[0] = the dict or set type, a = DictViewKind (what it yields)
  /// An inner function or lambda that captures variables of the function that made it:
  /// handle = the jitted function of its code, which takes the captured values as leading
  /// parameters; elems = their types.  Its value is the struct of the captured values.
  Closure,
  /// The exception an except clause caught, at run time: the error record (ember_error).
  CaughtException,
  Unicode,      ///< a runtime string (Numba's unicode_type): an ember_meminfo* (ember/str.h)
  UnicodeIter,  ///< an iterator over a string's code points
  /// A type used as a value (ember.types.unicode_type, types.ListType(int64), ...), as
  /// typed.Dict.empty's arguments: elems[0] = that type.  Compile-time only.
  TypeRef,
  /// A generator made by calling a generator function (lowering/CodeGenGenerator.cpp):
  /// elems[0] = the type it yields.  Its value is the MemInfo holding the suspended frame; it
  /// is its own iterator.  Any generator function yielding that type gives the same type: the
  /// frame's resume and destroy functions are reached through the frame itself.
  Generator,
  /// A raw C pointer, an argument of a @cfunc: a = the pointee's ScalarKind, b = 1 for void *
  /// (types.voidptr).  ember.carray / farray view it as an array (lowering/CodeGenCArray.cpp).
  Pointer,
  /// A @jitclass (ember/jitclasses.py) named in compiled code: a compile-time value, handle =
  /// the class id; calling it constructs an Instance, its attributes are static methods.
  JitClass,
  /// An instance of a @jitclass, handle = the class id (TypeContext::class_info says its
  /// fields and methods): an ember_meminfo* whose data is the struct of its fields, counted
  /// as a container's MemInfo.
  Instance,
  /// A first-class function of a fixed signature (ember.types.FunctionType(sig)): elems =
  /// {return type, parameter types...}.  Its value is the address of a compiled
  /// specialization's native function (status, return slot, error record, then the arguments
  /// as compiled code passes them), so a call of it is an indirect native call.
  FunctionPtr,
  /// A C function read from a global or closure variable (a ctypes or cffi function,
  /// ember/cfunctions.py): handle = its address, elems = {result (None: void), params...}.
  /// Compile-time: a call is an indirect native call with the C signature.
  CFunction,
  /// `a.ctypes` of an array: elems[0] = the array type, a = 1 for its bound `data_as`
  /// method.  Its value is the array struct, as ArrayFlags'.
  ArrayCTypes,
  /// A record of a structured dtype (NumPy's np.void with fields, Numba's Record): handle =
  /// the record id (TypeContext::record_info says its fields); a = 1 when it lies in a
  /// read-only array (stores into it are typing errors).  Its value is {data, parent}:
  /// the address of the record's bytes inside an array (or an np.void argument) and the Python
  /// object owning them, so that a subarray field's view can keep that owner alive.  Reads and
  /// writes go through to the array, as in Numba.
  Record,
  /// An array of records: handle = record id, b = ndim, c = Layout, d = readonly (ndim(),
  /// layout() and readonly() read it as an Array's).  Its value is the array struct, counted
  /// as an Array's (an argument's MemInfo is null; np.empty(n, rec) owns its buffer).
  RecordArray,
};

/// What iterating a dict yields.
enum class DictViewKind : uint8_t { Keys = 0, Values = 1, Items = 2 };

/// Methods of runtime values, reached through GetAttr and called through Call.
enum class MethodId : uint8_t {
#define EMBER_METHOD(name, pyname) name,
#include "ir/Methods.def"
#undef EMBER_METHOD
};
const char *method_name(MethodId m);
/// The method called `name`, or false when no runtime value has such a method.
bool lookup_method(const std::string &name, MethodId *out);

struct TypeId {
  uint32_t index = 0;
  bool operator==(TypeId o) const { return index == o.index; }
  bool operator!=(TypeId o) const { return index != o.index; }
  bool unknown() const { return index == 0; }
};

/// What compiled code knows of a @jitclass, registered by the front end (Session.define_class)
/// before any function that uses it is compiled.  Handles are the front end's ids of jitted
/// functions whose first parameter is the instance (static methods have none).
struct ClassInfo {
  std::string name;
  std::vector<std::string> field_names;
  std::vector<TypeId> field_types;   ///< the instance's data is a struct of these, in order
  TypeId fields;                     ///< their tuple (set by define_class): the struct's type
  uint64_t init = 0;                 ///< __init__ (the front end supplies an empty one)
  std::map<std::string, uint64_t> methods;
  std::map<std::string, uint64_t> static_methods;
  std::map<std::string, uint64_t> getters;  ///< properties (their setters run from Python)
  /// The index of field `name`, or -1.
  int field(const std::string &name) const {
    for (size_t i = 0; i < field_names.size(); ++i)
      if (field_names[i] == name) return static_cast<int>(i);
    return -1;
  }
};

/// One field of a structured dtype (RecordInfo), registered by ember/records.py.
struct RecordField {
  enum class Kind : uint8_t {
    Scalar,    ///< type = the scalar
    Record,    ///< type = the nested record
    Subarray,  ///< type = the element scalar; shape = the subarray's (C order)
    Other,     ///< a dtype compiled code cannot read (datetime, a subarray of records): what
    Chars,     ///< fixed-size bytes 'S<n>': type = bytes; shape = {n}
    UChars,    ///< fixed-size str 'U<n>' (UCS4 code units): type = unicode_type; shape = {n}
  };
  std::string name;
  int64_t offset = 0;
  Kind kind = Kind::Scalar;
  TypeId type;
  std::vector<int64_t> shape;
  std::string dtype;  ///< NumPy's str of the field's dtype, for messages
};

/// A structured dtype, keyed by a record id that ember/records.py derives from its layout.
struct RecordInfo {
  std::string name;  ///< NumPy's str of the dtype, for messages
  int64_t itemsize = 0;
  bool aligned = false;  ///< dtype.isalignedstruct: every field at its natural alignment
  std::vector<RecordField> fields;
  /// The index of field `name`, or -1.
  int field(const std::string &name) const {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) return static_cast<int>(i);
    return -1;
  }
};

/// What a 1-d uint8 Array stands for (TypeContext::bytes); its TypeData::handle.
enum class BytesKind : uint8_t { None, Bytes, ByteArray };

struct TypeData {
  TypeKind kind = TypeKind::Unknown;
  uint32_t a = 0, b = 0, c = 0, d = 0;
  uint64_t handle = 0;
  std::vector<TypeId> elems;
};

class TypeContext {
 public:
  TypeContext();
  TypeContext(const TypeContext &) = delete;
  TypeContext &operator=(const TypeContext &) = delete;

  TypeId unknown() const { return TypeId{0}; }
  TypeId none();
  TypeId scalar(ScalarKind k);
  TypeId boolean() { return scalar(ScalarKind::Bool); }
  TypeId int64() { return scalar(ScalarKind::Int64); }
  TypeId float64() { return scalar(ScalarKind::Float64); }
  TypeId array(ScalarKind dtype, int ndim, Layout layout, bool readonly = false);
  TypeId tuple(const std::vector<TypeId> &elems);
  TypeId optional(TypeId inner);
  TypeId range(bool parallel);
  TypeId range_iter();
  TypeId array_iter(TypeId array);
  TypeId enumerate_iter(TypeId inner);
  TypeId zip_iter(const std::vector<TypeId> &inners);
  TypeId tuple_iter(TypeId tuple);
  TypeId array_flags(TypeId array);
  TypeId slice();
  TypeId str(const std::string &text);
  TypeId module(uint64_t handle);
  TypeId builtin(BuiltinId id);
  TypeId dispatcher(uint64_t handle, CalleeKind kind = CalleeKind::Function);
  TypeId exception_class(int32_t exc_id);
  TypeId exception_value(int32_t exc_id, const std::string &message);
  /// python: one of Python's own classes (int, float, bool, complex), not NumPy's.
  TypeId number_class(ScalarKind k, bool python = false);
  TypeId bound_method(TypeId receiver, MethodId method);
  TypeId type_ref(TypeId t);
  /// A list of `item`; `site` (nonzero) marks an empty display whose item type is not known yet.
  TypeId list(TypeId item, bool typed = false, uint64_t site = 0);
  TypeId dict(TypeId key, TypeId value, uint64_t site = 0);
  TypeId set(TypeId item, uint64_t site = 0);
  TypeId dict_view(TypeId dict, DictViewKind kind);
  TypeId list_iter(TypeId list, bool reversed = false);
  TypeId dict_iter(TypeId dict, DictViewKind kind);
  /// List, Dict or Set: values that are a container's MemInfo.
  bool is_container(TypeId t) const {
    TypeKind k = kind(t);
    return k == TypeKind::List || k == TypeKind::Dict || k == TypeKind::Set;
  }
  /// A container whose item (or key/value) type is still Unknown.
  bool is_unresolved_container(TypeId t) const;
  TypeId closure(uint64_t handle, const std::vector<TypeId> &captures);
  /// `E(args...)` with arguments known only at run time (numbers, string literals): a runtime
  /// value holding them; exception_value() is the compile-time form.
  TypeId exception_args(int32_t exc_id, const std::vector<TypeId> &args);
  TypeId caught_exception();
  TypeId unicode();
  TypeId unicode_iter();
  TypeId generator(TypeId yield_type);
  /// types.CPointer(pointee), or void * (types.voidptr) when is_void.
  TypeId pointer(ScalarKind pointee, bool is_void = false);
  /// types.FunctionType(ret(params...)).
  TypeId function_ptr(TypeId ret, const std::vector<TypeId> &params);
  /// A C function at `address` with that signature (result: None for void).
  TypeId c_function(uint64_t address, TypeId result, const std::vector<TypeId> &params);
  /// `array.ctypes`, or its bound `data_as` method when data_as.
  TypeId array_ctypes(TypeId array, bool data_as = false);
  /// A @jitclass's class value and its instances (ClassInfo above, by class id).
  TypeId jitclass(uint64_t class_id);
  TypeId instance(uint64_t class_id);
  /// Registers (or replaces) what a class id means; its field types are of this context.
  void define_class(uint64_t class_id, ClassInfo info);
  /// The class registered under class_id, or null.
  const ClassInfo *class_info(uint64_t class_id) const;
  /// A record of a structured dtype and arrays of them (RecordInfo above, by record id).
  TypeId record(uint64_t record_id, bool readonly = false);
  TypeId record_array(uint64_t record_id, int ndim, Layout layout, bool readonly = false);
  void define_record(uint64_t record_id, RecordInfo info);
  /// The record registered under record_id, or null.
  const RecordInfo *record_info(uint64_t record_id) const;
  /// An Array or a RecordArray: what indexing, slicing, len and iteration work on alike.
  bool is_array_like(TypeId t) const {
    return kind(t) == TypeKind::Array || kind(t) == TypeKind::RecordArray;
  }
  /// The element of an array-like: the dtype's scalar, or the record.
  TypeId element_type(TypeId array_like);
  /// An array-like of array_like's element with this shape description.
  TypeId array_like(TypeId array_like, int ndim, Layout layout, bool readonly);
  /// Bytes per element of an array-like.
  int64_t itemsize(TypeId array_like) const;
  /// Python's bytes and bytearray (Numba's Bytes and ByteArray): a 1-d uint8 Array whose
  /// handle is the BytesKind, so that indexing, len, iteration, slicing and np.frombuffer work
  /// on them as on arrays; a bytes is read-only.  Boxing gives back a bytes / bytearray.
  TypeId bytes(BytesKind kind, Layout layout = Layout::C);
  /// The BytesKind of t (None: t is not a bytes or bytearray).
  BytesKind bytes_kind(TypeId t) const {
    return kind(t) == TypeKind::Array ? static_cast<BytesKind>(get(t).handle) : BytesKind::None;
  }
  /// A string at run time: unicode_type, or a literal (which converts to one).
  bool is_string(TypeId t) const {
    return kind(t) == TypeKind::Unicode || kind(t) == TypeKind::Str;
  }

  const TypeData &get(TypeId t) const { return types_[t.index]; }
  TypeKind kind(TypeId t) const { return types_[t.index].kind; }
  const std::string &string(uint32_t id) const { return strings_[id]; }

  // Queries used everywhere.
  bool is_scalar(TypeId t) const { return kind(t) == TypeKind::Scalar; }
  ScalarKind scalar_kind(TypeId t) const { return static_cast<ScalarKind>(get(t).a); }
  bool is_array(TypeId t) const { return kind(t) == TypeKind::Array; }
  ScalarKind dtype(TypeId array) const { return static_cast<ScalarKind>(get(array).a); }
  int ndim(TypeId array) const { return static_cast<int>(get(array).b); }
  Layout layout(TypeId array) const { return static_cast<Layout>(get(array).c); }
  bool readonly(TypeId array) const { return get(array).d != 0; }
  /// True for types that exist only at compile time and have no runtime storage.
  bool is_compile_time(TypeId t) const;
  /// True when values of t hold references that must be counted (arrays, or aggregates of them).
  bool needs_refcount(TypeId t) const;

  /// Text form used by the printer and error messages: "float64", "array(float32, 2d, C)", ...
  std::string to_string(TypeId t) const;

  /// Decodes an ABI type code (ember/abi.h) starting at codes[*pos]; advances *pos.
  TypeId from_code(const std::vector<int64_t> &codes, size_t *pos);
  /// Encodes a runtime type as an ABI type code; false for types without one.
  bool to_code(TypeId t, std::vector<int64_t> *out) const;

 private:
  TypeId intern(TypeData data);
  uint32_t intern_string(const std::string &s);

  // A deque: get() returns references that rules hold while interning more types, and a
  // deque's push_back never moves its elements (a vector's did: found by AddressSanitizer).
  std::deque<TypeData> types_;
  std::unordered_map<std::string, uint32_t> index_;  // canonical key -> id
  std::deque<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_index_;
  std::map<uint64_t, ClassInfo> classes_;
  std::map<uint64_t, RecordInfo> records_;
};

/// Strips one Optional level: optional(T) -> T; other types unchanged.
TypeId unwrap_optional(const TypeContext &types, TypeId t);

}  // namespace ember
