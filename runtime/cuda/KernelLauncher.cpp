// KernelLauncher: looking a kernel up and checking its layout against the driver's view.
#include "runtime/cuda/KernelLauncher.h"

#include <stdexcept>

namespace ember::cuda {

KernelLauncher::KernelLauncher(std::shared_ptr<CudaModule> module, std::string name,
                               ParamLayout layout)
    : module_(std::move(module)), name_(std::move(name)), layout_(std::move(layout)) {
  function_ = module_->function(name_);
  bool known = false;
  auto params = module_->driver().function_params(function_, &known);
  if (!known) return;
  const auto &slots = layout_.slots();
  std::string where = "kernel '" + name_ + "' with arguments " + layout_.describe();
  if (params.size() != slots.size())
    throw std::invalid_argument(where + ": the kernel has " + std::to_string(params.size()) +
                                " parameters, the layout " + std::to_string(slots.size()));
  for (size_t i = 0; i < slots.size(); ++i)
    if (params[i].first != slots[i].offset || params[i].second != slots[i].size)
      throw std::invalid_argument(where + ": parameter " + std::to_string(i) + " is " +
                                  std::to_string(params[i].second) + " bytes at offset " +
                                  std::to_string(params[i].first) + " in the kernel, " +
                                  std::to_string(slots[i].size) + " bytes at offset " +
                                  std::to_string(slots[i].offset) + " in the layout");
  layout_checked_ = true;
}

void KernelLauncher::launch_packed(const LaunchConfig &config, const void *buffer, size_t bytes) {
  if (bytes != layout_.buffer_size())
    throw std::invalid_argument("kernel '" + name_ + "': a parameter buffer of " +
                                std::to_string(bytes) + " bytes, the layout " + layout_.describe() +
                                " takes " + std::to_string(layout_.buffer_size()));
  CudaDriver &d = module_->driver();
  d.make_current();
  module_->mark_launched();
  d.launch_packed(function_, config.grid, config.block, config.shared_bytes, config.stream, buffer,
                  bytes);
}

}  // namespace ember::cuda
