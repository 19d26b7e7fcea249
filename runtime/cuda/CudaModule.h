/** \file CudaModule.h
 * A module loaded from PTX text (the driver JIT-compiles it for the current device) or, on HIP,
 * from an AMDGPU code object, with its
 * kernels and its device error record: the global `ember_device_error`, four int32 {status,
 * exc, line, msg_id} that a failing kernel thread claims (status 0 = no error).  The host reads
 * it after a synchronization and clears it when it was set, so the next launch starts clean;
 * launches only raise a flag on the module (no device work), which tells take_launched() which
 * modules to read.  Modules are made by CudaModule::load and unloaded when the last owner goes.
 */
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime/cuda/CudaDriver.h"

namespace ember::cuda {

class CudaModule {
 public:
  static constexpr const char *kErrorRecordName =
      "ember_device_error";  // EMBER_DEVICE_ERROR_SYMBOL, ember/abi.h

  /// Loads `ptx` (CUDA: PTX text, JIT-compiled; HIP: HSACO bytes); `error_record` names the error
  /// record global ("" for none).  A module without that global simply has no record.
  static std::shared_ptr<CudaModule> load(std::shared_ptr<CudaDriver> driver,
                                          const std::string &ptx,
                                          const std::string &error_record = kErrorRecordName);
  /// The modules of `driver` launched since the last call (their flags are cleared).
  static std::vector<std::shared_ptr<CudaModule>> take_launched(const CudaDriver &driver);

  ~CudaModule();  // unloads; a failure then is ignored (the process may be exiting)
  CudaModule(const CudaModule &) = delete;
  CudaModule &operator=(const CudaModule &) = delete;

  CUmodule handle() const { return handle_; }
  CudaDriver &driver() const { return *driver_; }
  const std::shared_ptr<CudaDriver> &driver_ptr() const { return driver_; }
  const std::string &info_log() const { return info_log_; }
  CUfunction function(const std::string &name) { return driver_->module_function(handle_, name); }

  bool has_error_record() const { return record_ != 0; }
  CUdeviceptr error_record_address() const { return record_; }
  /// The record as it is now (synchronize first); all zeros without a record.
  KernelErrorRecord read_error_record();
  /// read_error_record(), and clears the record when it was set.
  KernelErrorRecord take_error_record();
  void reset_error_record();

  void mark_launched() { launched_.store(true, std::memory_order_relaxed); }

 private:
  CudaModule(std::shared_ptr<CudaDriver> driver, CUmodule handle, std::string info_log);
  std::shared_ptr<CudaDriver> driver_;
  CUmodule handle_ = nullptr;
  std::string info_log_;
  CUdeviceptr record_ = 0;
  std::atomic<bool> launched_{false};
};

}  // namespace ember::cuda
