// bytes and bytearray arguments and results (Bytes.h).
#include "bindings/Bytes.h"

#include <cstring>

#include "ember/abi.h"
#include "ember/runtime.h"

namespace ember::py {

namespace {
constexpr int64_t kBytes = 1, kByteArray = 2;  // BytesKind in ir/Types.h
}  // namespace

void make_bytes_plan(Plan *p, const std::vector<int64_t> &code, size_t *pos) {
  p->dtype = code[*pos];  // the kind
  p->layout = code[*pos + 1];
  *pos += 2;
  p->ndim = 1;
  p->readonly = p->dtype == kBytes;
  p->size = sizeof(ember_array) + 16;
  p->align = 8;
}

bool unbox_bytes(const Plan &plan, PyObject *obj, void *out) {
  char *data;
  Py_ssize_t n;
  if (plan.dtype == kBytes && PyBytes_Check(obj)) {
    data = PyBytes_AS_STRING(obj);
    n = PyBytes_GET_SIZE(obj);
  } else if (plan.dtype == kByteArray && PyByteArray_Check(obj)) {
    data = PyByteArray_AS_STRING(obj);
    n = PyByteArray_GET_SIZE(obj);
  } else {
    PyErr_Format(PyExc_TypeError, "expected a %s, got %s",
                 plan.dtype == kBytes ? "bytes" : "bytearray", Py_TYPE(obj)->tp_name);
    return false;
  }
  auto *s = static_cast<ember_array *>(out);
  s->meminfo = nullptr;
  s->parent = obj;
  s->nitems = n;
  s->itemsize = 1;
  s->data = data;
  s->shape_and_strides[0] = n;
  s->shape_and_strides[1] = 1;
  return true;
}

PyObject *box_bytes(const Plan &plan, void *in) {
  auto *a = static_cast<ember_array *>(in);
  int64_t n = a->shape_and_strides[0], stride = a->shape_and_strides[1];
  auto *src = static_cast<const char *>(a->data);
  auto *parent = static_cast<PyObject *>(a->parent);
  PyTypeObject *type = plan.dtype == kBytes ? &PyBytes_Type : &PyByteArray_Type;
  if (parent && Py_TYPE(parent) == type) {  // the unchanged argument comes back as itself
    bool bytes = type == &PyBytes_Type;
    Py_ssize_t size = bytes ? PyBytes_GET_SIZE(parent) : PyByteArray_GET_SIZE(parent);
    const char *start = bytes ? PyBytes_AS_STRING(parent) : PyByteArray_AS_STRING(parent);
    if (start == src && size == n && (stride == 1 || n <= 1)) {
      ember_meminfo_decref(a->meminfo);
      return Py_NewRef(parent);
    }
  }
  PyObject *r = plan.dtype == kBytes ? PyBytes_FromStringAndSize(nullptr, n)
                                     : PyByteArray_FromStringAndSize(nullptr, n);
  if (r) {
    char *dst = plan.dtype == kBytes ? PyBytes_AS_STRING(r) : PyByteArray_AS_STRING(r);
    if (stride == 1)
      std::memcpy(dst, src, static_cast<size_t>(n));
    else
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
  }
  ember_meminfo_decref(a->meminfo);
  return r;
}

}  // namespace ember::py
