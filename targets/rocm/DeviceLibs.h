/** \file DeviceLibs.h
 * AMD's device libraries (rocm-device-libs): ocml.bc, the math functions RocmTarget::math
 * calls, and ockl.bc, the kernel helpers its barrier reductions and grid queries call.  Nothing
 * links against ROCm: the files are found at run time, read once per process, and linked into
 * each module that calls them, lazily (only the functions used are materialized).
 *
 * The libraries read their configuration from the oclc_* control constants (__oclc_ISA_version,
 * __oclc_wavefrontsize64, __oclc_ABI_version, __oclc_daz_opt, __oclc_finite_only_opt,
 * __oclc_unsafe_math_opt, __oclc_correctly_rounded_sqrt32), which ROCm ships as one tiny bitcode
 * file per value.  ember defines them itself from the compile's options, exactly as those files
 * do (linkonce_odr protected constants in address space 4): it saves seven file reads and links
 * per compile, and covers the architectures for which Debian's 5.2.3 libraries have no
 * oclc_isa_version file (gfx941, gfx942, gfx1100: research/toolchain.md §5).
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

struct RocmOptions;

/// The ROCm device libraries are missing or unreadable: not the user's program.
class RocmToolchainError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DeviceLibs {
 public:
  DeviceLibs();
  ~DeviceLibs();

  /// The folder holding ocml.bc and ockl.bc: $EMBER_ROCM_DEVICE_LIBS when set (and nothing
  /// else then); otherwise the first of amdgcn/bitcode under $ROCM_PATH, /opt/rocm, and
  /// Debian's /usr/lib/x86_64-linux-gnu/amdgcn/bitcode and /usr/lib/amdgcn/bitcode.  Empty
  /// when none has ocml.bc; `searched` receives the folders tried.
  static std::string locate(std::vector<std::string> *searched = nullptr);

  /// Defines the oclc control constants for these options in m (before the libraries link).
  static void define_controls(llvm::Module &m, const RocmOptions &options);

  /// Whether m declares a function of ocml (__ocml_*) or ockl (__ockl_*).
  static bool needed_by(const llvm::Module &m);
  /// Links the ocml and ockl functions m calls into m (and what they call), and drops the
  /// libraries' OpenCL version metadata; their definitions stay as the libraries give them
  /// until the caller internalizes.  Throws RocmToolchainError
  /// when the libraries cannot be found, read or linked.
  void link_into(llvm::Module &m);

  /// The folder used (after the first link_into).
  const std::string &folder() const { return folder_; }

 private:
  const llvm::MemoryBuffer &library(const char *file, std::unique_ptr<llvm::MemoryBuffer> &slot);

  std::string folder_;
  std::unique_ptr<llvm::MemoryBuffer> ocml_, ockl_;
};

}  // namespace ember
