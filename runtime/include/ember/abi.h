/* ember/abi.h — the binary contract between compiled code, the runtime and the dispatcher.
 *
 * Everything here is plain C so that compiled code (emitted by lowering/), the runtime library
 * (runtime/, which never links LLVM or Python) and the Python bindings (bindings/) agree on one
 * layout.  Changing anything here changes the ABI: bump EMBER_ABI_VERSION, which is part of every
 * cache key.
 *
 * Layout rules for values crossing the boundary (DataModel.cpp implements the same rules for LLVM
 * types, and bindings/Boxing.cpp for the dispatcher; both follow C's natural alignment):
 *   bool           1 byte (0 or 1)
 *   intN / uintN   N/8 bytes;  floatN: N/8 bytes;  complexN: {floatN/2 re, im}
 *   None           1 byte, always 0
 *   Array(nd)      struct ember_array followed by shape[nd] and strides[nd] (int64, strides in
 * bytes) Tuple(T...)    a C struct of the elements in order Optional(T)    struct { uint8_t
 * present; T value; }
 */
#ifndef EMBER_ABI_H
#define EMBER_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_ABI_VERSION 2

/* A refcounted buffer owner for arrays made in compiled code (Numba's NRT_MemInfo layout).
 * The data lives in the same allocation, 64-byte aligned.  refcount starts at 1. */
typedef struct ember_meminfo {
  int64_t refcount; /* updated atomically */
  void (*dtor)(void *data, int64_t size, void *info);
  void *dtor_info;
  void *data;
  int64_t size;
  void *external_allocator; /* reserved for GPU / pinned memory */
} ember_meminfo;

/* The array struct, Numba-compatible.  meminfo == NULL means borrowed: the caller keeps the
 * buffer alive (an ndarray argument held by the call, or a view of one: parent is that ndarray). */
typedef struct ember_array {
  ember_meminfo *meminfo;
  void *parent; /* PyObject* of the ndarray the data came from, or NULL */
  int64_t nitems;
  int64_t itemsize;
  void *data;
  int64_t shape_and_strides[]; /* shape[nd] then strides[nd] */
} ember_array;

/* What a compiled function reports when it raises.  exc is an exception id (below, or a user
 * class registered by the dispatcher); msg points at a constant string in the compiled module.
 * args, when not NULL, holds the exception's arguments (ember_exc_args in ember/runtime.h:
 * int64 n, a type code of n int64, then the values laid out as that tuple type), which replace
 * msg; function and filename name the raising function (for the traceback), line its line. */
typedef struct ember_error {
  int32_t exc;
  int32_t line;
  const char *msg;
  const void *args;
  const char *function;
  const char *filename;
} ember_error;

/* Status returned by every compiled function: 0 = ok, 1 = an exception was raised (see the
 * ember_error filled by the callee). */
enum { EMBER_OK = 0, EMBER_RAISED = 1 };

/* How an exception leaves a GPU kernel: every module ember compiles for a GPU defines one
 * zero-initialized record of this layout in global memory, named EMBER_DEVICE_ERROR_SYMBOL
 * (cuModuleGetGlobal finds it).  The first thread that raises claims it by a compare-and-swap
 * of status from EMBER_OK to EMBER_RAISED, then writes the exception id, the line and msg_id,
 * an index into the message table the compiler returned with the PTX; other raising threads
 * leave it alone.  The host reads it after synchronizing, raises, and zeroes it again. */
typedef struct ember_device_error {
  int32_t status;
  int32_t exc;
  int32_t line;
  int32_t msg_id;
} ember_device_error;
#define EMBER_DEVICE_ERROR_SYMBOL "ember_device_error"

/* Exception ids of the builtin exceptions compiled code can raise.  User exception classes get
 * ids from EMBER_EXC_FIRST_USER upwards, assigned by the dispatcher's registry. */
#define EMBER_EXCEPTION_IDS(X) \
  X(ZeroDivisionError, 1)      \
  X(IndexError, 2)             \
  X(ValueError, 3)             \
  X(TypeError, 4)              \
  X(AssertionError, 5)         \
  X(OverflowError, 6)          \
  X(MemoryError, 7)            \
  X(RuntimeError, 8)           \
  X(NotImplementedError, 9)    \
  X(KeyError, 10)              \
  X(ArithmeticError, 11)       \
  X(UnboundLocalError, 12)     \
  X(Exception, 13)             \
  X(StopIteration, 14)

enum ember_exception_id {
#define EMBER_X(name, id) EMBER_EXC_##name = id,
  EMBER_EXCEPTION_IDS(EMBER_X)
#undef EMBER_X
      EMBER_EXC_FIRST_USER = 64
};
/* Not a class: the Python exception a `with objmode()` block raised (or a value that did not
 * match its annotation), kept by the bindings for the dispatcher to raise as it was. */
#define EMBER_EXC_PYTHON_PENDING 63

/* Type codes: a type is written as a preorder list of int64 (a "type code"), shared by the
 * dispatcher (typeof, boxing plans) and the compiler (which interns it in its TypeContext).
 *   scalar:    [tag]
 *   None:      [EMBER_T_NONE]
 *   array:     [EMBER_T_ARRAY, dtype tag, ndim, layout, readonly]
 *   tuple:     [EMBER_T_TUPLE, n, elem codes...]
 *   optional:  [EMBER_T_OPTIONAL, inner code...]
 *   list, dict, set: see the tags below; in memory each is one pointer, the ember_meminfo of
 *   the container (ember/containers.h)
 *   jitted function passed as a value: [EMBER_T_DISPATCHER, handle] (handle: the front end's
 *              id of the function; no storage beyond one zero byte, like None)
 *   str:       [EMBER_T_UNICODE]  (an ember_meminfo* holding an ember_str, ember/str.h) */
enum ember_type_tag {
  EMBER_T_BOOL = 1,
  EMBER_T_INT8,
  EMBER_T_INT16,
  EMBER_T_INT32,
  EMBER_T_INT64,
  EMBER_T_UINT8,
  EMBER_T_UINT16,
  EMBER_T_UINT32,
  EMBER_T_UINT64,
  EMBER_T_FLOAT32,
  EMBER_T_FLOAT64,
  EMBER_T_COMPLEX64,
  EMBER_T_COMPLEX128,
  EMBER_T_NONE,
  EMBER_T_ARRAY,
  EMBER_T_TUPLE,
  EMBER_T_OPTIONAL,
  EMBER_T_UNICODE,
  /* Fixed numbers from here on, so that tags added on other branches never collide. */
  /* A scalar tag added after the aggregates'. */
  EMBER_T_FLOAT16 = 32,
  EMBER_T_DISPATCHER = 40,
  /* A pointer to a constant NUL-terminated string (string arguments of exceptions only). */
  EMBER_T_CSTR = 41,
  /* [EMBER_T_LIST, typed (1: ember.typed.List, 0: a Python list), item code...] */
  EMBER_T_LIST = 42,
  EMBER_T_DICT = 43, /* [EMBER_T_DICT, key code..., value code...] */
  EMBER_T_SET = 44,  /* [EMBER_T_SET, item code...] */
  /* [EMBER_T_CPOINTER, pointee scalar tag, or 0 for void *]: a raw C pointer, which only a
   * @cfunc's arguments are (ember/ccallback.py); Python never passes or receives one. */
  EMBER_T_CPOINTER = 50,
  /* An instance of a @jitclass: [EMBER_T_JITCLASS, class id]; in memory one pointer, the
   * ember_meminfo whose data is the struct of its fields (ember/jitclass.h). */
  EMBER_T_JITCLASS = 60,
  /* A ctypes function passed as an argument (ember/cfunctions.py): [EMBER_T_CFUNC, nparams,
   * result code, parameter codes...] (numbers, None, CPOINTER); in memory its address. */
  EMBER_T_CFUNC = 61,
  /* A first-class function, types.FunctionType(sig): [EMBER_T_FUNCTION, nargs, return code,
   * argument codes...]; in memory the address of a compiled specialization's native function
   * (int32_t f(void *ret, ember_error *err, args...), its arguments as compiled code passes
   * them), which compiled code calls indirectly. */
  EMBER_T_FUNCTION = 75,
  /* datetime64 / timedelta64 scalars and dtypes: the tag | unit << 8, unit in ir/Types.h's
   * TimeUnit order (Y M W D h m s ms us ns ps fs as generic); an int64, NaT = INT64_MIN. */
  EMBER_T_DATETIME = 70,
  EMBER_T_TIMEDELTA = 71,
  /* A record of a structured dtype (an np.void with fields): [EMBER_T_RECORD, record id]; in
   * memory {void *data, PyObject *owner}.  The id is ember/records.py's hash of the dtype's
   * layout (names, offsets, field dtypes, itemsize, alignment), the same in every process. */
  EMBER_T_RECORD = 72,
  /* An array of records: [EMBER_T_RECORD_ARRAY, record id, ndim, layout, readonly]; in memory
   * an array struct, as EMBER_T_ARRAY's. */
  EMBER_T_RECORD_ARRAY = 73,
  /* Python's bytes and bytearray: [EMBER_T_BYTES, kind (1: bytes, 2: bytearray), layout]; in
   * memory an array struct of one dimension (uint8; a bytes is read-only), whose parent is the
   * bytes object an argument borrows (bindings/Bytes.cpp). */
  EMBER_T_BYTES = 80
};

enum ember_layout { EMBER_LAYOUT_C = 0, EMBER_LAYOUT_F = 1, EMBER_LAYOUT_A = 2 };

/* The uniform entry point of a compiled specialization: args[i] points at argument i laid out as
 * above, ret points at storage for the result.  Returns EMBER_OK or EMBER_RAISED. */
typedef int32_t (*ember_wrapper_fn)(void *ret, ember_error *err, void **args);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_ABI_H */
