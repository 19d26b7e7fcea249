// CudaModule: loading PTX, the registry of loaded modules (for take_launched), and the device
// error record.
#include "runtime/cuda/CudaModule.h"

#include <algorithm>
#include <mutex>

namespace ember::cuda {

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::weak_ptr<CudaModule>> modules;
};

Registry &registry() {
  static auto *r = new Registry();  // never destroyed: modules may die during static teardown
  return *r;
}

}  // namespace

CudaModule::CudaModule(std::shared_ptr<CudaDriver> driver, CUmodule handle, std::string info_log)
    : driver_(std::move(driver)), handle_(handle), info_log_(std::move(info_log)) {}

std::shared_ptr<CudaModule> CudaModule::load(std::shared_ptr<CudaDriver> driver,
                                             const std::string &ptx,
                                             const std::string &error_record) {
  std::string log;
  CUmodule handle = driver->module_load(ptx, &log);
  std::shared_ptr<CudaModule> m(new CudaModule(driver, handle, std::move(log)));
  if (!error_record.empty()) {
    auto [address, bytes] = driver->module_global(handle, error_record);
    if (address && bytes < sizeof(KernelErrorRecord))
      throw CudaFailure("cuModuleGetGlobal_v2", "the kernel error record '" + error_record +
                                                    "' has " + std::to_string(bytes) +
                                                    " bytes, not " +
                                                    std::to_string(sizeof(KernelErrorRecord)));
    m->record_ = address;
  }
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.modules.erase(std::remove_if(r.modules.begin(), r.modules.end(),
                                 [](const std::weak_ptr<CudaModule> &w) { return w.expired(); }),
                  r.modules.end());
  r.modules.push_back(m);
  return m;
}

std::vector<std::shared_ptr<CudaModule>> CudaModule::take_launched(const CudaDriver &driver) {
  std::vector<std::shared_ptr<CudaModule>> out;
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto &w : r.modules)
    if (auto m = w.lock())
      if (&m->driver() == &driver && m->launched_.exchange(false, std::memory_order_relaxed))
        out.push_back(std::move(m));
  return out;
}

CudaModule::~CudaModule() {
  try {
    driver_->module_unload(handle_);
  } catch (const CudaFailure &) {
    // the context or the driver is already gone (interpreter exit): nothing left to free
  }
}

KernelErrorRecord CudaModule::read_error_record() {
  if (!record_) return {};
  return driver_->read_error_record(record_);
}

KernelErrorRecord CudaModule::take_error_record() {
  KernelErrorRecord r = read_error_record();
  if (r.status != 0) reset_error_record();
  return r;
}

void CudaModule::reset_error_record() {
  if (record_) driver_->reset_error_record(record_);
}

}  // namespace ember::cuda
