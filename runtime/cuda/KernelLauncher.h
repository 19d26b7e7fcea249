/** \file KernelLauncher.h
 * One kernel, ready to launch: its function handle, its module (kept alive, flagged at each
 * launch for the error-record check) and its parameter layout, computed once.  A launch writes
 * the arguments into stack storage through a ParamWriter and calls cuLaunchKernel: no
 * allocation (below 1 KiB and 128 parameters), no lookup, one cuCtxGetCurrent.
 */
#pragma once

#include <memory>
#include <string>

#include "runtime/cuda/CudaModule.h"
#include "runtime/cuda/KernelParams.h"

namespace ember::cuda {

struct LaunchConfig {
  Dim3 grid, block;
  unsigned shared_bytes = 0;
  CUstream stream = nullptr;
};

/// One launch's parameter storage: on the stack, on the heap only for very large layouts.
class ParamStorage {
 public:
  explicit ParamStorage(const ParamLayout &layout) {
    if (layout.buffer_size() > sizeof small_buffer_) {
      big_buffer_.reset(new uint64_t[(layout.buffer_size() + 7) / 8]);
      buffer = reinterpret_cast<unsigned char *>(big_buffer_.get());
    }
    if (layout.param_count() > kSmallParams) {
      big_params_.reset(new void *[layout.param_count()]);
      params = big_params_.get();
    }
  }
  ParamStorage(const ParamStorage &) = delete;
  ParamStorage &operator=(const ParamStorage &) = delete;

  static constexpr size_t kSmallParams = 128;
  alignas(16) unsigned char small_buffer_[1024];
  void *small_params_[kSmallParams];
  unsigned char *buffer = small_buffer_;
  void **params = small_params_;

 private:
  std::unique_ptr<uint64_t[]> big_buffer_;
  std::unique_ptr<void *[]> big_params_;
};

class KernelLauncher {
 public:
  /// Looks the kernel up and, where the driver can say (CUDA 12.4+), checks that its parameters
  /// have the layout's offsets and sizes: std::invalid_argument naming the first that differs.
  KernelLauncher(std::shared_ptr<CudaModule> module, std::string name, ParamLayout layout);

  const ParamLayout &layout() const { return layout_; }
  CUfunction function() const { return function_; }
  const std::string &name() const { return name_; }
  const std::shared_ptr<CudaModule> &module() const { return module_; }
  /// Whether the layout was checked against the driver's own parameter info.
  bool layout_checked() const { return layout_checked_; }

  /// Writes the arguments with fill(ParamWriter &) (an exception from it launches nothing),
  /// then launches.
  template <class Fill>
  void launch(const LaunchConfig &config, Fill &&fill) {
    ParamStorage storage(layout_);
    ParamWriter writer(layout_, storage.buffer, storage.params);
    fill(writer);
    launch_params(config, storage.params);
  }

  /// Launches with params already written (ParamWriter over the layout).
  void launch_params(const LaunchConfig &config, void **params) {
    CudaDriver &d = module_->driver();
    d.make_current();
    module_->mark_launched();
    d.launch(function_, config.grid, config.block, config.shared_bytes, config.stream, params);
  }

  /// Launches with a buffer packed as the layout says (buffer_size() bytes).
  void launch_packed(const LaunchConfig &config, const void *buffer, size_t bytes);

 private:
  std::shared_ptr<CudaModule> module_;
  std::string name_;
  ParamLayout layout_;
  CUfunction function_ = nullptr;
  bool layout_checked_ = false;
};

}  // namespace ember::cuda
