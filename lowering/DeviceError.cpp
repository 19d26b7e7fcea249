// How an exception leaves GPU code (ErrorExit::DeviceRecord): the module's device-global record
// (ember_device_error of ember/abi.h) and its message table.  A raising thread cannot write to
// the host's memory or hand a string pointer back, so it records small integers: the first
// failing thread claims the record by a compare-and-swap of its status (EMBER_OK ->
// EMBER_RAISED) and fills in the exception id, the line and the id of the message in the table
// the compiler returns with the code; the other threads that raise leave it alone.  Either way
// the thread then returns EMBER_RAISED up its calls, and the kernel entry returns.
#include "lowering/FunctionLowerer.h"

namespace ember {

int32_t ModuleState::message_id(const std::string &text) {
  auto it = message_ids.find(text);
  if (it != message_ids.end()) return it->second;
  auto id = static_cast<int32_t>(messages.size());
  messages.push_back(text);
  message_ids[text] = id;
  return id;
}

llvm::GlobalVariable *ModuleState::device_error_record() {
  if (error_record) return error_record;
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  auto *t = llvm::StructType::get(ctx, {i32, i32, i32, i32});
  static_assert(sizeof(ember_device_error) == 16, "four int32 fields");
  // A kernel's module owns its record.  Device functions compiled on their own are linked into
  // other modules, each with a record of its own definition: a weak definition lets them merge.
  auto linkage = target.entry_abi() == EntryAbi::DeviceFunction
                     ? llvm::GlobalValue::WeakAnyLinkage
                     : llvm::GlobalValue::ExternalLinkage;
  error_record = new llvm::GlobalVariable(
      module, t, false, linkage, llvm::Constant::getNullValue(t), EMBER_DEVICE_ERROR_SYMBOL,
      nullptr, llvm::GlobalValue::NotThreadLocal, target.address_space(AddressSpace::Global));
  error_record->setAlignment(llvm::Align(4));
  return error_record;
}

void FunctionLowerer::store_device_record(int32_t exc, int32_t line, const std::string &msg) {
  llvm::GlobalVariable *record = ms_.device_error_record();
  ms_.error_record_written = true;
  auto *t = llvm::cast<llvm::StructType>(record->getValueType());
  auto i32 = [&](int64_t v) { return llvm::ConstantInt::get(i32_, static_cast<uint64_t>(v)); };
  // Monotonic is enough: the host reads the record only after the kernel has finished.
  llvm::Value *claim = b_.CreateAtomicCmpXchg(
      b_.CreateStructGEP(t, record, 0), i32(EMBER_OK), i32(EMBER_RAISED), llvm::MaybeAlign(4),
      llvm::AtomicOrdering::Monotonic, llvm::AtomicOrdering::Monotonic);
  auto *fill = llvm::BasicBlock::Create(ctx_, "record.fill", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "record.done", fn_);
  b_.CreateCondBr(b_.CreateExtractValue(claim, {1}), fill, done);
  b_.SetInsertPoint(fill);
  b_.CreateStore(i32(exc), b_.CreateStructGEP(t, record, 1));
  b_.CreateStore(i32(line), b_.CreateStructGEP(t, record, 2));
  b_.CreateStore(i32(ms_.message_id(msg)), b_.CreateStructGEP(t, record, 3));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

}  // namespace ember
