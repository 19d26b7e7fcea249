// In-process lld for AMDGPU code objects (HsacoLinker.h).
#include "targets/rocm/HsacoLinker.h"

#include <mutex>

#include <lld/Common/Driver.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

LLD_HAS_DRIVER(elf)

namespace ember {

void lld_target_stubs_anchor();  // LldTargets.cpp

namespace {

/// A temporary file removed when it goes out of scope.
struct TempFile {
  llvm::SmallString<128> path;
  TempFile(const char *prefix, const char *suffix) {
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(prefix, suffix, path))
      throw HsacoLinkError("cannot create a temporary file: " + ec.message());
  }
  ~TempFile() { llvm::sys::fs::remove(path); }
};

std::mutex &lld_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::string link_hsaco(const std::string &object) {
  lld_target_stubs_anchor();
  TempFile in("ember-kernel", "o"), out("ember-kernel", "hsaco");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in.path, ec);
    if (ec) throw HsacoLinkError("cannot write " + in.path.str().str() + ": " + ec.message());
    os << object;
  }
  std::string diagnostics;
  llvm::raw_string_ostream errs(diagnostics);
  std::string ignored;
  llvm::raw_string_ostream outs(ignored);
  const char *args[] = {"ld.lld",        "-shared", "--no-undefined",
                        in.path.c_str(), "-o",      out.path.c_str()};
  lld::Result result{};
  {
    std::lock_guard<std::mutex> lock(lld_mutex());
    // After a crash lld's global state is undefined: it says so, and is not called again.
    static bool usable = true;
    if (!usable) throw HsacoLinkError("lld failed earlier in this process and cannot run again");
    result = lld::lldMain(args, outs, errs, {{lld::Gnu, &lld::elf::link}});
    usable = result.canRunAgain;
  }
  if (result.retCode != 0)
    throw HsacoLinkError("lld could not link the AMDGPU code object: " + errs.str());
  auto buffer = llvm::MemoryBuffer::getFile(out.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) throw HsacoLinkError("cannot read lld's output: " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

}  // namespace ember
