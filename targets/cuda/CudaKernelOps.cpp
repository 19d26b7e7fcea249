// CudaTarget's answers to the kernel language (lowering/Target.h, "execution model"): thread
// and block indices from PTX's special registers, barriers (bar.sync and its popc/and/or
// reductions), fences, warp shuffles and votes (the .sync forms, which name their lanes), and
// shared memory as globals in address space 3.  The launch-state pointer of KernelSite is unused:
// on a GPU everything a thread needs to know about its launch is a register.
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>

#include "ir/Error.h"
#include "targets/cuda/CudaTarget.h"
#include "targets/gpu/GpuCompile.h"

namespace ember {

namespace {

using V = llvm::Value *;

V generic(llvm::IRBuilder<> &b, llvm::GlobalVariable *gv) {
  return b.CreateAddrSpaceCast(gv, b.getPtrTy(0));
}

}  // namespace

V CudaTarget::thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis, const KernelSite &) {
  using I = llvm::Intrinsic::ID;
  static const I ids[4][3] = {
      {llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_tid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_z},
  };
  internal_assert(axis >= 0 && axis < 3) << "axis " << axis;
  size_t row = 0;
  switch (query) {
    case GridQuery::ThreadIdx: row = 0; break;
    case GridQuery::BlockIdx: row = 1; break;
    case GridQuery::BlockDim: row = 2; break;
    case GridQuery::GridDim: row = 3; break;
  }
  // The registers are below 2^31: the zero extension lets LLVM keep index arithmetic in 32 bits
  // where it can.
  V reg = b.CreateIntrinsic(ids[row][axis], {}, {});
  return b.CreateZExt(reg, b.getInt64Ty());
}

V CudaTarget::lane_id(llvm::IRBuilder<> &b, const KernelSite &) {
  return b.CreateIntrinsic(llvm::Intrinsic::nvvm_read_ptx_sreg_laneid, {}, {});
}

V CudaTarget::barrier(llvm::IRBuilder<> &b, BarrierOp op, V pred, const KernelSite &) {
  llvm::Intrinsic::ID id = llvm::Intrinsic::nvvm_barrier0;
  switch (op) {
    case BarrierOp::Sync: b.CreateIntrinsic(id, {}, {}); return nullptr;
    case BarrierOp::Count: id = llvm::Intrinsic::nvvm_barrier0_popc; break;
    case BarrierOp::And: id = llvm::Intrinsic::nvvm_barrier0_and; break;
    case BarrierOp::Or: id = llvm::Intrinsic::nvvm_barrier0_or; break;
  }
  V p = b.CreateZExt(pred, b.getInt32Ty());
  V r = b.CreateIntrinsic(id, {}, {p});
  // .and / .or give any non-zero value for true; callers see 0 or 1, as on the CPU path.
  if (op != BarrierOp::Count) r = b.CreateZExt(b.CreateICmpNE(r, b.getInt32(0)), b.getInt32Ty());
  return r;
}

void CudaTarget::memory_fence(llvm::IRBuilder<> &b, FenceScope scope) {
  llvm::Intrinsic::ID id = llvm::Intrinsic::nvvm_membar_gl;
  switch (scope) {
    case FenceScope::Block: id = llvm::Intrinsic::nvvm_membar_cta; break;
    case FenceScope::Device: id = llvm::Intrinsic::nvvm_membar_gl; break;
    case FenceScope::System: id = llvm::Intrinsic::nvvm_membar_sys; break;
  }
  b.CreateIntrinsic(id, {}, {});
}

V CudaTarget::warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, V mask, V value, V lane,
                           const KernelSite &) {
  llvm::Intrinsic::ID id = llvm::Intrinsic::nvvm_shfl_sync_idx_i32;
  // shfl.sync's c operand: clamp 31 with no segment mask, except `up`, whose clamp is lane 0.
  uint32_t clamp = 0x1f;
  switch (op) {
    case ShuffleOp::Idx: id = llvm::Intrinsic::nvvm_shfl_sync_idx_i32; break;
    case ShuffleOp::Up:
      id = llvm::Intrinsic::nvvm_shfl_sync_up_i32;
      clamp = 0;
      break;
    case ShuffleOp::Down: id = llvm::Intrinsic::nvvm_shfl_sync_down_i32; break;
    case ShuffleOp::Xor: id = llvm::Intrinsic::nvvm_shfl_sync_bfly_i32; break;
  }
  V c = b.getInt32(clamp);
  if (value->getType()->isIntegerTy(32)) return b.CreateIntrinsic(id, {}, {mask, value, lane, c});
  internal_assert(value->getType()->isIntegerTy(64)) << "a shuffle of a non-integer value";
  // shfl moves 32 bits: a 64-bit value goes as its two halves from the same source lane, as
  // numba-cuda does.
  V lo = b.CreateTrunc(value, b.getInt32Ty());
  V hi = b.CreateTrunc(b.CreateLShr(value, 32), b.getInt32Ty());
  V rlo = b.CreateIntrinsic(id, {}, {mask, lo, lane, c});
  V rhi = b.CreateIntrinsic(id, {}, {mask, hi, lane, c});
  V wide = b.CreateShl(b.CreateZExt(rhi, b.getInt64Ty()), 32);
  return b.CreateOr(wide, b.CreateZExt(rlo, b.getInt64Ty()));
}

V CudaTarget::warp_vote(llvm::IRBuilder<> &b, VoteOp op, V mask, V pred, const KernelSite &) {
  switch (op) {
    case VoteOp::All:
      return b.CreateIntrinsic(llvm::Intrinsic::nvvm_vote_all_sync, {}, {mask, pred});
    case VoteOp::Any:
      return b.CreateIntrinsic(llvm::Intrinsic::nvvm_vote_any_sync, {}, {mask, pred});
    case VoteOp::Eq:
      return b.CreateIntrinsic(llvm::Intrinsic::nvvm_vote_uni_sync, {}, {mask, pred});
    case VoteOp::Ballot:
      return b.CreateIntrinsic(llvm::Intrinsic::nvvm_vote_ballot_sync, {}, {mask, pred});
  }
  return nullptr;
}

V CudaTarget::active_mask(llvm::IRBuilder<> &b, const KernelSite &) {
  return b.CreateIntrinsic(llvm::Intrinsic::nvvm_activemask, {}, {});
}

void CudaTarget::warp_sync(llvm::IRBuilder<> &b, V mask, const KernelSite &) {
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_bar_warp_sync, {}, {mask});
}

V CudaTarget::shared_array(llvm::IRBuilder<> &b, const SharedArray &array, const KernelSite &) {
  llvm::Module &m = *b.GetInsertBlock()->getModule();
  return generic(b, gpu::shared_global(m, array, address_space(AddressSpace::Shared)));
}

V CudaTarget::dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &, V *bytes) {
  llvm::Module &m = *b.GetInsertBlock()->getModule();
  llvm::GlobalVariable *gv = gpu::dynamic_shared_global(m, address_space(AddressSpace::Shared));
  // %dynamic_smem_size has no NVVM intrinsic in LLVM 19: read it as numba-cuda does.
  auto *ft = llvm::FunctionType::get(b.getInt32Ty(), false);
  auto *asm_ = llvm::InlineAsm::get(ft, "mov.u32 $0, %dynamic_smem_size;", "=r", false);
  *bytes = b.CreateZExt(b.CreateCall(ft, asm_), b.getInt64Ty());
  return generic(b, gv);
}

}  // namespace ember
