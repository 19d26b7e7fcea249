#include "bindings/Boxing.h"

#include <dlfcn.h>

#include <complex>
#include <cstring>

#include "bindings/Bytes.h"
#include "bindings/Containers.h"
#include "bindings/Dispatcher.h"
#include "bindings/Jitclass.h"
#include "bindings/Records.h"
#include "bindings/Typeof.h"
#include "ember/abi.h"
#include "ember/half.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace ember::py {

namespace {

// ---- the owner of a MemInfo-backed ndarray ------------------------------------------------

struct MemInfoOwner {
  PyObject_HEAD ember_meminfo *meminfo;
};

void owner_dealloc(PyObject *self) {
  ember_meminfo_decref(reinterpret_cast<MemInfoOwner *>(self)->meminfo);
  Py_TYPE(self)->tp_free(self);
}

PyTypeObject MemInfoOwnerType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._ember.MemInfoOwner", /* tp_name */
    sizeof(MemInfoOwner),                                          /* tp_basicsize */
};

size_t align_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

/// A datetime64/timedelta64 scalar's tag (its unit in the second byte).
bool is_time_tag(int64_t tag) {
  return (tag & 0xff) == EMBER_T_DATETIME || (tag & 0xff) == EMBER_T_TIMEDELTA;
}

/// An np.datetime64/np.timedelta64 of exactly the plan's dtype -> its int64 count.
bool unbox_time(int64_t tag, PyObject *obj, void *out) {
  if (PyArray_IsScalar(obj, Datetime) || PyArray_IsScalar(obj, Timedelta)) {
    PyArray_Descr *d = PyArray_DescrFromScalar(obj);
    bool same = d && tag_of_descr(d) == tag;
    Py_XDECREF(d);
    if (same) {
      int64_t v = PyArray_IsScalar(obj, Datetime) ? PyArrayScalar_VAL(obj, Datetime)
                                                  : PyArrayScalar_VAL(obj, Timedelta);
      std::memcpy(out, &v, sizeof v);
      return true;
    }
  }
  PyErr_Format(PyExc_TypeError, "expected a datetime64/timedelta64 of the compiled unit, got %R",
               obj);
  return false;
}

size_t scalar_size(int64_t tag) {
  switch (tag) {
    case EMBER_T_BOOL:
    case EMBER_T_INT8:
    case EMBER_T_UINT8:
    case EMBER_T_NONE: return 1;
    case EMBER_T_INT16:
    case EMBER_T_UINT16:
    case EMBER_T_FLOAT16: return 2;
    case EMBER_T_INT32:
    case EMBER_T_UINT32:
    case EMBER_T_FLOAT32: return 4;
    case EMBER_T_INT64:
    case EMBER_T_UINT64:
    case EMBER_T_FLOAT64:
    case EMBER_T_COMPLEX64: return 8;
    case EMBER_T_COMPLEX128: return 16;
    default: return is_time_tag(tag) ? 8 : 0;
  }
}

template <typename T>
bool unbox_int(PyObject *obj, void *out) {
  long long v;
  if (PyFloat_Check(obj)) {  // an explicit integer signature converts floats, as Numba does
    double d = PyFloat_AS_DOUBLE(obj);
    if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) {
      PyErr_SetString(PyExc_OverflowError, "the float does not fit the integer argument");
      return false;
    }
    v = static_cast<long long>(d);
  } else {
    v = PyLong_AsLongLong(obj);
    if (v == -1 && PyErr_Occurred()) return false;
  }
  T x = static_cast<T>(v);
  std::memcpy(out, &x, sizeof x);
  return true;
}

template <typename T>
bool unbox_float(PyObject *obj, void *out) {
  double v = PyFloat_AsDouble(obj);
  if (v == -1.0 && PyErr_Occurred()) return false;
  T x = static_cast<T>(v);
  std::memcpy(out, &x, sizeof x);
  return true;
}

template <typename T>
bool unbox_complex(PyObject *obj, void *out) {
  Py_complex c = PyComplex_AsCComplex(obj);
  if (c.real == -1.0 && PyErr_Occurred()) return false;
  T parts[2] = {static_cast<T>(c.real), static_cast<T>(c.imag)};
  std::memcpy(out, parts, sizeof parts);
  return true;
}

template <typename T>
T load(void *in) {
  T x;
  std::memcpy(&x, in, sizeof x);
  return x;
}

PyObject *box_array(const Plan &plan, void *in) {
  auto *a = static_cast<ember_array *>(in);
  bool records = plan.tag == EMBER_T_RECORD_ARRAY;  // plan.dtype is the record id
  int nd = plan.ndim;
  int64_t *shape = a->shape_and_strides;
  int64_t *strides = a->shape_and_strides + nd;
  auto *parent = static_cast<PyObject *>(a->parent);
  // An ndarray from Python comes back as itself: borrowed, or held by a MemInfo that a
  // container made for it (ember/containers.h's adopt hook).
  if (parent && PyArray_Check(parent)) {
    // The unchanged argument comes back as itself.
    auto *p = reinterpret_cast<PyArrayObject *>(parent);
    bool same =
        PyArray_DATA(p) == a->data && PyArray_NDIM(p) == nd &&
        (records ? record_id_of(PyArray_DESCR(p)) : tag_of_descr(PyArray_DESCR(p))) == plan.dtype;
    for (int k = 0; same && k < nd; ++k)
      same = PyArray_DIMS(p)[k] == shape[k] && PyArray_STRIDES(p)[k] == strides[k];
    if (same && (plan.readonly || PyArray_ISWRITEABLE(p))) {
      Py_INCREF(parent);
      ember_meminfo_decref(a->meminfo);
      return parent;
    }
  }
  PyArray_Descr *descr = nullptr;
  if (!records) {
    descr = descr_of_tag(plan.dtype);
  } else if ((descr = record_descr(plan.dtype))) {
    Py_INCREF(descr);  // PyArray_NewFromDescr steals it
  } else {
    PyErr_SetString(PyExc_SystemError, "ember: an array of an unregistered record dtype");
  }
  if (!descr) {
    ember_meminfo_decref(a->meminfo);
    return nullptr;
  }
  npy_intp dims[NPY_MAXDIMS], strd[NPY_MAXDIMS];
  for (int k = 0; k < nd; ++k) {
    dims[k] = static_cast<npy_intp>(shape[k]);
    strd[k] = static_cast<npy_intp>(strides[k]);
  }
  int flags = plan.readonly ? 0 : NPY_ARRAY_WRITEABLE;
  PyObject *arr =
      PyArray_NewFromDescr(&PyArray_Type, descr, nd, dims, strd, a->data, flags, nullptr);
  if (!arr) {
    ember_meminfo_decref(a->meminfo);
    return nullptr;
  }
  PyObject *base;
  if (a->meminfo) {
    auto *owner = PyObject_New(MemInfoOwner, &MemInfoOwnerType);
    if (!owner) {
      ember_meminfo_decref(a->meminfo);
      Py_DECREF(arr);
      return nullptr;
    }
    owner->meminfo = a->meminfo;  // the result's reference moves into the owner
    base = reinterpret_cast<PyObject *>(owner);
  } else if (parent) {
    Py_INCREF(parent);
    base = parent;
  } else {
    return arr;  // an empty array with no buffer
  }
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject *>(arr), base) < 0) {
    Py_DECREF(arr);
    return nullptr;
  }
  return arr;
}

// ---- strings ---------------------------------------------------------------------------------

// CPython's Unicode database for the runtime's case mapping and classification (ember/str.h).
// The full mappings ('ß' -> 'SS') are CPython's _PyUnicode_To{Upper,Lower}Full, exported by
// every version we support but private: found at run time, the simple mapping otherwise.
using FullCaseFn = int (*)(Py_UCS4, Py_UCS4 *);
FullCaseFn g_upper_full = nullptr, g_lower_full = nullptr;
int hook_upper(uint32_t c, uint32_t *out) {
  if (g_upper_full) return g_upper_full(static_cast<Py_UCS4>(c), reinterpret_cast<Py_UCS4 *>(out));
  out[0] = Py_UNICODE_TOUPPER(static_cast<Py_UCS4>(c));
  return 1;
}
int hook_lower(uint32_t c, uint32_t *out) {
  if (g_lower_full) return g_lower_full(static_cast<Py_UCS4>(c), reinterpret_cast<Py_UCS4 *>(out));
  out[0] = Py_UNICODE_TOLOWER(static_cast<Py_UCS4>(c));
  return 1;
}
int hook_alpha(uint32_t c) { return Py_UNICODE_ISALPHA(static_cast<Py_UCS4>(c)); }
int hook_digit(uint32_t c) { return Py_UNICODE_ISDIGIT(static_cast<Py_UCS4>(c)); }
int hook_space(uint32_t c) { return Py_UNICODE_ISSPACE(static_cast<Py_UCS4>(c)); }
int hook_decimal(uint32_t c) { return Py_UNICODE_ISDECIMAL(static_cast<Py_UCS4>(c)); }
int hook_decimal_value(uint32_t c) { return Py_UNICODE_TODECIMAL(static_cast<Py_UCS4>(c)); }
// The rest of CPython's database that str's methods use: the underscored functions are
// exported but not in every version's public headers, so they are looked up at import.
using CharTestFn = int (*)(Py_UCS4);
FullCaseFn g_title_full = nullptr, g_folded_full = nullptr;
CharTestFn g_is_cased = nullptr, g_is_case_ignorable = nullptr, g_is_xid_start = nullptr,
           g_is_xid_continue = nullptr;
int hook_title(uint32_t c, uint32_t *out) {
  if (g_title_full) return g_title_full(static_cast<Py_UCS4>(c), reinterpret_cast<Py_UCS4 *>(out));
  out[0] = Py_UNICODE_TOTITLE(static_cast<Py_UCS4>(c));
  return 1;
}
int hook_folded(uint32_t c, uint32_t *out) {
  if (g_folded_full)
    return g_folded_full(static_cast<Py_UCS4>(c), reinterpret_cast<Py_UCS4 *>(out));
  return hook_lower(c, out);
}
int hook_is_upper(uint32_t c) { return Py_UNICODE_ISUPPER(static_cast<Py_UCS4>(c)); }
int hook_is_lower(uint32_t c) { return Py_UNICODE_ISLOWER(static_cast<Py_UCS4>(c)); }
int hook_is_title(uint32_t c) { return Py_UNICODE_ISTITLE(static_cast<Py_UCS4>(c)); }
int hook_is_cased(uint32_t c) {
  if (g_is_cased) return g_is_cased(static_cast<Py_UCS4>(c));
  return hook_is_upper(c) || hook_is_lower(c) || hook_is_title(c);
}
int hook_is_case_ignorable(uint32_t c) {
  return g_is_case_ignorable ? g_is_case_ignorable(static_cast<Py_UCS4>(c)) : 0;
}
int hook_is_numeric(uint32_t c) { return Py_UNICODE_ISNUMERIC(static_cast<Py_UCS4>(c)); }
int hook_is_printable(uint32_t c) { return Py_UNICODE_ISPRINTABLE(static_cast<Py_UCS4>(c)); }
int hook_is_xid_start(uint32_t c) {
  if (g_is_xid_start) return g_is_xid_start(static_cast<Py_UCS4>(c));
  return hook_alpha(c);
}
int hook_is_xid_continue(uint32_t c) {
  if (g_is_xid_continue) return g_is_xid_continue(static_cast<Py_UCS4>(c));
  return hook_alpha(c) || hook_digit(c) || c == '_';
}

// The destructor of an argument string that outlived its call: it holds its str object.
void release_parent(void *, int64_t, void *parent) {
  PyGILState_STATE gil = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject *>(parent));
  PyGILState_Release(gil);
}

bool unbox_str(PyObject *obj, void *out) {
  if (!PyUnicode_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "expected a str, got %s", Py_TYPE(obj)->tp_name);
    return false;
  }
#if PY_VERSION_HEX < 0x030C0000
  if (PyUnicode_READY(obj) < 0) return false;
#endif
  // The string borrows the str object's buffer (PEP 393's layout is ember_str's): no copy.
  ember_meminfo *mi = ember_meminfo_alloc(sizeof(ember_str));
  if (!mi) {
    PyErr_NoMemory();
    return false;
  }
  auto *s = ember_str_of(mi);
  s->length = PyUnicode_GET_LENGTH(obj);
  s->hash = -1;
  s->chars = PyUnicode_DATA(obj);
  s->kind = static_cast<int32_t>(PyUnicode_KIND(obj));
  s->ascii = PyUnicode_IS_ASCII(obj) ? 1 : 0;
  s->parent = obj;
  std::memcpy(out, &mi, sizeof mi);
  return true;
}

PyObject *box_str(void *in) {
  ember_meminfo *mi = load<ember_meminfo *>(in);
  ember_str *s = ember_str_of(mi);
  PyObject *r;
  if (s->parent) {  // an argument (or a string sharing its buffer) comes back as itself
    r = static_cast<PyObject *>(s->parent);
    Py_INCREF(r);
  } else {
    r = PyUnicode_FromKindAndData(static_cast<int>(s->kind), s->chars, s->length);
  }
  ember_meminfo_decref(mi);
  return r;
}

}  // namespace

bool holds_strings(const Plan &plan) {
  if (plan.tag == EMBER_T_UNICODE) return true;
  for (const Plan &c : plan.children)
    if (holds_strings(c)) return true;
  return false;
}

void release_argument(const Plan &plan, void *in) {
  switch (plan.tag) {
    case EMBER_T_UNICODE: {
      ember_meminfo *mi = load<ember_meminfo *>(in);
      if (!mi) return;         // never unboxed (a failed call)
      if (mi->refcount > 1) {  // kept by compiled code: hold the buffer's owner from now on
        auto *parent = static_cast<PyObject *>(ember_str_of(mi)->parent);
        Py_INCREF(parent);
        mi->dtor = release_parent;
        mi->dtor_info = parent;
      }
      ember_meminfo_decref(mi);
      return;
    }
    case EMBER_T_LIST:  // the reference unboxing took (a reflected one: the native copy)
    case EMBER_T_JITCLASS:
    case EMBER_T_DICT:
    case EMBER_T_SET: ember_meminfo_decref(load<ember_meminfo *>(in)); return;
    case EMBER_T_TUPLE:
      for (size_t i = 0; i < plan.children.size(); ++i)
        release_argument(plan.children[i], static_cast<char *>(in) + plan.offsets[i]);
      return;
    case EMBER_T_OPTIONAL:
      if (*static_cast<uint8_t *>(in))
        release_argument(plan.children[0], static_cast<char *>(in) + plan.offsets[1]);
      return;
    default: return;
  }
}

bool init_boxing(PyObject *module) {
  g_upper_full = reinterpret_cast<FullCaseFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_ToUpperFull"));
  g_lower_full = reinterpret_cast<FullCaseFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_ToLowerFull"));
  g_title_full = reinterpret_cast<FullCaseFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_ToTitleFull"));
  g_folded_full = reinterpret_cast<FullCaseFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_ToFoldedFull"));
  g_is_cased = reinterpret_cast<CharTestFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_IsCased"));
  g_is_case_ignorable =
      reinterpret_cast<CharTestFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_IsCaseIgnorable"));
  g_is_xid_start = reinterpret_cast<CharTestFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_IsXidStart"));
  g_is_xid_continue = reinterpret_cast<CharTestFn>(dlsym(RTLD_DEFAULT, "_PyUnicode_IsXidContinue"));
  static const ember_unicode_hooks hooks = {hook_upper,         hook_lower,
                                            hook_alpha,         hook_digit,
                                            hook_space,         hook_decimal,
                                            hook_decimal_value, hook_title,
                                            hook_folded,        hook_is_upper,
                                            hook_is_lower,      hook_is_title,
                                            hook_is_cased,      hook_is_case_ignorable,
                                            hook_is_numeric,    hook_is_printable,
                                            hook_is_xid_start,  hook_is_xid_continue};
  ember_str_set_unicode_hooks(&hooks);
  MemInfoOwnerType.tp_dealloc = owner_dealloc;
  MemInfoOwnerType.tp_flags = Py_TPFLAGS_DEFAULT;
  MemInfoOwnerType.tp_doc = "Owns the buffer of an array made in compiled code.";
  if (PyType_Ready(&MemInfoOwnerType) < 0) return false;
  Py_INCREF(&MemInfoOwnerType);
  return PyModule_AddObject(module, "MemInfoOwner",
                            reinterpret_cast<PyObject *>(&MemInfoOwnerType)) == 0;
}

Plan make_plan(const std::vector<int64_t> &code, size_t *pos) {
  Plan p;
  p.tag = code[(*pos)++];
  switch (p.tag) {
    case EMBER_T_ARRAY:
    case EMBER_T_RECORD_ARRAY:  // dtype: the record id
      p.dtype = code[*pos];
      p.ndim = static_cast<int>(code[*pos + 1]);
      p.layout = code[*pos + 2];
      p.readonly = code[*pos + 3] != 0;
      *pos += 4;
      p.size = sizeof(ember_array) + 16 * static_cast<size_t>(p.ndim);
      p.align = 8;
      return p;
    case EMBER_T_LIST:
    case EMBER_T_DICT:
    case EMBER_T_SET: {
      size_t start = *pos - 1;
      if (p.tag == EMBER_T_LIST) ++*pos;
      make_plan(code, pos);
      if (p.tag == EMBER_T_DICT) make_plan(code, pos);
      p.code.assign(code.begin() + static_cast<std::ptrdiff_t>(start),
                    code.begin() + static_cast<std::ptrdiff_t>(*pos));
      p.size = 8;
      p.align = 8;
      p.owns = true;
      return p;
    }
    case EMBER_T_TUPLE: {
      int64_t n = code[(*pos)++];
      size_t off = 0;
      for (int64_t i = 0; i < n; ++i) {
        Plan c = make_plan(code, pos);
        off = align_up(off, c.align);
        p.offsets.push_back(off);
        off += c.size;
        p.align = std::max(p.align, c.align);
        p.owns |= c.owns;
        p.children.push_back(std::move(c));
      }
      p.size = align_up(off, p.align);
      return p;
    }
    case EMBER_T_CSTR: p.size = p.align = sizeof(const char *); return p;
    case EMBER_T_BYTES: make_bytes_plan(&p, code, pos); return p;
    case EMBER_T_RECORD:         // {data, owner} (lowering/CodeGenRecord.cpp)
      p.dtype = code[(*pos)++];  // the record id, checked by unbox
      p.size = 2 * sizeof(void *);
      p.align = sizeof(void *);
      return p;
    case EMBER_T_JITCLASS:       // an instance: its MemInfo
      p.dtype = code[(*pos)++];  // the class id, checked by unbox
      p.size = p.align = sizeof(ember_meminfo *);
      p.owns = true;
      return p;
    case EMBER_T_DISPATCHER:     // a jitted function: compile-time, one zero byte like None
      p.dtype = code[(*pos)++];  // its handle, checked by unbox
      p.size = 1;
      return p;
    case EMBER_T_FUNCTION: {  // a first-class function: the address of a specialization
      size_t start = *pos - 1;
      int64_t n = code[(*pos)++];
      for (int64_t k = 0; k <= n; ++k) make_plan(code, pos);  // skips the signature's codes
      p.code.assign(code.begin() + static_cast<std::ptrdiff_t>(start),
                    code.begin() + static_cast<std::ptrdiff_t>(*pos));
      p.size = p.align = sizeof(void *);
      return p;
    }
    case EMBER_T_OPTIONAL: {
      Plan c = make_plan(code, pos);
      p.align = c.align;
      p.owns = c.owns;
      p.offsets = {0, align_up(1, c.align)};
      p.size = align_up(p.offsets[1] + c.size, p.align);
      p.children.push_back(std::move(c));
      return p;
    }
    case EMBER_T_UNICODE:
      p.size = sizeof(ember_meminfo *);
      p.align = alignof(ember_meminfo *);
      return p;
    case EMBER_T_CFUNC: {  // a C function: its address; the signature was dispatched on
      int64_t n = code[(*pos)++];
      for (int64_t k = 0; k <= n; ++k) *pos += code[*pos] == EMBER_T_CPOINTER ? 2 : 1;
      p.size = p.align = sizeof(void *);
      return p;
    }
    default:
      p.size = scalar_size(p.tag);
      p.align = p.tag == EMBER_T_COMPLEX128 ? 8 : p.tag == EMBER_T_COMPLEX64 ? 4 : p.size;
      return p;
  }
}

bool unbox(const Plan &plan, PyObject *obj, void *out) {
  if (is_time_tag(plan.tag)) return unbox_time(plan.tag, obj, out);
  switch (plan.tag) {
    case EMBER_T_BOOL: {
      int t = PyObject_IsTrue(obj);
      if (t < 0) return false;
      *static_cast<uint8_t *>(out) = static_cast<uint8_t>(t);
      return true;
    }
    case EMBER_T_INT8: return unbox_int<int8_t>(obj, out);
    case EMBER_T_INT16: return unbox_int<int16_t>(obj, out);
    case EMBER_T_INT32: return unbox_int<int32_t>(obj, out);
    case EMBER_T_INT64: return unbox_int<int64_t>(obj, out);
    case EMBER_T_UINT8: return unbox_int<uint8_t>(obj, out);
    case EMBER_T_UINT16: return unbox_int<uint16_t>(obj, out);
    case EMBER_T_UINT32: return unbox_int<uint32_t>(obj, out);
    case EMBER_T_UINT64: {
      unsigned long long v = PyLong_AsUnsignedLongLongMask(obj);
      if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return false;
      uint64_t x = v;
      std::memcpy(out, &x, sizeof x);
      return true;
    }
    case EMBER_T_FLOAT16: {
      double v = PyFloat_AsDouble(obj);  // exact for an np.float16; a Python float rounds once
      if (v == -1.0 && PyErr_Occurred()) return false;
      uint16_t bits = ember_half_from_double(v);
      std::memcpy(out, &bits, sizeof bits);
      return true;
    }
    case EMBER_T_FLOAT32: return unbox_float<float>(obj, out);
    case EMBER_T_FLOAT64: return unbox_float<double>(obj, out);
    case EMBER_T_COMPLEX64: return unbox_complex<float>(obj, out);
    case EMBER_T_COMPLEX128: return unbox_complex<double>(obj, out);
    case EMBER_T_NONE: *static_cast<uint8_t *>(out) = 0; return true;
    case EMBER_T_UNICODE: return unbox_str(obj, out);
    case EMBER_T_BYTES: return unbox_bytes(plan, obj, out);
    case EMBER_T_RECORD: {
      if (!PyArray_IsScalar(obj, Void)) {
        PyErr_Format(PyExc_TypeError, "expected a record (numpy.void), got %s",
                     Py_TYPE(obj)->tp_name);
        return false;
      }
      auto *v = reinterpret_cast<PyVoidScalarObject *>(obj);
      if (record_id_of(v->descr) != plan.dtype) {
        PyErr_SetString(PyExc_TypeError, "record argument does not match the compiled signature");
        return false;
      }
      void *parts[2] = {v->obval, obj};  // the call's arguments keep obj alive
      std::memcpy(out, parts, sizeof parts);
      return true;
    }
    case EMBER_T_ARRAY:
    case EMBER_T_RECORD_ARRAY: {
      if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "expected a NumPy array, got %s", Py_TYPE(obj)->tp_name);
        return false;
      }
      auto *a = reinterpret_cast<PyArrayObject *>(obj);
      int64_t dtype = plan.tag == EMBER_T_ARRAY ? tag_of_descr(PyArray_DESCR(a))
                                                : record_id_of(PyArray_DESCR(a));
      if (PyArray_NDIM(a) != plan.ndim || dtype != plan.dtype ||
          (plan.layout == EMBER_LAYOUT_C && !PyArray_IS_C_CONTIGUOUS(a)) ||
          (plan.layout == EMBER_LAYOUT_F && !PyArray_IS_F_CONTIGUOUS(a))) {
        PyErr_SetString(PyExc_TypeError, "array argument does not match the compiled signature");
        return false;
      }
      auto *s = static_cast<ember_array *>(out);
      s->meminfo = nullptr;
      s->parent = obj;
      s->nitems = PyArray_SIZE(a);
      s->itemsize = PyArray_ITEMSIZE(a);
      s->data = PyArray_DATA(a);
      for (int k = 0; k < plan.ndim; ++k) {
        s->shape_and_strides[k] = PyArray_DIMS(a)[k];
        s->shape_and_strides[plan.ndim + k] = PyArray_STRIDES(a)[k];
      }
      return true;
    }
    case EMBER_T_TUPLE: {
      if (!PyTuple_Check(obj) ||
          PyTuple_GET_SIZE(obj) != static_cast<Py_ssize_t>(plan.children.size())) {
        PyErr_SetString(PyExc_TypeError, "tuple argument does not match the compiled signature");
        return false;
      }
      for (size_t i = 0; i < plan.children.size(); ++i)
        if (!unbox(plan.children[i], PyTuple_GET_ITEM(obj, i),
                   static_cast<char *>(out) + plan.offsets[i]))
          return false;
      return true;
    }
    case EMBER_T_LIST:
    case EMBER_T_DICT:
    case EMBER_T_SET: {
      const std::vector<int64_t> *code;
      ember_meminfo *mi;
      if (native_container(obj, &code, &mi)) {
        // typed.List and list share a layout: only the flag in the code differs.
        bool same = code->size() == plan.code.size() && (*code)[0] == plan.code[0];
        for (size_t i = 2; same && i < code->size(); ++i) same = (*code)[i] == plan.code[i];
        if (same && plan.tag != EMBER_T_LIST) same = (*code)[1] == plan.code[1];
        if (!same) {
          PyErr_SetString(PyExc_TypeError,
                          "container argument does not match the compiled signature");
          return false;
        }
        ember_meminfo_incref(mi);  // released after the call, as a reflected copy is
        std::memcpy(out, &mi, sizeof mi);
        return true;
      }
      bool list = plan.tag == EMBER_T_LIST;
      if ((list && !PyList_Check(obj)) || (plan.tag == EMBER_T_SET && !PyAnySet_Check(obj)) ||
          plan.tag == EMBER_T_DICT) {
        PyErr_Format(PyExc_TypeError, "expected a %s, got %s",
                     list                      ? "list"
                     : plan.tag == EMBER_T_SET ? "set"
                                               : "typed.Dict",
                     Py_TYPE(obj)->tp_name);
        return false;
      }
      mi = native_from_python(plan.code, obj);
      if (!mi) return false;
      std::memcpy(out, &mi, sizeof mi);
      return true;
    }
    case EMBER_T_JITCLASS: {
      int64_t class_id;
      ember_meminfo *mi;
      if (!jitclass_instance(obj, &class_id, &mi) || class_id != plan.dtype) {
        PyErr_Format(PyExc_TypeError, "expected an instance of the jitclass compiled for, got %s",
                     Py_TYPE(obj)->tp_name);
        return false;
      }
      ember_meminfo_incref(mi);  // released after the call
      std::memcpy(out, &mi, sizeof mi);
      return true;
    }
    case EMBER_T_FUNCTION: {
      // ember/firstclass.py compiles a jitted function (or finds a @cfunc's function) for the
      // signature and answers its native address; a mismatch is its TypeError.
      static PyObject *address_of = nullptr;
      if (!address_of) {
        PyObject *m = PyImport_ImportModule("ember.firstclass");
        address_of = m ? PyObject_GetAttrString(m, "native_address") : nullptr;
        Py_XDECREF(m);
        if (!address_of) return false;
      }
      PyObject *code = PyList_New(static_cast<Py_ssize_t>(plan.code.size()));
      if (!code) return false;
      for (size_t k = 0; k < plan.code.size(); ++k)
        PyList_SET_ITEM(code, static_cast<Py_ssize_t>(k), PyLong_FromLongLong(plan.code[k]));
      PyObject *r = PyObject_CallFunctionObjArgs(address_of, obj, code, nullptr);
      Py_DECREF(code);
      if (!r) return false;
      void *address = PyLong_AsVoidPtr(r);
      Py_DECREF(r);
      if (!address && PyErr_Occurred()) return false;
      std::memcpy(out, &address, sizeof address);
      return true;
    }
    case EMBER_T_DISPATCHER:
      if (reinterpret_cast<int64_t>(dispatcher_impl(obj)) != plan.dtype) {
        PyErr_SetString(PyExc_TypeError,
                        "a jitted function argument is not the function it was compiled for");
        return false;
      }
      *static_cast<uint8_t *>(out) = 0;
      return true;
    case EMBER_T_OPTIONAL: {
      auto *flag = static_cast<uint8_t *>(out);
      if (obj == Py_None) {
        std::memset(out, 0, plan.size);
        return true;
      }
      *flag = 1;
      return unbox(plan.children[0], obj, static_cast<char *>(out) + plan.offsets[1]);
    }
    case EMBER_T_CFUNC: {  // a ctypes or cffi function: its address (typed by its signature)
      void *address = nullptr;
      if (is_ctypes_function(obj)) {
        address = ctypes_function_address(obj);
      } else if (!maybe_cffi_function(obj) || !cffi_function_address(obj, &address)) {
        if (!PyErr_Occurred())
          PyErr_Format(PyExc_TypeError, "expected a ctypes or cffi function, got %s",
                       Py_TYPE(obj)->tp_name);
        return false;
      }
      std::memcpy(out, &address, sizeof address);
      return true;
    }
    default: PyErr_SetString(PyExc_SystemError, "ember: bad argument plan"); return false;
  }
}

PyObject *box(const Plan &plan, void *in) {
  if (is_time_tag(plan.tag)) {  // an np.datetime64 / np.timedelta64 of the type's unit
    PyArray_Descr *descr = descr_of_tag(plan.tag);
    if (!descr) return nullptr;
    PyObject *v = PyArray_Scalar(in, descr, nullptr);
    Py_DECREF(descr);
    return v;
  }
  switch (plan.tag) {
    case EMBER_T_BOOL: return PyBool_FromLong(*static_cast<uint8_t *>(in));
    case EMBER_T_INT8: return PyLong_FromLong(load<int8_t>(in));
    case EMBER_T_INT16: return PyLong_FromLong(load<int16_t>(in));
    case EMBER_T_INT32: return PyLong_FromLong(load<int32_t>(in));
    case EMBER_T_INT64: return PyLong_FromLongLong(load<int64_t>(in));
    case EMBER_T_UINT8: return PyLong_FromUnsignedLong(load<uint8_t>(in));
    case EMBER_T_UINT16: return PyLong_FromUnsignedLong(load<uint16_t>(in));
    case EMBER_T_UINT32: return PyLong_FromUnsignedLong(load<uint32_t>(in));
    case EMBER_T_UINT64: return PyLong_FromUnsignedLongLong(load<uint64_t>(in));
    case EMBER_T_FLOAT16: {  // an np.float16, so that NumPy's float16 arithmetic goes on
      PyArray_Descr *descr = PyArray_DescrFromType(NPY_FLOAT16);
      PyObject *h = PyArray_Scalar(in, descr, nullptr);
      Py_DECREF(descr);
      return h;
    }
    case EMBER_T_FLOAT32: return PyFloat_FromDouble(load<float>(in));
    case EMBER_T_FLOAT64: return PyFloat_FromDouble(load<double>(in));
    case EMBER_T_COMPLEX64: {
      auto *f = static_cast<float *>(in);
      return PyComplex_FromDoubles(f[0], f[1]);
    }
    case EMBER_T_COMPLEX128: {
      auto *d = static_cast<double *>(in);
      return PyComplex_FromDoubles(d[0], d[1]);
    }
    case EMBER_T_NONE: Py_RETURN_NONE;
    case EMBER_T_CSTR: return PyUnicode_FromString(load<const char *>(in));
    case EMBER_T_ARRAY:
    case EMBER_T_RECORD_ARRAY: return box_array(plan, in);
    case EMBER_T_BYTES: return box_bytes(plan, in);
    case EMBER_T_RECORD: {  // a copy, as Numba: the record may lie in a buffer compiled code owns
      PyArray_Descr *descr = record_descr(plan.dtype);
      if (!descr) {
        PyErr_SetString(PyExc_SystemError, "ember: a record of an unregistered dtype");
        return nullptr;
      }
      return PyArray_Scalar(load<void *>(in), descr, nullptr);
    }
    case EMBER_T_UNICODE: return box_str(in);
    case EMBER_T_TUPLE: {
      size_t n = plan.children.size();
      PyObject *t = PyTuple_New(static_cast<Py_ssize_t>(n));
      if (!t) {
        release(plan, in);
        return nullptr;
      }
      for (size_t i = 0; i < n; ++i) {
        PyObject *e = box(plan.children[i], static_cast<char *>(in) + plan.offsets[i]);
        if (!e) {
          for (size_t j = i + 1; j < n; ++j)
            release(plan.children[j], static_cast<char *>(in) + plan.offsets[j]);
          Py_DECREF(t);
          return nullptr;
        }
        PyTuple_SET_ITEM(t, static_cast<Py_ssize_t>(i), e);
      }
      return t;
    }
    case EMBER_T_OPTIONAL:
      if (!*static_cast<uint8_t *>(in)) Py_RETURN_NONE;
      return box(plan.children[0], static_cast<char *>(in) + plan.offsets[1]);
    case EMBER_T_JITCLASS: return wrap_jitclass(plan.dtype, load<ember_meminfo *>(in));
    case EMBER_T_LIST:
    case EMBER_T_DICT:
    case EMBER_T_SET: {
      ember_meminfo *mi = load<ember_meminfo *>(in);
      // A list made in compiled code comes back as a Python list, a set as a set (copies, as
      // Numba's reflected containers); typed.List and dicts as typed.List / typed.Dict,
      // which keep the native container.
      if (plan.tag == EMBER_T_DICT || (plan.tag == EMBER_T_LIST && plan.code[1]))
        return wrap_container(plan.code, mi);
      PyObject *r = python_from_native(plan.code, mi);
      ember_meminfo_decref(mi);
      return r;
    }
    case EMBER_T_FUNCTION:
      PyErr_SetString(PyExc_TypeError,
                      "a first-class function (types.FunctionType) cannot be returned to Python");
      return nullptr;
    default: PyErr_SetString(PyExc_SystemError, "ember: bad result plan"); return nullptr;
  }
}

void release(const Plan &plan, void *in) {
  switch (plan.tag) {
    case EMBER_T_ARRAY:
    case EMBER_T_RECORD_ARRAY:
    case EMBER_T_BYTES: ember_meminfo_decref(static_cast<ember_array *>(in)->meminfo); return;
    case EMBER_T_LIST:
    case EMBER_T_DICT:
    case EMBER_T_SET:
    case EMBER_T_JITCLASS:
    case EMBER_T_UNICODE: ember_meminfo_decref(load<ember_meminfo *>(in)); return;
    case EMBER_T_TUPLE:
      for (size_t i = 0; i < plan.children.size(); ++i)
        release(plan.children[i], static_cast<char *>(in) + plan.offsets[i]);
      return;
    case EMBER_T_OPTIONAL:
      if (*static_cast<uint8_t *>(in))
        release(plan.children[0], static_cast<char *>(in) + plan.offsets[1]);
      return;
    default: return;
  }
}

}  // namespace ember::py
