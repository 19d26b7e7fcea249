/** \file Libdevice.h
 * NVIDIA's libdevice (libdevice.10.bc, in the CUDA toolkit's nvvm/libdevice/): the bitcode
 * library of __nv_* math functions that CudaTarget::math calls.  Nothing links against the
 * toolkit: the file is found at run time, read once per process, and linked into each module
 * that calls it, lazily (only the functions the module uses are materialized: about 4 ms,
 * against 50-80 ms for parsing all 567 functions; research/toolchain.md §4).  A module that
 * calls no math needs no libdevice, so such kernels compile on machines without the toolkit.
 */
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
class Module;
}  // namespace llvm

namespace ember {

/// The CUDA toolkit is missing something ember needs (libdevice): not the user's program.
class CudaToolkitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Libdevice {
 public:
  Libdevice();
  ~Libdevice();

  /// Where libdevice.10.bc is: $EMBER_LIBDEVICE (the file itself) when set, and nothing else
  /// then; otherwise the first of nvvm/libdevice/libdevice.10.bc under $CUDA_HOME, $CUDA_PATH, the
  /// toolkit of the `nvcc` on PATH (its bin/..), /usr/local/cuda, /usr/lib/cuda, and Debian's
  /// /usr/lib/nvidia-cuda-toolkit/libdevice.  Empty when none exists; `searched` receives the
  /// paths tried.
  static std::string locate(std::vector<std::string> *searched = nullptr);

  /// Whether m declares a libdevice function (__nv_*).
  static bool needed_by(const llvm::Module &m);
  /// Links the libdevice functions m calls into m (Linker::LinkOnlyNeeded, from a lazily
  /// materialized module); their definitions stay external until the caller internalizes.
  /// Throws CudaToolkitError when libdevice cannot be found or read.
  void link_into(llvm::Module &m);

  /// The file used (after the first link_into).
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<llvm::MemoryBuffer> file_;
};

}  // namespace ember
