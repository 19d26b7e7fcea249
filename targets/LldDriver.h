/** \file LldDriver.h
 * lld's ELF driver, in process (liblld, linked statically; research/toolchain.md §5), shared by
 * the two users of a linker: AMDGPU code objects (targets/rocm/HsacoLinker) and the CPU's
 * on-disk cache, whose entries are host shared objects (targets/cpu/SharedObject).  lld keeps
 * global state and is not thread-safe: every call goes through one process-wide mutex, and
 * after a crash lld reports that it cannot run again, so it is never called again.
 */
#pragma once

#include <string>
#include <vector>

namespace ember {

/// Runs `ld.lld args...`.  Returns true on success; otherwise `diagnostics` holds lld's message
/// (or says why lld could not run).
bool run_lld_elf(const std::vector<std::string> &args, std::string &diagnostics);

}  // namespace ember
