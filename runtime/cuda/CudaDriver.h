/** \file CudaDriver.h
 * The GPU driver, opened with dlopen at first use: the CUDA driver (libcuda.so.1) or AMD's HIP
 * runtime (libamdhip64.so, Vendor::Hip), whose module API has the driver API's calls and
 * signatures (DriverTables.h says what differs).  Nothing in ember links against either, so
 * ember imports and runs on machines without a GPU, and the host layer reports why it cannot
 * run instead of failing to load.  EMBER_CUDA_DRIVER=path / EMBER_HIP_LIBRARY=path open another
 * library (the tests use the CUDA toolkit's stub and the host-memory mocks of tests/).
 *
 * CudaDriver owns the function table (CudaApi.h), the primary context of the selected device
 * (retained once under a mutex, made current on each calling thread when it is not), and thin
 * wrappers over memory, copies, streams, events, modules and launches.  Every failing driver
 * call throws CudaError naming the call (CudaErrors.h).  The process has one driver,
 * CudaDriver::process(); tests make their own from a path.  Handles are raw driver handles: the
 * Python binding gives them owners.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/cuda/CudaApi.h"
#include "runtime/cuda/CudaErrors.h"
#include "runtime/cuda/DriverTables.h"

namespace ember::cuda {

/// What cuDeviceGetAttribute and friends say about one device.
struct DeviceInfo {
  int id = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  size_t total_memory = 0;
  int warp_size = 0;
  int multiprocessor_count = 0;
  int max_threads_per_block = 0;
  int max_block_dim[3] = {0, 0, 0};
  int max_grid_dim[3] = {0, 0, 0};
  int max_shared_memory_per_block = 0;
  int max_shared_memory_per_block_optin = 0;
  int memory_clock_khz = 0;
  int memory_bus_width_bits = 0;
  int l2_cache_bytes = 0;
  /// Peak DRAM bandwidth in GB/s from the memory clock and bus width (double data rate):
  /// 2 * clock * width / 8.  0 when the driver does not report them.
  double peak_bandwidth_gbs() const;
};

/// detect()'s answer; never throws.
struct DriverReport {
  bool available = false;
  std::string library;  ///< the path dlopen was given
  std::string reason;   ///< why not, when !available
  int version = 0;      ///< cuDriverGetVersion: 1000 * major + 10 * minor
  std::vector<DeviceInfo> devices;
};

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

/// The device error record compiled kernels fill (first failing thread wins): status 0 = none.
struct KernelErrorRecord {
  int32_t status = 0, exc = 0, line = 0, msg_id = 0;
};

/// A DriverApi slot, named in error messages by the symbol the library resolved for it.
struct CallSlot {
  size_t offset;
};
#define EMBER_CALL(member) \
  ::ember::cuda::CallSlot { offsetof(::ember::cuda::DriverApi, member) }

class CudaDriver {
 public:
  /// The default library name of CUDA: the driver's soname (DriverTables.cpp's list).
  static constexpr const char *kDefaultLibrary = "libcuda.so.1";

  /// The process's driver of a vendor: $EMBER_CUDA_DRIVER or libcuda.so.1; $EMBER_HIP_LIBRARY
  /// or libamdhip64.so.{7,6,5}.  Never destroyed (contexts and memory may outlive every static
  /// destructor).
  static const std::shared_ptr<CudaDriver> &process(Vendor vendor = Vendor::Cuda);

  /// A driver over a given library ("" for the vendor's default names).  Nothing is opened
  /// until first use.
  explicit CudaDriver(std::string library, Vendor vendor = Vendor::Cuda);
  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  // ---- opening -------------------------------------------------------------------------------
  /// Every symbol name the table resolves, with whether the driver must export it.
  static std::vector<std::pair<std::string, bool>> exported_names(Vendor vendor = Vendor::Cuda);
  Vendor vendor() const { return vendor_; }
  /// Opens the library and calls cuInit once; false with the reason when either fails.
  bool available(std::string *reason = nullptr);
  /// The library opened (or to be opened; "" before the default names are tried).
  const std::string &library() const { return library_; }
  /// The table; throws CudaUnavailable or CudaError (cuInit's) when the driver cannot be used.
  const DriverApi &api();
  DriverReport detect();
  int version();
  int device_count();
  DeviceInfo device_info(int id);

  // ---- errors ----------------------------------------------------------------------------------
  /// The driver's name for a code (cuGetErrorName), else the fallback table's, else "".
  std::string error_name(CUresult code);
  std::string error_text(CUresult code);
  /// Throws CudaError for a failing result.
  void check(CUresult r, const char *call) {
    if (r != kCudaSuccess) fail(r, call);
  }
  void check(CUresult r, CallSlot call) {
    if (r != kCudaSuccess) fail(r, call);
  }
  [[noreturn]] void fail(CUresult r, CallSlot call, const std::string &detail = "") {
    fail(r, call_name(call), detail);
  }
  /// The exported name behind a slot ("cuMemAlloc_v2", "hipMalloc").
  const char *call_name(CallSlot call) const;
  [[noreturn]] void fail(CUresult r, const char *call, const std::string &detail = "");

  // ---- context ---------------------------------------------------------------------------------
  /// Retains device `id`'s primary context (once) and makes it this thread's current one; later
  /// calls on any thread use it.  Selecting another device switches (the old one stays retained).
  void select(int id);
  /// The selected device, or -1.
  int selected() const { return selected_.load(std::memory_order_acquire); }
  /// Makes the selected context current on this thread (selecting device 0 when none is):
  /// one cuCtxGetCurrent when it already is.
  void make_current();
  void synchronize();
  std::pair<size_t, size_t> memory_info();  ///< (free, total) bytes

  // ---- memory ----------------------------------------------------------------------------------
  CUdeviceptr alloc(size_t bytes);
  void free(CUdeviceptr ptr);
  void *alloc_host(size_t bytes);  ///< page-locked host memory
  void free_host(void *ptr);
  void register_host(void *ptr, size_t bytes, unsigned flags = kMemHostRegisterPortable);
  void unregister_host(void *ptr);
  /// Copies; `stream` null means the legacy default stream and a synchronous copy.
  void copy_htod(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream = nullptr);
  void copy_dtoh(void *dst, CUdeviceptr src, size_t bytes, CUstream stream = nullptr);
  void copy_dtod(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream = nullptr);
  void memset8(CUdeviceptr dst, uint8_t value, size_t bytes, CUstream stream = nullptr);

  // ---- streams and events ----------------------------------------------------------------------
  CUstream stream_create(unsigned flags = kStreamDefault);
  void stream_destroy(CUstream s);
  void stream_synchronize(CUstream s);
  bool stream_query(CUstream s);  ///< true when all its work is done
  /// Makes `consumer`'s later work wait for `producer`'s work so far (an event between them),
  /// without blocking the host.  Nothing when they are the same stream.
  void stream_wait_stream(CUstream consumer, CUstream producer);
  CUevent event_create(unsigned flags = kEventDefault);
  void event_destroy(CUevent e);
  void event_record(CUevent e, CUstream s = nullptr);
  void event_synchronize(CUevent e);
  bool event_query(CUevent e);  ///< true when recorded work is done
  float event_elapsed_ms(CUevent start, CUevent end);
  void stream_wait_event(CUstream s, CUevent e);

  // ---- modules and launches --------------------------------------------------------------------
  /// JIT-compiles PTX text (the driver's compiler) into a module of the current context.  The
  /// JIT's info log goes to *info_log; a failure's error log is part of the CudaError's message.
  CUmodule module_load_ptx(const std::string &ptx, std::string *info_log = nullptr);
  /// The vendor's module image: PTX text for CUDA (module_load_ptx), an AMDGPU code object
  /// (HSACO bytes) for HIP.
  CUmodule module_load(const std::string &image, std::string *info_log = nullptr);
  void module_unload(CUmodule m);
  CUfunction module_function(CUmodule m, const std::string &name);
  /// A module global's address and size; {0, 0} when the module has none of that name.
  std::pair<CUdeviceptr, size_t> module_global(CUmodule m, const std::string &name);
  int function_attribute(CUfunction f, FuncAttr attr);
  /// The kernel's parameters as (offset, size) when the driver can say (cuFuncGetParamInfo,
  /// CUDA 12.4+); `*known` is false on older drivers.
  std::vector<std::pair<size_t, size_t>> function_params(CUfunction f, bool *known);
  /// cuLaunchKernel with kernelParams; the context must be current (make_current()).
  void launch(CUfunction f, Dim3 grid, Dim3 block, unsigned shared_bytes, CUstream stream,
              void **params) {
    if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z) bad_dims(grid, block);
    check(api_.cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, shared_bytes,
                              stream, params, nullptr),
          EMBER_CALL(cuLaunchKernel));
  }
  /// cuLaunchKernel with a packed parameter buffer (CU_LAUNCH_PARAM_BUFFER_POINTER).
  void launch_packed(CUfunction f, Dim3 grid, Dim3 block, unsigned shared_bytes, CUstream stream,
                     const void *buffer, size_t bytes);

  /// Reads and (when set) clears a kernel error record at `record` (16 bytes of device memory).
  KernelErrorRecord read_error_record(CUdeviceptr record);
  void reset_error_record(CUdeviceptr record);

 private:
  void open();  // under mutex_
  [[noreturn]] void bad_dims(Dim3 grid, Dim3 block);

  std::string library_;
  Vendor vendor_;
  std::map<size_t, const char *> resolved_;  // slot offset -> the name dlsym found
  std::mutex mutex_;                         // opening, selecting, the context table
  bool opened_ = false;
  bool usable_ = false;
  std::string reason_;
  std::exception_ptr open_error_;  // what api() rethrows when the driver is unusable
  void *handle_ = nullptr;
  DriverApi api_{};
  std::map<int, CUcontext> contexts_;  // retained primary contexts
  std::atomic<CUcontext> current_{nullptr};
  std::atomic<int> selected_{-1};
  CUevent sync_event_ = nullptr;  // stream_wait_stream's, made on first use
  std::mutex sync_mutex_;
};

}  // namespace ember::cuda
