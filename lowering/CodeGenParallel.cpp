// ParallelFor (ParallelizeLoops.h): the prange loop's iterations go to the runtime's thread pool
// (ember_parallel_for) in chunks.  Each chunk runs the outlined body through a small trampoline
// that unpacks the loop's inputs from an environment struct; each writes its reduction partials
// into a slot of its own, and the slots are combined here, in chunk order, once the pool is done.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

namespace {
constexpr int64_t kMaxChunks = 256;
}

V FunctionLowerer::range_count(V start, V stop, V step) {
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0), *one = llvm::ConstantInt::get(i64_, 1);
  raise_if(b_.CreateICmpEQ(step, zero), EMBER_EXC_ValueError, "range() arg 3 must not be zero");
  V up = b_.CreateICmpSGT(step, zero);
  V count_up = b_.CreateSelect(
      b_.CreateICmpSLT(start, stop),
      b_.CreateAdd(b_.CreateUDiv(b_.CreateSub(b_.CreateSub(stop, start), one), step), one), zero);
  V count_down = b_.CreateSelect(
      b_.CreateICmpSGT(start, stop),
      b_.CreateAdd(b_.CreateUDiv(b_.CreateSub(b_.CreateSub(start, stop), one), b_.CreateNeg(step)),
                   one),
      zero);
  return b_.CreateSelect(up, count_up, count_down);
}

V FunctionLowerer::run_on_pool(V n, const std::vector<V> &captures, llvm::Type *slot_t,
                               const std::function<void(V, V, const std::vector<V> &, V)> &body,
                               V *slots) {
  static int serial = 0;
  std::vector<llvm::Type *> fields;
  for (V c : captures) fields.push_back(c->getType());
  auto *env_t = llvm::StructType::get(ctx_, fields);
  V env = entry_alloca(env_t, "chunk.env");
  for (unsigned k = 0; k < captures.size(); ++k)
    b_.CreateStore(captures[k], b_.CreateStructGEP(env_t, env, k));
  auto *chunk_t = llvm::FunctionType::get(i32_, {i64_, i64_, ptr_, ptr_, ptr_}, false);
  auto *chunk =
      llvm::Function::Create(chunk_t, llvm::GlobalValue::InternalLinkage,
                             fn_->getName() + ".chunk" + std::to_string(serial++), ms_.module);
  chunk->addFnAttr(llvm::Attribute::NoUnwind);
  {
    // Emit the body inside the chunk function, with this lowerer's state pointed at it.
    llvm::Function *saved_fn = fn_;
    llvm::BasicBlock *saved_entry = entry_;
    V saved_err = err_ptr_;
    bool saved_chunk = in_chunk_;
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    fn_ = chunk;
    entry_ = llvm::BasicBlock::Create(ctx_, "entry", chunk);
    err_ptr_ = chunk->getArg(4);
    in_chunk_ = true;
    b_.SetInsertPoint(entry_);
    std::vector<V> inside;
    for (unsigned k = 0; k < captures.size(); ++k)
      inside.push_back(b_.CreateLoad(fields[k], b_.CreateStructGEP(env_t, chunk->getArg(2), k)));
    auto *start = llvm::BasicBlock::Create(ctx_, "body", chunk);
    b_.CreateBr(start);
    b_.SetInsertPoint(start);
    body(chunk->getArg(0), chunk->getArg(1), inside, chunk->getArg(3));
    b_.CreateRet(llvm::ConstantInt::get(i32_, EMBER_OK));
    fn_ = saved_fn;
    entry_ = saved_entry;
    err_ptr_ = saved_err;
    in_chunk_ = saved_chunk;
  }
  llvm::Type *st = slot_t ? slot_t : i8_;
  int64_t slot_size =
      slot_t ? static_cast<int64_t>(ms_.module.getDataLayout().getTypeAllocSize(slot_t)) : 0;
  V slot_array = entry_alloca(llvm::ArrayType::get(st, kMaxChunks), "chunk.slots");
  V chunks = call_parallel_for(n, chunk, env, slot_array, slot_size);
  auto *fail = llvm::BasicBlock::Create(ctx_, "pool.fail", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "pool.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpSLT(chunks, llvm::ConstantInt::get(i64_, 0)), fail, ok);
  b_.SetInsertPoint(fail);
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
  b_.SetInsertPoint(ok);
  if (slots) *slots = slot_array;
  return chunks;
}

V FunctionLowerer::call_parallel_for(V n, llvm::Function *chunk, V env, V slots,
                                     int64_t slot_size) {
  return b_.CreateCall(
      runtime(RuntimeFn::ParallelFor),
      {n, chunk, env, slots, llvm::ConstantInt::get(i64_, static_cast<uint64_t>(slot_size)),
       llvm::ConstantInt::get(i64_, kMaxChunks), err_ptr_});
}

V FunctionLowerer::lower_parallel_for(const InstData &d) {
  const CalleeRef &ref = f_.callees[d.aux];
  llvm::Function *body = ms_.functions.at(ref.symbol);
  const std::vector<ReduceOp> &ops = f_.reductions.at(current_id_.id);
  V range = get(d.operands[0]);
  V start = b_.CreateExtractValue(range, {0});
  V stop = b_.CreateExtractValue(range, {1});
  V step = b_.CreateExtractValue(range, {2});
  V count = range_count(start, stop, step);

  // The environment: the range's start and step, then every live-in value.
  std::vector<llvm::Type *> fields = {i64_, i64_};
  std::vector<TypeId> live_types;
  for (size_t k = 1; k < d.operands.size(); ++k) {
    live_types.push_back(type(d.operands[k]));
    fields.push_back(mt(live_types.back()));
  }
  auto *env_t = llvm::StructType::get(ctx_, fields);
  V env = entry_alloca(env_t, "env");
  b_.CreateStore(start, b_.CreateStructGEP(env_t, env, 0));
  b_.CreateStore(step, b_.CreateStructGEP(env_t, env, 1));
  for (size_t k = 1; k < d.operands.size(); ++k)
    b_.CreateStore(to_memory(get(d.operands[k]), live_types[k - 1]),
                   b_.CreateStructGEP(env_t, env, static_cast<unsigned>(k + 1)));

  // The trampoline the pool calls: i32 (i64 lo, i64 hi, ptr env, ptr slot, ptr err).
  auto *tramp_t = llvm::FunctionType::get(i32_, {i64_, i64_, ptr_, ptr_, ptr_}, false);
  auto *tramp = llvm::Function::Create(tramp_t, llvm::GlobalValue::InternalLinkage,
                                       ref.symbol + ".chunk", ms_.module);
  tramp->addFnAttr(llvm::Attribute::NoUnwind);
  {
    llvm::IRBuilder<> tb(llvm::BasicBlock::Create(ctx_, "entry", tramp));
    V lo = tramp->getArg(0), hi = tramp->getArg(1);
    V env_start = tb.CreateLoad(i64_, tb.CreateStructGEP(env_t, tramp->getArg(2), 0));
    V env_step = tb.CreateLoad(i64_, tb.CreateStructGEP(env_t, tramp->getArg(2), 1));
    std::vector<V> live;
    for (size_t k = 0; k < live_types.size(); ++k) {
      V x = tb.CreateLoad(
          fields[k + 2], tb.CreateStructGEP(env_t, tramp->getArg(2), static_cast<unsigned>(k + 2)));
      if (types_.is_scalar(live_types[k]) && types_.scalar_kind(live_types[k]) == ScalarKind::Bool)
        x = tb.CreateICmpNE(x, llvm::ConstantInt::get(i8_, 0));
      live.push_back(x);
    }
    auto call_body = [&](V k_lo, V k_hi, V start, V step) {
      std::vector<V> args = {tramp->getArg(3), tramp->getArg(4), k_lo, k_hi, start, step};
      args.insert(args.end(), live.begin(), live.end());
      tb.CreateRet(tb.CreateCall(body, args));
    };
    // The common prange(n) / prange(a, b) with a >= 0 gets a body of its own in which the loop
    // variable is the counter itself, from start + lo, known non-negative: array indexing by it
    // then needs no negative-index wrap, so the loop vectorizes as the serial one does.  (With
    // start and step loaded from the environment, i = start + k * step was opaque to LLVM.)
    auto *unit = llvm::BasicBlock::Create(ctx_, "unit.step", tramp);
    auto *general = llvm::BasicBlock::Create(ctx_, "general.step", tramp);
    V zero = llvm::ConstantInt::get(i64_, 0), one = llvm::ConstantInt::get(i64_, 1);
    tb.CreateCondBr(tb.CreateAnd(tb.CreateICmpEQ(env_step, one), tb.CreateICmpSGE(env_start, zero)),
                    unit, general);
    tb.SetInsertPoint(unit);
    V first = tb.CreateAdd(env_start, lo, "", /*HasNUW=*/true, /*HasNSW=*/true);
    tb.CreateAssumption(tb.CreateICmpSGE(first, zero));
    call_body(first, tb.CreateAdd(env_start, hi, "", true, true), zero, one);
    tb.SetInsertPoint(general);
    call_body(lo, hi, env_start, env_step);
  }

  // One slot per chunk for the partials; at most kMaxChunks chunks.
  TypeId rt = type(d.result);
  llvm::Type *slot_t = mt(rt);
  int64_t slot_size = static_cast<int64_t>(ms_.module.getDataLayout().getTypeAllocSize(slot_t));
  V slots = entry_alloca(llvm::ArrayType::get(slot_t, kMaxChunks), "slots");
  V chunks = call_parallel_for(count, tramp, env, slots, slot_size);
  // A failed chunk: the runtime copied its error; drop our references and return.
  auto *fail = llvm::BasicBlock::Create(ctx_, "parallel.fail", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "parallel.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpSLT(chunks, llvm::ConstantInt::get(i64_, 0)), fail, ok);
  b_.SetInsertPoint(fail);
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
  b_.SetInsertPoint(ok);

  // Combine the partials in chunk order, starting from each operator's identity.
  const auto &elems = types_.get(rt).elems;
  V acc = entry_alloca(slot_t, "partials");
  V init = llvm::UndefValue::get(slot_t);
  for (unsigned k = 0; k < elems.size(); ++k) {
    ScalarKind sk = types_.scalar_kind(elems[k]);
    V id = nullptr;
    switch (ops[k]) {
      case ReduceOp::Add:
      case ReduceOp::Or:
      case ReduceOp::Xor: id = scalar_zero(sk); break;
      case ReduceOp::Mul: id = scalar_one(sk); break;
      case ReduceOp::And: id = llvm::Constant::getAllOnesValue(vt(elems[k])); break;
      case ReduceOp::Min:
      case ReduceOp::Max: {
        bool is_min = ops[k] == ReduceOp::Min;
        llvm::Type *t = vt(elems[k]);
        if (is_float(sk))
          id = llvm::ConstantFP::getInfinity(t, !is_min);
        else if (is_signed(sk))
          id = is_min ? llvm::ConstantInt::get(
                            t, llvm::APInt::getSignedMaxValue(t->getIntegerBitWidth()))
                      : llvm::ConstantInt::get(
                            t, llvm::APInt::getSignedMinValue(t->getIntegerBitWidth()));
        else
          id = is_min ? llvm::Constant::getAllOnesValue(t) : llvm::Constant::getNullValue(t);
        break;
      }
    }
    init = b_.CreateInsertValue(init, to_memory(id, elems[k]), {k});
  }
  b_.CreateStore(init, acc);
  emit_loop(chunks, [&](V c) {
    V slot = b_.CreateLoad(slot_t, b_.CreateGEP(slot_t, slots, c));
    V cur = b_.CreateLoad(slot_t, acc);
    V next = cur;
    for (unsigned k = 0; k < elems.size(); ++k) {
      TypeId t = elems[k];
      V a = from_memory(b_.CreateExtractValue(cur, {k}), t);
      V p = from_memory(b_.CreateExtractValue(slot, {k}), t);
      V r = nullptr;
      switch (ops[k]) {
        case ReduceOp::Add: r = lower_binop(BinOpKind::Add, a, p, t, false); break;
        case ReduceOp::Mul: r = lower_binop(BinOpKind::Mul, a, p, t, false); break;
        case ReduceOp::And: r = b_.CreateAnd(a, p); break;
        case ReduceOp::Or: r = b_.CreateOr(a, p); break;
        case ReduceOp::Xor: r = b_.CreateXor(a, p); break;
        case ReduceOp::Min: r = scalar_min_max(false, a, p, types_.scalar_kind(t)); break;
        case ReduceOp::Max: r = scalar_min_max(true, a, p, types_.scalar_kind(t)); break;
      }
      next = b_.CreateInsertValue(next, to_memory(r, t), {k});
    }
    b_.CreateStore(next, acc);
  });
  return b_.CreateLoad(slot_t, acc);
}

}  // namespace ember
