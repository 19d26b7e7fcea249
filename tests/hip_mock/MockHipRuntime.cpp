// A stand-in for libamdhip64.so that runs on the host, so that the HIP host layer's device
// tests (tests/python/test_hip_mock_runtime.py) run on every machine without an AMD GPU: the
// tests point EMBER_HIP_LIBRARY at this library.  It exports the HIP functions ember resolves
// (runtime/cuda/DriverTables.cpp), with HIP's signatures and error codes: "device" memory is host
// memory, streams and events are tokens, the current device is per thread (hipSetDevice), module
// images must be AMDGPU ELF files (hipErrorInvalidImage otherwise), and the kernels below are
// known by name and run as C++ over their flattened parameters, read through kernelParams or the
// packed `extra` buffer (which must end with HIP_LAUNCH_PARAM_END, 3).  mock_fail_next makes
// the next call of a given name fail with a given code (an injected failure); mock_* counters
// let the tests see allocations, streams, events and launches.  Nothing here checks GPU
// behaviour; it checks ember's side of the calls.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using hipError_t = int;
constexpr hipError_t kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotInitialized = 3,
                     kInvalidDevice = 101, kInvalidImage = 200, kInvalidHandle = 400,
                     kNotFound = 500, kUnknown = 999;

bool initialized = false;
thread_local int current_device = 0;  // HIP's default on every thread
std::mutex mutex;
std::map<uintptr_t, size_t> allocations;  // device and pinned memory
std::set<void *> streams, events;
long launches = 0;
std::string fail_call;  // mock_fail_next
hipError_t fail_code = 0;

struct Module {
  int32_t error_record[4] = {0, 0, 0, 0};
};

struct Kernel {
  const char *name;
  std::vector<std::pair<size_t, size_t>> params;  // (offset, size) in the kernarg segment
};

std::vector<std::pair<size_t, size_t>> arrays(int n) {
  std::vector<std::pair<size_t, size_t>> p;
  for (int i = 0; i < 3 * n; ++i) p.emplace_back(8 * i, 8);
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

/// The injected failure for `call`, once; else kSuccess.
hipError_t injected(const char *call) {
  std::lock_guard<std::mutex> lock(mutex);
  if (fail_code == 0 || fail_call != call) return kSuccess;
  hipError_t r = fail_code;
  fail_code = 0;
  fail_call.clear();
  return r;
}

#define EMBER_MOCK_ENTER(call)                     \
  do {                                             \
    if (!initialized) return kNotInitialized;      \
    if (hipError_t e_ = injected(call)) return e_; \
  } while (0)

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
long mock_live_streams() {
  std::lock_guard<std::mutex> lock(mutex);
  return static_cast<long>(streams.size());
}
long mock_live_events() {
  std::lock_guard<std::mutex> lock(mutex);
  return static_cast<long>(events.size());
}
long mock_launches() { return launches; }
int mock_current_device() { return current_device; }

void mock_fail_next(const char *call, int code) {
  std::lock_guard<std::mutex> lock(mutex);
  fail_call = call;
  fail_code = code;
}

hipError_t hipInit(unsigned) {
  initialized = true;
  return kSuccess;
}

hipError_t hipDriverGetVersion(int *v) {
  *v = 60241134;  // what ROCm 6.2 reports
  return kSuccess;
}

const char *hipGetErrorName(hipError_t e) {
  switch (e) {
    case kSuccess: return "hipSuccess";
    case kInvalidValue: return "hipErrorInvalidValue";
    case kOutOfMemory: return "hipErrorOutOfMemory";
    case kNotInitialized: return "hipErrorNotInitialized";
    case kInvalidDevice: return "hipErrorInvalidDevice";
    case kInvalidImage: return "hipErrorInvalidImage";
    case kInvalidHandle: return "hipErrorInvalidHandle";
    case kNotFound: return "hipErrorNotFound";
    default: return "hipErrorUnknown";
  }
}

const char *hipGetErrorString(hipError_t e) {
  switch (e) {
    case kSuccess: return "no error";
    case kInvalidValue: return "invalid argument";
    case kOutOfMemory: return "out of memory";
    case kInvalidDevice: return "invalid device ordinal";
    case kInvalidImage: return "device kernel image is invalid";
    case kInvalidHandle: return "invalid resource handle";
    case kNotFound: return "named symbol not found";
    default: return "unknown error";
  }
}

hipError_t hipGetDeviceCount(int *n) {
  EMBER_MOCK_ENTER("hipGetDeviceCount");
  *n = 1;
  return kSuccess;
}

hipError_t hipDeviceGet(int *dev, int ordinal) {
  EMBER_MOCK_ENTER("hipDeviceGet");
  if (ordinal != 0) return kInvalidDevice;
  *dev = 0;
  return kSuccess;
}

hipError_t hipDeviceGetName(char *name, int len, int) {
  std::strncpy(name, "ember mock AMD GPU", static_cast<size_t>(len));
  return kSuccess;
}

// hipDeviceAttribute_t as numbered from ROCm 5.0 on.
hipError_t hipDeviceGetAttribute(int *v, int attr, int) {
  switch (attr) {
    case 56: *v = 1024; break;  // max threads per block
    case 26:
    case 27: *v = 1024; break;
    case 28: *v = 1024; break;
    case 29:
    case 30:
    case 31: *v = 2147483647; break;
    case 74: *v = 65536; break;    // LDS per block
    case 87: *v = 64; break;       // wavefront size
    case 63: *v = 304; break;      // compute units
    case 60: *v = 1300000; break;  // memory clock, kHz
    case 59: *v = 8192; break;     // bus width, bits
    case 19: *v = 4 << 20; break;  // L2
    case 23: *v = 9; break;        // "compute capability" HIP reports for gfx942: 9.4
    case 61: *v = 4; break;
    default: *v = 0;
  }
  return kSuccess;
}

hipError_t hipDeviceTotalMem(size_t *bytes, int) {
  *bytes = size_t{192} << 30;
  return kSuccess;
}

hipError_t hipSetDevice(int device) {
  EMBER_MOCK_ENTER("hipSetDevice");
  if (device != 0) return kInvalidDevice;
  current_device = device;
  return kSuccess;
}

hipError_t hipGetDevice(int *device) {
  EMBER_MOCK_ENTER("hipGetDevice");
  *device = current_device;
  return kSuccess;
}

hipError_t hipDeviceSynchronize() {
  EMBER_MOCK_ENTER("hipDeviceSynchronize");
  return kSuccess;
}

hipError_t hipMemGetInfo(size_t *free_bytes, size_t *total) {
  EMBER_MOCK_ENTER("hipMemGetInfo");
  *total = size_t{192} << 30;
  *free_bytes = *total / 2;
  return kSuccess;
}

hipError_t hipMalloc(void **ptr, size_t bytes) {
  EMBER_MOCK_ENTER("hipMalloc");
  if (bytes > (size_t{192} << 30)) return kOutOfMemory;
  void *p = std::calloc(1, bytes ? bytes : 1);
  if (!p) return kOutOfMemory;
  std::lock_guard<std::mutex> lock(mutex);
  allocations[reinterpret_cast<uintptr_t>(p)] = bytes;
  *ptr = p;
  return kSuccess;
}

hipError_t hipFree(void *ptr) {
  EMBER_MOCK_ENTER("hipFree");
  if (!ptr) return kSuccess;
  std::lock_guard<std::mutex> lock(mutex);
  if (!allocations.erase(reinterpret_cast<uintptr_t>(ptr))) return kInvalidValue;
  std::free(ptr);
  return kSuccess;
}

hipError_t hipHostMalloc(void **ptr, size_t bytes, unsigned flags) {
  if (flags != 0) return kInvalidValue;  // ember asks for the default (portable, coherent)
  return hipMalloc(ptr, bytes);
}

hipError_t hipHostFree(void *ptr) { return hipFree(ptr); }

hipError_t hipHostRegister(void *, size_t, unsigned) {
  EMBER_MOCK_ENTER("hipHostRegister");
  return kSuccess;
}
hipError_t hipHostUnregister(void *) {
  EMBER_MOCK_ENTER("hipHostUnregister");
  return kSuccess;
}

hipError_t hipMemcpyHtoD(void *dst, const void *src, size_t n) {
  EMBER_MOCK_ENTER("hipMemcpyHtoD");
  std::memcpy(dst, src, n);
  return kSuccess;
}
hipError_t hipMemcpyDtoH(void *dst, const void *src, size_t n) {
  EMBER_MOCK_ENTER("hipMemcpyDtoH");
  std::memcpy(dst, src, n);
  return kSuccess;
}
hipError_t hipMemcpyDtoD(void *dst, const void *src, size_t n) {
  EMBER_MOCK_ENTER("hipMemcpyDtoD");
  std::memmove(dst, src, n);
  return kSuccess;
}
hipError_t hipMemcpyHtoDAsync(void *d, const void *s, size_t n, void *) {
  return hipMemcpyHtoD(d, s, n);
}
hipError_t hipMemcpyDtoHAsync(void *d, const void *s, size_t n, void *) {
  return hipMemcpyDtoH(d, s, n);
}
hipError_t hipMemcpyDtoDAsync(void *d, const void *s, size_t n, void *) {
  return hipMemcpyDtoD(d, s, n);
}
hipError_t hipMemsetD8(void *dst, unsigned char v, size_t n) {
  EMBER_MOCK_ENTER("hipMemsetD8");
  std::memset(dst, v, n);
  return kSuccess;
}
hipError_t hipMemsetD8Async(void *dst, unsigned char v, size_t n, void *) {
  return hipMemsetD8(dst, v, n);
}

hipError_t hipStreamCreateWithFlags(void **s, unsigned) {
  EMBER_MOCK_ENTER("hipStreamCreateWithFlags");
  *s = new int(0);
  std::lock_guard<std::mutex> lock(mutex);
  streams.insert(*s);
  return kSuccess;
}
hipError_t hipStreamDestroy(void *s) {
  EMBER_MOCK_ENTER("hipStreamDestroy");
  std::lock_guard<std::mutex> lock(mutex);
  if (!streams.erase(s)) return kInvalidHandle;
  delete static_cast<int *>(s);
  return kSuccess;
}
hipError_t hipStreamSynchronize(void *) {
  EMBER_MOCK_ENTER("hipStreamSynchronize");
  return kSuccess;
}
hipError_t hipStreamQuery(void *) {
  EMBER_MOCK_ENTER("hipStreamQuery");
  return kSuccess;
}
hipError_t hipStreamWaitEvent(void *, void *e, unsigned) {
  EMBER_MOCK_ENTER("hipStreamWaitEvent");
  return e ? kSuccess : kInvalidHandle;
}

hipError_t hipEventCreateWithFlags(void **e, unsigned flags) {
  EMBER_MOCK_ENTER("hipEventCreateWithFlags");
  *e = new Event{flags};
  std::lock_guard<std::mutex> lock(mutex);
  events.insert(*e);
  return kSuccess;
}
hipError_t hipEventDestroy(void *e) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!events.erase(e)) return kInvalidHandle;
  delete static_cast<Event *>(e);
  return kSuccess;
}
hipError_t hipEventRecord(void *e, void *) {
  EMBER_MOCK_ENTER("hipEventRecord");
  static_cast<Event *>(e)->recorded_ms = now_ms();
  return kSuccess;
}
hipError_t hipEventQuery(void *) {
  EMBER_MOCK_ENTER("hipEventQuery");
  return kSuccess;
}
hipError_t hipEventSynchronize(void *) {
  EMBER_MOCK_ENTER("hipEventSynchronize");
  return kSuccess;
}
hipError_t hipEventElapsedTime(float *ms, void *a, void *b) {
  EMBER_MOCK_ENTER("hipEventElapsedTime");
  auto *start = static_cast<Event *>(a), *end = static_cast<Event *>(b);
  if ((start->flags | end->flags) & 0x2) return kInvalidHandle;  // hipEventDisableTiming
  if (start->recorded_ms < 0 || end->recorded_ms < 0) return kInvalidHandle;
  *ms = static_cast<float>(end->recorded_ms - start->recorded_ms);
  return kSuccess;
}

hipError_t hipModuleLoadDataEx(void **module, const void *image, unsigned n, void *, void **) {
  EMBER_MOCK_ENTER("hipModuleLoadDataEx");
  // An AMDGPU code object: a 64-bit ELF file whose e_machine (at 18) is EM_AMDGPU (224).
  const auto *elf = static_cast<const unsigned char *>(image);
  uint16_t machine = 0;
  if (n != 0 ||
      std::memcmp(elf,
                  "\x7f"
                  "ELF",
                  4) != 0 ||
      elf[4] != 2)
    return kInvalidImage;
  std::memcpy(&machine, elf + 18, 2);
  if (machine != 224) return kInvalidImage;
  *module = new Module();
  return kSuccess;
}

hipError_t hipModuleUnload(void *m) {
  delete static_cast<Module *>(m);
  return kSuccess;
}

hipError_t hipModuleGetFunction(void **fn, void *m, const char *name) {
  EMBER_MOCK_ENTER("hipModuleGetFunction");
  for (const Kernel &k : kernels())
    if (std::strcmp(k.name, name) == 0) {
      *fn = new Function{static_cast<Module *>(m), &k};  // leaked, as the runtime's are
      return kSuccess;
    }
  return kNotFound;
}

hipError_t hipModuleGetGlobal(void **ptr, size_t *bytes, void *m, const char *name) {
  EMBER_MOCK_ENTER("hipModuleGetGlobal");
  if (std::strcmp(name, "ember_device_error") != 0) return kNotFound;
  *ptr = static_cast<Module *>(m)->error_record;
  *bytes = 16;
  return kSuccess;
}

hipError_t hipFuncGetAttribute(int *v, int attr, void *) {
  switch (attr) {
    case 0: *v = 1024; break;  // max threads per block
    case 4: *v = 24; break;    // registers
    default: *v = 0;
  }
  return kSuccess;
}

hipError_t hipModuleLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                                 unsigned by, unsigned bz, unsigned, void *, void **params,
                                 void **extra) {
  EMBER_MOCK_ENTER("hipModuleLaunchKernel");
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024) return kInvalidValue;
  auto *f = static_cast<Function *>(fn);
  const Kernel &k = *f->kernel;
  const unsigned char *buffer = nullptr;
  if (!params) {
    // extra = {HIP_LAUNCH_PARAM_BUFFER_POINTER, buf, HIP_LAUNCH_PARAM_BUFFER_SIZE, &size,
    //          HIP_LAUNCH_PARAM_END (3)}
    if (!extra || extra[0] != reinterpret_cast<void *>(1) ||
        extra[2] != reinterpret_cast<void *>(2) || extra[4] != reinterpret_cast<void *>(3))
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
