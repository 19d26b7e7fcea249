// CudaDriver: dlopen of the driver library (CUDA's or HIP's), the symbol table, the current
// device, and the wrappers that turn every failing result into a CudaError naming the call.
#include "runtime/cuda/CudaDriver.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "runtime/cuda/DriverTables.h"

namespace ember::cuda {

double DeviceInfo::peak_bandwidth_gbs() const {
  // kHz * bits: 2 transfers per clock, 8 bits per byte, 1e6 kHz*B per GB/s
  return 2.0 * memory_clock_khz * (memory_bus_width_bits / 8.0) / 1e6;
}

const std::shared_ptr<CudaDriver> &CudaDriver::process(Vendor vendor) {
  auto make = [](Vendor v) {
    const char *env = std::getenv(library_variable(v));
    return new std::shared_ptr<CudaDriver>(std::make_shared<CudaDriver>(env && *env ? env : "", v));
  };
  static const auto *cuda = make(Vendor::Cuda);
  static const auto *hip = make(Vendor::Hip);
  return vendor == Vendor::Hip ? *hip : *cuda;
}

CudaDriver::CudaDriver(std::string library, Vendor vendor)
    : library_(std::move(library)), vendor_(vendor) {}

CudaDriver::~CudaDriver() {
  // Only drivers made for tests die (the process's never does).  The library stays loaded:
  // unloading a GPU driver under live threads of its own is not safe.
  if (!usable_) return;
  if (sync_event_) api_.cuEventDestroy_v2(sync_event_);
  if (vendor_ == Vendor::Hip) return;  // no contexts retained
  for (auto &[id, ctx] : contexts_) {
    CUdevice dev;
    if (api_.cuDeviceGet(&dev, id) == kCudaSuccess) api_.cuDevicePrimaryCtxRelease_v2(dev);
  }
}

// ---- opening ------------------------------------------------------------------------------------

std::vector<std::pair<std::string, bool>> CudaDriver::exported_names(Vendor vendor) {
  std::vector<std::pair<std::string, bool>> out;
  for (const DriverSymbol &s : driver_symbols(vendor))
    for (const char *name : s.names)
      if (name) out.emplace_back(name, s.required);
  return out;
}

const char *CudaDriver::call_name(CallSlot call) const {
  auto it = resolved_.find(call.offset);
  if (it != resolved_.end()) return it->second;
  for (const DriverSymbol &s : driver_symbols(vendor_))
    if (s.offset == call.offset) return s.names[0];
  return "?";
}

void CudaDriver::open() {
  opened_ = true;
  std::vector<std::string> candidates;
  if (!library_.empty())
    candidates.push_back(library_);
  else
    for (const char *name : default_libraries(vendor_)) candidates.emplace_back(name);
  std::string tried;
  for (const std::string &name : candidates) {
    handle_ = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_) {
      library_ = name;
      break;
    }
    const char *why = dlerror();
    tried += (tried.empty() ? "" : "; ") + std::string(why ? why : name);
  }
  if (!handle_) {
    reason_ = vendor_ == Vendor::Hip
                  ? "the HIP runtime (libamdhip64) was not found (" + tried +
                        "); install ROCm, or set EMBER_HIP_LIBRARY to its path"
                  : "CUDA driver library not found (" + tried +
                        "); install the NVIDIA driver, or set EMBER_CUDA_DRIVER to its path";
    open_error_ = std::make_exception_ptr(CudaUnavailable("dlopen", reason_, vendor_));
    return;
  }
  for (const DriverSymbol &s : driver_symbols(vendor_)) {
    void *&slot = *reinterpret_cast<void **>(reinterpret_cast<char *>(&api_) + s.offset);
    for (const char *name : s.names)
      if (name && !slot) {
        slot = dlsym(handle_, name);
        if (slot) resolved_[s.offset] = name;
      }
    if (!slot && s.required) {
      reason_ =
          library_ +
          (vendor_ == Vendor::Hip ? " lacks the HIP function " : " lacks the driver function ") +
          s.names[0] +
          (vendor_ == Vendor::Hip ? " (a HIP runtime older than ROCm 5, or not HIP)"
                                  : " (a driver older than CUDA 11, or not a CUDA driver)");
      open_error_ = std::make_exception_ptr(CudaUnavailable("dlsym", reason_, vendor_));
      return;
    }
  }
  CUresult r = api_.cuInit(0);
  if (r != kCudaSuccess) {
    CudaError e(call_name(EMBER_CALL(cuInit)), r, error_name(r), error_text(r), "", vendor_);
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
  check(api().cuDriverGetVersion(&v), EMBER_CALL(cuDriverGetVersion));
  return v;
}

int CudaDriver::device_count() {
  int n = 0;
  check(api().cuDeviceGetCount(&n), EMBER_CALL(cuDeviceGetCount));
  return n;
}

DeviceInfo CudaDriver::device_info(int id) {
  const DriverApi &a = api();
  CUdevice dev;
  check(a.cuDeviceGet(&dev, id), EMBER_CALL(cuDeviceGet));
  DeviceInfo info;
  info.id = id;
  char name[256] = {};
  check(a.cuDeviceGetName(name, sizeof name - 1, dev), EMBER_CALL(cuDeviceGetName));
  info.name = name;
  check(a.cuDeviceTotalMem_v2(&info.total_memory, dev), EMBER_CALL(cuDeviceTotalMem_v2));
  auto attr = [&](DeviceAttr at) {
    int v = 0;
    check(a.cuDeviceGetAttribute(&v, device_attribute_code(vendor_, at), dev),
          EMBER_CALL(cuDeviceGetAttribute));
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
  if (vendor_ == Vendor::Hip) {
    const char *h = api_.hipGetErrorName ? api_.hipGetErrorName(code) : nullptr;
    return h ? h : "";
  }
  const char *s = nullptr;
  if (api_.cuGetErrorName && api_.cuGetErrorName(code, &s) == kCudaSuccess && s) return s;
  const char *f = fallback_error_name(code);
  return f ? f : "";
}

std::string CudaDriver::error_text(CUresult code) {
  if (vendor_ == Vendor::Hip) {
    const char *h = api_.hipGetErrorString ? api_.hipGetErrorString(code) : nullptr;
    return h ? h : "";
  }
  const char *s = nullptr;
  if (api_.cuGetErrorString && api_.cuGetErrorString(code, &s) == kCudaSuccess && s) return s;
  const char *f = fallback_error_text(code);
  return f ? f : "";
}

void CudaDriver::fail(CUresult r, const char *call, const std::string &detail) {
  throw CudaError(call, r, error_name(r), error_text(r), detail, vendor_);
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
  if (vendor_ == Vendor::Hip) {
    // HIP's context is the calling thread's current device; the token only marks a selection.
    check(a.hipSetDevice(id), EMBER_CALL(hipSetDevice));
    current_.store(reinterpret_cast<CUcontext>(static_cast<uintptr_t>(id) + 1),
                   std::memory_order_release);
    selected_.store(id, std::memory_order_release);
    return;
  }
  CUcontext ctx;
  auto it = contexts_.find(id);
  if (it == contexts_.end()) {
    CUdevice dev;
    check(a.cuDeviceGet(&dev, id), EMBER_CALL(cuDeviceGet));
    check(a.cuDevicePrimaryCtxRetain(&ctx, dev), EMBER_CALL(cuDevicePrimaryCtxRetain));
    contexts_.emplace(id, ctx);
  } else {
    ctx = it->second;
  }
  check(a.cuCtxSetCurrent(ctx), EMBER_CALL(cuCtxSetCurrent));
  current_.store(ctx, std::memory_order_release);
  selected_.store(id, std::memory_order_release);
}

void CudaDriver::make_current() {
  CUcontext ctx = current_.load(std::memory_order_acquire);
  if (!ctx) {
    select(0);
    return;
  }
  if (vendor_ == Vendor::Hip) {
    int want = selected_.load(std::memory_order_acquire), cur = -1;
    check(api_.hipGetDevice(&cur), EMBER_CALL(hipGetDevice));
    if (cur != want) check(api_.hipSetDevice(want), EMBER_CALL(hipSetDevice));
    return;
  }
  CUcontext cur = nullptr;
  check(api_.cuCtxGetCurrent(&cur), EMBER_CALL(cuCtxGetCurrent));
  if (cur != ctx) check(api_.cuCtxSetCurrent(ctx), EMBER_CALL(cuCtxSetCurrent));
}

void CudaDriver::synchronize() {
  make_current();
  check(api_.cuCtxSynchronize(), EMBER_CALL(cuCtxSynchronize));
}

std::pair<size_t, size_t> CudaDriver::memory_info() {
  make_current();
  size_t free_bytes = 0, total = 0;
  check(api_.cuMemGetInfo_v2(&free_bytes, &total), EMBER_CALL(cuMemGetInfo_v2));
  return {free_bytes, total};
}

// ---- memory -------------------------------------------------------------------------------------

CUdeviceptr CudaDriver::alloc(size_t bytes) {
  make_current();
  CUdeviceptr p = 0;
  check(api_.cuMemAlloc_v2(&p, bytes), EMBER_CALL(cuMemAlloc_v2));
  return p;
}

void CudaDriver::free(CUdeviceptr ptr) {
  make_current();
  check(api_.cuMemFree_v2(ptr), EMBER_CALL(cuMemFree_v2));
}

void *CudaDriver::alloc_host(size_t bytes) {
  make_current();
  void *p = nullptr;
  if (vendor_ == Vendor::Hip)
    check(api_.hipHostMalloc(&p, bytes, 0), EMBER_CALL(hipHostMalloc));
  else
    check(api_.cuMemAllocHost_v2(&p, bytes), EMBER_CALL(cuMemAllocHost_v2));
  return p;
}

void CudaDriver::free_host(void *ptr) {
  make_current();
  check(api_.cuMemFreeHost(ptr), EMBER_CALL(cuMemFreeHost));
}

void CudaDriver::register_host(void *ptr, size_t bytes, unsigned flags) {
  make_current();
  check(api_.cuMemHostRegister_v2(ptr, bytes, flags), EMBER_CALL(cuMemHostRegister_v2));
}

void CudaDriver::unregister_host(void *ptr) {
  make_current();
  check(api_.cuMemHostUnregister(ptr), EMBER_CALL(cuMemHostUnregister));
}

void CudaDriver::copy_htod(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyHtoDAsync_v2(dst, src, bytes, stream), EMBER_CALL(cuMemcpyHtoDAsync_v2));
  else
    check(api_.cuMemcpyHtoD_v2(dst, src, bytes), EMBER_CALL(cuMemcpyHtoD_v2));
}

void CudaDriver::copy_dtoh(void *dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyDtoHAsync_v2(dst, src, bytes, stream), EMBER_CALL(cuMemcpyDtoHAsync_v2));
  else
    check(api_.cuMemcpyDtoH_v2(dst, src, bytes), EMBER_CALL(cuMemcpyDtoH_v2));
}

void CudaDriver::copy_dtod(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemcpyDtoDAsync_v2(dst, src, bytes, stream), EMBER_CALL(cuMemcpyDtoDAsync_v2));
  else
    check(api_.cuMemcpyDtoD_v2(dst, src, bytes), EMBER_CALL(cuMemcpyDtoD_v2));
}

void CudaDriver::memset8(CUdeviceptr dst, uint8_t value, size_t bytes, CUstream stream) {
  make_current();
  if (stream)
    check(api_.cuMemsetD8Async(dst, value, bytes, stream), EMBER_CALL(cuMemsetD8Async));
  else
    check(api_.cuMemsetD8_v2(dst, value, bytes), EMBER_CALL(cuMemsetD8_v2));
}

// ---- streams and events -------------------------------------------------------------------------

CUstream CudaDriver::stream_create(unsigned flags) {
  make_current();
  CUstream s = nullptr;
  check(api_.cuStreamCreate(&s, flags), EMBER_CALL(cuStreamCreate));
  return s;
}

void CudaDriver::stream_destroy(CUstream s) {
  make_current();
  check(api_.cuStreamDestroy_v2(s), EMBER_CALL(cuStreamDestroy_v2));
}

void CudaDriver::stream_synchronize(CUstream s) {
  make_current();
  check(api_.cuStreamSynchronize(s), EMBER_CALL(cuStreamSynchronize));
}

bool CudaDriver::stream_query(CUstream s) {
  make_current();
  CUresult r = api_.cuStreamQuery(s);
  if (r == kCudaErrorNotReady) return false;
  check(r, EMBER_CALL(cuStreamQuery));
  return true;
}

void CudaDriver::stream_wait_stream(CUstream consumer, CUstream producer) {
  if (consumer == producer) return;
  make_current();
  // One event serves every wait: cuStreamWaitEvent waits for the event's state when it is
  // called, so recording it again afterwards does not disturb an earlier wait.
  std::lock_guard<std::mutex> lock(sync_mutex_);
  if (!sync_event_)
    check(api_.cuEventCreate(&sync_event_, kEventDisableTiming), EMBER_CALL(cuEventCreate));
  check(api_.cuEventRecord(sync_event_, producer), EMBER_CALL(cuEventRecord));
  check(api_.cuStreamWaitEvent(consumer, sync_event_, 0), EMBER_CALL(cuStreamWaitEvent));
}

CUevent CudaDriver::event_create(unsigned flags) {
  make_current();
  CUevent e = nullptr;
  check(api_.cuEventCreate(&e, flags), EMBER_CALL(cuEventCreate));
  return e;
}

void CudaDriver::event_destroy(CUevent e) {
  make_current();
  check(api_.cuEventDestroy_v2(e), EMBER_CALL(cuEventDestroy_v2));
}

void CudaDriver::event_record(CUevent e, CUstream s) {
  make_current();
  check(api_.cuEventRecord(e, s), EMBER_CALL(cuEventRecord));
}

void CudaDriver::event_synchronize(CUevent e) {
  make_current();
  check(api_.cuEventSynchronize(e), EMBER_CALL(cuEventSynchronize));
}

bool CudaDriver::event_query(CUevent e) {
  make_current();
  CUresult r = api_.cuEventQuery(e);
  if (r == kCudaErrorNotReady) return false;
  check(r, EMBER_CALL(cuEventQuery));
  return true;
}

float CudaDriver::event_elapsed_ms(CUevent start, CUevent end) {
  make_current();
  float ms = 0;
  check(api_.cuEventElapsedTime(&ms, start, end), EMBER_CALL(cuEventElapsedTime));
  return ms;
}

void CudaDriver::stream_wait_event(CUstream s, CUevent e) {
  make_current();
  check(api_.cuStreamWaitEvent(s, e, 0), EMBER_CALL(cuStreamWaitEvent));
}

// ---- modules and launches -----------------------------------------------------------------------

CUmodule CudaDriver::module_load(const std::string &image, std::string *info_log) {
  if (vendor_ == Vendor::Cuda) return module_load_ptx(image, info_log);
  make_current();
  // A code object needs no JIT: hipModuleLoadDataEx without options is hipModuleLoadData.
  CUmodule m = nullptr;
  CUresult r = api_.cuModuleLoadDataEx(&m, image.data(), 0, nullptr, nullptr);
  if (info_log) info_log->clear();
  if (r != kCudaSuccess)
    fail(r, call_name(EMBER_CALL(cuModuleLoadDataEx)),
         " (a code object of " + std::to_string(image.size()) + " bytes)");
  return m;
}

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
    fail(r, EMBER_CALL(cuModuleLoadDataEx), log.empty() ? "" : "\nPTX JIT log:\n" + log);
  }
  return m;
}

void CudaDriver::module_unload(CUmodule m) {
  make_current();
  check(api_.cuModuleUnload(m), EMBER_CALL(cuModuleUnload));
}

CUfunction CudaDriver::module_function(CUmodule m, const std::string &name) {
  make_current();
  CUfunction f = nullptr;
  CUresult r = api_.cuModuleGetFunction(&f, m, name.c_str());
  if (r != kCudaSuccess) fail(r, EMBER_CALL(cuModuleGetFunction), " (kernel '" + name + "')");
  return f;
}

std::pair<CUdeviceptr, size_t> CudaDriver::module_global(CUmodule m, const std::string &name) {
  make_current();
  CUdeviceptr p = 0;
  size_t bytes = 0;
  CUresult r = api_.cuModuleGetGlobal_v2(&p, &bytes, m, name.c_str());
  if (r == kCudaErrorNotFound) return {0, 0};
  if (r != kCudaSuccess) fail(r, EMBER_CALL(cuModuleGetGlobal_v2), " (global '" + name + "')");
  return {p, bytes};
}

int CudaDriver::function_attribute(CUfunction f, FuncAttr attr) {
  int v = 0;
  check(api_.cuFuncGetAttribute(&v, static_cast<int>(attr), f), EMBER_CALL(cuFuncGetAttribute));
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
  // LAUNCH_PARAM_BUFFER_POINTER (1), LAUNCH_PARAM_BUFFER_SIZE (2), LAUNCH_PARAM_END
  void *extra[] = {reinterpret_cast<void *>(uintptr_t{1}), const_cast<void *>(buffer),
                   reinterpret_cast<void *>(uintptr_t{2}), &bytes, launch_param_end(vendor_)};
  check(api_.cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, shared_bytes,
                            stream, nullptr, extra),
        EMBER_CALL(cuLaunchKernel));
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
