// In-process lld for AMDGPU code objects (HsacoLinker.h).
#include "targets/rocm/HsacoLinker.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include "targets/LldDriver.h"

namespace ember {

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

}  // namespace

std::string link_hsaco(const std::string &object) {
  TempFile in("ember-kernel", "o"), out("ember-kernel", "hsaco");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in.path, ec);
    if (ec) throw HsacoLinkError("cannot write " + in.path.str().str() + ": " + ec.message());
    os << object;
  }
  std::string diagnostics;
  if (!run_lld_elf({"-shared", "--no-undefined", in.path.str().str(), "-o", out.path.str().str()},
                   diagnostics))
    throw HsacoLinkError("lld could not link the AMDGPU code object: " + diagnostics);
  auto buffer = llvm::MemoryBuffer::getFile(out.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) throw HsacoLinkError("cannot read lld's output: " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

}  // namespace ember
