#include "targets/cpu/CpuJit.h"

#include <time.h>

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
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
/// ORC's own compiler for a JIT without compile threads (one TargetMachine for every module),
/// which also adds the CPU time of each module's code generation to a counter, so EMBER_TIMING
/// can tell machine-code generation from ORC's linking (CpuCompiler.cpp).
class CountingCompiler : public llvm::orc::TMOwningSimpleCompiler {
 public:
  CountingCompiler(std::unique_ptr<llvm::TargetMachine> tm, double &seconds)
      : TMOwningSimpleCompiler(std::move(tm)), seconds_(seconds) {}
  llvm::Expected<CompileResult> operator()(llvm::Module &m) override {
    double start = thread_cpu_seconds();
    auto out = TMOwningSimpleCompiler::operator()(m);
    seconds_ += thread_cpu_seconds() - start;
    return out;
  }

 private:
  double &seconds_;
};

}  // namespace

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

CpuJit::CpuJit(CpuTarget &target) : ctx_(std::make_unique<llvm::LLVMContext>()) {
  llvm::orc::JITTargetMachineBuilder jtmb(target.machine().getTargetTriple());
  jtmb.setCPU(target.cpu_name());
  jtmb.addFeatures(std::vector<std::string>{target.cpu_features()});
  jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  jtmb.setCodeModel(llvm::CodeModel::Small);
  auto compiler = [this](llvm::orc::JITTargetMachineBuilder builder)
      -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
    auto tm = builder.createTargetMachine();
    if (!tm) return tm.takeError();
    return std::make_unique<CountingCompiler>(std::move(*tm), codegen_seconds_);
  };
  jit_ = check(llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(std::move(jtmb))
                   .setCompileFunctionCreator(compiler)
                   .create(),
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
