// DriverTables: the CUDA driver's and the HIP runtime's exported names for each DriverApi slot,
// and their device attribute numbers.  The HIP names are ROCm 5's and 6's (the module API, whose
// signatures match the driver API's); the attribute numbers are hip_runtime_api.h's from ROCm
// 5.0 on, which later releases keep (retired entries became placeholders).
#include "runtime/cuda/DriverTables.h"

#include <cstdint>

namespace ember::cuda {

namespace {

#define EMBER_SLOT(member) offsetof(DriverApi, member)

const std::vector<DriverSymbol> kCudaSymbols = {
    {EMBER_SLOT(cuInit), {"cuInit"}, true},
    {EMBER_SLOT(cuDriverGetVersion), {"cuDriverGetVersion"}, true},
    {EMBER_SLOT(cuGetErrorName), {"cuGetErrorName"}, true},
    {EMBER_SLOT(cuGetErrorString), {"cuGetErrorString"}, true},
    {EMBER_SLOT(cuDeviceGetCount), {"cuDeviceGetCount"}, true},
    {EMBER_SLOT(cuDeviceGet), {"cuDeviceGet"}, true},
    {EMBER_SLOT(cuDeviceGetName), {"cuDeviceGetName"}, true},
    {EMBER_SLOT(cuDeviceGetAttribute), {"cuDeviceGetAttribute"}, true},
    {EMBER_SLOT(cuDeviceTotalMem_v2), {"cuDeviceTotalMem_v2"}, true},
    {EMBER_SLOT(cuDevicePrimaryCtxRetain), {"cuDevicePrimaryCtxRetain"}, true},
    {EMBER_SLOT(cuDevicePrimaryCtxRelease_v2), {"cuDevicePrimaryCtxRelease_v2"}, true},
    {EMBER_SLOT(cuCtxSetCurrent), {"cuCtxSetCurrent"}, true},
    {EMBER_SLOT(cuCtxGetCurrent), {"cuCtxGetCurrent"}, true},
    {EMBER_SLOT(cuCtxSynchronize), {"cuCtxSynchronize"}, true},
    {EMBER_SLOT(cuMemGetInfo_v2), {"cuMemGetInfo_v2"}, true},
    {EMBER_SLOT(cuMemAlloc_v2), {"cuMemAlloc_v2"}, true},
    {EMBER_SLOT(cuMemFree_v2), {"cuMemFree_v2"}, true},
    {EMBER_SLOT(cuMemAllocHost_v2), {"cuMemAllocHost_v2"}, true},
    {EMBER_SLOT(cuMemFreeHost), {"cuMemFreeHost"}, true},
    {EMBER_SLOT(cuMemHostRegister_v2), {"cuMemHostRegister_v2"}, true},
    {EMBER_SLOT(cuMemHostUnregister), {"cuMemHostUnregister"}, true},
    {EMBER_SLOT(cuMemcpyHtoD_v2), {"cuMemcpyHtoD_v2"}, true},
    {EMBER_SLOT(cuMemcpyDtoH_v2), {"cuMemcpyDtoH_v2"}, true},
    {EMBER_SLOT(cuMemcpyDtoD_v2), {"cuMemcpyDtoD_v2"}, true},
    {EMBER_SLOT(cuMemcpyHtoDAsync_v2), {"cuMemcpyHtoDAsync_v2"}, true},
    {EMBER_SLOT(cuMemcpyDtoHAsync_v2), {"cuMemcpyDtoHAsync_v2"}, true},
    {EMBER_SLOT(cuMemcpyDtoDAsync_v2), {"cuMemcpyDtoDAsync_v2"}, true},
    {EMBER_SLOT(cuMemsetD8_v2), {"cuMemsetD8_v2"}, true},
    {EMBER_SLOT(cuMemsetD8Async), {"cuMemsetD8Async"}, true},
    {EMBER_SLOT(cuStreamCreate), {"cuStreamCreate"}, true},
    {EMBER_SLOT(cuStreamDestroy_v2), {"cuStreamDestroy_v2"}, true},
    {EMBER_SLOT(cuStreamSynchronize), {"cuStreamSynchronize"}, true},
    {EMBER_SLOT(cuStreamQuery), {"cuStreamQuery"}, true},
    {EMBER_SLOT(cuStreamWaitEvent), {"cuStreamWaitEvent"}, true},
    {EMBER_SLOT(cuEventCreate), {"cuEventCreate"}, true},
    {EMBER_SLOT(cuEventDestroy_v2), {"cuEventDestroy_v2"}, true},
    {EMBER_SLOT(cuEventRecord), {"cuEventRecord"}, true},
    {EMBER_SLOT(cuEventQuery), {"cuEventQuery"}, true},
    {EMBER_SLOT(cuEventSynchronize), {"cuEventSynchronize"}, true},
    {EMBER_SLOT(cuEventElapsedTime), {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, true},
    {EMBER_SLOT(cuModuleLoadDataEx), {"cuModuleLoadDataEx"}, true},
    {EMBER_SLOT(cuModuleUnload), {"cuModuleUnload"}, true},
    {EMBER_SLOT(cuModuleGetFunction), {"cuModuleGetFunction"}, true},
    {EMBER_SLOT(cuModuleGetGlobal_v2), {"cuModuleGetGlobal_v2"}, true},
    {EMBER_SLOT(cuFuncGetAttribute), {"cuFuncGetAttribute"}, true},
    {EMBER_SLOT(cuLaunchKernel), {"cuLaunchKernel"}, true},
    {EMBER_SLOT(cuFuncGetParamInfo), {"cuFuncGetParamInfo"}, false},
};

// HIP has no cuGetErrorName-shaped call before ROCm 6 (hipDrvGetErrorName), no parameter info,
// and no current-context call ember uses: those slots stay null and CudaDriver takes the HIP
// slots at the end of the table instead.
const std::vector<DriverSymbol> kHipSymbols = {
    {EMBER_SLOT(cuInit), {"hipInit"}, true},
    {EMBER_SLOT(cuDriverGetVersion), {"hipDriverGetVersion"}, true},
    {EMBER_SLOT(hipGetErrorName), {"hipGetErrorName"}, true},
    {EMBER_SLOT(hipGetErrorString), {"hipGetErrorString"}, true},
    {EMBER_SLOT(cuDeviceGetCount), {"hipGetDeviceCount"}, true},
    {EMBER_SLOT(cuDeviceGet), {"hipDeviceGet"}, true},
    {EMBER_SLOT(cuDeviceGetName), {"hipDeviceGetName"}, true},
    {EMBER_SLOT(cuDeviceGetAttribute), {"hipDeviceGetAttribute"}, true},
    {EMBER_SLOT(cuDeviceTotalMem_v2), {"hipDeviceTotalMem"}, true},
    {EMBER_SLOT(hipSetDevice), {"hipSetDevice"}, true},
    {EMBER_SLOT(hipGetDevice), {"hipGetDevice"}, true},
    {EMBER_SLOT(cuCtxSynchronize), {"hipDeviceSynchronize"}, true},
    {EMBER_SLOT(cuMemGetInfo_v2), {"hipMemGetInfo"}, true},
    {EMBER_SLOT(cuMemAlloc_v2), {"hipMalloc"}, true},
    {EMBER_SLOT(cuMemFree_v2), {"hipFree"}, true},
    {EMBER_SLOT(hipHostMalloc), {"hipHostMalloc"}, true},
    {EMBER_SLOT(cuMemFreeHost), {"hipHostFree"}, true},
    {EMBER_SLOT(cuMemHostRegister_v2), {"hipHostRegister"}, true},
    {EMBER_SLOT(cuMemHostUnregister), {"hipHostUnregister"}, true},
    {EMBER_SLOT(cuMemcpyHtoD_v2), {"hipMemcpyHtoD"}, true},
    {EMBER_SLOT(cuMemcpyDtoH_v2), {"hipMemcpyDtoH"}, true},
    {EMBER_SLOT(cuMemcpyDtoD_v2), {"hipMemcpyDtoD"}, true},
    {EMBER_SLOT(cuMemcpyHtoDAsync_v2), {"hipMemcpyHtoDAsync"}, true},
    {EMBER_SLOT(cuMemcpyDtoHAsync_v2), {"hipMemcpyDtoHAsync"}, true},
    {EMBER_SLOT(cuMemcpyDtoDAsync_v2), {"hipMemcpyDtoDAsync"}, true},
    {EMBER_SLOT(cuMemsetD8_v2), {"hipMemsetD8"}, true},
    {EMBER_SLOT(cuMemsetD8Async), {"hipMemsetD8Async"}, true},
    {EMBER_SLOT(cuStreamCreate), {"hipStreamCreateWithFlags"}, true},
    {EMBER_SLOT(cuStreamDestroy_v2), {"hipStreamDestroy"}, true},
    {EMBER_SLOT(cuStreamSynchronize), {"hipStreamSynchronize"}, true},
    {EMBER_SLOT(cuStreamQuery), {"hipStreamQuery"}, true},
    {EMBER_SLOT(cuStreamWaitEvent), {"hipStreamWaitEvent"}, true},
    {EMBER_SLOT(cuEventCreate), {"hipEventCreateWithFlags"}, true},
    {EMBER_SLOT(cuEventDestroy_v2), {"hipEventDestroy"}, true},
    {EMBER_SLOT(cuEventRecord), {"hipEventRecord"}, true},
    {EMBER_SLOT(cuEventQuery), {"hipEventQuery"}, true},
    {EMBER_SLOT(cuEventSynchronize), {"hipEventSynchronize"}, true},
    {EMBER_SLOT(cuEventElapsedTime), {"hipEventElapsedTime"}, true},
    {EMBER_SLOT(cuModuleLoadDataEx), {"hipModuleLoadDataEx"}, true},
    {EMBER_SLOT(cuModuleUnload), {"hipModuleUnload"}, true},
    {EMBER_SLOT(cuModuleGetFunction), {"hipModuleGetFunction"}, true},
    {EMBER_SLOT(cuModuleGetGlobal_v2), {"hipModuleGetGlobal"}, true},
    {EMBER_SLOT(cuFuncGetAttribute), {"hipFuncGetAttribute"}, true},
    {EMBER_SLOT(cuLaunchKernel), {"hipModuleLaunchKernel"}, true},
};

#undef EMBER_SLOT

}  // namespace

const std::vector<DriverSymbol> &driver_symbols(Vendor vendor) {
  return vendor == Vendor::Hip ? kHipSymbols : kCudaSymbols;
}

int device_attribute_code(Vendor vendor, DeviceAttr attr) {
  if (vendor == Vendor::Cuda) return static_cast<int>(attr);
  switch (attr) {
    case DeviceAttr::MaxThreadsPerBlock: return 56;
    case DeviceAttr::MaxBlockDimX: return 26;
    case DeviceAttr::MaxBlockDimY: return 27;
    case DeviceAttr::MaxBlockDimZ: return 28;
    case DeviceAttr::MaxGridDimX: return 29;
    case DeviceAttr::MaxGridDimY: return 30;
    case DeviceAttr::MaxGridDimZ: return 31;
    case DeviceAttr::MaxSharedMemoryPerBlock: return 74;
    case DeviceAttr::WarpSize: return 87;
    case DeviceAttr::MultiprocessorCount: return 63;
    case DeviceAttr::MemoryClockRate: return 60;
    case DeviceAttr::GlobalMemoryBusWidth: return 59;
    case DeviceAttr::L2CacheSize: return 19;
    case DeviceAttr::UnifiedAddressing: return 85;
    case DeviceAttr::ComputeCapabilityMajor: return 23;
    case DeviceAttr::ComputeCapabilityMinor: return 61;
    case DeviceAttr::MaxSharedMemoryPerBlockOptin: return 75;
  }
  return -1;
}

const std::vector<const char *> &default_libraries(Vendor vendor) {
  // The driver's soname, never "libcuda.so" (the development symlink, which on a machine with
  // only the toolkit is the stub).  HIP's versioned sonames exist without the -dev package.
  static const std::vector<const char *> cuda = {"libcuda.so.1"};
  static const std::vector<const char *> hip = {"libamdhip64.so.7", "libamdhip64.so.6",
                                                "libamdhip64.so.5", "libamdhip64.so"};
  return vendor == Vendor::Hip ? hip : cuda;
}

const char *library_variable(Vendor vendor) {
  return vendor == Vendor::Hip ? "EMBER_HIP_LIBRARY" : "EMBER_CUDA_DRIVER";
}

}  // namespace ember::cuda
