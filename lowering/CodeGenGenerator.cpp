// Generators: a generator function is lowered as an LLVM coroutine (the switch-resumed ABI,
// which is Numba's design done by LLVM: CoroSplit turns the function into a ramp, a resume
// function that switches on the suspend point, and a destroy function, and keeps the values
// live across a yield in a frame struct).  The ramp allocates one MemInfo holding a header
// (GeneratorHeader below) and then the frame, and returns the MemInfo: that is the generator
// value (TypeKind::Generator), reference counted like a string.  Consumers know nothing of the
// generator function: the frame's first two words are its resume and destroy functions, and
// the header, laid out from the yield type alone, carries the status, the value yielded and the
// error record a raise in the body fills.  No Python object is involved.
//
// References: the ramp takes one on each counted argument (the body's Arg does not), a Yield's
// unwind set (InsertRefcounts) is what the frame owns while suspended there, and destroying a
// suspended generator (the MemInfo's destructor, runtime/Generator.cpp) runs the destroy
// branch of that suspend point, which drops exactly that set.  So a generator dropped before it
// is exhausted leaks nothing.
#include <cstddef>

#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {
// The header's fields, in order: the frame (coroutine handle), the status, the error record,
// the value of the last yield.
enum HeaderField : unsigned { kFrame = 0, kStatus = 1, kError = 2, kValue = 3 };
// The frame follows the header at this alignment (the MemInfo's data is 64-byte aligned too).
constexpr uint64_t kFrameAlign = 64;
constexpr unsigned kMeminfoDataOffset = offsetof(ember_meminfo, data);
}  // namespace

llvm::StructType *FunctionLowerer::generator_header_type(TypeId gen) {
  TypeId yield_type = types_.get(gen).elems[0];
  llvm::Type *value = mt(yield_type);
  return llvm::StructType::get(ctx_, {ptr_, i32_, dm_.error_type(), value ? value : i8_});
}

uint64_t FunctionLowerer::generator_header_size(TypeId gen) {
  uint64_t size = ms_.module.getDataLayout().getTypeAllocSize(generator_header_type(gen));
  return (size + kFrameAlign - 1) / kFrameAlign * kFrameAlign;
}

llvm::Value *FunctionLowerer::generator_header(V gen) {
  return b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(i8_, gen, kMeminfoDataOffset));
}

void FunctionLowerer::begin_generator(llvm::BasicBlock *body) {
  TypeId gen = f_.return_type;
  llvm::StructType *ht = generator_header_type(gen);
  uint64_t header_size = generator_header_size(gen);
  fn_->setPresplitCoroutine();
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  coro_.id = b_.CreateIntrinsic(llvm::Intrinsic::coro_id, {},
                                {llvm::ConstantInt::get(i32_, kFrameAlign), null, null, null});
  V frame_size = b_.CreateIntrinsic(llvm::Intrinsic::coro_size, {i64_}, {});
  V mi = b_.CreateCall(runtime(RuntimeFn::GeneratorNew),
                       {b_.CreateAdd(frame_size, llvm::ConstantInt::get(i64_, header_size))});
  V data = generator_header(mi);
  V memory = b_.CreateConstInBoundsGEP1_64(i8_, data, header_size);
  coro_.handle = b_.CreateIntrinsic(llvm::Intrinsic::coro_begin, {}, {coro_.id, memory});
  b_.CreateStore(coro_.handle, b_.CreateStructGEP(ht, data, kFrame));
  // Addressed from the handle, so the resume and destroy functions find it from their frame.
  coro_.header = b_.CreateConstGEP1_64(i8_, coro_.handle, -static_cast<int64_t>(header_size));
  err_ptr_ = b_.CreateStructGEP(ht, coro_.header, kError);
  b_.CreateStore(llvm::ConstantInt::get(i32_, kGeneratorReady),
                 b_.CreateStructGEP(ht, coro_.header, kStatus));
  // The generator outlives this call: it owns references to what it was called with.
  for (size_t k = 0; k < f_.arg_types.size(); ++k)
    if (vt(f_.arg_types[k])) incref(fn_->getArg(2 + static_cast<unsigned>(k)), f_.arg_types[k]);
  b_.CreateStore(mi, ret_ptr_);

  // The blocks every suspend point shares: returning to whoever resumed (or made) it, freeing
  // the frame after a destroy branch released what it held, and the final suspend.
  coro_.suspend = llvm::BasicBlock::Create(ctx_, "coro.suspend", fn_);
  coro_.cleanup = llvm::BasicBlock::Create(ctx_, "coro.cleanup", fn_);
  coro_.final = llvm::BasicBlock::Create(ctx_, "coro.final", fn_);
  auto *destroy_unstarted = llvm::BasicBlock::Create(ctx_, "coro.destroy.unstarted", fn_);
  llvm::Constant *none = llvm::ConstantTokenNone::get(ctx_);
  {
    llvm::IRBuilder<> sb(coro_.suspend);
    sb.CreateIntrinsic(llvm::Intrinsic::coro_end, {},
                       {coro_.handle, llvm::ConstantInt::getFalse(ctx_), none});
    sb.CreateRet(llvm::ConstantInt::get(i32_, EMBER_OK));
  }
  {
    // The memory is the MemInfo's, which frees it after this (runtime/Generator.cpp).
    llvm::IRBuilder<> cb(coro_.cleanup);
    cb.CreateIntrinsic(llvm::Intrinsic::coro_free, {}, {coro_.id, coro_.handle});
    cb.CreateBr(coro_.suspend);
  }
  {
    llvm::IRBuilder<> fb(coro_.final);
    V s = fb.CreateIntrinsic(llvm::Intrinsic::coro_suspend, {},
                             {none, llvm::ConstantInt::getTrue(ctx_)});
    auto *never = llvm::BasicBlock::Create(ctx_, "coro.resumed.after.end", fn_);
    llvm::SwitchInst *sw = fb.CreateSwitch(s, coro_.suspend, 2);
    sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 0), never);
    sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 1), coro_.cleanup);
    llvm::IRBuilder<>(never).CreateUnreachable();  // consumers check the status first
  }
  // The first resume starts the body; a destroy before it drops the arguments.
  V s = b_.CreateIntrinsic(llvm::Intrinsic::coro_suspend, {},
                           {none, llvm::ConstantInt::getFalse(ctx_)});
  llvm::SwitchInst *sw = b_.CreateSwitch(s, coro_.suspend, 2);
  sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 0), body);
  sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 1), destroy_unstarted);
  b_.SetInsertPoint(destroy_unstarted);
  for (size_t k = 0; k < f_.arg_types.size(); ++k)
    if (vt(f_.arg_types[k])) decref(fn_->getArg(2 + static_cast<unsigned>(k)), f_.arg_types[k]);
  b_.CreateBr(coro_.cleanup);
}

void FunctionLowerer::end_generator(int32_t status) {
  llvm::StructType *ht = generator_header_type(f_.return_type);
  b_.CreateStore(llvm::ConstantInt::get(i32_, static_cast<uint64_t>(status)),
                 b_.CreateStructGEP(ht, coro_.header, kStatus));
  b_.CreateBr(coro_.final);
}

void FunctionLowerer::lower_yield(const InstData &d) {
  llvm::StructType *ht = generator_header_type(f_.return_type);
  TypeId t = type(d.operands[0]);
  if (mt(t))
    b_.CreateStore(to_memory(get(d.operands[0]), t), b_.CreateStructGEP(ht, coro_.header, kValue));
  V s = b_.CreateIntrinsic(llvm::Intrinsic::coro_suspend, {},
                           {llvm::ConstantTokenNone::get(ctx_), llvm::ConstantInt::getFalse(ctx_)});
  auto *resumed = llvm::BasicBlock::Create(ctx_, "yield.resumed", fn_);
  auto *destroyed = llvm::BasicBlock::Create(ctx_, "yield.destroyed", fn_);
  llvm::SwitchInst *sw = b_.CreateSwitch(s, coro_.suspend, 2);
  sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 0), resumed);
  sw->addCase(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx_), 1), destroyed);
  // Dropped while suspended here: release what the frame holds at this point.
  b_.SetInsertPoint(destroyed);
  auto it = f_.unwind.find(current_id_.id);
  if (it != f_.unwind.end())
    for (Value v : it->second)
      if (get(v)) decref(get(v), type(v));
  b_.CreateBr(coro_.cleanup);
  b_.SetInsertPoint(resumed);
  if (llvm::Type *none = vt(type(d.result))) set(d.result, llvm::Constant::getNullValue(none));
}

llvm::Value *FunctionLowerer::generator_next(V gen, TypeId gen_type) {
  llvm::StructType *ht = generator_header_type(gen_type);
  V header = generator_header(gen);
  V status_ptr = b_.CreateStructGEP(ht, header, kStatus);
  llvm::BasicBlock *from = b_.GetInsertBlock();
  auto *resume = llvm::BasicBlock::Create(ctx_, "gen.resume", fn_);
  auto *raised = llvm::BasicBlock::Create(ctx_, "gen.raised", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "gen.next", fn_);
  llvm::Constant *ready = llvm::ConstantInt::get(i32_, kGeneratorReady);
  b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateLoad(i32_, status_ptr), ready), resume, done);

  b_.SetInsertPoint(resume);
  V frame = b_.CreateLoad(ptr_, b_.CreateStructGEP(ht, header, kFrame));
  auto *resume_type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_}, false);
  b_.CreateCall(resume_type, b_.CreateLoad(ptr_, frame), {frame});
  V status = b_.CreateLoad(i32_, status_ptr);
  V yielded = b_.CreateICmpEQ(status, ready);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(b_.CreateICmpEQ(status, llvm::ConstantInt::get(i32_, kGeneratorRaised)), raised,
                  done, md.createBranchWeights(1, 1 << 20));
  llvm::BasicBlock *resumed = b_.GetInsertBlock();

  // The body raised: its record moves to ours, and the generator is over.
  b_.SetInsertPoint(raised);
  if (ms_.target.error_exit() == ErrorExit::CallerRecord)
    b_.CreateStore(b_.CreateLoad(dm_.error_type(), b_.CreateStructGEP(ht, header, kError)),
                   err_ptr_);
  b_.CreateStore(llvm::ConstantInt::get(i32_, kGeneratorDone), status_ptr);
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));

  b_.SetInsertPoint(done);
  llvm::PHINode *has_value = b_.CreatePHI(i1_, 2, "gen.has_value");
  has_value->addIncoming(llvm::ConstantInt::getFalse(ctx_), from);
  has_value->addIncoming(yielded, resumed);
  return has_value;
}

llvm::Value *FunctionLowerer::generator_value(V gen, TypeId gen_type) {
  TypeId yield_type = types_.get(gen_type).elems[0];
  llvm::Type *m = mt(yield_type);
  if (!m) return nullptr;
  llvm::StructType *ht = generator_header_type(gen_type);
  V header = generator_header(gen);
  return from_memory(b_.CreateLoad(m, b_.CreateStructGEP(ht, header, kValue)), yield_type);
}

}  // namespace ember
