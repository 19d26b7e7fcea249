// In-process lld (LldDriver.h).
#include "targets/LldDriver.h"

#include <mutex>

#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>

LLD_HAS_DRIVER(elf)

namespace ember {

void lld_target_stubs_anchor();  // rocm/LldTargets.cpp

bool run_lld_elf(const std::vector<std::string> &args, std::string &diagnostics) {
  lld_target_stubs_anchor();
  std::vector<const char *> argv = {"ld.lld"};
  for (const std::string &a : args) argv.push_back(a.c_str());
  std::string ignored;
  llvm::raw_string_ostream outs(ignored), errs(diagnostics);
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  static bool usable = true;
  if (!usable) {
    diagnostics = "lld failed earlier in this process and cannot run again";
    return false;
  }
  lld::Result result = lld::lldMain(argv, outs, errs, {{lld::Gnu, &lld::elf::link}});
  usable = result.canRunAgain;
  errs.flush();
  return result.retCode == 0;
}

}  // namespace ember
