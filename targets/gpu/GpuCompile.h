/** \file GpuCompile.h
 * What every GPU target's compiler does the same way (targets/cuda/CudaCompiler,
 * targets/rocm/RocmCompiler): the cache key of a compile (the function's content, its argument
 * types and the pipeline's options; the caller appends its target's own options), the symbol a
 * kernel gets, the checks typing cannot make alone (what a kernel may take as arguments, and that
 * callees typed for the CPU need no runtime service), shared memory as address-space globals,
 * the exact fmod that replaces `frem`, a bitcode library linked lazily (libdevice, ocml), and the
 * O3 pipeline and code emission for a backend's TargetMachine.
 */
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <llvm/IR/IRBuilder.h>

#include "lowering/Lower.h"
#include "lowering/MathFn.h"
#include "lowering/Target.h"
#include "targets/Pipeline.h"

namespace llvm {
class MemoryBuffer;
class TargetMachine;
}  // namespace llvm

namespace ember::gpu {

/// Everything a compile depends on apart from the target's own options, as bytes: the
/// function's code, constants and frozen globals, the argument types, and the pipeline's flags.
std::string function_key(const FunctionInput &in, const std::vector<TypeId> &args,
                         const InferOptions &infer, const PipelineOptions &options);

/// A kernel symbol for a Python name: "ember_" + [A-Za-z0-9_] only (PTX and ELF symbols alike
/// have no '.', '<' or '>'), then a counter that keeps redefinitions apart.
std::string kernel_symbol(const std::string &qualname, uint64_t n);

/// The checks typing cannot make alone: a kernel's arguments are arrays, numbers and tuples of
/// numbers (anything else would hold a host pointer), and every callee (typed for the CPU,
/// which has every service) needs no runtime service the GPU lacks.  CompileErrors at the
/// user's line; `target_name` is the Target's display_name().
void check_kernel(TypeContext &types, llvm::LLVMContext &ctx, const FunctionInput &in,
                  const Function &f, const std::vector<TypeId> &args, const InferOptions &typing,
                  bool device_function, const std::string &target_name);

/// Every `frem` without the afn flag becomes fmod(x, y) as `fmod` emits it: GPU backends expand
/// frem as x - trunc(x / y) * y, which is not exact once the quotient needs more bits than the
/// mantissa, and Python's `%` must match fmod's bits.
void replace_frem(
    llvm::Module &m,
    const std::function<llvm::Value *(llvm::IRBuilder<> &, llvm::Value *, llvm::Value *)> &fmod);

/// A cuda.shared.array as one global of `array.count` elements in address space `space`, named
/// array.name (the backend lays them out), made once per module; uninitialized (undef), as
/// CUDA's and HIP's __shared__ variables are.
llvm::GlobalVariable *shared_global(llvm::Module &m, const SharedArray &array, unsigned space);
/// The launch's dynamic shared memory (`extern __shared__`): one zero-length, 16-byte aligned
/// global in `space` that every kernel of the module sees.
llvm::GlobalVariable *dynamic_shared_global(llvm::Module &m, unsigned space);

/// Links the functions m calls from the bitcode in `file` into m, lazily (only what is used is
/// materialized; Linker::LinkOnlyNeeded).  The library takes m's triple and layout.  Returns
/// false with *error set when the file is not bitcode or the link fails.
bool link_lazily(llvm::Module &m, const llvm::MemoryBuffer &file, std::string *error);

/// Internalizes every global value of m except those `keep` names, so that O3 removes what the
/// kernel does not use.
void internalize_except(llvm::Module &m, const std::vector<std::string> &keep);

/// LLVM's O3 pipeline with the backend's target machine (which adds its own passes: NVVMReflect,
/// AMDGPU's kernel-argument promotion).
void optimize_o3(llvm::Module &m, llvm::TargetMachine &tm);

/// Assembly text or an object file of m.  Code generation's passes change the module.
std::string emit(llvm::Module &m, llvm::TargetMachine &tm, bool object);

/// The C library's name of a math function ("sqrt", "rint", "tgamma"): the base both device
/// libraries (libdevice's __nv_*, ocml's __ocml_*_f32/_f64) decorate.
const char *math_base_name(MathFn fn);

/// A call of the device library function `name` whose parameters and result all have the
/// type of args[0].  Marked pure, so calls can be hoisted and removed before the library's
/// bodies are linked.
llvm::Value *call_pure_math(llvm::IRBuilder<> &b, const std::string &name,
                            llvm::ArrayRef<llvm::Value *> args);

}  // namespace ember::gpu
