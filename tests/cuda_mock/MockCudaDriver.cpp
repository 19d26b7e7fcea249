// A stand-in for libcuda.so.1 that runs on the host, so that the CUDA host layer's device tests
// (tests/python/test_cuda_gpu_driver.py) run on every machine: `make test` points
// EMBER_CUDA_DRIVER at this library (tests/python/test_cuda_mock_driver.py).  It exports the
// driver functions ember resolves, with the driver's signatures and error codes: "device"
// memory is host memory, streams and events are tokens, a context must be current on the
// calling thread (as with the real driver, so ember's per-thread make_current is exercised),
// and the kernels of tests/python/cuda_ptx_samples.py are known by name and run as C++ over
// their flattened parameters, read through kernelParams or the packed `extra` buffer at the
// offsets ptxas gives them.  Nothing here checks GPU behaviour; it checks ember's side of the
// calls.  mock_* functions let the tests count allocations and launches.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

using CUresult = int;
constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotInitialized = 3,
                   kInvalidDevice = 101, kInvalidContext = 201, kInvalidPtx = 218,
                   kInvalidHandle = 400, kNotFound = 500;

bool initialized = false;
int context_token;                             // the primary context's address
thread_local void *current_context = nullptr;  // per thread, as in the driver
std::mutex mutex;
std::map<uintptr_t, size_t> allocations;  // device and pinned memory
long launches = 0;

struct Module {
  int32_t error_record[4] = {0, 0, 0, 0};
};

struct Kernel {
  const char *name;
  std::vector<std::pair<size_t, size_t>> params;  // (offset, size), as ptxas lays them out
};

std::vector<std::pair<size_t, size_t>> arrays(int n, size_t start = 0) {
  std::vector<std::pair<size_t, size_t>> p;
  for (int i = 0; i < 3 * n; ++i) p.emplace_back(start + 8 * i, 8);
  return p;
}

const std::vector<Kernel> &kernels() {
  static const std::vector<Kernel> k = [] {
    std::vector<Kernel> v;
    v.push_back({"add_one", arrays(1)});
    auto sa = arrays(2);
    sa.insert(sa.end(), {{48, 8}, {56, 4}, {60, 4}, {64, 1}});
    v.push_back({"scale_add", sa});
    v.push_back({"raise_if_negative", arrays(1)});
    v.push_back({"param_zoo",
                 {{0, 1},
                  {8, 8},
                  {16, 4},
                  {20, 1},
                  {24, 8},
                  {32, 8},
                  {40, 8},
                  {48, 8},
                  {56, 8},
                  {64, 2},
                  {68, 8},
                  {80, 16},
                  {96, 2}}});
    v.push_back({"empty", {}});
    v.push_back({"empty_array", arrays(1)});
    v.push_back({"empty_array16", arrays(16)});
    return v;
  }();
  return k;
}

struct Function {
  Module *module;
  const Kernel *kernel;
};

struct Event {
  unsigned flags;
  double recorded_ms = -1;
};

CUresult need_context() {
  if (!initialized) return kNotInitialized;
  return current_context ? kSuccess : kInvalidContext;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

template <class T>
T param(void **params, const unsigned char *buffer, const Kernel &k, size_t i) {
  T v;
  std::memcpy(&v, params ? params[i] : buffer + k.params[i].first, sizeof v);
  return v;
}

}  // namespace

extern "C" {

long mock_live_allocations() {
  std::lock_guard<std::mutex> lock(mutex);
  return static_cast<long>(allocations.size());
}

long mock_launches() { return launches; }

CUresult cuInit(unsigned) {
  initialized = true;
  return kSuccess;
}

CUresult cuDriverGetVersion(int *v) {
  *v = 12080;
  return kSuccess;
}

CUresult cuGetErrorName(CUresult e, const char **s) {
  switch (e) {
    case kSuccess: *s = "CUDA_SUCCESS"; return kSuccess;
    case kInvalidValue: *s = "CUDA_ERROR_INVALID_VALUE"; return kSuccess;
    case kOutOfMemory: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return kSuccess;
    case kInvalidContext: *s = "CUDA_ERROR_INVALID_CONTEXT"; return kSuccess;
    case kInvalidPtx: *s = "CUDA_ERROR_INVALID_PTX"; return kSuccess;
    case kInvalidHandle: *s = "CUDA_ERROR_INVALID_HANDLE"; return kSuccess;
    case kNotFound: *s = "CUDA_ERROR_NOT_FOUND"; return kSuccess;
    default: *s = nullptr; return kInvalidValue;  // ember falls back to its own table
  }
}

CUresult cuGetErrorString(CUresult e, const char **s) {
  switch (e) {
    case kOutOfMemory: *s = "out of memory"; return kSuccess;
    case kInvalidValue: *s = "invalid argument"; return kSuccess;
    case kInvalidPtx: *s = "a PTX JIT compilation failed"; return kSuccess;
    case kNotFound: *s = "named symbol not found"; return kSuccess;
    case kInvalidHandle: *s = "invalid resource handle"; return kSuccess;
    case kInvalidContext: *s = "invalid device context"; return kSuccess;
    default: *s = nullptr; return kInvalidValue;
  }
}

CUresult cuDeviceGetCount(int *n) {
  if (!initialized) return kNotInitialized;
  *n = 1;
  return kSuccess;
}

CUresult cuDeviceGet(int *dev, int ordinal) {
  if (!initialized) return kNotInitialized;
  if (ordinal != 0) return kInvalidDevice;
  *dev = 0;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int len, int) {
  std::strncpy(name, "ember mock GPU", static_cast<size_t>(len));
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *v, int attr, int) {
  switch (attr) {
    case 1: *v = 1024; break;  // max threads per block
    case 2:
    case 3: *v = 1024; break;
    case 4: *v = 64; break;
    case 5: *v = 2147483647; break;
    case 6:
    case 7: *v = 65535; break;
    case 8: *v = 49152; break;     // shared memory per block
    case 10: *v = 32; break;       // warp size
    case 16: *v = 132; break;      // multiprocessors
    case 36: *v = 2619000; break;  // memory clock, kHz
    case 37: *v = 6144; break;     // bus width, bits
    case 38: *v = 60 << 20; break;
    case 75: *v = 9; break;
    case 76: *v = 0; break;
    case 97: *v = 232448; break;
    default: *v = 0;
  }
  return kSuccess;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, int) {
  *bytes = size_t{1} << 34;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, int) {
  if (!initialized) return kNotInitialized;
  *ctx = &context_token;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRelease_v2(int) { return kSuccess; }

CUresult cuCtxSetCurrent(void *ctx) {
  if (ctx && ctx != &context_token) return kInvalidContext;
  current_context = ctx;
  return kSuccess;
}

CUresult cuCtxGetCurrent(void **ctx) {
  *ctx = current_context;
  return kSuccess;
}

CUresult cuCtxSynchronize() { return need_context(); }

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) {
  if (CUresult r = need_context()) return r;
  *total = size_t{1} << 34;
  *free_bytes = *total / 2;
  return kSuccess;
}

CUresult cuMemAlloc_v2(uint64_t *ptr, size_t bytes) {
  if (CUresult r = need_context()) return r;
  if (bytes == 0) return kInvalidValue;
  if (bytes > (size_t{1} << 34)) return kOutOfMemory;
  void *p = std::calloc(1, bytes);
  if (!p) return kOutOfMemory;
  std::lock_guard<std::mutex> lock(mutex);
  allocations[reinterpret_cast<uintptr_t>(p)] = bytes;
  *ptr = reinterpret_cast<uintptr_t>(p);
  return kSuccess;
}

CUresult cuMemFree_v2(uint64_t ptr) {
  if (CUresult r = need_context()) return r;
  std::lock_guard<std::mutex> lock(mutex);
  if (!allocations.erase(ptr)) return kInvalidValue;
  std::free(reinterpret_cast<void *>(ptr));
  return kSuccess;
}

CUresult cuMemAllocHost_v2(void **ptr, size_t bytes) {
  uint64_t p;
  if (CUresult r = cuMemAlloc_v2(&p, bytes)) return r;
  *ptr = reinterpret_cast<void *>(p);
  return kSuccess;
}

CUresult cuMemFreeHost(void *ptr) { return cuMemFree_v2(reinterpret_cast<uintptr_t>(ptr)); }

CUresult cuMemHostRegister_v2(void *, size_t, unsigned) { return need_context(); }
CUresult cuMemHostUnregister(void *) { return need_context(); }

CUresult cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) {
  if (CUresult r = need_context()) return r;
  std::memcpy(reinterpret_cast<void *>(dst), src, n);
  return kSuccess;
}
CUresult cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) {
  if (CUresult r = need_context()) return r;
  std::memcpy(dst, reinterpret_cast<const void *>(src), n);
  return kSuccess;
}
CUresult cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t n) {
  if (CUresult r = need_context()) return r;
  std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), n);
  return kSuccess;
}
CUresult cuMemcpyHtoDAsync_v2(uint64_t d, const void *s, size_t n, void *) {
  return cuMemcpyHtoD_v2(d, s, n);
}
CUresult cuMemcpyDtoHAsync_v2(void *d, uint64_t s, size_t n, void *) {
  return cuMemcpyDtoH_v2(d, s, n);
}
CUresult cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t n, void *) {
  return cuMemcpyDtoD_v2(d, s, n);
}
CUresult cuMemsetD8_v2(uint64_t dst, unsigned char v, size_t n) {
  if (CUresult r = need_context()) return r;
  std::memset(reinterpret_cast<void *>(dst), v, n);
  return kSuccess;
}
CUresult cuMemsetD8Async(uint64_t dst, unsigned char v, size_t n, void *) {
  return cuMemsetD8_v2(dst, v, n);
}

CUresult cuStreamCreate(void **s, unsigned) {
  if (CUresult r = need_context()) return r;
  *s = new int(0);
  return kSuccess;
}
CUresult cuStreamDestroy_v2(void *s) {
  if (CUresult r = need_context()) return r;
  delete static_cast<int *>(s);
  return kSuccess;
}
CUresult cuStreamSynchronize(void *) { return need_context(); }
CUresult cuStreamQuery(void *) { return need_context(); }
CUresult cuStreamWaitEvent(void *, void *e, unsigned) {
  if (CUresult r = need_context()) return r;
  return e ? kSuccess : kInvalidHandle;
}

CUresult cuEventCreate(void **e, unsigned flags) {
  if (CUresult r = need_context()) return r;
  *e = new Event{flags};
  return kSuccess;
}
CUresult cuEventDestroy_v2(void *e) {
  delete static_cast<Event *>(e);
  return kSuccess;
}
CUresult cuEventRecord(void *e, void *) {
  if (CUresult r = need_context()) return r;
  static_cast<Event *>(e)->recorded_ms = now_ms();
  return kSuccess;
}
CUresult cuEventQuery(void *) { return need_context(); }
CUresult cuEventSynchronize(void *) { return need_context(); }
CUresult cuEventElapsedTime(float *ms, void *a, void *b) {
  auto *start = static_cast<Event *>(a), *end = static_cast<Event *>(b);
  if ((start->flags | end->flags) & 0x2) return kInvalidHandle;  // CU_EVENT_DISABLE_TIMING
  *ms = static_cast<float>(end->recorded_ms - start->recorded_ms);
  return kSuccess;
}

CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned n, int *options,
                            void **values) {
  if (CUresult r = need_context()) return r;
  const char *ptx = static_cast<const char *>(image);
  bool bad = std::strstr(ptx, "this is not an instruction") != nullptr;
  for (unsigned i = 0; i < n; ++i) {
    // CU_JIT_INFO_LOG_BUFFER (3) / CU_JIT_ERROR_LOG_BUFFER (5), sizes in the next option
    const char *text = options[i] == 3   ? (bad ? "" : "mock JIT: compiled")
                       : options[i] == 5 ? (bad ? "mock ptxas: syntax error at 'this'" : "")
                                         : nullptr;
    if (text && i + 1 < n) {
      size_t size = reinterpret_cast<uintptr_t>(values[i + 1]);
      std::strncpy(static_cast<char *>(values[i]), text, size);
    }
  }
  if (bad) return kInvalidPtx;
  *module = new Module();
  return kSuccess;
}

CUresult cuModuleUnload(void *m) {
  delete static_cast<Module *>(m);
  return kSuccess;
}

CUresult cuModuleGetFunction(void **fn, void *m, const char *name) {
  for (const Kernel &k : kernels())
    if (std::strcmp(k.name, name) == 0) {
      *fn = new Function{static_cast<Module *>(m), &k};  // leaked, as a driver's are
      return kSuccess;
    }
  return kNotFound;
}

CUresult cuModuleGetGlobal_v2(uint64_t *ptr, size_t *bytes, void *m, const char *name) {
  if (std::strcmp(name, "ember_device_error") != 0) return kNotFound;
  *ptr = reinterpret_cast<uintptr_t>(static_cast<Module *>(m)->error_record);
  *bytes = 16;
  return kSuccess;
}

CUresult cuFuncGetAttribute(int *v, int attr, void *) {
  switch (attr) {
    case 0: *v = 1024; break;  // max threads per block
    case 4: *v = 16; break;    // registers
    case 5: *v = 52; break;    // PTX target
    case 6: *v = 90; break;    // binary version
    default: *v = 0;
  }
  return kSuccess;
}

CUresult cuFuncGetParamInfo(void *fn, size_t i, size_t *offset, size_t *size) {
  const Kernel &k = *static_cast<Function *>(fn)->kernel;
  if (i >= k.params.size()) return kInvalidValue;
  *offset = k.params[i].first;
  *size = k.params[i].second;
  return kSuccess;
}

CUresult cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned, void *, void **params, void **extra) {
  if (CUresult r = need_context()) return r;
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024) return kInvalidValue;
  auto *f = static_cast<Function *>(fn);
  const Kernel &k = *f->kernel;
  const unsigned char *buffer = nullptr;
  if (!params) {
    // extra = {CU_LAUNCH_PARAM_BUFFER_POINTER, buf, CU_LAUNCH_PARAM_BUFFER_SIZE, &size, END}
    if (!extra || extra[0] != reinterpret_cast<void *>(1) ||
        extra[2] != reinterpret_cast<void *>(2))
      return kInvalidValue;
    buffer = static_cast<const unsigned char *>(extra[1]);
    size_t size = *static_cast<size_t *>(extra[3]);
    size_t needed = k.params.empty() ? 0 : k.params.back().first + k.params.back().second;
    if (size != needed) return kInvalidValue;
  }
  ++launches;
  int64_t threads = int64_t{gx} * bx;  // the test kernels use x only
  auto P = [&](auto type_tag, size_t i) { return param<decltype(type_tag)>(params, buffer, k, i); };
  std::string name = k.name;
  if (name == "add_one") {
    auto *data = reinterpret_cast<unsigned char *>(P(uint64_t{}, 0));
    int64_t n = P(int64_t{}, 1), stride = P(int64_t{}, 2);
    for (int64_t i = 0; i < threads && i < n; ++i)
      *reinterpret_cast<double *>(data + i * stride) += 1;
  } else if (name == "scale_add") {
    auto *out = reinterpret_cast<unsigned char *>(P(uint64_t{}, 0));
    int64_t n = P(int64_t{}, 1), out_stride = P(int64_t{}, 2);
    auto *x = reinterpret_cast<unsigned char *>(P(uint64_t{}, 3));
    int64_t x_stride = P(int64_t{}, 5);
    double a = P(double{}, 6);
    int32_t b = P(int32_t{}, 7);
    float c = P(float{}, 8);
    uint8_t flag = P(uint8_t{}, 9);
    for (int64_t i = 0; i < threads && i < n; ++i)
      *reinterpret_cast<double *>(out + i * out_stride) =
          a * *reinterpret_cast<double *>(x + i * x_stride) + b + static_cast<double>(c) + flag;
  } else if (name == "raise_if_negative") {
    auto *data = reinterpret_cast<unsigned char *>(P(uint64_t{}, 0));
    int64_t n = P(int64_t{}, 1), stride = P(int64_t{}, 2);
    for (int64_t i = 0; i < threads && i < n; ++i)
      if (*reinterpret_cast<int32_t *>(data + i * stride) < 0 && f->module->error_record[0] == 0) {
        int32_t record[4] = {1, 3, 42, 7};
        std::memcpy(f->module->error_record, record, sizeof record);
      }
  }
  return kSuccess;
}

}  // extern "C"
