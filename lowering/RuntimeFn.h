/** \file RuntimeFn.h
 * The runtime library's functions that compiled code calls (RuntimeFn.def): an id for each,
 * with its symbol, signature and the service it belongs to.  Lowering declares them through
 * declare_runtime_fn (ModuleState::runtime), never by a string, so that a call the target
 * cannot make is an internal error at compile time rather than an unresolved symbol later.
 */
#pragma once

#include <cstdint>

#include "ir/RuntimeService.h"
#include "ir/Types.h"
#include "lowering/LLVMHeaders.h"

namespace ember {

enum class RuntimeFn : uint16_t {
#define EMBER_RUNTIME_FN(id, symbol, service, result, params) id,
#include "lowering/RuntimeFn.def"
#undef EMBER_RUNTIME_FN
  NumRuntimeFns
};

/// The C symbol: "ember_meminfo_alloc".
const char *runtime_fn_symbol(RuntimeFn fn);
/// The service the function belongs to.
RuntimeService runtime_fn_service(RuntimeFn fn);
/// The sort (argsort = false) or argsort kernel for elements of kind k (bool, integers, floats).
RuntimeFn sort_runtime_fn(ScalarKind k, bool argsort);

/// The function's declaration in m (made on first use: external, nounwind), with pointers in
/// address space `pointer_space`.  Does not check the service: ModuleState::runtime does.
llvm::Function *declare_runtime_fn(llvm::Module &m, RuntimeFn fn, unsigned pointer_space);

}  // namespace ember
