// CpuTarget's answers to the kernel language (Target.h, "execution model"): GPU kernels run
// natively on the CPU (ember/kernel.h).  The kernel's err parameter points at the launch context
// the runtime or the kernel's block loop fills, so indices are loads from it, marked with the
// bounds the runtime guarantees (non-negative, below 2^31) so that index arithmetic needs no
// wraparound and vectorizes; in loop mode they come from a stack copy that SROA turns into the
// loop's induction variables.  Barriers and warp functions call the runtime's fiber scheduler,
// which only runs kernels that use them (fiber mode).
#include <cstddef>

#include "ember/kernel.h"
#include "lowering/RuntimeFn.h"
#include "targets/cpu/CpuTarget.h"

namespace ember {

namespace {

llvm::Value *ctx_field(llvm::IRBuilder<> &b, const KernelSite &at, size_t offset) {
  return b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), at.state, offset);
}

llvm::Value *load_bounded(llvm::IRBuilder<> &b, const KernelSite &at, size_t offset, int64_t lo) {
  llvm::LoadInst *v = b.CreateLoad(b.getInt64Ty(), ctx_field(b, at, offset));
  llvm::MDBuilder md(b.getContext());
  v->setMetadata(llvm::LLVMContext::MD_range,
                 md.createRange(llvm::APInt(64, static_cast<uint64_t>(lo)),
                                llvm::APInt(64, uint64_t{1} << 31)));
  return v;
}

llvm::Function *runtime(llvm::IRBuilder<> &b, RuntimeFn fn) {
  return declare_runtime_fn(*b.GetInsertBlock()->getModule(), fn, 0);
}

llvm::Value *warp_call(llvm::IRBuilder<> &b, int32_t op, llvm::Value *mask, llvm::Value *value,
                       llvm::Value *arg, const KernelSite &at) {
  llvm::Type *i32 = b.getInt32Ty();
  return b.CreateCall(runtime(b, RuntimeFn::KernelWarp),
                      {at.state, llvm::ConstantInt::get(i32, static_cast<uint64_t>(op)), mask,
                       value, arg, llvm::ConstantInt::get(i32, static_cast<uint64_t>(at.line))});
}

}  // namespace

llvm::Value *CpuTarget::thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                                     const KernelSite &at) {
  size_t base = 0;
  int64_t lo = 0;
  switch (query) {
    case GridQuery::ThreadIdx: base = offsetof(ember_kernel_ctx, thread_idx); break;
    case GridQuery::BlockIdx: base = offsetof(ember_kernel_ctx, block_idx); break;
    case GridQuery::BlockDim:
      base = offsetof(ember_kernel_ctx, block_dim);
      lo = 1;
      break;
    case GridQuery::GridDim:
      base = offsetof(ember_kernel_ctx, grid_dim);
      lo = 1;
      break;
  }
  return load_bounded(b, at, base + 8 * static_cast<size_t>(axis), lo);
}

llvm::Value *CpuTarget::lane_id(llvm::IRBuilder<> &b, const KernelSite &at) {
  // (x + dim.x * (y + dim.y * z)) % 32, the thread's place in the block's linear order.
  llvm::Value *x = thread_index(b, GridQuery::ThreadIdx, 0, at);
  llvm::Value *y = thread_index(b, GridQuery::ThreadIdx, 1, at);
  llvm::Value *z = thread_index(b, GridQuery::ThreadIdx, 2, at);
  llvm::Value *dx = thread_index(b, GridQuery::BlockDim, 0, at);
  llvm::Value *dy = thread_index(b, GridQuery::BlockDim, 1, at);
  llvm::Value *linear = b.CreateAdd(x, b.CreateMul(dx, b.CreateAdd(y, b.CreateMul(dy, z))));
  llvm::Value *lane = b.CreateAnd(linear, b.getInt64(EMBER_KERNEL_WARP_SIZE - 1));
  return b.CreateTrunc(lane, b.getInt32Ty());
}

int CpuTarget::warp_size() const { return EMBER_KERNEL_WARP_SIZE; }

llvm::Value *CpuTarget::barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                                const KernelSite &at) {
  int32_t code = op == BarrierOp::Count ? EMBER_BARRIER_COUNT
                 : op == BarrierOp::And ? EMBER_BARRIER_AND
                 : op == BarrierOp::Or  ? EMBER_BARRIER_OR
                                        : EMBER_BARRIER_SYNC;
  llvm::Type *i32 = b.getInt32Ty();
  llvm::Value *p = pred ? b.CreateZExt(pred, i32) : llvm::ConstantInt::get(i32, 0);
  llvm::Value *r = b.CreateCall(runtime(b, RuntimeFn::KernelBarrier),
                                {at.state, llvm::ConstantInt::get(i32, static_cast<uint64_t>(code)),
                                 p, llvm::ConstantInt::get(i32, static_cast<uint64_t>(at.line))});
  return op == BarrierOp::Sync ? nullptr : r;
}

void CpuTarget::memory_fence(llvm::IRBuilder<> &b, FenceScope scope) {
  // A block's threads all run on one OS thread (a loop or fibers): ordering them needs only the
  // compiler not to move accesses across the fence.
  if (scope == FenceScope::Block)
    b.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent,
                  b.getContext().getOrInsertSyncScopeID("singlethread"));
  else
    b.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent);
}

llvm::Value *CpuTarget::warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                                     llvm::Value *value, llvm::Value *lane, const KernelSite &at) {
  int32_t code = op == ShuffleOp::Idx    ? EMBER_WARP_SHFL_IDX
                 : op == ShuffleOp::Up   ? EMBER_WARP_SHFL_UP
                 : op == ShuffleOp::Down ? EMBER_WARP_SHFL_DOWN
                                         : EMBER_WARP_SHFL_XOR;
  llvm::Type *t = value->getType();
  llvm::Value *r = warp_call(b, code, mask, b.CreateZExt(value, b.getInt64Ty()), lane, at);
  return b.CreateTrunc(r, t);
}

llvm::Value *CpuTarget::warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask,
                                  llvm::Value *pred, const KernelSite &at) {
  int32_t code = op == VoteOp::All   ? EMBER_WARP_VOTE_ALL
                 : op == VoteOp::Any ? EMBER_WARP_VOTE_ANY
                 : op == VoteOp::Eq  ? EMBER_WARP_VOTE_EQ
                                     : EMBER_WARP_BALLOT;
  llvm::Value *r = warp_call(b, code, mask, b.CreateZExt(pred, b.getInt64Ty()), b.getInt32(0), at);
  if (op == VoteOp::Ballot) return b.CreateTrunc(r, b.getInt32Ty());
  return b.CreateICmpNE(r, b.getInt64(0));
}

llvm::Value *CpuTarget::active_mask(llvm::IRBuilder<> &b, const KernelSite &at) {
  llvm::Value *r =
      warp_call(b, EMBER_WARP_ACTIVEMASK, b.getInt32(0), b.getInt64(0), b.getInt32(0), at);
  return b.CreateTrunc(r, b.getInt32Ty());
}

void CpuTarget::warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) {
  warp_call(b, EMBER_WARP_SYNCWARP, mask, b.getInt64(0), b.getInt32(0), at);
}

llvm::Value *CpuTarget::shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                                     const KernelSite &at) {
  llvm::Value *base =
      b.CreateLoad(b.getPtrTy(), ctx_field(b, at, offsetof(ember_kernel_ctx, shared)));
  return b.CreateInBoundsGEP(b.getInt8Ty(), base, b.getInt64(array.offset));
}

llvm::Value *CpuTarget::dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                                       llvm::Value **bytes) {
  *bytes = b.CreateLoad(b.getInt64Ty(),
                        ctx_field(b, at, offsetof(ember_kernel_ctx, dynamic_shared_bytes)));
  return b.CreateLoad(b.getPtrTy(), ctx_field(b, at, offsetof(ember_kernel_ctx, dynamic_shared)));
}

}  // namespace ember
