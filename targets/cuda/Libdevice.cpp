#include "targets/cuda/Libdevice.h"

#include <cstdlib>

#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include "ir/Error.h"
#include "targets/gpu/GpuCompile.h"

namespace ember {

Libdevice::Libdevice() = default;
Libdevice::~Libdevice() = default;

namespace {

std::string under_toolkit(const std::string &root) {
  llvm::SmallString<256> p(root);
  llvm::sys::path::append(p, "nvvm", "libdevice", "libdevice.10.bc");
  return std::string(p.str());
}

/// The toolkit root of the first `nvcc` on PATH (the folder above its bin/), or "".
std::string nvcc_toolkit() {
  const char *path = std::getenv("PATH");
  if (!path) return "";
  llvm::SmallVector<llvm::StringRef, 16> dirs;
  llvm::StringRef(path).split(dirs, ':', -1, false);
  for (llvm::StringRef dir : dirs) {
    llvm::SmallString<256> nvcc(dir);
    llvm::sys::path::append(nvcc, "nvcc");
    if (!llvm::sys::fs::can_execute(nvcc)) continue;
    // /usr/bin/nvcc is often a link into the toolkit: follow it.
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(nvcc, real)) real = nvcc;
    return std::string(llvm::sys::path::parent_path(llvm::sys::path::parent_path(real)));
  }
  return "";
}

}  // namespace

std::string Libdevice::locate(std::vector<std::string> *searched) {
  std::vector<std::string> candidates;
  // An explicit file is the only one looked at: a wrong setting fails rather than being
  // silently replaced by another toolkit's library.
  if (const char *file = std::getenv("EMBER_LIBDEVICE"); file && *file) {
    candidates.push_back(file);
  } else {
    for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
      if (const char *root = std::getenv(var); root && *root)
        candidates.push_back(under_toolkit(root));
    std::string nvcc = nvcc_toolkit();
    if (!nvcc.empty()) candidates.push_back(under_toolkit(nvcc));
    candidates.push_back(under_toolkit("/usr/local/cuda"));
    candidates.push_back(under_toolkit("/usr/lib/cuda"));
    candidates.push_back("/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc");
  }
  for (const std::string &c : candidates) {
    if (searched) searched->push_back(c);
    if (llvm::sys::fs::is_regular_file(c)) return c;
  }
  return "";
}

bool Libdevice::needed_by(const llvm::Module &m) {
  for (const llvm::Function &f : m)
    if (f.isDeclaration() && f.getName().starts_with("__nv_")) return true;
  return false;
}

void Libdevice::link_into(llvm::Module &m) {
  if (!file_) {
    std::vector<std::string> searched;
    path_ = locate(&searched);
    if (path_.empty()) {
      std::string where;
      for (const std::string &s : searched) where += "\n  " + s;
      throw CudaToolkitError(
          "libdevice.10.bc, the CUDA toolkit's math library that kernels calling math functions "
          "need, was not found; looked at:" +
          where +
          "\ninstall the CUDA toolkit, or set CUDA_HOME to it or EMBER_LIBDEVICE to the file");
    }
    auto buffer = llvm::MemoryBuffer::getFile(path_);
    if (!buffer)
      throw CudaToolkitError("cannot read " + path_ + ": " + buffer.getError().message());
    file_ = std::move(*buffer);
  }
  std::string error;
  if (!gpu::link_lazily(m, *file_, &error))
    throw CudaToolkitError(path_ + " cannot be linked: " + error);
}

}  // namespace ember
