// The FunctionLowerer driver: function shape, blocks and phis, control flow, errors, reference
// counts and calls between compiled functions; and lower_module(), which puts a function, its
// callees and its entry point into one LLVM module.
#include <set>

#include "ember/abi.h"
#include "ir/CFG.h"
#include "ir/rules/Datetime.h"
#include "lowering/FunctionLowerer.h"
#include "lowering/LlvmIrBody.h"

namespace ember {

FunctionLowerer::FunctionLowerer(ModuleState &ms, const Function &f, llvm::Function *fn,
                                 bool local_ramp)
    : local_ramp_(local_ramp),
      ms_(ms),
      dm_(ms.dm),
      types_(ms.dm.types()),
      f_(f),
      fn_(fn),
      ctx_(fn->getContext()),
      b_(fn->getContext()) {
  i1_ = llvm::Type::getInt1Ty(ctx_);
  i8_ = llvm::Type::getInt8Ty(ctx_);
  i32_ = llvm::Type::getInt32Ty(ctx_);
  i64_ = llvm::Type::getInt64Ty(ctx_);
  ptr_ = dm_.pointer_type();
  f64_ = llvm::Type::getDoubleTy(ctx_);
}

llvm::Function *FunctionLowerer::declare(ModuleState &ms, const Function &f, bool external) {
  auto it = ms.functions.find(f.symbol);
  if (it != ms.functions.end()) return it->second;
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  std::vector<llvm::Type *> params = {ptr, ptr};
  for (TypeId t : f.arg_types) {
    llvm::Type *vt = ms.dm.value_type(t);
    params.push_back(vt ? vt : llvm::Type::getInt8Ty(ctx));
  }
  auto *ft = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), params, false);
  auto *fn = llvm::Function::Create(
      ft, external ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage,
      f.symbol, ms.module);
  fn->addParamAttr(0, llvm::Attribute::NoAlias);
  fn->addParamAttr(0, llvm::Attribute::NoCapture);
  fn->addParamAttr(1, llvm::Attribute::NoAlias);
  fn->addParamAttr(1, llvm::Attribute::NoCapture);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  ms.functions[f.symbol] = fn;
  return fn;
}

llvm::Value *FunctionLowerer::entry_alloca(llvm::Type *t, const char *name) {
  llvm::IRBuilder<> eb(entry_, entry_->begin());
  return ms_.alloca_generic(eb, t, name);
}

llvm::Constant *FunctionLowerer::message(const std::string &text) {
  auto it = ms_.strings.find(text);
  if (it != ms_.strings.end()) return it->second;
  auto *init = llvm::ConstantDataArray::getString(ctx_, text, true);
  auto *gv = new llvm::GlobalVariable(
      ms_.module, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "ember.msg",
      nullptr, llvm::GlobalValue::NotThreadLocal, ms_.target.address_space(AddressSpace::Constant));
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  llvm::Constant *p = gv;
  if (gv->getType() != ptr_)
    p = llvm::ConstantExpr::getAddrSpaceCast(gv, llvm::cast<llvm::PointerType>(ptr_));
  ms_.strings[text] = p;
  return p;
}

void FunctionLowerer::store_error(int32_t exc, int32_t line, const std::string &msg, V args) {
  switch (ms_.target.error_exit()) {
    case ErrorExit::CallerRecord: {
      llvm::StructType *et = dm_.error_type();
      b_.CreateStore(llvm::ConstantInt::get(i32_, static_cast<uint64_t>(exc)),
                     b_.CreateStructGEP(et, err_ptr_, 0));
      b_.CreateStore(llvm::ConstantInt::get(i32_, static_cast<uint64_t>(line)),
                     b_.CreateStructGEP(et, err_ptr_, 1));
      b_.CreateStore(message(msg), b_.CreateStructGEP(et, err_ptr_, 2));
      b_.CreateStore(args ? args : llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0)),
                     b_.CreateStructGEP(et, err_ptr_, 3));
      // Where it was raised, for the traceback the dispatcher adds.
      b_.CreateStore(message(f_.name), b_.CreateStructGEP(et, err_ptr_, 4));
      b_.CreateStore(message(f_.filename), b_.CreateStructGEP(et, err_ptr_, 5));
      return;
    }
    case ErrorExit::DeviceRecord: store_device_record(exc, line, msg); return;
  }
}

void FunctionLowerer::emit_raise(int32_t exc, const std::string &msg) {
  store_error(exc, current_ ? current_->loc.line : 0, msg);
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
}

void FunctionLowerer::leave_raised(V status) {
  if (catch_ && !in_chunk_) {
    branch_to(*catch_);
    return;
  }
  if (current_ && !in_chunk_) {
    auto it = f_.unwind.find(current_id_.id);
    if (it != f_.unwind.end())
      for (Value v : it->second)
        if (get(v)) decref(get(v), type(v));
  }
  if (f_.is_generator && !in_chunk_) {  // the generator ends; its consumer raises
    end_generator(kGeneratorRaised);
    return;
  }
  b_.CreateRet(status);
}

void FunctionLowerer::branch_to(const BlockCall &t) {
  llvm::BasicBlock *from = b_.GetInsertBlock();
  const BlockData &target = f_.block(t.block);
  for (size_t k = 0; k < t.args.size(); ++k)
    if (llvm::PHINode *phi = phis_[target.params[k].id]) phi->addIncoming(get(t.args[k]), from);
  b_.CreateBr(blocks_[t.block.id]);
}

llvm::Value *FunctionLowerer::exception_args(V value, TypeId t) {
  if (!ms_.target.has(RuntimeService::Exceptions) ||
      ms_.target.error_exit() != ErrorExit::CallerRecord)
    return nullptr;  // the class alone (a GPU's record holds no values)
  const TypeData &d = types_.get(t);
  std::vector<int64_t> code = {EMBER_T_TUPLE, static_cast<int64_t>(d.elems.size())};
  for (TypeId e : d.elems) {
    if (types_.kind(e) == TypeKind::Str) {
      code.push_back(EMBER_T_CSTR);
      continue;
    }
    internal_assert(types_.to_code(e, &code)) << "exception argument " << types_.to_string(e);
  }
  auto *init = llvm::ConstantDataArray::get(
      ctx_, llvm::ArrayRef<uint64_t>(reinterpret_cast<const uint64_t *>(code.data()), code.size()));
  auto *gv = new llvm::GlobalVariable(ms_.module, init->getType(), true,
                                      llvm::GlobalValue::PrivateLinkage, init, "ember.exc.code");
  llvm::Type *st = mt(t);
  V slot = entry_alloca(st, "exc.args");
  b_.CreateStore(value, slot);
  uint64_t size = ms_.module.getDataLayout().getTypeAllocSize(st);
  return b_.CreateCall(runtime(RuntimeFn::ExcArgs), {gv, llvm::ConstantInt::get(i64_, code.size()),
                                                     slot, llvm::ConstantInt::get(i64_, size)});
}

llvm::Value *FunctionLowerer::lower_exc_match(const InstData &d) {
  V exc = b_.CreateExtractValue(get(d.operands[0]), {0});
  TypeId cls = type(d.operands[1]);
  std::vector<int32_t> ids;
  if (types_.kind(cls) == TypeKind::Tuple) {
    for (TypeId e : types_.get(cls).elems)
      ids.push_back(static_cast<int32_t>(types_.get(e).handle));
  } else {
    ids.push_back(static_cast<int32_t>(types_.get(cls).handle));
  }
  V any = llvm::ConstantInt::getFalse(ctx_);
  for (int32_t id : ids) {
    V m = b_.CreateCall(runtime(RuntimeFn::ExceptionMatches),
                        {exc, llvm::ConstantInt::get(i32_, static_cast<uint64_t>(id))});
    any = b_.CreateOr(any, b_.CreateICmpNE(m, llvm::ConstantInt::get(i32_, 0)));
  }
  return any;
}

void FunctionLowerer::raise_if(V cond, int32_t exc, const std::string &msg) {
  auto *raise = llvm::BasicBlock::Create(ctx_, "raise", fn_);
  auto *cont = llvm::BasicBlock::Create(ctx_, "cont", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(cond, raise, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(raise);
  emit_raise(exc, msg);
  b_.SetInsertPoint(cont);
}

void FunctionLowerer::emit_loop(V n, const std::function<void(V)> &body, const char *name) {
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  auto *head = llvm::BasicBlock::Create(ctx_, std::string(name) + ".head", fn_);
  auto *bodyb = llvm::BasicBlock::Create(ctx_, std::string(name) + ".body", fn_);
  auto *exit = llvm::BasicBlock::Create(ctx_, std::string(name) + ".exit", fn_);
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  llvm::PHINode *i = b_.CreatePHI(i64_, 2, "i");
  i->addIncoming(llvm::ConstantInt::get(i64_, 0), pre);
  b_.CreateCondBr(b_.CreateICmpSLT(i, n), bodyb, exit);
  b_.SetInsertPoint(bodyb);
  body(i);
  V next = b_.CreateAdd(i, llvm::ConstantInt::get(i64_, 1), "", true, true);
  i->addIncoming(next, b_.GetInsertBlock());
  b_.CreateBr(head);
  b_.SetInsertPoint(exit);
}

// ---- reference counts ---------------------------------------------------------------------

// Without an allocator nothing in compiled code owns memory: every array is borrowed and its
// meminfo null, so reference counts are never updated.  Nor in kernels, whose arrays are all
// borrowed from the launch (ModuleState::counts_references).  The count is the meminfo's first
// field.
static_assert(DataModel::kMeminfoRefcountOffset == 0, "the refcount is read at the meminfo");

void FunctionLowerer::meminfo_incref(V meminfo) {
  if (!ms_.counts_references) return;
  auto *yes = llvm::BasicBlock::Create(ctx_, "incref", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "incref.done", fn_);
  b_.CreateCondBr(b_.CreateIsNotNull(meminfo), yes, done);
  b_.SetInsertPoint(yes);
  b_.CreateAtomicRMW(llvm::AtomicRMWInst::Add, meminfo, llvm::ConstantInt::get(i64_, 1),
                     llvm::MaybeAlign(8), llvm::AtomicOrdering::Monotonic);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void FunctionLowerer::meminfo_decref(V meminfo) {
  if (!ms_.counts_references) return;
  auto *yes = llvm::BasicBlock::Create(ctx_, "decref", fn_);
  auto *release = llvm::BasicBlock::Create(ctx_, "decref.free", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "decref.done", fn_);
  b_.CreateCondBr(b_.CreateIsNotNull(meminfo), yes, done);
  b_.SetInsertPoint(yes);
  V old = b_.CreateAtomicRMW(llvm::AtomicRMWInst::Sub, meminfo, llvm::ConstantInt::get(i64_, 1),
                             llvm::MaybeAlign(8), llvm::AtomicOrdering::AcquireRelease);
  b_.CreateCondBr(b_.CreateICmpEQ(old, llvm::ConstantInt::get(i64_, 1)), release, done);
  b_.SetInsertPoint(release);
  b_.CreateCall(runtime(RuntimeFn::MeminfoFree), {meminfo});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

namespace {
template <typename F>
void for_each_reference(llvm::IRBuilder<> &b, DataModel &dm, llvm::Value *v, TypeId t,
                        F &&on_meminfo) {
  TypeContext &types = dm.types();
  const TypeData &d = types.get(t);
  switch (d.kind) {
    case TypeKind::Array:
    case TypeKind::RecordArray: on_meminfo(b.CreateExtractValue(v, {DataModel::kMeminfo})); return;
    case TypeKind::Tuple:
    case TypeKind::Closure:
      for (unsigned i = 0; i < d.elems.size(); ++i)
        if (types.needs_refcount(d.elems[i]))
          for_each_reference(b, dm, b.CreateExtractValue(v, {i}), d.elems[i], on_meminfo);
      return;
    case TypeKind::Optional:
      // An absent value is stored zeroed, so its meminfo is null: no branch needed.
      for_each_reference(b, dm, b.CreateExtractValue(v, {1}), d.elems[0], on_meminfo);
      return;
    case TypeKind::ArrayIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      llvm::Value *arr = b.CreateLoad(dm.memory_type(d.elems[0]), b.CreateStructGEP(st, v, 0));
      on_meminfo(b.CreateExtractValue(arr, {DataModel::kMeminfo}));
      return;
    }
    case TypeKind::Unicode: on_meminfo(v); return;  // a string is its meminfo
    case TypeKind::Generator: on_meminfo(v); return;
    case TypeKind::UnicodeIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      on_meminfo(b.CreateLoad(dm.pointer_type(), b.CreateStructGEP(st, v, 0)));
      on_meminfo(b.CreateLoad(dm.pointer_type(), b.CreateStructGEP(st, v, 2)));
      return;
    }
    case TypeKind::EnumerateIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      llvm::Value *inner = b.CreateLoad(dm.pointer_type(), b.CreateStructGEP(st, v, 0));
      for_each_reference(b, dm, inner, d.elems[0], on_meminfo);
      return;
    }
    case TypeKind::TupleIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      llvm::Value *tup = b.CreateLoad(dm.memory_type(d.elems[0]), b.CreateStructGEP(st, v, 0));
      for_each_reference(b, dm, tup, d.elems[0], on_meminfo);
      return;
    }
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::Instance:
    case TypeKind::DictView: on_meminfo(v); return;
    case TypeKind::ListIter:
    case TypeKind::DictIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      on_meminfo(b.CreateLoad(dm.pointer_type(), b.CreateStructGEP(st, v, 0)));
      return;
    }
    case TypeKind::ZipIter: {
      llvm::Type *st = dm.iterator_state_type(t);
      for (unsigned i = 0; i < d.elems.size(); ++i) {
        if (!types.needs_refcount(d.elems[i])) continue;
        llvm::Value *inner = b.CreateLoad(dm.pointer_type(), b.CreateStructGEP(st, v, i));
        for_each_reference(b, dm, inner, d.elems[i], on_meminfo);
      }
      return;
    }
    default: return;
  }
}
}  // namespace

void FunctionLowerer::incref(V v, TypeId t) {
  if (!types_.needs_refcount(t)) return;
  if (types_.kind(t) == TypeKind::Generator && local_generator_ref(v, 1)) return;
  for_each_reference(b_, dm_, v, t, [&](V mi) { meminfo_incref(mi); });
}

void FunctionLowerer::decref(V v, TypeId t) {
  if (!types_.needs_refcount(t)) return;
  if (types_.kind(t) == TypeKind::Generator && local_generator_ref(v, -1)) return;
  for_each_reference(b_, dm_, v, t, [&](V mi) { meminfo_decref(mi); });
}

llvm::Value *FunctionLowerer::to_memory(V v, TypeId t) {
  if (types_.is_scalar(t) && types_.scalar_kind(t) == ScalarKind::Bool)
    return b_.CreateZExt(v, i8_);
  return v;
}

llvm::Value *FunctionLowerer::from_memory(V v, TypeId t) {
  if (types_.is_scalar(t) && types_.scalar_kind(t) == ScalarKind::Bool)
    return b_.CreateICmpNE(v, llvm::ConstantInt::get(i8_, 0));
  return v;
}

// ---- the driver ---------------------------------------------------------------------------

void FunctionLowerer::run() {
  values_.assign(f_.num_values(), nullptr);
  phis_.assign(f_.num_values(), nullptr);
  entry_ = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  ret_ptr_ = fn_->getArg(0);
  err_ptr_ = fn_->getArg(1);
  blocks_.assign(f_.num_blocks(), nullptr);
  CFG cfg(f_);
  for (Block b : cfg.rpo())
    blocks_[b.id] = llvm::BasicBlock::Create(ctx_, "bb" + std::to_string(b.id), fn_);
  b_.SetInsertPoint(entry_);
  find_local_generators();
  if (f_.is_generator)
    begin_generator(blocks_[0]);
  else
    b_.CreateBr(blocks_[0]);
  for (Block b : cfg.rpo()) {
    b_.SetInsertPoint(blocks_[b.id]);
    for (Value p : f_.block(b).params) {
      llvm::Type *t = vt(type(p));
      if (!t) continue;
      llvm::PHINode *phi = b_.CreatePHI(t, 2);
      phis_[p.id] = phi;
      set(p, phi);
    }
  }
  for (Block b : cfg.rpo()) {
    b_.SetInsertPoint(blocks_[b.id]);
    const InstData &term = f_.terminator(b);
    catch_ = term.op == Op::CatchBr ? &term.targets[1] : nullptr;
    for (Inst i : f_.block(b).insts) {
      current_ = &f_.inst(i);
      current_id_ = i;
      lower_inst(f_.inst(i));
    }
  }
  current_ = nullptr;
  catch_ = nullptr;
}

void FunctionLowerer::lower_inst(const InstData &d) {
  if (d.result.valid() && f_.is_fused(d.result)) return;  // computed inside its user's loop
  if ((d.op == Op::BinOp || d.op == Op::Compare || d.op == Op::Unary) &&
      types_.kind(type(d.operands[0])) == TypeKind::Instance) {  // a jitclass's dunder method
    std::vector<V> args;
    for (Value v : d.operands) args.push_back(get(v));
    set(d.result, call_compiled(f_.callees[d.aux], args, type(d.result)));
    return;
  }
  if (d.op == Op::BinOp && static_cast<BinOpKind>(d.imm) == BinOpKind::MatMul) {
    set(d.result, lower_dot(get(d.operands[0]), type(d.operands[0]), get(d.operands[1]),
                            type(d.operands[1]), type(d.result)));
    return;
  }
  if ((d.op == Op::BinOp || d.op == Op::Compare || d.op == Op::Unary) &&
      types_.is_array(type(d.result))) {
    set(d.result, lower_elementwise(d));
    return;
  }
  switch (d.op) {
    case Op::Arg: {
      V v = fn_->getArg(2 + static_cast<unsigned>(d.imm));
      if (vt(type(d.result))) {
        set(d.result, v);
        // A generator's ramp took it; imm2: borrowed from the caller (InsertRefcounts).
        if (!f_.is_generator && d.imm2 == 0) incref(v, type(d.result));
      }
      return;
    }
    case Op::Const:
      set(d.result, lower_const(f_.consts[static_cast<size_t>(d.imm)], type(d.result)));
      return;
    case Op::Undef:
      if (llvm::Type *t = vt(type(d.result))) set(d.result, llvm::Constant::getNullValue(t));
      return;
    case Op::GetAttr: set(d.result, lower_getattr(d)); return;
    case Op::SetAttr: lower_setattr(d); return;
    case Op::Call:
      set(d.result, local_generator_calls_.count(d.result.id) && !in_chunk_ ? call_local_ramp(d)
                                                                            : lower_call(d));
      return;
    case Op::BinOp: {
      TypeId operand = type(d.operands[0]);
      if (is_time_value(operand) || is_time_value(type(d.operands[1]))) {
        V l = get(d.operands[0]), r = get(d.operands[1]);
        TypeId lt = unwrap_optional(types_, operand),
               rt = unwrap_optional(types_, type(d.operands[1]));
        l = convert(l, operand, lt);
        r = convert(r, type(d.operands[1]), rt);
        V x = lower_time_binop(static_cast<BinOpKind>(d.imm), l, types_.scalar_kind(lt), r,
                               types_.scalar_kind(rt), d.loc);
        TimeOp op;
        type_time_binop(static_cast<BinOpKind>(d.imm), types_.scalar_kind(lt),
                        types_.scalar_kind(rt), d.loc, &op);
        set(d.result, convert(x, types_.scalar(op.result), type(d.result)));
        return;
      }
      if (types_.is_container(operand)) {
        set(d.result, lower_container_operator(d));
        return;
      }
      if (types_.kind(type(d.result)) == TypeKind::Unicode) {
        set(d.result, lower_string_binop(d));
        return;
      }
      if (types_.kind(type(d.result)) == TypeKind::Tuple) {  // tuple concatenation
        V out = llvm::UndefValue::get(mt(type(d.result)));
        unsigned n = 0;
        for (Value side : d.operands) {
          const auto &elems = types_.get(type(side)).elems;
          for (unsigned k = 0; k < elems.size(); ++k) {
            V e = b_.CreateExtractValue(get(side), {k});
            incref(from_memory(e, elems[k]), elems[k]);
            out = b_.CreateInsertValue(out, e, {n++});
          }
        }
        set(d.result, out);
        return;
      }
      set(d.result, lower_binop(static_cast<BinOpKind>(d.imm), get(d.operands[0]),
                                get(d.operands[1]), operand, f_.flags.python_errors));
      return;
    }
    case Op::Compare:
      if (types_.bytes_kind(type(d.operands[0])) != BytesKind::None) {
        set(d.result, lower_bytes_compare(d));
        return;
      }
      if (is_time_value(type(d.operands[0])) || is_time_value(type(d.operands[1]))) {
        TypeId lt0 = type(d.operands[0]), rt0 = type(d.operands[1]);
        TypeId lt = unwrap_optional(types_, lt0), rt = unwrap_optional(types_, rt0);
        set(d.result,
            lower_time_compare(static_cast<CmpKind>(d.imm), convert(get(d.operands[0]), lt0, lt),
                               types_.scalar_kind(lt), convert(get(d.operands[1]), rt0, rt),
                               types_.scalar_kind(rt)));
        return;
      }
      if (types_.is_container(type(d.operands[0]))) {
        set(d.result, lower_container_operator(d));
        return;
      }
      if (types_.is_string(type(d.operands[0]))) {
        set(d.result,
            lower_string_compare(static_cast<CmpKind>(d.imm), d.operands[0], d.operands[1]));
        return;
      }
      if (type(d.operands[0]) != type(d.operands[1])) {  // tuples, uint64 against int64
        set(d.result,
            lower_mixed_compare(static_cast<CmpKind>(d.imm), get(d.operands[0]),
                                type(d.operands[0]), get(d.operands[1]), type(d.operands[1])));
        return;
      }
      if (types_.kind(type(d.operands[0])) == TypeKind::Tuple ||
          types_.kind(type(d.operands[0])) == TypeKind::NumberClass) {
        set(d.result,
            lower_mixed_compare(static_cast<CmpKind>(d.imm), get(d.operands[0]),
                                type(d.operands[0]), get(d.operands[1]), type(d.operands[1])));
        return;
      }
      set(d.result, lower_compare(static_cast<CmpKind>(d.imm), get(d.operands[0]),
                                  get(d.operands[1]), type(d.operands[0])));
      return;
    case Op::Is: set(d.result, lower_is(d)); return;
    case Op::Contains:
      if (types_.is_array(type(d.operands[1]))) {  // ember's ndarray.__contains__ (InferTypes)
        V found = call_compiled(f_.callees[d.aux], {get(d.operands[1]), get(d.operands[0])},
                                type(d.result));
        set(d.result, d.imm ? b_.CreateNot(found) : found);
        return;
      }
      if (types_.is_string(type(d.operands[1]))) {
        set(d.result, lower_string_contains(d));
        return;
      }
      if (types_.kind(type(d.operands[1])) != TypeKind::Tuple) {
        set(d.result, lower_container_contains(d));
        return;
      }
      set(d.result, lower_contains(d));
      return;
    case Op::Unary: {
      if (is_time_value(type(d.operands[0]))) {
        TypeId t0 = type(d.operands[0]), t = unwrap_optional(types_, t0);
        V v = lower_time_unary(static_cast<UnaryKind>(d.imm), convert(get(d.operands[0]), t0, t),
                               types_.scalar_kind(t));
        TypeId from = static_cast<UnaryKind>(d.imm) == UnaryKind::Not ? types_.boolean() : t;
        set(d.result, convert(v, from, type(d.result)));
        return;
      }
      V v = lower_unary(static_cast<UnaryKind>(d.imm), get(d.operands[0]), type(d.operands[0]));
      TypeId from =
          static_cast<UnaryKind>(d.imm) == UnaryKind::Not ? types_.boolean() : type(d.operands[0]);
      set(d.result, convert(v, from, type(d.result)));
      return;
    }
    case Op::Truth: set(d.result, truth(get(d.operands[0]), type(d.operands[0]))); return;
    case Op::GetItem:
      if (types_.kind(type(d.operands[0])) == TypeKind::Pointer) {
        set(d.result, lower_pointer_getitem(d));
        return;
      }
      if (types_.is_container(type(d.operands[0]))) {
        set(d.result, lower_container_getitem(d));
        return;
      }
      if (types_.kind(type(d.operands[0])) == TypeKind::Record ||
          (types_.kind(type(d.operands[0])) == TypeKind::RecordArray &&
           types_.kind(type(d.operands[1])) == TypeKind::Str)) {
        set(d.result, lower_record_getitem(d));
        return;
      }
      set(d.result,
          types_.is_string(type(d.operands[0])) ? lower_string_getitem(d) : lower_getitem(d));
      return;
    case Op::SetItem:
      if (types_.kind(type(d.operands[0])) == TypeKind::Pointer) {
        lower_pointer_setitem(d);
        return;
      }
      if (types_.is_container(type(d.operands[0]))) {
        lower_container_setitem(d);
        return;
      }
      lower_setitem(d);
      return;
    case Op::BuildTuple: {
      TypeId t = type(d.result);
      V tup = llvm::UndefValue::get(mt(t));
      for (unsigned k = 0; k < d.operands.size(); ++k) {
        TypeId et = type(d.operands[k]);
        // A jitted function is known from its type and has no storage.
        if (types_.kind(et) != TypeKind::Str && !vt(et)) continue;
        V e = types_.kind(et) == TypeKind::Str ? string_value(d.operands[k]) : get(d.operands[k]);
        if (types_.kind(et) == TypeKind::Str) et = types_.unicode();
        incref(e, et);
        tup = b_.CreateInsertValue(tup, to_memory(e, et), {k});
      }
      set(d.result, tup);
      return;
    }
    case Op::MakeClosure: {  // the captured values' struct; a new owner of what they hold
      V captured = get(d.operands[1]);
      incref(captured, type(d.operands[1]));
      set(d.result, captured);
      return;
    }
    case Op::BuildSlice: {
      // {start, stop, step, flags}: flags bit 0 = no start, bit 1 = no stop.
      V s = llvm::UndefValue::get(mt(type(d.result)));
      uint64_t flags = 0;
      V parts[3] = {llvm::ConstantInt::get(i64_, 0), llvm::ConstantInt::get(i64_, 0),
                    llvm::ConstantInt::get(i64_, 1)};
      for (size_t k = 0; k < d.operands.size(); ++k) {
        TypeId t = type(d.operands[k]);
        if (types_.kind(t) == TypeKind::None) {
          if (k < 2) flags |= 1u << k;
          continue;
        }
        parts[k] = convert(get(d.operands[k]), t, types_.int64());
      }
      for (unsigned k = 0; k < 3; ++k) s = b_.CreateInsertValue(s, parts[k], {k});
      s = b_.CreateInsertValue(s, llvm::ConstantInt::get(i8_, flags), {3});
      set(d.result, s);
      return;
    }
    case Op::BuildList:
    case Op::BuildMap:
    case Op::BuildSet: set(d.result, lower_build_container(d)); return;
    case Op::DelItem: lower_delitem(d); return;
    case Op::Unpack: set(d.result, lower_unpack(d)); return;
    case Op::GetIter: set(d.result, lower_getiter(d)); return;
    case Op::IterNext:
      set(d.result, lower_iternext(get(d.operands[0]), type(d.operands[0])));
      return;
    case Op::IterValue: {
      TypeId it = type(d.operands[0]);
      V v = lower_itervalue(get(d.operands[0]), it);
      incref(v, type(d.result));
      set(d.result, v);
      return;
    }
    case Op::Cast: {
      TypeId from = type(d.operands[0]), to = type(d.result);
      V v = types_.kind(from) == TypeKind::Str  // a literal: its module constant
                ? convert(string_value(d.operands[0]), types_.unicode(), to)
                : convert(get(d.operands[0]), from, to);
      incref(v, to);
      set(d.result, v);
      return;
    }
    case Op::CheckBound: {
      // CPython's message since 3.11.
      raise_if(b_.CreateNot(get(d.operands[1])), EMBER_EXC_UnboundLocalError,
               "cannot access local variable '" + f_.names[static_cast<size_t>(d.imm)] +
                   "' where it is not associated with a value");
      TypeId t = type(d.result);
      if (vt(t)) {
        V v = get(d.operands[0]);
        incref(v, t);
        set(d.result, v);
      }
      return;
    }
    case Op::ParallelFor: set(d.result, lower_parallel_for(d)); return;
    case Op::IncRef: incref(get(d.operands[0]), type(d.operands[0])); return;
    case Op::DecRef: decref(get(d.operands[0]), type(d.operands[0])); return;
    case Op::Br:
    case Op::CondBr: lower_branch(d); return;
    case Op::Yield: lower_yield(d); return;
    case Op::Ret: {
      if (f_.is_generator) {
        end_generator(kGeneratorDone);
        return;
      }
      TypeId t = type(d.operands[0]);
      if (llvm::Type *m = mt(t)) {
        V v = get(d.operands[0]);
        b_.CreateStore(to_memory(v, t), ret_ptr_);
        (void)m;
      }
      b_.CreateRet(llvm::ConstantInt::get(i32_, EMBER_OK));
      return;
    }
    case Op::Raise: {
      TypeId t = type(d.operands[0]);
      const TypeData &td = types_.get(t);
      if (td.kind == TypeKind::CaughtException) {  // re-raise: the record as it was caught
        if (ms_.target.error_exit() == ErrorExit::CallerRecord)
          b_.CreateStore(get(d.operands[0]), err_ptr_);
      } else if (td.kind == TypeKind::ExceptionValue && !td.elems.empty()) {
        V args = exception_args(get(d.operands[0]), t);
        store_error(static_cast<int32_t>(td.handle), d.loc.line, "", args);
      } else {
        std::string msg = td.kind == TypeKind::ExceptionValue ? types_.string(td.a) : "";
        store_error(static_cast<int32_t>(td.handle), d.loc.line, msg);
      }
      if (!d.targets.empty()) {  // caught in this function
        branch_to(d.targets[0]);
        return;
      }
      catch_ = nullptr;  // a terminator: what it holds was released before it
      leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
      return;
    }
    case Op::CatchBr: branch_to(d.targets[0]); return;
    case Op::CaughtException: set(d.result, b_.CreateLoad(dm_.error_type(), err_ptr_)); return;
    case Op::ExcMatch: set(d.result, lower_exc_match(d)); return;
    case Op::Unreachable: b_.CreateUnreachable(); return;
  }
}

void FunctionLowerer::lower_branch(const InstData &d) {
  llvm::BasicBlock *from = b_.GetInsertBlock();
  for (const BlockCall &t : d.targets) {
    const BlockData &target = f_.block(t.block);
    for (size_t k = 0; k < t.args.size(); ++k)
      if (llvm::PHINode *phi = phis_[target.params[k].id]) phi->addIncoming(get(t.args[k]), from);
  }
  if (d.op == Op::Br) {
    b_.CreateBr(blocks_[d.targets[0].block.id]);
    return;
  }
  llvm::BasicBlock *t = blocks_[d.targets[0].block.id], *e = blocks_[d.targets[1].block.id];
  if (t == e) {
    b_.CreateBr(t);
    return;
  }
  b_.CreateCondBr(get(d.operands[0]), t, e);
}

llvm::Value *FunctionLowerer::lower_call_compiled(const InstData &d) {
  std::vector<V> args;
  const TypeData &callee = types_.get(type(d.operands[0]));
  if (callee.kind == TypeKind::Closure)  // its captured values come first
    for (unsigned k = 0; k < callee.elems.size(); ++k) {
      if (!vt(callee.elems[k])) {
        args.push_back(llvm::ConstantInt::get(i8_, 0));
        continue;
      }
      V e = b_.CreateExtractValue(get(d.operands[0]), {k});
      args.push_back(from_memory(e, callee.elems[k]));
    }
  for (size_t k = 1; k < d.operands.size(); ++k) {
    V a = get(d.operands[k]);
    args.push_back(a ? a : llvm::ConstantInt::get(i8_, 0));
  }
  return call_compiled(f_.callees[d.aux], args, type(d.result));
}

llvm::Value *FunctionLowerer::call_compiled(const CalleeRef &ref, const std::vector<V> &call_args,
                                            TypeId rt) {
  llvm::Function *callee;
  if (ref.self) {
    callee = fn_;
  } else {
    auto it = ms_.functions.find(ref.symbol);
    internal_assert(it != ms_.functions.end()) << "callee " << ref.symbol << " not declared";
    callee = it->second;
  }
  llvm::Type *rmt = mt(rt);
  V slot = entry_alloca(rmt ? rmt : i8_, "ret");
  std::vector<V> args = {slot, err_ptr_};
  args.insert(args.end(), call_args.begin(), call_args.end());
  V status = b_.CreateCall(callee, args);
  auto *fail = llvm::BasicBlock::Create(ctx_, "call.fail", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "call.ok", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(fail);
  leave_raised(status);
  b_.SetInsertPoint(ok);
  return rmt ? from_memory(b_.CreateLoad(rmt, slot), rt) : nullptr;
}

// ---- the module ---------------------------------------------------------------------------

namespace {
void collect_callees(const Function &f, std::vector<const Function *> &out,
                     std::set<std::string> &seen) {
  for (const CalleeRef &c : f.callees) {
    if (c.self || !c.function || seen.count(c.function->symbol)) continue;
    seen.insert(c.function->symbol);
    out.push_back(c.function.get());
    collect_callees(*c.function, out, seen);
  }
}
}  // namespace

llvm::Function *ModuleState::runtime(RuntimeFn fn) {
  RuntimeService service = runtime_fn_service(fn);
  internal_assert(target.has(service))
      << target.display_name() << " has no " << service_name(service) << " service for "
      << runtime_fn_symbol(fn) << ": typing should have rejected the program";
  services_used = services_used.with(service);
  return declare_runtime_fn(module, fn, target.address_space(AddressSpace::Generic));
}

llvm::Value *ModuleState::alloca_generic(llvm::IRBuilder<> &b, llvm::Type *t, const char *name) {
  llvm::AllocaInst *slot =
      b.CreateAlloca(t, target.address_space(AddressSpace::Local), nullptr, name);
  if (slot->getType() == dm.pointer_type()) return slot;
  return b.CreateAddrSpaceCast(slot, dm.pointer_type());
}

LoweredModule lower_module(const Function &f, Target &target, llvm::LLVMContext &ctx,
                           const LoopSpec &loop, FunctionRole role) {
  LoweredModule out;
  out.module = std::make_unique<llvm::Module>(f.symbol, ctx);
  out.module->setDataLayout(target.data_layout());
  out.module->setTargetTriple(target.triple());
  DataModel dm(ctx, f.types(), target.address_space(AddressSpace::Generic));
  ModuleState ms{*out.module, dm, target, {}, {}, {}};
  ms.counts_references = target.has(RuntimeService::Allocator) && role == FunctionRole::Function;
  std::vector<const Function *> callees;
  std::set<std::string> seen = {f.symbol};
  collect_callees(f, callees, seen);
  llvm::Function *main = FunctionLowerer::declare(ms, f, true);
  std::vector<llvm::Function *> decls;
  for (const Function *c : callees) decls.push_back(FunctionLowerer::declare(ms, *c, false));
  auto lower = [&ms](const Function &g, llvm::Function *fn) {
    if (std::optional<std::string> body = llvm_ir_body(g.symbol))
      lower_llvm_ir_body(ms, g, fn, *body);  // an @intrinsic
    else
      FunctionLowerer(ms, g, fn).run();
  };
  lower(f, main);
  for (size_t i = 0; i < callees.size(); ++i) lower(*callees[i], decls[i]);
  // Declared by the consumers above (and by each other: a local ramp may consume another).
  for (size_t i = 0; i < ms.pending_local_ramps.size(); ++i) {
    auto [gen, ramp] = ms.pending_local_ramps[i];
    FunctionLowerer(ms, *gen, ramp, true).run();
  }
  out.entry = f.symbol;
  out.synchronizes = ms.synchronizes;
  out.static_shared_bytes = ms.static_shared_bytes;
  emit_entry(ms, f, main, out, role);
  internal_assert(loop.kind == LoopSpec::Kind::None ||
                  target.entry_abi() == EntryAbi::StatusWrapper)
      << "NumPy's ufunc loops call the status-returning function";
  if (loop.kind == LoopSpec::Kind::Ufunc) {
    out.loop = f.symbol + ".ufunc";
    emit_ufunc_loop(ms, f, main, out.loop);
  } else if (loop.kind == LoopSpec::Kind::Gufunc) {
    out.loop = f.symbol + ".gufunc";
    emit_gufunc_loop(ms, f, main, out.loop, loop.core_dims);
  } else if (loop.kind == LoopSpec::Kind::CFunc) {
    out.loop = f.symbol + ".cfunc";
    emit_cfunc_entry(ms, f, main, out.loop);
  }
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*out.module, &os)) {
    os.flush();
    internal_error << "invalid LLVM module for " << f.name << ": " << err.substr(0, 2000);
  }
  out.services_used = ms.services_used;
  out.messages = ms.messages;
  out.writes_error_record = ms.error_record_written;
  return out;
}

}  // namespace ember
