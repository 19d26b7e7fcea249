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
#include <algorithm>
#include <cstddef>

#include "ember/abi.h"
#include "ir/CFG.h"
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
  if (local_ramp_) {
    // The consumer's header; the frame on the heap unless CoroElide puts it in the consumer's
    // frame (coro.alloc false).  A MemInfo without a destructor, found kFrameAlign bytes
    // before the frame when coro.free hands the frame back (the cleanup block below).
    coro_.header = fn_->getArg(fn_->arg_size() - 1);
    llvm::BasicBlock *from = b_.GetInsertBlock();
    auto *alloc = llvm::BasicBlock::Create(ctx_, "coro.alloc", fn_);
    auto *begin = llvm::BasicBlock::Create(ctx_, "coro.begin", fn_);
    b_.CreateCondBr(b_.CreateIntrinsic(llvm::Intrinsic::coro_alloc, {}, {coro_.id}), alloc, begin);
    b_.SetInsertPoint(alloc);
    V mi = b_.CreateCall(runtime(RuntimeFn::MeminfoAlloc),
                         {b_.CreateAdd(frame_size, llvm::ConstantInt::get(i64_, kFrameAlign))});
    V data = generator_header(mi);
    b_.CreateStore(mi, data);
    V heap = b_.CreateConstInBoundsGEP1_64(i8_, data, kFrameAlign);
    b_.CreateBr(begin);
    b_.SetInsertPoint(begin);
    llvm::PHINode *memory = b_.CreatePHI(ptr_, 2, "coro.memory");
    memory->addIncoming(null, from);
    memory->addIncoming(heap, alloc);
    coro_.handle = b_.CreateIntrinsic(llvm::Intrinsic::coro_begin, {}, {coro_.id, memory});
    b_.CreateStore(coro_.handle, ret_ptr_);
  } else {
    V mi = b_.CreateCall(runtime(RuntimeFn::GeneratorNew),
                         {b_.CreateAdd(frame_size, llvm::ConstantInt::get(i64_, header_size))});
    V data = generator_header(mi);
    V memory = b_.CreateConstInBoundsGEP1_64(i8_, data, header_size);
    coro_.handle = b_.CreateIntrinsic(llvm::Intrinsic::coro_begin, {}, {coro_.id, memory});
    b_.CreateStore(coro_.handle, b_.CreateStructGEP(ht, data, kFrame));
    // Addressed from the handle, so the resume and destroy functions find it from their frame.
    coro_.header = b_.CreateConstGEP1_64(i8_, coro_.handle, -static_cast<int64_t>(header_size));
    b_.CreateStore(mi, ret_ptr_);
  }
  err_ptr_ = b_.CreateStructGEP(ht, coro_.header, kError);
  b_.CreateStore(llvm::ConstantInt::get(i32_, kGeneratorReady),
                 b_.CreateStructGEP(ht, coro_.header, kStatus));
  // The generator outlives this call: it owns references to what it was called with.
  for (size_t k = 0; k < f_.arg_types.size(); ++k)
    if (vt(f_.arg_types[k])) incref(fn_->getArg(2 + static_cast<unsigned>(k)), f_.arg_types[k]);

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
    // A generator's memory is its MemInfo's, which frees it after this (runtime/Generator.cpp);
    // a local ramp's frame is freed here, when it is on the heap (coro.free is null in the
    // cleanup function CoroElide calls when it is not).
    llvm::IRBuilder<> cb(coro_.cleanup);
    V memory = cb.CreateIntrinsic(llvm::Intrinsic::coro_free, {}, {coro_.id, coro_.handle});
    if (local_ramp_) {
      auto *release = llvm::BasicBlock::Create(ctx_, "coro.free", fn_);
      cb.CreateCondBr(cb.CreateIsNotNull(memory), release, coro_.suspend);
      llvm::IRBuilder<> rb(release);
      V mi = rb.CreateLoad(ptr_, rb.CreateConstGEP1_64(i8_, memory, -int64_t{kFrameAlign}));
      rb.CreateCall(runtime(RuntimeFn::MeminfoFree), {mi});
      rb.CreateBr(coro_.suspend);
    } else {
      cb.CreateBr(coro_.suspend);
    }
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
  auto local = local_generators_.find(gen);
  V header = local != local_generators_.end() ? local->second.header : generator_header(gen);
  V status_ptr = b_.CreateStructGEP(ht, header, kStatus);
  llvm::BasicBlock *from = b_.GetInsertBlock();
  auto *resume = llvm::BasicBlock::Create(ctx_, "gen.resume", fn_);
  auto *raised = llvm::BasicBlock::Create(ctx_, "gen.raised", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "gen.next", fn_);
  llvm::Constant *ready = llvm::ConstantInt::get(i32_, kGeneratorReady);
  b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateLoad(i32_, status_ptr), ready), resume, done);

  b_.SetInsertPoint(resume);
  if (local != local_generators_.end()) {
    // The handle is the ramp's coro.begin once the ramp is inlined: CoroElide makes this a
    // direct call of the resume function, which the inliner then inlines.
    b_.CreateIntrinsic(llvm::Intrinsic::coro_resume, {}, {gen});
  } else {
    V frame = b_.CreateLoad(ptr_, b_.CreateStructGEP(ht, header, kFrame));
    auto *resume_type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_}, false);
    b_.CreateCall(resume_type, b_.CreateLoad(ptr_, frame), {frame});
  }
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
  auto local = local_generators_.find(gen);
  V header = local != local_generators_.end() ? local->second.header : generator_header(gen);
  return from_memory(b_.CreateLoad(m, b_.CreateStructGEP(ht, header, kValue)), yield_type);
}

llvm::Value *FunctionLowerer::generator_min_max(V gen, TypeId gen_type, bool is_max) {
  TypeId item = types_.get(gen_type).elems[0];
  ScalarKind k = types_.scalar_kind(item);
  auto *empty = llvm::BasicBlock::Create(ctx_, "minmax.empty", fn_);
  auto *first = llvm::BasicBlock::Create(ctx_, "minmax.first", fn_);
  auto *loop = llvm::BasicBlock::Create(ctx_, "minmax.loop", fn_);
  auto *step = llvm::BasicBlock::Create(ctx_, "minmax.step", fn_);
  auto *exit = llvm::BasicBlock::Create(ctx_, "minmax.exit", fn_);
  b_.CreateCondBr(generator_next(gen, gen_type), first, empty);
  b_.SetInsertPoint(empty);
  emit_raise(EMBER_EXC_ValueError,
             std::string(is_max ? "max" : "min") + "() arg is an empty sequence");
  b_.SetInsertPoint(first);
  V start = generator_value(gen, gen_type);
  b_.CreateBr(loop);
  b_.SetInsertPoint(loop);
  llvm::PHINode *acc = b_.CreatePHI(start->getType(), 2, "minmax.acc");
  acc->addIncoming(start, first);
  b_.CreateCondBr(generator_next(gen, gen_type), step, exit);
  b_.SetInsertPoint(step);
  V v = generator_value(gen, gen_type);
  V beats;  // Python replaces the item it keeps only when a later one compares strictly
  if (is_float(k))
    beats = is_max ? b_.CreateFCmpOGT(v, acc) : b_.CreateFCmpOLT(v, acc);
  else if (k == ScalarKind::Bool || !is_signed(k))
    beats = is_max ? b_.CreateICmpUGT(v, acc) : b_.CreateICmpULT(v, acc);
  else
    beats = is_max ? b_.CreateICmpSGT(v, acc) : b_.CreateICmpSLT(v, acc);
  acc->addIncoming(b_.CreateSelect(beats, v, acc), b_.GetInsertBlock());
  b_.CreateBr(loop);
  b_.SetInsertPoint(exit);
  return acc;
}

// ---- local generators ------------------------------------------------------------------------
// `for x in g(...)`, g a generator function known here, is Numba's fast case: Numba's generator
// is a struct on the consumer's stack and its next function is inlined.  Here the call gets g's
// local ramp, which takes the header from the consumer (an alloca) and returns the coroutine
// handle instead of a MemInfo; the consumer resumes and destroys it with coro.resume and
// coro.destroy on that handle.  Once the ramp is inlined, CoroElide sees the handle come from
// coro.begin: it turns those into direct calls of the resume and destroy functions and, since
// every path destroys the coroutine, moves the frame into the consumer's stack frame (coro.alloc
// false).  The inliner then inlines the resume function and SROA promotes frame and header to
// registers: the loop is the generator's loop with the consumer's body where the yield was.

void FunctionLowerer::find_local_generators() {
  if (!ms_.counts_references) return;  // the destroy is the last decref
  std::map<uint32_t, std::vector<const InstData *>> users;
  std::set<uint32_t> escaping;  // passed along a branch edge: a phi of handles
  CFG cfg(f_);
  for (Block b : cfg.rpo()) {
    for (Inst i : f_.block(b).insts) {
      const InstData &d = f_.inst(i);
      for (Value v : d.operands) users[v.id].push_back(&d);
      for (const BlockCall &t : d.targets)
        for (Value v : t.args) escaping.insert(v.id);
    }
  }
  auto only = [&](Value v, std::initializer_list<Op> ops, const InstData **getiter) {
    if (escaping.count(v.id)) return false;
    for (const InstData *u : users[v.id]) {
      if (std::find(ops.begin(), ops.end(), u->op) == ops.end()) return false;
      if (u->op == Op::GetIter) {
        if (*getiter) return false;  // two loops over one generator
        *getiter = u;
      }
    }
    return true;
  };
  for (Block b : cfg.rpo()) {
    for (Inst i : f_.block(b).insts) {
      const InstData &d = f_.inst(i);
      if (d.op != Op::Call || !d.result.valid()) continue;
      const TypeData &callee = types_.get(type(d.operands[0]));
      if (callee.kind != TypeKind::Dispatcher ||
          static_cast<CalleeKind>(callee.a) != CalleeKind::Function)
        continue;
      const CalleeRef &ref = f_.callees[d.aux];
      if (ref.self || !ref.function || !ref.function->is_generator) continue;
      const InstData *getiter = nullptr;
      if (!only(d.result, {Op::GetIter, Op::IncRef, Op::DecRef}, &getiter) || !getiter) continue;
      const InstData *none = nullptr;
      if (!only(getiter->result, {Op::IterNext, Op::IterValue, Op::IncRef, Op::DecRef}, &none))
        continue;
      local_generator_calls_.insert(d.result.id);
    }
  }
}

llvm::Function *FunctionLowerer::local_ramp(const Function &g) {
  auto it = ms_.local_ramps.find(g.symbol);
  if (it != ms_.local_ramps.end()) return it->second;
  llvm::Function *generic = declare(ms_, g, false);
  std::vector<llvm::Type *> params(generic->getFunctionType()->param_begin(),
                                   generic->getFunctionType()->param_end());
  params.push_back(ptr_);
  auto *ft = llvm::FunctionType::get(i32_, params, false);
  auto *fn = llvm::Function::Create(ft, llvm::GlobalValue::InternalLinkage, g.symbol + ".local",
                                    ms_.module);
  fn->setAttributes(generic->getAttributes());
  ms_.local_ramps[g.symbol] = fn;
  ms_.pending_local_ramps.emplace_back(&g, fn);
  return fn;
}

llvm::Value *FunctionLowerer::call_local_ramp(const InstData &d) {
  const CalleeRef &ref = f_.callees[d.aux];
  TypeId gen = type(d.result);
  LocalGenerator local;
  local.header = entry_alloca(generator_header_type(gen), "gen.header");
  local.count = entry_alloca(i64_, "gen.refs");
  b_.CreateStore(llvm::ConstantInt::get(i64_, 1), local.count);
  llvm::Function *ramp = local_ramp(*ref.function);
  V slot = entry_alloca(ptr_, "gen.handle");
  std::vector<V> args = {slot, err_ptr_};
  for (size_t k = 1; k < d.operands.size(); ++k) {
    V a = get(d.operands[k]);
    args.push_back(a ? a : llvm::ConstantInt::get(i8_, 0));
  }
  args.push_back(local.header);
  b_.CreateCall(ramp, args);  // it cannot fail: it only makes the frame
  V handle = b_.CreateLoad(ptr_, slot);
  local_generators_[handle] = local;
  return handle;
}

bool FunctionLowerer::local_generator_ref(V v, int delta) {
  auto it = local_generators_.find(v);
  if (it == local_generators_.end()) return false;
  V count = it->second.count;
  V n = b_.CreateAdd(b_.CreateLoad(i64_, count), llvm::ConstantInt::get(i64_, delta, true));
  b_.CreateStore(n, count);
  if (delta > 0) return true;
  auto *destroy = llvm::BasicBlock::Create(ctx_, "gen.destroy", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "gen.destroy.done", fn_);
  b_.CreateCondBr(b_.CreateICmpEQ(n, llvm::ConstantInt::get(i64_, 0)), destroy, done);
  b_.SetInsertPoint(destroy);
  b_.CreateIntrinsic(llvm::Intrinsic::coro_destroy, {}, {v});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return true;
}

}  // namespace ember
