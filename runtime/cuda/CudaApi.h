/** \file CudaApi.h
 * The slice of the CUDA driver API that ember calls, declared by ember itself: ember never
 * includes cuda.h or links libcuda (the driver is opened with dlopen at run time, CudaDriver.h),
 * so the handle types, the enum values and the signatures live here.  The table is also the
 * shape of AMD's HIP runtime (libamdhip64): HIP's module API mirrors the driver API call for
 * call with the same C signatures, so DriverTables.cpp fills the same table from either library
 * (Vendor), and one CudaDriver, one device array and one launcher serve both.  Every value was
 * checked against CUDA 13.0's cuda.h, and tests/python/test_cuda_host.py checks them again against
 * the installed toolkit's header whenever one is present.  The names of the function pointer
 * members are the symbols the driver library exports (cuda.h's macros map cuMemAlloc to
 * cuMemAlloc_v2 and so on; the table resolves the real names).
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::cuda {

/// Whose driver library a CudaDriver opened.
enum class Vendor : uint8_t {
  Cuda,  ///< libcuda.so.1, the NVIDIA driver API
  Hip,   ///< libamdhip64.so, AMD's HIP runtime (ROCm 5 or later)
};

// ---- handles (opaque in the driver too)
// ----------------------------------------------------------

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = uint64_t;  // 64-bit processes only
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;
using CUevent = CUevent_st *;

// ---- enum values --------------------------------------------------------------------------------

/// CUresult values ember names itself (the full table of names is CudaErrors.cpp's).
enum CudaStatus : int {
  kCudaSuccess = 0,
  kCudaErrorInvalidValue = 1,
  kCudaErrorOutOfMemory = 2,
  kCudaErrorNotInitialized = 3,
  kCudaErrorStubLibrary = 34,
  kCudaErrorNoDevice = 100,
  kCudaErrorInvalidDevice = 101,
  kCudaErrorNotFound = 500,
  kCudaErrorNotReady = 600,
};

/// CUdevice_attribute.
enum class DeviceAttr : int {
  MaxThreadsPerBlock = 1,
  MaxBlockDimX = 2,
  MaxBlockDimY = 3,
  MaxBlockDimZ = 4,
  MaxGridDimX = 5,
  MaxGridDimY = 6,
  MaxGridDimZ = 7,
  MaxSharedMemoryPerBlock = 8,
  WarpSize = 10,
  MultiprocessorCount = 16,
  MemoryClockRate = 36,       // kHz
  GlobalMemoryBusWidth = 37,  // bits
  L2CacheSize = 38,
  UnifiedAddressing = 41,
  ComputeCapabilityMajor = 75,
  ComputeCapabilityMinor = 76,
  MaxSharedMemoryPerBlockOptin = 97,
};

/// CUfunction_attribute.
enum class FuncAttr : int {
  MaxThreadsPerBlock = 0,
  SharedSizeBytes = 1,
  ConstSizeBytes = 2,
  LocalSizeBytes = 3,
  NumRegs = 4,
  PtxVersion = 5,
  BinaryVersion = 6,
  MaxDynamicSharedSizeBytes = 8,
};

/// CUjit_option: the ones cuModuleLoadDataEx gets.
enum JitOption : int {
  kJitInfoLogBuffer = 3,
  kJitInfoLogBufferSizeBytes = 4,
  kJitErrorLogBuffer = 5,
  kJitErrorLogBufferSizeBytes = 6,
  kJitLogVerbose = 12,
};

/// Flags.
constexpr unsigned kStreamDefault = 0x0;
constexpr unsigned kStreamNonBlocking = 0x1;
constexpr unsigned kEventDefault = 0x0;
constexpr unsigned kEventDisableTiming = 0x2;
constexpr unsigned kMemHostRegisterPortable = 0x1;
constexpr unsigned kMemHostRegisterDeviceMap = 0x2;
/// The special stream handles of the __cuda_array_interface__ and DLPack protocols.
constexpr uintptr_t kStreamLegacy = 0x1;
constexpr uintptr_t kStreamPerThread = 0x2;

// ---- the functions ------------------------------------------------------------------------------

/// One member per driver function, named as the library exports it.  Optional entries (absent
/// from older drivers) may be null; CudaDriver checks before calling them.
struct DriverApi {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDriverGetVersion)(int *version);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetName)(char *name, int len, CUdevice device);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDeviceTotalMem_v2)(size_t *bytes, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *ctx, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease_v2)(CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext ctx);
  CUresult (*cuCtxGetCurrent)(CUcontext *ctx);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuMemGetInfo_v2)(size_t *free_bytes, size_t *total_bytes);
  CUresult (*cuMemAlloc_v2)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*cuMemFree_v2)(CUdeviceptr ptr);
  CUresult (*cuMemAllocHost_v2)(void **ptr, size_t bytes);
  CUresult (*cuMemFreeHost)(void *ptr);
  CUresult (*cuMemHostRegister_v2)(void *ptr, size_t bytes, unsigned flags);
  CUresult (*cuMemHostUnregister)(void *ptr);
  CUresult (*cuMemcpyHtoD_v2)(CUdeviceptr dst, const void *src, size_t bytes);
  CUresult (*cuMemcpyDtoH_v2)(void *dst, CUdeviceptr src, size_t bytes);
  CUresult (*cuMemcpyDtoD_v2)(CUdeviceptr dst, CUdeviceptr src, size_t bytes);
  CUresult (*cuMemcpyHtoDAsync_v2)(CUdeviceptr dst, const void *src, size_t bytes, CUstream s);
  CUresult (*cuMemcpyDtoHAsync_v2)(void *dst, CUdeviceptr src, size_t bytes, CUstream s);
  CUresult (*cuMemcpyDtoDAsync_v2)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s);
  CUresult (*cuMemsetD8_v2)(CUdeviceptr dst, unsigned char value, size_t count);
  CUresult (*cuMemsetD8Async)(CUdeviceptr dst, unsigned char value, size_t count, CUstream s);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags);
  CUresult (*cuStreamDestroy_v2)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamQuery)(CUstream stream);
  CUresult (*cuStreamWaitEvent)(CUstream stream, CUevent event, unsigned flags);
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags);
  CUresult (*cuEventDestroy_v2)(CUevent event);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuEventQuery)(CUevent event);
  CUresult (*cuEventSynchronize)(CUevent event);
  /// cuEventElapsedTime_v2 where the driver has it (CUDA 12.8+), else cuEventElapsedTime:
  /// the same signature.
  CUresult (*cuEventElapsedTime)(float *ms, CUevent start, CUevent end);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image, unsigned num_options,
                                 int *options, void **values);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *fn, CUmodule module, const char *name);
  CUresult (*cuModuleGetGlobal_v2)(CUdeviceptr *ptr, size_t *bytes, CUmodule module,
                                   const char *name);
  CUresult (*cuFuncGetAttribute)(int *value, int attribute, CUfunction fn);
  CUresult (*cuLaunchKernel)(CUfunction fn, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                             unsigned block_x, unsigned block_y, unsigned block_z,
                             unsigned shared_bytes, CUstream stream, void **params, void **extra);
  /// Optional (CUDA 12.4+): a kernel parameter's offset and size, used to check a launcher's
  /// layout against the kernel once when it is made.
  CUresult (*cuFuncGetParamInfo)(CUfunction fn, size_t index, size_t *offset, size_t *size);

  // HIP only (null for CUDA): the calls whose HIP signature differs from the driver API's.
  // HIP has no current-context API worth using (hipCtx* is deprecated): a thread's current
  // device is the context.
  const char *(*hipGetErrorName)(CUresult error);
  const char *(*hipGetErrorString)(CUresult error);
  CUresult (*hipSetDevice)(int device);
  CUresult (*hipGetDevice)(int *device);
  CUresult (*hipHostMalloc)(void **ptr, size_t bytes, unsigned flags);
};

}  // namespace ember::cuda
