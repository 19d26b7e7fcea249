// The inline first probe of `x in s` and `s.add(x)` for a set of integers or bools.  The table
// (ember/containers.h, ember_set) is probed from hash & mask with the hash ember_set_int_hash
// gives, so compiled code can look at that first slot itself: a hit, or an empty slot, settles
// the question there (and an add into an empty slot, while the table has room, is two stores
// and two increments); anything else calls the runtime (runtime/Set.cpp), which probes from the
// start.  A set of anything else calls the runtime for every operation.
#include <cstddef>

#include "ember/containers.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {
constexpr uint64_t kSlotsOffset = offsetof(ember_set, slots);
constexpr uint64_t kMaskOffset = offsetof(ember_set, mask);
constexpr uint64_t kLiveOffset = offsetof(ember_set, live);
constexpr uint64_t kFillOffset = offsetof(ember_set, fill);
constexpr uint64_t kFillLimitOffset = offsetof(ember_set, fill_limit);
constexpr uint64_t kSlotKeyOffset = 8;
constexpr uint64_t kIntSlotSize = 16;  // 8 bytes of hash, the key rounded up to 8

// What the first probe of a set of `item` needs: the item's integer tag, or 0 when the set is
// not one of integers.
int64_t int_item_tag(const TypeContext &types, TypeId item) {
  std::vector<int64_t> code;
  if (!types.to_code(item, &code) || code.size() != 1 || !ember_set_int_tag(code[0])) return 0;
  return code[0];
}

bool is_signed_tag(int64_t tag) {
  return tag == EMBER_T_INT8 || tag == EMBER_T_INT16 || tag == EMBER_T_INT32 ||
         tag == EMBER_T_INT64;
}

// The first slot probed for the key at key_slot: its address, stored hash and key, the key's
// hash and the key itself.
struct FirstProbe {
  llvm::Value *slot, *stored_hash, *stored_key, *hash, *key;
};

FirstProbe first_probe(llvm::IRBuilder<> &b, llvm::Value *header, llvm::Value *key_slot,
                       llvm::Type *key_type, int64_t tag) {
  llvm::Type *i8 = b.getInt8Ty(), *i64 = b.getInt64Ty(), *ptr = b.getPtrTy();
  llvm::Value *key = b.CreateLoad(key_type, key_slot);
  llvm::Value *wide = key_type == i64      ? key
                      : is_signed_tag(tag) ? b.CreateSExt(key, i64)
                                           : b.CreateZExt(key, i64);
  // ember_set_int_hash: the sign bit flipped, at least 2 (0 and 1 mark empty and deleted slots).
  llvm::Value *flipped = b.CreateXor(wide, b.getInt64(0x8000000000000000ull));
  llvm::Value *hash =
      b.CreateSelect(b.CreateICmpULT(flipped, b.getInt64(2)), b.getInt64(2), flipped);
  llvm::Value *slots = b.CreateLoad(ptr, b.CreateConstGEP1_64(i8, header, kSlotsOffset));
  llvm::Value *mask = b.CreateLoad(i64, b.CreateConstGEP1_64(i8, header, kMaskOffset));
  llvm::Value *index = b.CreateAnd(hash, mask);
  llvm::Value *slot = b.CreateGEP(i8, slots, b.CreateMul(index, b.getInt64(kIntSlotSize)));
  llvm::Value *stored_hash = b.CreateLoad(i64, slot);
  llvm::Value *stored_key = b.CreateLoad(key_type, b.CreateConstGEP1_64(i8, slot, kSlotKeyOffset));
  return {slot, stored_hash, stored_key, hash, key};
}
}  // namespace

llvm::Value *FunctionLowerer::set_contains(V set, V key_slot, TypeId item) {
  int64_t tag = int_item_tag(types_, item);
  if (!tag)
    return b_.CreateIsNotNull(b_.CreateCall(runtime(RuntimeFn::DictLookup), {set, key_slot}));
  FirstProbe p = first_probe(b_, container_header(set), key_slot, mt(item), tag);
  V hit =
      b_.CreateAnd(b_.CreateICmpEQ(p.stored_hash, p.hash), b_.CreateICmpEQ(p.stored_key, p.key));
  V settled = b_.CreateOr(hit, b_.CreateICmpEQ(p.stored_hash, b_.getInt64(EMBER_SET_EMPTY)));
  llvm::BasicBlock *from = b_.GetInsertBlock();
  auto *slow = llvm::BasicBlock::Create(ctx_, "set.in.probe", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "set.in.done", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(settled, done, slow, md.createBranchWeights(1000, 1));
  b_.SetInsertPoint(slow);
  V found = b_.CreateIsNotNull(b_.CreateCall(runtime(RuntimeFn::DictLookup), {set, key_slot}));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode *r = b_.CreatePHI(b_.getInt1Ty(), 2);
  r->addIncoming(hit, from);
  r->addIncoming(found, slow);
  return r;
}

void FunctionLowerer::set_add(V set, V key_slot, TypeId item) {
  llvm::Constant *no_value = llvm::ConstantPointerNull::get(dm_.pointer_type());
  int64_t tag = int_item_tag(types_, item);
  if (!tag) {
    b_.CreateCall(runtime(RuntimeFn::DictSetitem), {set, key_slot, no_value});
    return;
  }
  V h = container_header(set);
  FirstProbe p = first_probe(b_, h, key_slot, mt(item), tag);
  V fill_ptr = b_.CreateConstGEP1_64(i8_, h, kFillOffset);
  V fill = b_.CreateLoad(i64_, fill_ptr);
  V limit = b_.CreateLoad(i64_, b_.CreateConstGEP1_64(i8_, h, kFillLimitOffset));
  V hit =
      b_.CreateAnd(b_.CreateICmpEQ(p.stored_hash, p.hash), b_.CreateICmpEQ(p.stored_key, p.key));
  V room = b_.CreateAnd(b_.CreateICmpEQ(p.stored_hash, b_.getInt64(EMBER_SET_EMPTY)),
                        b_.CreateICmpSLT(fill, limit));
  auto *store = llvm::BasicBlock::Create(ctx_, "set.add.store", fn_);
  auto *other = llvm::BasicBlock::Create(ctx_, "set.add.other", fn_);
  auto *slow = llvm::BasicBlock::Create(ctx_, "set.add.probe", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "set.add.done", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(room, store, other, md.createBranchWeights(1000, 1));
  b_.SetInsertPoint(store);
  b_.CreateStore(p.hash, p.slot);
  b_.CreateStore(p.key, b_.CreateConstGEP1_64(i8_, p.slot, kSlotKeyOffset));
  b_.CreateStore(b_.CreateAdd(fill, b_.getInt64(1)), fill_ptr);
  V live_ptr = b_.CreateConstGEP1_64(i8_, h, kLiveOffset);
  b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, live_ptr), b_.getInt64(1)), live_ptr);
  b_.CreateBr(done);
  b_.SetInsertPoint(other);  // already there: nothing to do; else the runtime probes on
  b_.CreateCondBr(hit, done, slow);
  b_.SetInsertPoint(slow);
  b_.CreateCall(runtime(RuntimeFn::DictSetitem), {set, key_slot, no_value});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

}  // namespace ember
