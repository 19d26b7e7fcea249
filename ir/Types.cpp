#include "ir/Types.h"

#include <sstream>

#include "ember/abi.h"
#include "ir/Error.h"

namespace ember {

namespace {
const BuiltinInfo kBuiltins[] = {
#define EMBER_BUILTIN(id, module, attr) {module, attr},
#include "ir/Builtins.def"
#undef EMBER_BUILTIN
};
const char *const kMethodNames[] = {
#define EMBER_METHOD(name, pyname) pyname,
#include "ir/Methods.def"
#undef EMBER_METHOD
};
}  // namespace

const BuiltinInfo &builtin_info(BuiltinId id) { return kBuiltins[static_cast<int>(id)]; }

std::string builtin_display_name(BuiltinId id) {
  const BuiltinInfo &b = builtin_info(id);
  std::string m = b.module;
  if (m.empty()) return std::string("ndarray.") + b.attr;                 // a method
  if (m == "list" || m == "dict" || m == "set") return m + "." + b.attr;  // container methods
  if (m == "ember.typed") return std::string("typed.") + b.attr;
  if (m == "builtins") return b.attr;
  if (m == "numpy") m = "np";
  if (m == "numpy.random") m = "np.random";
  if (m.rfind("ember.cuda", 0) == 0) m = m.substr(6);  // cuda.syncthreads, cuda.atomic.add
  return m + "." + b.attr;
}

bool is_string_builtin(BuiltinId id) {
  return (id >= BuiltinId::Str && id <= BuiltinId::StrFormat) ||
         (id >= BuiltinId::StrTranslate && id <= BuiltinId::StrRemovesuffix);
}

const char *method_name(MethodId m) { return kMethodNames[static_cast<int>(m)]; }

bool lookup_method(const std::string &name, MethodId *out) {
  for (size_t i = 0; i < sizeof(kMethodNames) / sizeof(kMethodNames[0]); ++i) {
    if (name == kMethodNames[i]) {
      *out = static_cast<MethodId>(i);
      return true;
    }
  }
  return false;
}

bool is_integer(ScalarKind k) { return k >= ScalarKind::Int8 && k <= ScalarKind::UInt64; }
bool is_signed(ScalarKind k) { return k >= ScalarKind::Int8 && k <= ScalarKind::Int64; }
bool is_float(ScalarKind k) {
  return k == ScalarKind::Float16 || k == ScalarKind::Float32 || k == ScalarKind::Float64;
}
bool is_complex(ScalarKind k) { return k == ScalarKind::Complex64 || k == ScalarKind::Complex128; }

bool is_datetime(ScalarKind k) {
  return k >= ScalarKind::DatetimeY && k <= ScalarKind::DatetimeGeneric;
}
bool is_timedelta(ScalarKind k) {
  return k >= ScalarKind::TimedeltaY && k <= ScalarKind::TimedeltaGeneric;
}
TimeUnit time_unit(ScalarKind k) {
  int base = static_cast<int>(is_datetime(k) ? ScalarKind::DatetimeY : ScalarKind::TimedeltaY);
  return static_cast<TimeUnit>(static_cast<int>(k) - base);
}
ScalarKind datetime_kind(TimeUnit u) {
  return static_cast<ScalarKind>(static_cast<int>(ScalarKind::DatetimeY) + static_cast<int>(u));
}
ScalarKind timedelta_kind(TimeUnit u) {
  return static_cast<ScalarKind>(static_cast<int>(ScalarKind::TimedeltaY) + static_cast<int>(u));
}
const char *time_unit_name(TimeUnit u) {
  static const char *const names[kNumTimeUnits] = {"Y",  "M",  "W",  "D",  "h",  "m",  "s",
                                                   "ms", "us", "ns", "ps", "fs", "as", "generic"};
  return names[static_cast<int>(u)];
}

int bit_width(ScalarKind k) {
  switch (k) {
    case ScalarKind::Bool:
    case ScalarKind::Int8:
    case ScalarKind::UInt8: return 8;
    case ScalarKind::Int16:
    case ScalarKind::UInt16:
    case ScalarKind::Float16: return 16;
    case ScalarKind::Int32:
    case ScalarKind::UInt32:
    case ScalarKind::Float32: return 32;
    case ScalarKind::Int64:
    case ScalarKind::UInt64:
    case ScalarKind::Float64:
    case ScalarKind::Complex64: return 64;
    case ScalarKind::Complex128: return 128; EMBER_TIME_KIND_CASES return 64;
  }
  return 0;
}

const char *scalar_name(ScalarKind k) {
  switch (k) {
    case ScalarKind::Bool: return "bool";
    case ScalarKind::Int8: return "int8";
    case ScalarKind::Int16: return "int16";
    case ScalarKind::Int32: return "int32";
    case ScalarKind::Int64: return "int64";
    case ScalarKind::UInt8: return "uint8";
    case ScalarKind::UInt16: return "uint16";
    case ScalarKind::UInt32: return "uint32";
    case ScalarKind::UInt64: return "uint64";
    case ScalarKind::Float32: return "float32";
    case ScalarKind::Float64: return "float64";
    case ScalarKind::Complex64: return "complex64";
    case ScalarKind::Complex128: return "complex128";
    case ScalarKind::Float16: return "float16";
    case ScalarKind::DatetimeY: return "datetime64[Y]";
    case ScalarKind::DatetimeM: return "datetime64[M]";
    case ScalarKind::DatetimeW: return "datetime64[W]";
    case ScalarKind::DatetimeD: return "datetime64[D]";
    case ScalarKind::Datetimeh: return "datetime64[h]";
    case ScalarKind::Datetimem: return "datetime64[m]";
    case ScalarKind::Datetimes: return "datetime64[s]";
    case ScalarKind::Datetimems: return "datetime64[ms]";
    case ScalarKind::Datetimeus: return "datetime64[us]";
    case ScalarKind::Datetimens: return "datetime64[ns]";
    case ScalarKind::Datetimeps: return "datetime64[ps]";
    case ScalarKind::Datetimefs: return "datetime64[fs]";
    case ScalarKind::Datetimeas: return "datetime64[as]";
    case ScalarKind::DatetimeGeneric: return "datetime64";
    case ScalarKind::TimedeltaY: return "timedelta64[Y]";
    case ScalarKind::TimedeltaM: return "timedelta64[M]";
    case ScalarKind::TimedeltaW: return "timedelta64[W]";
    case ScalarKind::TimedeltaD: return "timedelta64[D]";
    case ScalarKind::Timedeltah: return "timedelta64[h]";
    case ScalarKind::Timedeltam: return "timedelta64[m]";
    case ScalarKind::Timedeltas: return "timedelta64[s]";
    case ScalarKind::Timedeltams: return "timedelta64[ms]";
    case ScalarKind::Timedeltaus: return "timedelta64[us]";
    case ScalarKind::Timedeltans: return "timedelta64[ns]";
    case ScalarKind::Timedeltaps: return "timedelta64[ps]";
    case ScalarKind::Timedeltafs: return "timedelta64[fs]";
    case ScalarKind::Timedeltaas: return "timedelta64[as]";
    case ScalarKind::TimedeltaGeneric: return "timedelta64";
  }
  return "?";
}

TypeContext::TypeContext() {
  types_.push_back(TypeData{});  // id 0 is Unknown
  index_.emplace("?", 0);
}

uint32_t TypeContext::intern_string(const std::string &s) {
  auto it = string_index_.find(s);
  if (it != string_index_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(strings_.size());
  strings_.push_back(s);
  string_index_.emplace(s, id);
  return id;
}

TypeId TypeContext::intern(TypeData data) {
  std::ostringstream key;
  key << static_cast<int>(data.kind) << ':' << data.a << ':' << data.b << ':' << data.c << ':'
      << data.d << ':' << data.handle;
  for (TypeId e : data.elems) key << ',' << e.index;
  std::string k = key.str();
  auto it = index_.find(k);
  if (it != index_.end()) return TypeId{it->second};
  uint32_t id = static_cast<uint32_t>(types_.size());
  types_.push_back(std::move(data));
  index_.emplace(std::move(k), id);
  return TypeId{id};
}

TypeId TypeContext::none() { return intern({TypeKind::None}); }

TypeId TypeContext::scalar(ScalarKind k) {
  TypeData d{TypeKind::Scalar};
  d.a = static_cast<uint32_t>(k);
  return intern(d);
}

TypeId TypeContext::array(ScalarKind dtype, int ndim, Layout layout, bool readonly) {
  TypeData d{TypeKind::Array};
  d.a = static_cast<uint32_t>(dtype);
  d.b = static_cast<uint32_t>(ndim);
  // A 0-d or 1-d array that is C-contiguous is also F-contiguous; keep one spelling.
  if (ndim <= 1 && layout == Layout::F) layout = Layout::C;
  d.c = static_cast<uint32_t>(layout);
  d.d = readonly ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::tuple(const std::vector<TypeId> &elems) {
  TypeData d{TypeKind::Tuple};
  d.elems = elems;
  return intern(d);
}

TypeId TypeContext::optional(TypeId inner) {
  TypeKind k = kind(inner);
  if (k == TypeKind::Optional || k == TypeKind::None) return inner;
  TypeData d{TypeKind::Optional};
  d.elems = {inner};
  return intern(d);
}

TypeId TypeContext::range(bool parallel) {
  TypeData d{TypeKind::Range};
  d.a = parallel ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::range_iter() { return intern({TypeKind::RangeIter}); }

TypeId TypeContext::array_iter(TypeId array) {
  TypeData d{TypeKind::ArrayIter};
  d.elems = {array};
  return intern(d);
}

TypeId TypeContext::enumerate_iter(TypeId inner) {
  TypeData d{TypeKind::EnumerateIter};
  d.elems = {inner};
  return intern(d);
}

TypeId TypeContext::zip_iter(const std::vector<TypeId> &inners) {
  TypeData d{TypeKind::ZipIter};
  d.elems = inners;
  return intern(d);
}

TypeId TypeContext::tuple_iter(TypeId tuple) {
  TypeData d{TypeKind::TupleIter};
  d.elems = {tuple};
  return intern(d);
}

TypeId TypeContext::array_flags(TypeId array) {
  TypeData d{TypeKind::ArrayFlags};
  d.elems = {array};
  return intern(d);
}

TypeId TypeContext::slice() { return intern({TypeKind::Slice}); }

TypeId TypeContext::str(const std::string &text) {
  TypeData d{TypeKind::Str};
  d.a = intern_string(text);
  return intern(d);
}

TypeId TypeContext::module(uint64_t handle) {
  TypeData d{TypeKind::Module};
  d.handle = handle;
  return intern(d);
}

TypeId TypeContext::builtin(BuiltinId id) {
  TypeData d{TypeKind::Builtin};
  d.a = static_cast<uint32_t>(id);
  return intern(d);
}

TypeId TypeContext::dispatcher(uint64_t handle, CalleeKind kind) {
  TypeData d{TypeKind::Dispatcher};
  d.handle = handle;
  d.a = static_cast<int64_t>(kind);
  return intern(d);
}

TypeId TypeContext::exception_class(int32_t exc_id) {
  TypeData d{TypeKind::ExceptionClass};
  d.handle = static_cast<uint64_t>(exc_id);
  return intern(d);
}

TypeId TypeContext::exception_value(int32_t exc_id, const std::string &message) {
  TypeData d{TypeKind::ExceptionValue};
  d.handle = static_cast<uint64_t>(exc_id);
  d.a = intern_string(message);
  return intern(d);
}

TypeId TypeContext::number_class(ScalarKind k, bool python) {
  TypeData d{TypeKind::NumberClass};
  d.a = static_cast<uint32_t>(k);
  d.b = python ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::type_ref(TypeId t) {
  TypeData d{TypeKind::TypeRef};
  d.elems = {t};
  return intern(d);
}

TypeId TypeContext::bound_method(TypeId receiver, MethodId method) {
  TypeData d{TypeKind::BoundMethod};
  d.a = static_cast<uint32_t>(method);
  d.elems = {receiver};
  return intern(d);
}

TypeId TypeContext::list(TypeId item, bool typed, uint64_t site) {
  TypeData d{TypeKind::List};
  d.elems = {item};
  d.a = typed ? 1 : 0;
  d.handle = item.unknown() || is_unresolved_container(item) ? site : 0;
  return intern(d);
}

TypeId TypeContext::dict(TypeId key, TypeId value, uint64_t site) {
  TypeData d{TypeKind::Dict};
  d.elems = {key, value};
  d.handle = key.unknown() || value.unknown() || is_unresolved_container(value) ? site : 0;
  return intern(d);
}

TypeId TypeContext::set(TypeId item, uint64_t site) {
  TypeData d{TypeKind::Set};
  d.elems = {item};
  d.handle = item.unknown() ? site : 0;
  return intern(d);
}

TypeId TypeContext::dict_view(TypeId dict, DictViewKind kind) {
  TypeData d{TypeKind::DictView};
  d.elems = {dict};
  d.a = static_cast<uint32_t>(kind);
  return intern(d);
}

TypeId TypeContext::list_iter(TypeId list, bool reversed) {
  TypeData d{TypeKind::ListIter};
  d.elems = {list};
  d.a = reversed ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::dict_iter(TypeId dict, DictViewKind kind) {
  TypeData d{TypeKind::DictIter};
  d.elems = {dict};
  d.a = static_cast<uint32_t>(kind);
  return intern(d);
}

bool TypeContext::is_unresolved_container(TypeId t) const {
  if (!is_container(t)) return false;
  for (TypeId e : get(t).elems)
    if (e.unknown() || is_unresolved_container(e)) return true;
  return false;
}
TypeId TypeContext::closure(uint64_t handle, const std::vector<TypeId> &captures) {
  TypeData d{TypeKind::Closure};
  d.handle = handle;
  d.elems = captures;
  return intern(d);
}

TypeId TypeContext::exception_args(int32_t exc_id, const std::vector<TypeId> &args) {
  TypeData d{TypeKind::ExceptionValue};
  d.handle = static_cast<uint64_t>(exc_id);
  d.a = intern_string("");
  d.elems = args;
  return intern(d);
}

TypeId TypeContext::caught_exception() { return intern({TypeKind::CaughtException}); }
TypeId TypeContext::unicode() { return intern({TypeKind::Unicode}); }

TypeId TypeContext::unicode_iter() { return intern({TypeKind::UnicodeIter}); }

TypeId TypeContext::generator(TypeId yield_type) {
  TypeData d{TypeKind::Generator};
  d.elems = {yield_type};
  return intern(d);
}

TypeId TypeContext::pointer(ScalarKind pointee, bool is_void) {
  TypeData d{TypeKind::Pointer};
  d.a = is_void ? 0 : static_cast<uint32_t>(pointee);
  d.b = is_void ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::function_ptr(TypeId ret, const std::vector<TypeId> &params) {
  TypeData d{TypeKind::FunctionPtr};
  d.elems = {ret};
  d.elems.insert(d.elems.end(), params.begin(), params.end());
  return intern(d);
}

TypeId TypeContext::c_function(uint64_t address, TypeId result, const std::vector<TypeId> &params) {
  TypeData d{TypeKind::CFunction};
  d.handle = address;
  d.elems = {result};
  d.elems.insert(d.elems.end(), params.begin(), params.end());
  return intern(d);
}

TypeId TypeContext::array_ctypes(TypeId array, bool data_as) {
  TypeData d{TypeKind::ArrayCTypes};
  d.elems = {array};
  d.a = data_as ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::jitclass(uint64_t class_id) {
  TypeData d{TypeKind::JitClass};
  d.handle = class_id;
  return intern(d);
}

TypeId TypeContext::instance(uint64_t class_id) {
  TypeData d{TypeKind::Instance};
  d.handle = class_id;
  return intern(d);
}

void TypeContext::define_class(uint64_t class_id, ClassInfo info) {
  info.fields = tuple(info.field_types);
  classes_[class_id] = std::move(info);
}

const ClassInfo *TypeContext::class_info(uint64_t class_id) const {
  auto it = classes_.find(class_id);
  return it == classes_.end() ? nullptr : &it->second;
}

TypeId TypeContext::record(uint64_t record_id, bool readonly) {
  TypeData d{TypeKind::Record};
  d.handle = record_id;
  d.a = readonly ? 1 : 0;
  return intern(d);
}

TypeId TypeContext::record_array(uint64_t record_id, int ndim, Layout layout, bool readonly) {
  TypeData d{TypeKind::RecordArray};
  d.handle = record_id;
  d.b = static_cast<uint32_t>(ndim);
  d.c = static_cast<uint32_t>(layout);
  d.d = readonly ? 1 : 0;
  return intern(d);
}

void TypeContext::define_record(uint64_t record_id, RecordInfo info) {
  records_[record_id] = std::move(info);
}

const RecordInfo *TypeContext::record_info(uint64_t record_id) const {
  auto it = records_.find(record_id);
  return it == records_.end() ? nullptr : &it->second;
}

TypeId TypeContext::element_type(TypeId t) {
  if (kind(t) == TypeKind::RecordArray) return record(get(t).handle, readonly(t));
  return scalar(dtype(t));
}

TypeId TypeContext::bytes(BytesKind k, Layout layout) {
  TypeData d{TypeKind::Array};
  d.a = static_cast<uint32_t>(ScalarKind::UInt8);
  d.b = 1;
  d.c = static_cast<uint32_t>(layout == Layout::F ? Layout::C : layout);
  d.d = k == BytesKind::Bytes ? 1 : 0;
  d.handle = static_cast<uint64_t>(k);
  return intern(d);
}

TypeId TypeContext::array_like(TypeId t, int ndim, Layout layout, bool readonly) {
  if (kind(t) == TypeKind::RecordArray) return record_array(get(t).handle, ndim, layout, readonly);
  // A slice of a bytes is a bytes (a view, as Numba's Buffer slices).
  if (bytes_kind(t) != BytesKind::None && ndim == 1 && readonly == this->readonly(t))
    return bytes(bytes_kind(t), layout);
  return array(dtype(t), ndim, layout, readonly);
}

int64_t TypeContext::itemsize(TypeId t) const {
  if (kind(t) == TypeKind::RecordArray) {
    const RecordInfo *r = record_info(get(t).handle);
    return r ? r->itemsize : 0;
  }
  return bit_width(dtype(t)) / 8;
}

bool TypeContext::is_compile_time(TypeId t) const {
  switch (kind(t)) {
    case TypeKind::Str:
    case TypeKind::Module:
    case TypeKind::Builtin:
    case TypeKind::Dispatcher:
    case TypeKind::ExceptionClass:
    case TypeKind::NumberClass:
    case TypeKind::BoundMethod:
    case TypeKind::TypeRef:
    case TypeKind::JitClass:
    case TypeKind::Unknown: return true;
    case TypeKind::CFunction: return get(t).handle != 0;  // else an argument: its address
    case TypeKind::ExceptionValue: return get(t).elems.empty();
    default: return false;
  }
}

bool TypeContext::needs_refcount(TypeId t) const {
  const TypeData &d = get(t);
  switch (d.kind) {
    case TypeKind::Array:
    case TypeKind::RecordArray:  // np.empty(n, rec) owns its buffer; an argument's is null
    case TypeKind::ArrayIter:    // an array iterator holds its array
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::DictView:
    case TypeKind::ListIter:
    case TypeKind::DictIter: return true;
    case TypeKind::Unicode:
    case TypeKind::UnicodeIter:
    case TypeKind::Generator: return true;  // its MemInfo owns the frame
    case TypeKind::Instance: return true;
    case TypeKind::Tuple:
    case TypeKind::Closure:
    case TypeKind::Optional:
    case TypeKind::EnumerateIter:
    case TypeKind::ZipIter:
    case TypeKind::TupleIter:
      for (TypeId e : d.elems)
        if (needs_refcount(e)) return true;
      return false;
    default: return false;
  }
}

std::string TypeContext::to_string(TypeId t) const {
  const TypeData &d = get(t);
  std::ostringstream os;
  switch (d.kind) {
    case TypeKind::Unknown: return "?";
    case TypeKind::Scalar: return scalar_name(static_cast<ScalarKind>(d.a));
    case TypeKind::None: return "none";
    case TypeKind::Array: {
      static const char *layouts[] = {"C", "F", "A"};
      if (d.handle)  // Numba's names: Bytes(uint8, 1d, C), bytearray(uint8, 1d, C)
        return std::string(d.handle == static_cast<uint64_t>(BytesKind::Bytes) ? "Bytes"
                                                                               : "bytearray") +
               "(uint8, 1d, " + layouts[d.c] + ")";
      os << "array(" << scalar_name(static_cast<ScalarKind>(d.a)) << ", " << d.b << "d, "
         << layouts[d.c] << (d.d ? ", readonly" : "") << ")";
      return os.str();
    }
    case TypeKind::Tuple: {
      os << "tuple(";
      for (size_t i = 0; i < d.elems.size(); ++i) os << (i ? ", " : "") << to_string(d.elems[i]);
      os << ")";
      return os.str();
    }
    case TypeKind::Optional: return "optional(" + to_string(d.elems[0]) + ")";
    case TypeKind::Range: return d.a ? "prange" : "range";
    case TypeKind::RangeIter: return "range_iter";
    case TypeKind::ArrayIter: return "iter(" + to_string(d.elems[0]) + ")";
    case TypeKind::EnumerateIter: return "enumerate(" + to_string(d.elems[0]) + ")";
    case TypeKind::ZipIter: {
      os << "zip(";
      for (size_t i = 0; i < d.elems.size(); ++i) os << (i ? ", " : "") << to_string(d.elems[i]);
      os << ")";
      return os.str();
    }
    case TypeKind::TupleIter: return "iter(" + to_string(d.elems[0]) + ")";
    case TypeKind::ArrayFlags: return "flags(" + to_string(d.elems[0]) + ")";
    case TypeKind::Slice: return "slice";
    case TypeKind::Str: return "str('" + strings_[d.a] + "')";
    case TypeKind::Module: return "module";
    case TypeKind::Builtin: {
      const BuiltinInfo &b = kBuiltins[d.a];
      return std::string("function(") + b.module + "." + b.attr + ")";
    }
    case TypeKind::Dispatcher: return "jitted function";
    case TypeKind::ExceptionClass: return "exception class";
    case TypeKind::ExceptionValue: return "exception";
    case TypeKind::NumberClass:
      return std::string("class(") + scalar_name(static_cast<ScalarKind>(d.a)) + ")";
    case TypeKind::BoundMethod:
      return "method(" + to_string(d.elems[0]) + "." + kMethodNames[d.a] + ")";
    case TypeKind::List:
      return std::string(d.a ? "ListType[" : "list(") + to_string(d.elems[0]) + (d.a ? "]" : ")");
    case TypeKind::Dict:
      return "DictType[" + to_string(d.elems[0]) + ", " + to_string(d.elems[1]) + "]";
    case TypeKind::Set: return "set(" + to_string(d.elems[0]) + ")";
    case TypeKind::DictView: {
      static const char *names[] = {"keys", "values", "items"};
      return std::string("dict_") + names[d.a] + "(" + to_string(d.elems[0]) + ")";
    }
    case TypeKind::ListIter: return "iter(" + to_string(d.elems[0]) + ")";
    case TypeKind::DictIter: return "iter(" + to_string(d.elems[0]) + ")";
    case TypeKind::CaughtException: return "caught exception";
    case TypeKind::TypeRef: return "typeref[" + to_string(d.elems[0]) + "]";
    case TypeKind::Closure: {
      os << "closure(";
      for (size_t i = 0; i < d.elems.size(); ++i) os << (i ? ", " : "") << to_string(d.elems[i]);
      os << ")";
      return os.str();
    }
    case TypeKind::Unicode: return "unicode_type";
    case TypeKind::UnicodeIter: return "iter(unicode_type)";
    case TypeKind::Generator: return "generator(" + to_string(d.elems[0]) + ")";
    case TypeKind::Pointer:
      if (d.b) return "voidptr";
      return std::string("CPointer(") + scalar_name(static_cast<ScalarKind>(d.a)) + ")";
    case TypeKind::FunctionPtr: {
      std::string s = "FunctionType(" + to_string(d.elems[0]) + "(";
      for (size_t k = 1; k < d.elems.size(); ++k) s += (k > 1 ? ", " : "") + to_string(d.elems[k]);
      return s + "))";
    }
    case TypeKind::CFunction: {
      os << "cfunction(";
      for (size_t i = 1; i < d.elems.size(); ++i)
        os << (i > 1 ? ", " : "") << to_string(d.elems[i]);
      os << ") -> " << to_string(d.elems[0]);
      return os.str();
    }
    case TypeKind::ArrayCTypes:
      return (d.a ? "ctypes.data_as(" : "ctypes(") + to_string(d.elems[0]) + ")";
    case TypeKind::Record:
    case TypeKind::RecordArray: {
      const RecordInfo *r = record_info(d.handle);
      std::string name = "Record(" + (r ? r->name : std::string("?")) + ")";
      if (d.kind == TypeKind::Record) return d.a ? "readonly " + name : name;
      static const char *layouts[] = {"C", "F", "A"};
      os << "array(" << name << ", " << d.b << "d, " << layouts[d.c] << (d.d ? ", readonly" : "")
         << ")";
      return os.str();
    }
    case TypeKind::JitClass:
    case TypeKind::Instance: {
      const ClassInfo *c = class_info(d.handle);
      std::string name = c ? c->name : "?";
      return d.kind == TypeKind::JitClass ? "class(" + name + ")" : "instance(" + name + ")";
    }
  }
  return "?";
}

namespace {
bool scalar_from_tag(int64_t tag, ScalarKind *out) {
  if (tag == EMBER_T_FLOAT16) {  // tagged after the aggregates: added later
    *out = ScalarKind::Float16;
    return true;
  }
  int64_t family = tag & 0xff, unit = tag >> 8;  // datetime tags: the unit above the family
  if ((family == EMBER_T_DATETIME || family == EMBER_T_TIMEDELTA) && unit >= 0 &&
      unit < kNumTimeUnits) {
    auto u = static_cast<TimeUnit>(unit);
    *out = family == EMBER_T_DATETIME ? datetime_kind(u) : timedelta_kind(u);
    return true;
  }
  if (tag < EMBER_T_BOOL || tag > EMBER_T_COMPLEX128) return false;
  *out = static_cast<ScalarKind>(tag - EMBER_T_BOOL);
  return true;
}
int64_t tag_of(ScalarKind k) {
  if (k == ScalarKind::Float16) return EMBER_T_FLOAT16;
  if (is_time(k))
    return (is_datetime(k) ? EMBER_T_DATETIME : EMBER_T_TIMEDELTA) |
           static_cast<int64_t>(time_unit(k)) << 8;
  return static_cast<int64_t>(k) + EMBER_T_BOOL;
}
}  // namespace

TypeId TypeContext::from_code(const std::vector<int64_t> &codes, size_t *pos) {
  internal_assert(*pos < codes.size()) << "truncated type code";
  int64_t tag = codes[(*pos)++];
  ScalarKind k;
  if (scalar_from_tag(tag, &k)) return scalar(k);
  switch (tag) {
    case EMBER_T_NONE: return none();
    case EMBER_T_ARRAY: {
      internal_assert(*pos + 4 <= codes.size()) << "truncated array type code";
      ScalarKind dt;
      internal_assert(scalar_from_tag(codes[*pos], &dt)) << "bad dtype tag " << codes[*pos];
      int ndim = static_cast<int>(codes[*pos + 1]);
      auto layout = static_cast<Layout>(codes[*pos + 2]);
      bool ro = codes[*pos + 3] != 0;
      *pos += 4;
      return array(dt, ndim, layout, ro);
    }
    case EMBER_T_TUPLE: {
      internal_assert(*pos < codes.size()) << "truncated tuple type code";
      int64_t n = codes[(*pos)++];
      std::vector<TypeId> elems;
      for (int64_t i = 0; i < n; ++i) elems.push_back(from_code(codes, pos));
      return tuple(elems);
    }
    case EMBER_T_OPTIONAL: return optional(from_code(codes, pos));
    case EMBER_T_LIST: {
      internal_assert(*pos < codes.size()) << "truncated list type code";
      bool typed = codes[(*pos)++] != 0;
      return list(from_code(codes, pos), typed);
    }
    case EMBER_T_DICT: {
      TypeId k = from_code(codes, pos);
      return dict(k, from_code(codes, pos));
    }
    case EMBER_T_SET: return set(from_code(codes, pos));
    case EMBER_T_DISPATCHER:
      internal_assert(*pos < codes.size()) << "truncated function type code";
      return dispatcher(static_cast<uint64_t>(codes[(*pos)++]));
    case EMBER_T_UNICODE: return unicode();
    case EMBER_T_CPOINTER: {
      internal_assert(*pos < codes.size()) << "truncated pointer type code";
      int64_t pointee = codes[(*pos)++];
      if (pointee == 0) return pointer(ScalarKind::Bool, true);
      ScalarKind pk;
      internal_assert(scalar_from_tag(pointee, &pk)) << "bad pointee tag " << pointee;
      return pointer(pk);
    }
    case EMBER_T_FUNCTION: {
      internal_assert(*pos < codes.size()) << "truncated function type code";
      int64_t n = codes[(*pos)++];
      TypeId ret = from_code(codes, pos);
      std::vector<TypeId> params;
      for (int64_t k = 0; k < n; ++k) params.push_back(from_code(codes, pos));
      return function_ptr(ret, params);
    }
    case EMBER_T_CFUNC: {
      internal_assert(*pos < codes.size()) << "truncated C function type code";
      int64_t n = codes[(*pos)++];
      TypeId result = from_code(codes, pos);
      std::vector<TypeId> params;
      for (int64_t k = 0; k < n; ++k) params.push_back(from_code(codes, pos));
      return c_function(0, result, params);
    }
    case EMBER_T_JITCLASS:
      internal_assert(*pos < codes.size()) << "truncated jitclass type code";
      return instance(static_cast<uint64_t>(codes[(*pos)++]));
    case EMBER_T_RECORD:
      internal_assert(*pos < codes.size()) << "truncated record type code";
      return record(static_cast<uint64_t>(codes[(*pos)++]));
    case EMBER_T_BYTES: {
      internal_assert(*pos + 2 <= codes.size()) << "truncated bytes type code";
      auto k = static_cast<BytesKind>(codes[*pos]);
      auto layout = static_cast<Layout>(codes[*pos + 1]);
      *pos += 2;
      internal_assert(k == BytesKind::Bytes || k == BytesKind::ByteArray) << "bad bytes kind";
      return bytes(k, layout);
    }
    case EMBER_T_RECORD_ARRAY: {
      internal_assert(*pos + 4 <= codes.size()) << "truncated record array type code";
      auto id = static_cast<uint64_t>(codes[*pos]);
      int ndim = static_cast<int>(codes[*pos + 1]);
      auto layout = static_cast<Layout>(codes[*pos + 2]);
      bool ro = codes[*pos + 3] != 0;
      *pos += 4;
      return record_array(id, ndim, layout, ro);
    }
    default: internal_error << "bad type tag " << tag;
  }
  return unknown();
}

bool TypeContext::to_code(TypeId t, std::vector<int64_t> *out) const {
  const TypeData &d = get(t);
  switch (d.kind) {
    case TypeKind::Scalar: out->push_back(tag_of(static_cast<ScalarKind>(d.a))); return true;
    case TypeKind::None: out->push_back(EMBER_T_NONE); return true;
    case TypeKind::Array:
      if (d.handle) {
        out->insert(out->end(),
                    {EMBER_T_BYTES, static_cast<int64_t>(d.handle), static_cast<int64_t>(d.c)});
        return true;
      }
      out->insert(out->end(),
                  {EMBER_T_ARRAY, tag_of(static_cast<ScalarKind>(d.a)), static_cast<int64_t>(d.b),
                   static_cast<int64_t>(d.c), static_cast<int64_t>(d.d)});
      return true;
    case TypeKind::Tuple:
      out->push_back(EMBER_T_TUPLE);
      out->push_back(static_cast<int64_t>(d.elems.size()));
      for (TypeId e : d.elems)
        if (!to_code(e, out)) return false;
      return true;
    case TypeKind::Optional: out->push_back(EMBER_T_OPTIONAL); return to_code(d.elems[0], out);
    case TypeKind::List:
      out->insert(out->end(), {EMBER_T_LIST, static_cast<int64_t>(d.a)});
      return to_code(d.elems[0], out);
    case TypeKind::Dict:
      out->push_back(EMBER_T_DICT);
      return to_code(d.elems[0], out) && to_code(d.elems[1], out);
    case TypeKind::Set: out->push_back(EMBER_T_SET); return to_code(d.elems[0], out);
    case TypeKind::Dispatcher:  // only jitted functions are passed as values from Python
      if (d.a != static_cast<uint32_t>(CalleeKind::Function)) return false;
      out->insert(out->end(), {EMBER_T_DISPATCHER, static_cast<int64_t>(d.handle)});
      return true;
    case TypeKind::Unicode: out->push_back(EMBER_T_UNICODE); return true;
    case TypeKind::Pointer:
      out->insert(out->end(), {EMBER_T_CPOINTER, d.b ? 0 : tag_of(static_cast<ScalarKind>(d.a))});
      return true;
    case TypeKind::Instance:
      out->insert(out->end(), {EMBER_T_JITCLASS, static_cast<int64_t>(d.handle)});
      return true;
    case TypeKind::Record:
      out->insert(out->end(), {EMBER_T_RECORD, static_cast<int64_t>(d.handle)});
      return true;
    case TypeKind::RecordArray:
      out->insert(out->end(),
                  {EMBER_T_RECORD_ARRAY, static_cast<int64_t>(d.handle), static_cast<int64_t>(d.b),
                   static_cast<int64_t>(d.c), static_cast<int64_t>(d.d)});
      return true;
    case TypeKind::FunctionPtr: {
      out->insert(out->end(), {EMBER_T_FUNCTION, static_cast<int64_t>(d.elems.size() - 1)});
      for (TypeId e : d.elems)
        if (!to_code(e, out)) return false;
      return true;
    }
    case TypeKind::CFunction:  // only one passed as an argument has a run-time address
      if (d.handle) return false;
      out->insert(out->end(), {EMBER_T_CFUNC, static_cast<int64_t>(d.elems.size()) - 1});
      for (TypeId e : d.elems)
        if (!to_code(e, out)) return false;
      return true;
    default: return false;
  }
}

TypeId unwrap_optional(const TypeContext &types, TypeId t) {
  if (types.kind(t) == TypeKind::Optional) return types.get(t).elems[0];
  return t;
}

}  // namespace ember
