// Lowering of @jitclass instances (ember/jitclass.h): an instance is its MemInfo pointer, whose
// data is the struct of the class's fields (the memory type of their tuple, the layout the
// runtime's typeinfo of that tuple also computes, so the destructor releases the right
// words).  Reading a field loads it and takes a reference for the reader, as every producing
// instruction does; storing one takes a reference to the new value through the runtime's
// typeinfo (which adopts an array borrowed from Python, so an instance may outlive the call
// that stored it) and drops the old one.  A method read from an instance is a closure holding
// the instance; a property's getter is called; `Cls(args)` allocates a zeroed instance and
// calls __init__ with it first, releasing it if __init__ raises.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

namespace {
const ClassInfo &class_of(const TypeContext &types, TypeId t) {
  const ClassInfo *c = types.class_info(types.get(t).handle);
  internal_assert(c) << "jitclass " << types.get(t).handle << " was never defined";
  return *c;
}
}  // namespace

V FunctionLowerer::jitclass_field_ptr(V obj, const ClassInfo &c, size_t k) {
  return b_.CreateStructGEP(mt(c.fields), container_header(obj), static_cast<unsigned>(k));
}

V FunctionLowerer::lower_jitclass_getattr(const InstData &d) {
  TypeId t = type(d.operands[0]);
  if (types_.kind(t) == TypeKind::JitClass) return nullptr;  // a static method: compile-time
  const ClassInfo &c = class_of(types_, t);
  const std::string &name = f_.names[static_cast<size_t>(d.imm)];
  V obj = get(d.operands[0]);
  int k = c.field(name);
  if (k >= 0) {
    TypeId ft = c.field_types[static_cast<size_t>(k)];
    V x = load_value(jitclass_field_ptr(obj, c, static_cast<size_t>(k)), ft);
    incref(x, ft);
    return x;
  }
  if (c.methods.count(name)) {  // a bound method: a closure owning a reference to the instance
    TypeId rt = type(d.result);
    if (d.imm2 == 0) incref(obj, t);  // imm2: only called, borrowing it (InsertRefcounts)
    return b_.CreateInsertValue(llvm::UndefValue::get(mt(rt)), obj, {0});
  }
  if (c.getters.count(
          name))  // the getter's callee index is the GetAttr's imm2 (its aux is the AttrId)
    return call_compiled(f_.callees[static_cast<size_t>(d.imm2)], {obj}, type(d.result));
  return nullptr;  // a static method read from an instance
}

void FunctionLowerer::lower_setattr(const InstData &d) {
  TypeId t = type(d.operands[0]);
  if (types_.kind(t) == TypeKind::Record) {
    lower_record_setattr(d);
    return;
  }
  const ClassInfo &c = class_of(types_, t);
  int k = c.field(f_.names[static_cast<size_t>(d.imm)]);
  internal_assert(k >= 0) << "setattr of a jitclass without that field";
  TypeId ft = c.field_types[static_cast<size_t>(k)];
  V slot = jitclass_field_ptr(get(d.operands[0]), c, static_cast<size_t>(k));
  V value = get(d.operands[1]);
  if (!types_.needs_refcount(ft)) {
    b_.CreateStore(to_memory(value, ft), slot);
    return;
  }
  V old = load_value(slot, ft);
  b_.CreateStore(to_memory(value, ft), slot);
  b_.CreateCall(runtime(RuntimeFn::ValueIncref), {typeinfo(ft), slot});
  decref(old, ft);  // after the new reference: storing a field's own value keeps it alive
}

V FunctionLowerer::lower_jitclass_new(const InstData &d) {
  TypeId it = type(d.result);
  const ClassInfo &c = class_of(types_, it);
  V mi = b_.CreateCall(runtime(RuntimeFn::JitclassNew), {typeinfo(c.fields)});
  raise_if(b_.CreateIsNull(mi), EMBER_EXC_MemoryError,
           "out of memory making an instance of " + c.name);
  // __init__(self, args...): as call_compiled, but the new instance is released when it raises.
  const CalleeRef &ref = f_.callees[d.aux];
  llvm::Function *init;
  auto found = ms_.functions.find(ref.symbol);
  internal_assert(!ref.self && found != ms_.functions.end()) << "__init__ not declared";
  init = found->second;
  llvm::Type *rmt = mt(ref.result);
  std::vector<V> args = {entry_alloca(rmt ? rmt : i8_, "init.ret"), err_ptr_, mi};
  for (size_t k = 1; k < d.operands.size(); ++k) {
    V a = get(d.operands[k]);
    args.push_back(a ? a : llvm::ConstantInt::get(i8_, 0));
  }
  V status = b_.CreateCall(init, args);
  auto *fail = llvm::BasicBlock::Create(ctx_, "init.fail", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "init.ok", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(fail);
  meminfo_decref(mi);
  leave_raised(status);
  b_.SetInsertPoint(ok);
  return mi;
}

}  // namespace ember
