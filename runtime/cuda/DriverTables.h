/** \file DriverTables.h
 * What differs between the two driver libraries CudaDriver opens (CudaApi.h's Vendor): the
 * exported name behind each slot of the DriverApi table, the numbering of device attributes,
 * the default library names, the launch `extra` terminator and the words used in messages.
 * Everything else (memory, copies, streams, events, modules, launches, the device array, the
 * launcher) is one implementation over the table.
 */
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/cuda/CudaApi.h"

namespace ember::cuda {

/// One DriverApi slot: its offset in the table and the names that fill it, the first that the
/// library exports winning (cuEventElapsedTime_v2 exists from CUDA 12.8 on).
struct DriverSymbol {
  size_t offset;
  const char *names[2];
  bool required;
};

/// The slots `vendor`'s library fills; slots not listed stay null.
const std::vector<DriverSymbol> &driver_symbols(Vendor vendor);

/// The value of a device attribute in `vendor`'s enum (cuDeviceGetAttribute's
/// CUdevice_attribute, hipDeviceGetAttribute's hipDeviceAttribute_t, numbered as in ROCm 5.0
/// and later).
int device_attribute_code(Vendor vendor, DeviceAttr attr);

/// The library names tried in order when none is given.
const std::vector<const char *> &default_libraries(Vendor vendor);

/// The environment variable naming another library: EMBER_CUDA_DRIVER, EMBER_HIP_LIBRARY.
const char *library_variable(Vendor vendor);

/// CU_LAUNCH_PARAM_END (0) / HIP_LAUNCH_PARAM_END (3): ends the `extra` array of a launch with
/// a packed parameter buffer (the buffer and size markers, 1 and 2, are the same).
inline void *launch_param_end(Vendor vendor) {
  return reinterpret_cast<void *>(uintptr_t{vendor == Vendor::Hip ? 3u : 0u});
}

/// "CUDA" or "HIP", for messages.
inline const char *vendor_name(Vendor vendor) { return vendor == Vendor::Hip ? "HIP" : "CUDA"; }

}  // namespace ember::cuda
