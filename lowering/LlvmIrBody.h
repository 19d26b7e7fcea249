/** \file LlvmIrBody.h
 * @intrinsic bodies written as LLVM IR text (ember/intrinsics.py).  The text travels beside the
 * typed IR rather than in it: the bindings hand it over, keyed by the intrinsic's handle, just
 * before compiling it (set_pending_llvm_ir); the pipeline takes it when it builds the
 * function's stub (targets/Pipeline.cpp) and files it under the function's symbol, where
 * lower_module finds it for the function itself and for every caller that lowers a copy of it.
 * The tables are guarded by a mutex; an entry lives as long as the process, as the compiled
 * code that refers to it does.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace llvm {
class Function;
}

namespace ember {

class Function;
struct ModuleState;

/// The body of the next compile of the intrinsic whose front-end handle is `handle`.
void set_pending_llvm_ir(uint64_t handle, std::string text);
/// Takes (removes) the pending body of `handle`, if any.
std::optional<std::string> take_pending_llvm_ir(uint64_t handle);
/// Files the body of the compiled function `symbol`.
void register_llvm_ir_body(const std::string &symbol, std::string text);
/// The body of the function `symbol`, when it is an intrinsic.
std::optional<std::string> llvm_ir_body(const std::string &symbol);

/// Emits fn (ember's calling convention for f) as a call of the parsed, linked and always
/// inlined body `text`.
void lower_llvm_ir_body(ModuleState &ms, const Function &f, llvm::Function *fn,
                        const std::string &text);

}  // namespace ember
