// RocmTarget's answers to the kernel language (lowering/Target.h, "execution model"): work-item
// and work-group ids from AMDGPU's intrinsics, block and grid dimensions from ockl (which reads
// the dispatch packet or the code object v5 implicit arguments, as HIP's blockDim and gridDim
// do), barriers as s_barrier between workgroup-scope fences, the barrier reductions through
// ockl's work-group reductions, fences at workgroup / agent / system scope, shuffles through
// ds_bpermute and votes through llvm.amdgcn.ballot over a wavefront of 64 or 32 lanes, and
// shared memory as LDS globals (address space 3).  The launch-state pointer of KernelSite is
// unused: on a GPU a thread's launch is in its registers.
#include <llvm/IR/IntrinsicsAMDGPU.h>

#include "ir/Error.h"
#include "targets/gpu/GpuCompile.h"
#include "targets/rocm/RocmTarget.h"

namespace ember {

namespace {

using V = llvm::Value *;

V generic(llvm::IRBuilder<> &b, llvm::GlobalVariable *gv) {
  return b.CreateAddrSpaceCast(gv, b.getPtrTy(0));
}

/// A pure ockl query `i64 name(i32 axis)`.
V call_ockl_dim(llvm::IRBuilder<> &b, const char *name, int axis) {
  llvm::Module *m = b.GetInsertBlock()->getModule();
  auto *ft = llvm::FunctionType::get(b.getInt64Ty(), {b.getInt32Ty()}, false);
  llvm::CallInst *call = b.CreateCall(m->getOrInsertFunction(name, ft), {b.getInt32(axis)});
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

void fence(llvm::IRBuilder<> &b, llvm::AtomicOrdering order, const char *scope) {
  b.CreateFence(order, b.getContext().getOrInsertSyncScopeID(scope));
}

/// The offset of group_segment_size in the HSA kernel dispatch packet
/// (hsa_kernel_dispatch_packet_t): the launch's LDS bytes, static and dynamic together.
constexpr uint64_t kGroupSegmentSizeOffset = 28;

}  // namespace

V RocmTarget::thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis, const KernelSite &) {
  using I = llvm::Intrinsic::ID;
  static const I workitem[3] = {llvm::Intrinsic::amdgcn_workitem_id_x,
                                llvm::Intrinsic::amdgcn_workitem_id_y,
                                llvm::Intrinsic::amdgcn_workitem_id_z};
  static const I workgroup[3] = {llvm::Intrinsic::amdgcn_workgroup_id_x,
                                 llvm::Intrinsic::amdgcn_workgroup_id_y,
                                 llvm::Intrinsic::amdgcn_workgroup_id_z};
  internal_assert(axis >= 0 && axis < 3) << "axis " << axis;
  switch (query) {
    case GridQuery::ThreadIdx:
      return b.CreateZExt(b.CreateIntrinsic(workitem[axis], {}, {}), b.getInt64Ty());
    case GridQuery::BlockIdx:
      return b.CreateZExt(b.CreateIntrinsic(workgroup[axis], {}, {}), b.getInt64Ty());
    case GridQuery::BlockDim: return call_ockl_dim(b, "__ockl_get_local_size", axis);
    case GridQuery::GridDim: return call_ockl_dim(b, "__ockl_get_num_groups", axis);
  }
  return nullptr;
}

V RocmTarget::lane_id(llvm::IRBuilder<> &b, const KernelSite &) {
  // mbcnt counts the set bits of its mask below this lane: with all ones, the lane's position
  // in the wavefront.
  V lo = b.CreateIntrinsic(llvm::Intrinsic::amdgcn_mbcnt_lo, {}, {b.getInt32(~0u), b.getInt32(0)});
  if (warp_size() == 32) return lo;
  return b.CreateIntrinsic(llvm::Intrinsic::amdgcn_mbcnt_hi, {}, {b.getInt32(~0u), lo});
}

V RocmTarget::barrier(llvm::IRBuilder<> &b, BarrierOp op, V pred, const KernelSite &) {
  fence(b, llvm::AtomicOrdering::Release, "workgroup");
  V result = nullptr;
  if (op == BarrierOp::Sync) {
    b.CreateIntrinsic(llvm::Intrinsic::amdgcn_s_barrier, {}, {});
  } else {
    const char *name = op == BarrierOp::Count ? "__ockl_wgred_add_i32"
                       : op == BarrierOp::And ? "__ockl_wgred_and_i32"
                                              : "__ockl_wgred_or_i32";
    llvm::Module *m = b.GetInsertBlock()->getModule();
    auto *ft = llvm::FunctionType::get(b.getInt32Ty(), {b.getInt32Ty()}, false);
    // ockl's reductions synchronize the work-group themselves (through LDS scratch): they are
    // convergent calls that touch memory.
    llvm::CallInst *call =
        b.CreateCall(m->getOrInsertFunction(name, ft), {b.CreateZExt(pred, b.getInt32Ty())});
    call->setConvergent();
    result = call;
  }
  fence(b, llvm::AtomicOrdering::Acquire, "workgroup");
  return result;
}

void RocmTarget::memory_fence(llvm::IRBuilder<> &b, FenceScope scope) {
  switch (scope) {
    case FenceScope::Block:
      fence(b, llvm::AtomicOrdering::SequentiallyConsistent, "workgroup");
      return;
    case FenceScope::Device:
      fence(b, llvm::AtomicOrdering::SequentiallyConsistent, "agent");
      return;
    case FenceScope::System:
      b.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent, llvm::SyncScope::System);
      return;
  }
}

V RocmTarget::warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, V mask, V value, V lane,
                           const KernelSite &at) {
  // AMD GPUs have no independent thread scheduling: the lanes of a wavefront run together, so
  // the mask names no lanes to wait for (HIP's *_sync functions ignore it too).
  (void)mask;
  V self = lane_id(b, at);
  V width = b.getInt32(static_cast<uint32_t>(warp_size()));
  V low_bits = b.getInt32(static_cast<uint32_t>(warp_size() - 1));
  V src = nullptr;
  V valid = b.getTrue();
  switch (op) {
    case ShuffleOp::Idx: src = b.CreateAnd(lane, low_bits); break;
    case ShuffleOp::Up:
      src = b.CreateSub(self, lane);
      valid = b.CreateICmpUGE(self, lane);
      break;
    case ShuffleOp::Down:
      src = b.CreateAdd(self, lane);
      valid = b.CreateICmpULT(src, width);
      break;
    case ShuffleOp::Xor: src = b.CreateXor(self, b.CreateAnd(lane, low_bits)); break;
  }
  // ds_bpermute addresses lanes in bytes; a source outside the wavefront keeps the own value.
  V address = b.CreateShl(b.CreateAnd(src, low_bits), 2);
  auto permute = [&](V v32) {
    V r = b.CreateIntrinsic(llvm::Intrinsic::amdgcn_ds_bpermute, {}, {address, v32});
    return b.CreateSelect(valid, r, v32);
  };
  if (value->getType()->isIntegerTy(32)) return permute(value);
  internal_assert(value->getType()->isIntegerTy(64)) << "a shuffle of a non-integer value";
  V lo = permute(b.CreateTrunc(value, b.getInt32Ty()));
  V hi = permute(b.CreateTrunc(b.CreateLShr(value, 32), b.getInt32Ty()));
  return b.CreateOr(b.CreateShl(b.CreateZExt(hi, b.getInt64Ty()), 32),
                    b.CreateZExt(lo, b.getInt64Ty()));
}

V RocmTarget::warp_vote(llvm::IRBuilder<> &b, VoteOp op, V mask, V pred, const KernelSite &at) {
  llvm::Type *mask_t = b.getIntNTy(static_cast<unsigned>(warp_size()));
  V votes = b.CreateIntrinsic(llvm::Intrinsic::amdgcn_ballot, {mask_t}, {pred});
  if (op == VoteOp::Ballot) return b.CreateAnd(votes, mask);
  // The lanes that take part: those of mask that are executing.
  V lanes = b.CreateAnd(mask, active_mask(b, at));
  V mine = b.CreateAnd(votes, lanes);
  V all = b.CreateICmpEQ(mine, lanes);
  V any = b.CreateICmpNE(mine, llvm::ConstantInt::get(mask_t, 0));
  switch (op) {
    case VoteOp::All: return all;
    case VoteOp::Any: return any;
    case VoteOp::Eq: return b.CreateOr(all, b.CreateNot(any));
    case VoteOp::Ballot: break;
  }
  return nullptr;
}

V RocmTarget::active_mask(llvm::IRBuilder<> &b, const KernelSite &) {
  llvm::Type *mask_t = b.getIntNTy(static_cast<unsigned>(warp_size()));
  return b.CreateIntrinsic(llvm::Intrinsic::amdgcn_ballot, {mask_t}, {b.getTrue()});
}

void RocmTarget::warp_sync(llvm::IRBuilder<> &b, V mask, const KernelSite &) {
  fence(b, llvm::AtomicOrdering::Release, "wavefront");
  b.CreateIntrinsic(llvm::Intrinsic::amdgcn_wave_barrier, {}, {});
  fence(b, llvm::AtomicOrdering::Acquire, "wavefront");
}

V RocmTarget::shared_array(llvm::IRBuilder<> &b, const SharedArray &array, const KernelSite &) {
  llvm::Module &m = *b.GetInsertBlock()->getModule();
  return generic(b, gpu::shared_global(m, array, address_space(AddressSpace::Shared)));
}

V RocmTarget::dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &, V *bytes) {
  llvm::Module &m = *b.GetInsertBlock()->getModule();
  llvm::GlobalVariable *gv = gpu::dynamic_shared_global(m, address_space(AddressSpace::Shared));
  V packet = b.CreateIntrinsic(llvm::Intrinsic::amdgcn_dispatch_ptr, {}, {});
  V field = b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), packet, kGroupSegmentSizeOffset);
  V total = b.CreateAlignedLoad(b.getInt32Ty(), field, llvm::Align(4));
  V fixed = b.CreateIntrinsic(llvm::Intrinsic::amdgcn_groupstaticsize, {}, {});
  *bytes = b.CreateZExt(b.CreateSub(total, fixed), b.getInt64Ty());
  return generic(b, gv);
}

}  // namespace ember
