/** \file CpuCompiler.h
 * A compiler session for the host CPU: one TypeContext, one CpuTarget and one JIT, shared by
 * every function compiled in the process.  compile() runs the whole pipeline
 * (targets/Pipeline.h, lower_module, CpuTarget::optimize, the JIT) and returns the entry
 * points; the typed IR is kept so callers can inline the function and inspect_* can print it.
 * Not thread-safe: the bindings serialize compiles.
 */
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lowering/Lower.h"
#include "targets/Pipeline.h"
#include "targets/cpu/CpuJit.h"
#include "targets/cpu/CpuTarget.h"

namespace ember {

/// What a compile produces: a function the dispatcher calls, a GPU kernel run on the CPU
/// (typed as a kernel: the kernel language, a GPU's services, a None return; entered through
/// its launcher), or a device function (typed for kernels, never lowered on its own: kernels
/// that call it lower its typed IR into their modules).
enum class CompileRole : uint8_t { Function, Kernel, DeviceFunction };

struct CompiledFunction {
  std::shared_ptr<Function> ir;
  std::string symbol;
  uint64_t wrapper = 0;    ///< ember_wrapper_fn (a kernel's: its launcher, ember/kernel.h)
  uint64_t entry = 0;      ///< the native function itself
  uint64_t loop = 0;       ///< the ufunc/gufunc inner loop, when one was asked for
  bool uses_gemm = false;  ///< calls the runtime's gemm (the front end registers a BLAS)
  LoopSpec loop_spec;
  CompileRole role = CompileRole::Function;
  /// Asked for a shared object (the on-disk cache): its bytes, and the runtime functions its
  /// import slots need, in order (SharedObject.h); the addresses above are then left 0 until
  /// the front end has loaded it.  Empty with `shared_object_error` set when it could not be
  /// built (the code was given to the JIT instead).
  std::string shared_object;
  std::vector<std::string> exports;  ///< its wrapper, entry and loop symbols, in that order
  std::vector<std::pair<std::string, std::string>> imports;
  std::string shared_object_error;
};

class CpuCompiler {
 public:
  CpuCompiler();
  ~CpuCompiler();

  TypeContext &types() { return *types_; }
  CpuTarget &target() { return *target_; }
  void define_runtime_symbol(const std::string &name, uint64_t address);
  /// Uses a vector math library (ember's runtime/vmath) for the functions and widths it has;
  /// `addresses` are the entries' functions, in the order of `fns`.  Returns how many the host
  /// can use.
  size_t use_vector_library(const std::vector<VectorFunction> &fns,
                            const std::vector<uint64_t> &addresses, bool prefer);

  std::shared_ptr<CompiledFunction> compile(
      const FunctionInput &in, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
      const InferOptions &infer, const PipelineOptions &options, const LoopSpec &loop = {},
      CompileRole role = CompileRole::Function, bool shared_object = false);
  /// The LLVM IR of a compiled function's module, before or after optimization.
  std::string llvm_ir(const CompiledFunction &fn, bool optimized);
  /// Its machine code as assembly.
  std::string assembly(const CompiledFunction &fn);

 private:
  std::unique_ptr<TypeContext> types_;
  std::unique_ptr<CpuTarget> target_;
  std::unique_ptr<CpuJit> jit_;
  uint64_t counter_ = 0;
  /// Symbol compiled code may call -> the runtime table name behind it (what the JIT resolves
  /// by address; a shared object imports it through a slot).
  std::map<std::string, std::string> runtime_names_;
};

}  // namespace ember
