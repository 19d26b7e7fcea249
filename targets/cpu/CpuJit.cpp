#include "targets/cpu/CpuJit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/Target/TargetMachine.h>

#include "ir/Error.h"
#include "targets/cpu/CpuTarget.h"

namespace ember {

namespace {
template <typename T>
T check(llvm::Expected<T> value, const char *what) {
  if (!value) internal_error << what << ": " << llvm::toString(value.takeError());
  return std::move(*value);
}
void check(llvm::Error err, const char *what) {
  if (err) internal_error << what << ": " << llvm::toString(std::move(err));
}
}  // namespace

CpuJit::CpuJit(CpuTarget &target) : ctx_(std::make_unique<llvm::LLVMContext>()) {
  llvm::orc::JITTargetMachineBuilder jtmb(target.machine().getTargetTriple());
  jtmb.setCPU(target.cpu_name());
  jtmb.addFeatures(std::vector<std::string>{target.cpu_features()});
  jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  jtmb.setCodeModel(llvm::CodeModel::Small);
  jit_ = check(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(jtmb)).create(),
               "cannot create the JIT");
  auto &jd = jit_->getMainJITDylib();
  char prefix = jit_->getDataLayout().getGlobalPrefix();
  jd.addGenerator(check(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix),
                        "cannot search the process for symbols"));
  // libmvec is part of glibc but not loaded by Python: open it for the vector math entries.
  if (auto mvec = llvm::orc::DynamicLibrarySearchGenerator::Load("libmvec.so.1", prefix)) {
    jd.addGenerator(std::move(*mvec));
    libmvec_ = true;
  } else {
    llvm::consumeError(mvec.takeError());
  }
}

CpuJit::~CpuJit() = default;

void CpuJit::define_symbol(const std::string &name, uint64_t address) {
  auto &jd = jit_->getMainJITDylib();
  llvm::orc::SymbolMap map;
  map[jit_->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr(address),
                                      llvm::JITSymbolFlags::Exported};
  check(jd.define(llvm::orc::absoluteSymbols(std::move(map))), "cannot define a runtime symbol");
}

std::vector<uint64_t> CpuJit::add(std::unique_ptr<llvm::Module> m,
                                  const std::vector<std::string> &symbols) {
  check(jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), ctx_)), "cannot add a module");
  std::vector<uint64_t> out;
  for (const std::string &s : symbols)
    out.push_back(check(jit_->lookup(s), "cannot find a compiled symbol").getValue());
  return out;
}

}  // namespace ember
