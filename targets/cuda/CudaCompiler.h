/** \file CudaCompiler.h
 * Compiles a Python function to PTX for an NVIDIA GPU, as CpuCompiler does for the host: the
 * shared front half (targets/Pipeline.h) typed against the GPU (no runtime services; the
 * arguments a kernel may take, a kernel returns None), lower_module with a CudaTarget (the
 * Kernel entry, errors into the device record), libdevice linked lazily, everything but the
 * entry and the error record internalized, NVVMReflect and O3, then PTX text.
 * Results are cached per (function, argument types, architecture, options): the function is
 * keyed by its content (code, constants, frozen globals), so a redefined function compiles again
 * and an unchanged one is not compiled twice.  The TypeContext is the CPU compiler's, so type
 * ids and callees (typed IR of jitted functions the kernel calls) are shared with it.
 * Not thread-safe: the bindings serialize compiles.
 */
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lowering/Lower.h"
#include "targets/Pipeline.h"
#include "targets/cuda/CudaTarget.h"
#include "targets/cuda/Libdevice.h"

namespace ember {

/// A kernel (or device function) compiled to PTX, with what the host needs to launch it.
struct PtxModule {
  std::shared_ptr<Function> ir;  ///< the typed IR
  CudaOptions options;
  std::string ptx;
  /// The .entry of a kernel (EntryAbi::Kernel), or the .func of a device function.
  std::string symbol;
  /// The kernel's parameters, in order (empty for a device function).
  std::vector<KernelParam> params;
  /// The record a raise writes (ember_device_error, ember/abi.h), by name for cuModuleGetGlobal.
  std::string error_record;
  /// The message of each message id in the record.
  std::vector<std::string> messages;
  /// Whether any code left after optimization writes the record: when not, the host need not
  /// read it back.
  bool may_raise = false;
};

class CudaCompiler {
 public:
  explicit CudaCompiler(TypeContext &types);
  ~CudaCompiler();

  TypeContext &types() { return types_; }

  /// Compiles `in` for these argument types, or returns the cached result.  Typing errors
  /// (including arguments a kernel cannot take, a kernel that returns a value, and callees
  /// that need a runtime service) are CompileErrors at the user's line; a missing libdevice is
  /// a CudaToolkitError; an unsupported architecture was refused by CudaArch::for_capability.
  std::shared_ptr<const PtxModule> compile(const FunctionInput &in,
                                           const std::vector<TypeId> &arg_types,
                                           CalleeResolver &resolver, const InferOptions &infer,
                                           const PipelineOptions &options, const CudaOptions &cuda);
  /// The LLVM IR of a compiled module: as lowered (before libdevice and optimization), or as
  /// optimized (what the PTX is generated from).
  std::string llvm_ir(const PtxModule &m, bool optimized);
  /// How many modules the cache holds.
  size_t cache_size() const { return cache_.size(); }

 private:
  CudaTarget &target(const CudaOptions &options);
  /// lower_module, then the target's preparation, libdevice and internalization; optimized
  /// when asked.
  LoweredModule build(const Function &f, CudaTarget &target, bool optimize);

  TypeContext &types_;
  std::unique_ptr<llvm::LLVMContext> ctx_;
  std::map<std::string, std::unique_ptr<CudaTarget>> targets_;
  std::map<std::string, std::shared_ptr<const PtxModule>> cache_;
  Libdevice libdevice_;
  uint64_t counter_ = 0;
};

}  // namespace ember
