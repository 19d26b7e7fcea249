// CudaDriver: dlopen of the driver library, the symbol table, the primary context, and the
// wrappers that turn every failing CUresult into a CudaError naming the call.
#include "runtime/cuda/CudaDriver.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ember::cuda {

double DeviceInfo::peak_bandwidth_gbs() const {
  // kHz * bits: 2 transfers per clock, 8 bits per byte, 1e6 kHz*B per GB/s
  return 2.0 * memory_clock_khz * (memory_bus_width_bits / 8.0) / 1e6;
}

const std::shared_ptr<CudaDriver> &CudaDriver::process() {
  static const auto *driver = new std::shared_ptr<CudaDriver>([] {
    const char *env = std::getenv("EMBER_CUDA_DRIVER");
    return std::make_shared<CudaDriver>(env && *env ? env : kDefaultLibrary);
  }());
  return *driver;
}

CudaDriver::CudaDriver(std::string library) : library_(std::move(library)) {}

CudaDriver::~CudaDriver() {
  // Only drivers made for tests die (the process's never does).  The library stays loaded:
  // unloading a GPU driver under live threads of its own is not safe.
  if (!usable_) return;
  if (sync_event_) api_.cuEventDestroy_v2(sync_event_);
  for (auto &[id, ctx] : contexts_) {
    CUdevice dev;
    if (api_.cuDeviceGet(&dev, id) == kCudaSuccess) api_.cuDevicePrimaryCtxRelease_v2(dev);
  }
}

// ---- opening ------------------------------------------------------------------------------------

namespace {

// Where each function pointer goes, and the names to resolve it by: the first that the library
// exports wins (cuEventElapsedTime_v2 exists from CUDA 12.8 on).
struct Symbol {
  size_t offset;  // of the member in DriverApi
  const char *names[2];
  bool required;
};

const Symbol kSymbols[] = {
    {offsetof(DriverApi, cuInit), {"cuInit"}, true},
    {offsetof(DriverApi, cuDriverGetVersion), {"cuDriverGetVersion"}, true},
    {offsetof(DriverApi, cuGetErrorName), {"cuGetErrorName"}, true},
    {offsetof(DriverApi, cuGetErrorString), {"cuGetErrorString"}, true},
    {offsetof(DriverApi, cuDeviceGetCount), {"cuDeviceGetCount"}, true},
    {offsetof(DriverApi, cuDeviceGet), {"cuDeviceGet"}, true},
    {offsetof(DriverApi, cuDeviceGetName), {"cuDeviceGetName"}, true},
    {offsetof(DriverApi, cuDeviceGetAttribute), {"cuDeviceGetAttribute"}, true},
    {offsetof(DriverApi, cuDeviceTotalMem_v2), {"cuDeviceTotalMem_v2"}, true},
    {offsetof(DriverApi, cuDevicePrimaryCtxRetain), {"cuDevicePrimaryCtxRetain"}, true},
    {offsetof(DriverApi, cuDevicePrimaryCtxRelease_v2), {"cuDevicePrimaryCtxRelease_v2"}, true},
    {offsetof(DriverApi, cuCtxSetCurrent), {"cuCtxSetCurrent"}, true},
    {offsetof(DriverApi, cuCtxGetCurrent), {"cuCtxGetCurrent"}, true},
    {offsetof(DriverApi, cuCtxSynchronize), {"cuCtxSynchronize"}, true},
    {offsetof(DriverApi, cuMemGetInfo_v2), {"cuMemGetInfo_v2"}, true},
    {offsetof(DriverApi, cuMemAlloc_v2), {"cuMemAlloc_v2"}, true},
    {offsetof(DriverApi, cuMemFree_v2), {"cuMemFree_v2"}, true},
    {offsetof(DriverApi, cuMemAllocHost_v2), {"cuMemAllocHost_v2"}, true},
    {offsetof(DriverApi, cuMemFreeHost), {"cuMemFreeHost"}, true},
    {offsetof(DriverApi, cuMemHostRegister_v2), {"cuMemHostRegister_v2"}, true},
    {offsetof(DriverApi, cuMemHostUnregister), {"cuMemHostUnregister"}, true},
    {offsetof(DriverApi, cuMemcpyHtoD_v2), {"cuMemcpyHtoD_v2"}, true},
    {offsetof(DriverApi, cuMemcpyDtoH_v2), {"cuMemcpyDtoH_v2"}, true},
    {offsetof(DriverApi, cuMemcpyDtoD_v2), {"cuMemcpyDtoD_v2"}, true},
    {offsetof(DriverApi, cuMemcpyHtoDAsync_v2), {"cuMemcpyHtoDAsync_v2"}, true},
    {offsetof(DriverApi, cuMemcpyDtoHAsync_v2), {"cuMemcpyDtoHAsync_v2"}, true},
    {offsetof(DriverApi, cuMemcpyDtoDAsync_v2), {"cuMemcpyDtoDAsync_v2"}, true},
    {offsetof(DriverApi, cuMemsetD8_v2), {"cuMemsetD8_v2"}, true},
    {offsetof(DriverApi, cuMemsetD8Async), {"cuMemsetD8Async"}, true},
    {offsetof(DriverApi, cuStreamCreate), {"cuStreamCreate"}, true},
    {offsetof(DriverApi, cuStreamDestroy_v2), {"cuStreamDestroy_v2"}, true},
    {offsetof(DriverApi, cuStreamSynchronize), {"cuStreamSynchronize"}, true},
    {offsetof(DriverApi, cuStreamQuery), {"cuStreamQuery"}, true},
    {offsetof(DriverApi, cuStreamWaitEvent), {"cuStreamWaitEvent"}, true},
    {offsetof(DriverApi, cuEventCreate), {"cuEventCreate"}, true},
    {offsetof(DriverApi, cuEventDestroy_v2), {"cuEventDestroy_v2"}, true},
    {offsetof(DriverApi, cuEventRecord), {"cuEventRecord"}, true},
    {offsetof(DriverApi, cuEventQuery), {"cuEventQuery"}, true},
    {offsetof(DriverApi, cuEventSynchronize), {"cuEventSynchronize"}, true},
    {offsetof(DriverApi, cuEventElapsedTime),
     {"cuEventElapsedTime_v2", "cuEventElapsedTime"},
     true},
    {offsetof(DriverApi, cuModuleLoadDataEx), {"cuModuleLoadDataEx"}, true},
    {offsetof(DriverApi, cuModuleUnload), {"cuModuleUnload"}, true},
    {offsetof(DriverApi, cuModuleGetFunction), {"cuModuleGetFunction"}, true},
    {offsetof(DriverApi, cuModuleGetGlobal_v2), {"cuModuleGetGlobal_v2"}, true},
    {offsetof(DriverApi, cuFuncGetAttribute), {"cuFuncGetAttribute"}, true},
    {offsetof(DriverApi, cuLaunchKernel), {"cuLaunchKernel"}, true},
    {offsetof(DriverApi, cuFuncGetParamInfo), {"cuFuncGetParamInfo"}, false},
};

}  // namespace

std::vector<std::pair<std::string, bool>> CudaDriver::exported_names() {
  std::vector<std::pair<std::string, bool>> out;
  for (const Symbol &s : kSymbols)
    for (const char *name : s.names)
      if (name) out.emplace_back(name, s.required);
  return out;
}

void CudaDriver::open() {
  opened_ = true;
  handle_ = dlopen(library_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char *why = dlerror();
    reason_ = "CUDA driver library not found (" + std::string(why ? why : library_) +
              "); install the NVIDIA driver, or set EMBER_CUDA_DRIVER to its path";
    open_error_ = std::make_exception_ptr(CudaUnavailable("dlopen", reason_));
    return;
  }
  for (const Symbol &s : kSymbols) {
    void *&slot = *reinterpret_cast<void **>(reinterpret_cast<char *>(&api_) + s.offset);
    for (const char *name : s.names)
      if (name && !slot) slot = dlsym(handle_, name);
    if (!slot && s.required) {
      reason_ = library_ + " lacks the driver function " + s.names[0] +
                " (a driver older than CUDA 11, or not a CUDA driver)";
      open_error_ = std::make_exception_ptr(CudaUnavailable("dlsym", reason_));
      return;
    }
  }
  CUresult r = api_.cuInit(0);
  if (r != kCudaSuccess) {
    CudaError e("cuInit", r, error_name(r), error_text(r));
    reason_ = e.what();
    open_error_ = std::make_exception_ptr(e);
    return;
  }
  usable_ = true;
}

bool CudaDriver::available(std::string *reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!opened_) open();
  if (reason) *reason = reason_;
  return usable_;
}

const DriverApi &CudaDriver::api() {
  if (!available()) std::rethrow_exception(open_error_);
  return api_;
}

DriverReport CudaDriver::detect() {
  DriverReport report;
  report.library = library_;
  if (!available(&report.reason)) return report;
  try {
    report.version = version();
    int n = device_count();
    for (int i = 0; i < n; ++i) report.devices.push_back(device_info(i));
    report.available = true;
  } catch (const CudaFailure &e) {
    report.reason = e.what();
  }
  return report;
}

int CudaDriver::version() {
  int v = 0;
  check(api().cuDriverGetVersion(&v), "cuDriverGetVersion");
  return v;
}

int CudaDriver::device_count() {
  int n = 0;
  check(api().cuDeviceGetCount(&n), "cuDeviceGetCount");
  return n;
}

DeviceInfo CudaDriver::device_info(int id) {
  const DriverApi &a = api();
  CUdevice dev;
  check(a.cuDeviceGet(&dev, id), "cuDeviceGet");
  DeviceInfo info;
  info.id = id;
  char name[256] = {};
  check(a.cuDeviceGetName(name, sizeof name - 1, dev), "cuDeviceGetName");
  info.name = name;
  check(a.cuDeviceTotalMem_v2(&info.total_memory, dev), "cuDeviceTotalMem_v2");
  auto attr = [&](DeviceAttr at) {
    int v = 0;
    check(a.cuDeviceGetAttribute(&v, static_cast<int>(at), dev), "cuDeviceGetAttribute");
    return v;
  };
  info.cc_major = attr(DeviceAttr::ComputeCapabilityMajor);
  info.cc_minor = attr(DeviceAttr::ComputeCapabilityMinor);
  info.warp_size = attr(DeviceAttr::WarpSize);
  info.multiprocessor_count = attr(DeviceAttr::MultiprocessorCount);
  info.max_threads_per_block = attr(DeviceAttr::MaxThreadsPerBlock);
  info.max_block_dim[0] = attr(DeviceAttr::MaxBlockDimX);
  info.max_block_dim[1] = attr(DeviceAttr::MaxBlockDimY);
  info.max_block_dim[2] = attr(DeviceAttr::MaxBlockDimZ);
  info.max_grid_dim[0] = attr(DeviceAttr::MaxGridDimX);
  info.max_grid_dim[1] = attr(DeviceAttr::MaxGridDimY);
  info.max_grid_dim[2] = attr(DeviceAttr::MaxGridDimZ);
  info.max_shared_memory_per_block = attr(DeviceAttr::MaxSharedMemoryPerBlock);
  info.max_shared_memory_per_block_optin = attr(DeviceAttr::MaxSharedMemoryPerBlockOptin);
  info.memory_clock_khz = attr(DeviceAttr::MemoryClockRate);
  info.memory_bus_width_bits = attr(DeviceAttr::GlobalMemoryBusWidth);
  info.l2_cache_bytes = attr(DeviceAttr::L2CacheSize);
  return info;
}

// ---- errors -------------------------------------------------------------------------------------

std::string CudaDriver::error_name(CUresult code) {
  const char *s = nullptr;
  if (api_.cuGetErrorName && api_.cuGetErrorName(code, &s) == kCudaSuccess && s) return s;
  const char *f = fallback_error_name(code);
  return f ? f : "";
}

std::string CudaDriver::error_text(CUresult code) {
  const char *s = nullptr;
  if (api_.cuGetErrorString && api_.cuGetErrorString(code, &s) == kCudaSuccess && s) return s;
  const char *f = fallback_error_text(code);
  return f ? f : "";
}

void CudaDriver::fail(CUresult r, const char *call, const std::string &detail) {
  throw CudaError(call, r, error_name(r), error_text(r), detail);
}

void CudaDriver::bad_dims(Dim3 grid, Dim3 block) {
  auto s = [](Dim3 d) {
    return "(" + std::to_string(d.x) + ", " + std::to_string(d.y) + ", " + std::to_string(d.z) +
           ")";
  };
  throw std::invalid_argument("a launch needs positive grid and block dimensions, not grid " +
                              s(grid) + " and block " + s(block));
}

// ---- context ------------------------------------------------------------------------------------

void CudaDriver::select(int id) {
  const DriverApi &a = api();
  std::lock_guard<std::mutex> lock(mutex_);
  CUcontext ctx;
  auto it = contexts_.find(id);
  if (it == contexts_.end()) {
    CUdevice dev;
    check(a.cuDeviceGet(&dev, id), "cuDeviceGet");
    check(a.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    contexts_.emplace(id, ctx);
  } else {
    ctx = it->second;
  }
  check(a.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
  current_.store(ctx, std::memory_order_release);
  selected_.store(id, std::memory_order_release);
}

void CudaDriver::make_current() {
  CUcontext ctx = current_.load(std::memory_order_acquire);
  if (!ctx) {
    select(0);
    return;
  }
  CUcontext cur = nullptr;
  check(api_.cuCtxGetCurrent(&cur), "cuCtxGetCurrent");
  if (cur != ctx) check(api_.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
}

void CudaDriver::synchronize() {
  make_current();
  check(api_.cuCtxSynchronize(), "cuCtxSynchronize");
}

std::pair<size_t, size_t> CudaDriver::memory_info() {
  make_current();
  size_t free_bytes = 0, total = 0;
  check(api_.cuMemGetInfo_v2(&free_bytes, &total), "cuMemGetInfo_v2");
  return {free_bytes, total};
}

// ---- memory -------------------------------------------------------------------------------------

CUdeviceptr CudaDriver::alloc(size_t bytes) {
  make_current();
  CUdeviceptr p = 0;
  check(api_.cuMemAlloc_v2(&p, bytes), "cuMemAlloc_v2");
  return p;
}

void CudaDriver::free(CUdeviceptr ptr) {
  make_current();
  check(api_.cuMemFree_v2(ptr), "cuMemFree_v2");
}

void *CudaDriver::alloc_host(size_t bytes) {
  make_current();
  void *p = nullptr;
  check(api_.cuMemAllocHost_v2(&p, bytes), "cuMemAllocHost_v2");
  return p;
}

void CudaDriver::free_host(void *ptr) {
  make_current();
  check(api_.cuMemFreeHost(ptr), "cuMemFreeHost");
}

void CudaDriver::register_host(void *ptr, size_t bytes, unsigned flags) {
  make_current();
  check(api_.cuMemHostRegister_v2(ptr, bytes, flags), "cuMemHostRegister_v2");
}

void CudaDriver::unregister_host(void *ptr) {
  make_current();
  check(api_.cuMemHostUnregister(ptr), "cuMemHostUnregister");
}

void CudaDriver::copy_htod(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyHtoDAsync_v2(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2");
  else
    check(api_.cuMemcpyHtoD_v2(dst, src, bytes), "cuMemcpyHtoD_v2");
}

void CudaDriver::copy_dtoh(void *dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyDtoHAsync_v2(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2");
  else
    check(api_.cuMemcpyDtoH_v2(dst, src, bytes), "cuMemcpyDtoH_v2");
}

void CudaDriver::copy_dtod(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyDtoDAsync_v2(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2");
  else
    check(api_.cuMemcpyDtoD_v2(dst, src, bytes), "cuMemcpyDtoD_v2");
}

void CudaDriver::memset8(CUdeviceptr dst, uint8_t value, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemsetD8Async(dst, value, bytes, stream), "cuMemsetD8Async");
  else
    check(api_.cuMemsetD8_v2(dst, value, bytes), "cuMemsetD8_v2");
}

// ---- streams and events -------------------------------------------------------------------------

CUstream CudaDriver::stream_create(unsigned flags) {
  make_current();
  CUstream s = nullptr;
  check(api_.cuStreamCreate(&s, flags), "cuStreamCreate");
  return s;
}

void CudaDriver::stream_destroy(CUstream s) {
  make_current();
  check(api_.cuStreamDestroy_v2(s), "cuStreamDestroy_v2");
}

void CudaDriver::stream_synchronize(CUstream s) {
  make_current();
  check(api_.cuStreamSynchronize(s), "cuStreamSynchronize");
}

bool CudaDriver::stream_query(CUstream s) {
  make_current();
  CUresult r = api_.cuStreamQuery(s);
  if (r == kCudaErrorNotReady) return false;
  check(r, "cuStreamQuery");
  return true;
}

void CudaDriver::stream_wait_stream(CUstream consumer, CUstream producer) {
  if (consumer == producer) return;
  make_current();
  // One event serves every wait: cuStreamWaitEvent waits for the event's state when it is
  // called, so recording it again afterwards does not disturb an earlier wait.
  std::lock_guard<std::mutex> lock(sync_mutex_);
  if (!sync_event_) check(api_.cuEventCreate(&sync_event_, kEventDisableTiming), "cuEventCreate");
  check(api_.cuEventRecord(sync_event_, producer), "cuEventRecord");
  check(api_.cuStreamWaitEvent(consumer, sync_event_, 0), "cuStreamWaitEvent");
}

CUevent CudaDriver::event_create(unsigned flags) {
  make_current();
  CUevent e = nullptr;
  check(api_.cuEventCreate(&e, flags), "cuEventCreate");
  return e;
}

void CudaDriver::event_destroy(CUevent e) {
  make_current();
  check(api_.cuEventDestroy_v2(e), "cuEventDestroy_v2");
}

void CudaDriver::event_record(CUevent e, CUstream s) {
  make_current();
  check(api_.cuEventRecord(e, s), "cuEventRecord");
}

void CudaDriver::event_synchronize(CUevent e) {
  make_current();
  check(api_.cuEventSynchronize(e), "cuEventSynchronize");
}

bool CudaDriver::event_query(CUevent e) {
  make_current();
  CUresult r = api_.cuEventQuery(e);
  if (r == kCudaErrorNotReady) return false;
  check(r, "cuEventQuery");
  return true;
}

float CudaDriver::event_elapsed_ms(CUevent start, CUevent end) {
  make_current();
  float ms = 0;
  check(api_.cuEventElapsedTime(&ms, start, end), "cuEventElapsedTime");
  return ms;
}

void CudaDriver::stream_wait_event(CUstream s, CUevent e) {
  make_current();
  check(api_.cuStreamWaitEvent(s, e, 0), "cuStreamWaitEvent");
}

// ---- modules and launches -----------------------------------------------------------------------

CUmodule CudaDriver::module_load_ptx(const std::string &ptx, std::string *info_log) {
  make_current();
  constexpr size_t kLogBytes = 16384;
  std::vector<char> info(kLogBytes, 0), error(kLogBytes, 0);
  int options[] = {kJitInfoLogBuffer, kJitInfoLogBufferSizeBytes, kJitErrorLogBuffer,
                   kJitErrorLogBufferSizeBytes};
  void *values[] = {info.data(), reinterpret_cast<void *>(uintptr_t{kLogBytes - 1}), error.data(),
                    reinterpret_cast<void *>(uintptr_t{kLogBytes - 1})};
  CUmodule m = nullptr;
  CUresult r = api_.cuModuleLoadDataEx(&m, ptx.c_str(), 4, options, values);
  if (info_log) *info_log = info.data();
  if (r != kCudaSuccess) {
    std::string log = error.data();
    fail(r, "cuModuleLoadDataEx", log.empty() ? "" : "\nPTX JIT log:\n" + log);
  }
  return m;
}

void CudaDriver::module_unload(CUmodule m) {
  make_current();
  check(api_.cuModuleUnload(m), "cuModuleUnload");
}

CUfunction CudaDriver::module_function(CUmodule m, const std::string &name) {
  make_current();
  CUfunction f = nullptr;
  CUresult r = api_.cuModuleGetFunction(&f, m, name.c_str());
  if (r != kCudaSuccess) fail(r, "cuModuleGetFunction", " (kernel '" + name + "')");
  return f;
}

std::pair<CUdeviceptr, size_t> CudaDriver::module_global(CUmodule m, const std::string &name) {
  make_current();
  CUdeviceptr p = 0;
  size_t bytes = 0;
  CUresult r = api_.cuModuleGetGlobal_v2(&p, &bytes, m, name.c_str());
  if (r == kCudaErrorNotFound) return {0, 0};
  if (r != kCudaSuccess) fail(r, "cuModuleGetGlobal_v2", " (global '" + name + "')");
  return {p, bytes};
}

int CudaDriver::function_attribute(CUfunction f, FuncAttr attr) {
  int v = 0;
  check(api_.cuFuncGetAttribute(&v, static_cast<int>(attr), f), "cuFuncGetAttribute");
  return v;
}

std::vector<std::pair<size_t, size_t>> CudaDriver::function_params(CUfunction f, bool *known) {
  std::vector<std::pair<size_t, size_t>> params;
  *known = api_.cuFuncGetParamInfo != nullptr;
  if (!*known) return params;
  for (size_t i = 0;; ++i) {
    size_t offset = 0, size = 0;
    CUresult r = api_.cuFuncGetParamInfo(f, i, &offset, &size);
    if (r == kCudaErrorInvalidValue) break;  // past the last parameter
    if (r != kCudaSuccess) {
      // The check is a diagnostic: a driver that cannot answer (a function not loaded yet, an
      // unsupported call) leaves the layout unchecked rather than failing the launcher.
      *known = false;
      return {};
    }
    params.emplace_back(offset, size);
  }
  return params;
}

void CudaDriver::launch_packed(CUfunction f, Dim3 grid, Dim3 block, unsigned shared_bytes,
                               CUstream stream, const void *buffer, size_t bytes) {
  if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z) bad_dims(grid, block);
  // CU_LAUNCH_PARAM_BUFFER_POINTER (1), CU_LAUNCH_PARAM_BUFFER_SIZE (2), CU_LAUNCH_PARAM_END (0)
  void *extra[] = {reinterpret_cast<void *>(uintptr_t{1}), const_cast<void *>(buffer),
                   reinterpret_cast<void *>(uintptr_t{2}), &bytes, nullptr};
  check(api_.cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, shared_bytes,
                            stream, nullptr, extra),
        "cuLaunchKernel");
}

KernelErrorRecord CudaDriver::read_error_record(CUdeviceptr record) {
  KernelErrorRecord r;
  copy_dtoh(&r, record, sizeof r);
  return r;
}

void CudaDriver::reset_error_record(CUdeviceptr record) {
  memset8(record, 0, sizeof(KernelErrorRecord));
}

}  // namespace ember::cuda
