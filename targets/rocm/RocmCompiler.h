/** \file RocmCompiler.h
 * Compiles a Python kernel to an AMDGPU code object (HSACO), as CudaCompiler does to PTX: the
 * shared front half (targets/Pipeline.h) typed against the GPU (no runtime services, the
 * target's wavefront size for lane masks), lower_module with a RocmTarget, the oclc controls,
 * ocml and ockl linked lazily (DeviceLibs.h), everything but the kernel and the error record
 * internalized, O3, an object from the AMDGPU backend, and lld in process (HsacoLinker.h).
 * Results are cached per (function content, argument types, architecture, wavefront, code
 * object version, options).  The TypeContext is the CPU compiler's, as for CudaCompiler.
 * Not thread-safe: the bindings serialize compiles.
 */
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lowering/Lower.h"
#include "targets/Pipeline.h"
#include "targets/rocm/DeviceLibs.h"
#include "targets/rocm/RocmTarget.h"

namespace ember {

/// A kernel compiled to a HSA code object, with what the host needs to launch it.
struct HsacoModule {
  std::shared_ptr<Function> ir;  ///< the typed IR
  RocmOptions options;
  std::string hsaco;   ///< the code object's bytes (an ELF shared object)
  std::string symbol;  ///< the kernel's symbol (its descriptor is symbol + ".kd")
  /// The kernel's parameters, in order: the kernarg segment's layout.
  std::vector<KernelParam> params;
  /// The record a raise writes (ember_device_error, ember/abi.h), by name for
  /// hipModuleGetGlobal, and the message of each message id it may hold.
  std::string error_record;
  std::vector<std::string> messages;
  /// Whether any code left after optimization writes the record.
  bool may_raise = false;
  /// The LDS bytes the kernel's cuda.shared.arrays take (the code object's group segment holds
  /// at least these; ockl's barrier reductions add their scratch).
  uint64_t static_shared_bytes = 0;
};

class RocmCompiler {
 public:
  explicit RocmCompiler(TypeContext &types);
  ~RocmCompiler();

  /// Compiles `in` for these argument types, or returns the cached result.  Typing errors are
  /// CompileErrors at the user's line; missing device libraries a RocmToolchainError; an
  /// unknown architecture or a wavefront size it cannot run std::invalid_argument.
  std::shared_ptr<const HsacoModule> compile(const FunctionInput &in,
                                             const std::vector<TypeId> &arg_types,
                                             CalleeResolver &resolver, const InferOptions &infer,
                                             const PipelineOptions &options,
                                             const RocmOptions &rocm);
  /// The AMDGCN assembly of a compiled kernel (code generation again, from its typed IR).
  std::string assembly(const HsacoModule &m);
  /// The LLVM IR of a compiled kernel: as lowered, or as optimized (what the object is made
  /// from).
  std::string llvm_ir(const HsacoModule &m, bool optimized);
  size_t cache_size() const { return cache_.size(); }

 private:
  RocmTarget &target(const RocmOptions &options);
  /// lower_module, then the controls, device libraries and internalization; optimized when
  /// asked.
  LoweredModule build(const Function &f, RocmTarget &target, bool optimize);

  TypeContext &types_;
  std::unique_ptr<llvm::LLVMContext> ctx_;
  std::map<std::string, std::unique_ptr<RocmTarget>> targets_;
  std::map<std::string, std::shared_ptr<const HsacoModule>> cache_;
  DeviceLibs libs_;
  uint64_t counter_ = 0;
};

}  // namespace ember
