/** \file SharedObject.h
 * A compiled CPU module as a host shared object, for the on-disk cache (ember/cache.py): a
 * process that finds it loads it with dlopen through the runtime module (_ember), with no LLVM.
 *
 * The object is emitted position-independent by a PIC twin of the JIT's target machine and
 * linked by lld in process (targets/LldDriver.h) against the C library, libm and, where the code
 * uses it, libmvec (recorded as DT_NEEDED, so the loader maps them).  ember's runtime is not a
 * library the loader can find by name: it lives inside the _ember extension module.  So every
 * runtime function the code calls becomes a small hidden trampoline in the object,
 * `jmp *slot(%rip)`, over one exported table of slots, `__ember_import_slots`, which the loader
 * fills with the runtime's addresses (`imports`, in slot order) before any code runs.  Only the
 * entry points named in `exports` are exported; everything else is hidden and bound locally.
 */
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class Module;
}

namespace ember {

class CpuTarget;

/// Why a module could not become a shared object (lld's message, an unsupported host): the
/// caller compiles it for the JIT instead.
class SharedObjectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SharedObjectImage {
  std::string bytes;  ///< the ELF shared object
  /// (symbol the code calls, runtime table name whose address fills its slot), in slot order.
  std::vector<std::pair<std::string, std::string>> imports;
};

/// Links the optimized module `m` (changed: visibility, then code generation) into a shared
/// object exporting `exports`.  `runtime_names` maps each symbol the JIT would resolve to one
/// of the runtime's functions to that function's name in the runtime's tables.
SharedObjectImage build_shared_object(llvm::Module &m, CpuTarget &target,
                                      const std::vector<std::string> &exports,
                                      const std::map<std::string, std::string> &runtime_names);

}  // namespace ember
