// Targets for the lowering tests, test code only: DelegatingTarget forwards every question to
// another target (tests override one answer), and DeviceLikeTarget is a target as a GPU
// looks to lowering, without being one: no runtime services, AMDGPU's address spaces (global 1,
// shared 3, constant 4, local 5) and a data layout that puts allocas in address space 5.  It
// lowers but never runs: tests read the LLVM IR it produces.  typed_for() runs the front end
// as a compiler for a target does: typing checks the function against the target's services.
#pragma once

#include <llvm/IR/DataLayout.h>

#include <memory>
#include <string>
#include <vector>

#include "ir/Error.h"
#include "lowering/Target.h"
#include "targets/Pipeline.h"
#include "tests/cpp/TestHelpers.h"

namespace ember::test {

class DelegatingTarget : public Target {
 public:
  explicit DelegatingTarget(Target &base) : base_(base) {}
  std::string display_name() const override { return base_.display_name(); }
  const llvm::DataLayout &data_layout() const override { return base_.data_layout(); }
  std::string triple() const override { return base_.triple(); }
  unsigned address_space(AddressSpace space) const override { return base_.address_space(space); }
  llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) override {
    return base_.math(b, fn, args);
  }
  FloatToIntBits float_to_int_bits() const override { return base_.float_to_int_bits(); }
  RuntimeServices services() const override { return base_.services(); }
  EntryAbi entry_abi() const override { return base_.entry_abi(); }
  ErrorExit error_exit() const override { return base_.error_exit(); }
  llvm::CallingConv::ID kernel_calling_convention() const override {
    return base_.kernel_calling_convention();
  }
  void decorate_kernel(llvm::Function &kernel) const override { base_.decorate_kernel(kernel); }
  llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                            const KernelSite &at) override {
    return base_.thread_index(b, query, axis, at);
  }
  llvm::Value *lane_id(llvm::IRBuilder<> &b, const KernelSite &at) override {
    return base_.lane_id(b, at);
  }
  int warp_size() const override { return base_.warp_size(); }
  llvm::Value *barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                       const KernelSite &at) override {
    return base_.barrier(b, op, pred, at);
  }
  void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) override {
    base_.memory_fence(b, scope);
  }
  llvm::Value *warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                            llvm::Value *value, llvm::Value *lane, const KernelSite &at) override {
    return base_.warp_shuffle(b, op, mask, value, lane, at);
  }
  llvm::Value *warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask, llvm::Value *pred,
                         const KernelSite &at) override {
    return base_.warp_vote(b, op, mask, pred, at);
  }
  llvm::Value *active_mask(llvm::IRBuilder<> &b, const KernelSite &at) override {
    return base_.active_mask(b, at);
  }
  void warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) override {
    base_.warp_sync(b, mask, at);
  }
  llvm::Value *shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                            const KernelSite &at) override {
    return base_.shared_array(b, array, at);
  }
  llvm::Value *dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                              llvm::Value **bytes) override {
    return base_.dynamic_shared(b, at, bytes);
  }
  EntryAbi kernel_entry_abi() const override { return base_.kernel_entry_abi(); }

 private:
  Target &base_;
};

/// The CPU's math and casts (through `base`), with a device's address spaces and no services.
class DeviceLikeTarget : public DelegatingTarget {
 public:
  explicit DeviceLikeTarget(Target &base)
      : DelegatingTarget(base), layout_("e-p:64:64-p5:32:32-i64:64-n32:64-S32-A5") {}
  std::string display_name() const override { return "a test kernel"; }
  const llvm::DataLayout &data_layout() const override { return layout_; }
  std::string triple() const override { return "unknown-unknown-unknown"; }
  unsigned address_space(AddressSpace space) const override {
    switch (space) {
      case AddressSpace::Generic: return 0;
      case AddressSpace::Global: return 1;
      case AddressSpace::Shared: return 3;
      case AddressSpace::Constant: return 4;
      case AddressSpace::Local: return 5;
    }
    return 0;
  }
  RuntimeServices services() const override { return RuntimeServices(); }
  EntryAbi entry_abi() const override { return EntryAbi::StatusWrapper; }
  ErrorExit error_exit() const override { return ErrorExit::CallerRecord; }

 private:
  llvm::DataLayout layout_;
};

/// The typed IR of `in` for `target` (targets/Pipeline.h, verifier on): typing knows the
/// target's services and name.  Raises CompileError as a compile would.
inline std::shared_ptr<Function> typed_for(const Target &target, const FunctionInput &in,
                                           TypeContext &types, const std::vector<TypeId> &args,
                                           bool parallel = false) {
  FakeResolver resolver;
  InferOptions infer;
  infer.self_handle = in.self_handle;
  infer.services = target.services();
  infer.target_name = target.display_name();
  PipelineOptions options;
  options.verify = true;
  options.flags.parallel = parallel;
  options.symbol = "ember.test." + in.qualname;
  return build_typed_function(in, types, args, resolver, infer, options);
}

}  // namespace ember::test
