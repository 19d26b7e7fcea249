/** \file HsacoLinker.h
 * Links a relocatable AMDGPU object into a HSA code object (HSACO: a shared ELF the HIP runtime
 * loads with hipModuleLoadData), in process, with lld's ELF driver (liblld, linked statically;
 * research/toolchain.md §5).  lld keeps global state and is not thread-safe: every call is
 * serialized by one process-wide mutex.  lld works on files, so the object and the code object
 * pass through two temporary files, removed before returning.
 */
#pragma once

#include <stdexcept>
#include <string>

namespace ember {

/// lld refused the object (an undefined symbol, a malformed object): a compiler bug, reported
/// with lld's own message.
class HsacoLinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The HSACO of `object` (the bytes of an ELF relocatable for amdgcn-amd-amdhsa), linked as
/// `ld.lld -shared --no-undefined`: a symbol left undefined is an error, not a load failure on
/// the device.
std::string link_hsaco(const std::string &object);

}  // namespace ember
