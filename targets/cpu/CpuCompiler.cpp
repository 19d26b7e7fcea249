#include "targets/cpu/CpuCompiler.h"

#include <cstdio>
#include <cstdlib>

#include <llvm/Support/raw_ostream.h>

#include "targets/cpu/SharedObject.h"

namespace ember {

CpuCompiler::CpuCompiler()
    : types_(std::make_unique<TypeContext>()),
      target_(std::make_unique<CpuTarget>()),
      jit_(std::make_unique<CpuJit>(*target_)) {
  target_->set_libmvec(jit_->has_libmvec());
}

CpuCompiler::~CpuCompiler() = default;

void CpuCompiler::define_runtime_symbol(const std::string &name, uint64_t address) {
  jit_->define_symbol(name, address);
  runtime_names_[name] = name;
  std::string libcall = target_->half_libcall(name);
  if (!libcall.empty()) {
    jit_->define_symbol(libcall, address);
    runtime_names_[libcall] = name;
  }
}

size_t CpuCompiler::use_vector_library(const std::vector<VectorFunction> &fns,
                                       const std::vector<uint64_t> &addresses, bool prefer) {
  std::vector<VectorFunction> used = target_->use_vector_library(fns, prefer);
  for (size_t k = 0; k < fns.size(); ++k)
    if (target_->supports(fns[k].isa)) {
      jit_->define_symbol(fns[k].vector, addresses[k]);
      runtime_names_[fns[k].vector] = fns[k].vector;
    }
  return used.size();
}

namespace {
FunctionRole function_role(CompileRole role) {
  return role == CompileRole::Kernel ? FunctionRole::Kernel : FunctionRole::Function;
}

/// EMBER_TIMING=1: each compile prints the CPU time of its stages to stderr, this thread's CPU
/// time (CpuJit.h), so a loaded machine inflates it far less than wall-clock time.
class StageTimer {
 public:
  StageTimer(const std::string &symbol, const CpuJit &jit)
      : on_(timing_on()),
        symbol_(symbol),
        jit_(jit),
        start_(on_ ? thread_cpu_seconds() : 0),
        last_(start_) {}
  void mark(const char *stage) {
    if (!on_) return;
    double now = thread_cpu_seconds();
    add(stage, now - last_);
    last_ = now;
  }
  /// After the JIT's add(): its time split into machine-code generation and ORC's linking.
  void mark_jit(double codegen_before) {
    if (!on_) return;
    double now = thread_cpu_seconds(), codegen = jit_.codegen_seconds() - codegen_before;
    add("codegen", codegen);
    add("link", now - last_ - codegen);
    last_ = now;
  }
  ~StageTimer() {
    if (on_)
      std::fprintf(stderr, "ember timing %s: total %.3f ms:%s\n", symbol_.c_str(),
                   (last_ - start_) * 1e3, stages_.c_str());
  }

 private:
  static bool timing_on() {
    static const bool on = [] {
      const char *v = std::getenv("EMBER_TIMING");
      return v != nullptr && *v != '\0' && std::string(v) != "0";
    }();
    return on;
  }
  void add(const char *stage, double seconds) {
    char text[64];
    std::snprintf(text, sizeof text, " %s %.3f", stage, seconds * 1e3);
    stages_ += text;
  }
  bool on_;
  std::string symbol_, stages_;
  const CpuJit &jit_;
  double start_, last_;
};

std::string symbol_for(const std::string &qualname, uint64_t n) {
  std::string s = "ember.";
  for (char c : qualname) s += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '.';
  return s + "." + std::to_string(n);
}
}  // namespace

std::shared_ptr<CompiledFunction> CpuCompiler::compile(
    const FunctionInput &in, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
    const InferOptions &infer, const PipelineOptions &options, const LoopSpec &loop,
    CompileRole role, bool shared_object) {
  auto out = std::make_shared<CompiledFunction>();
  out->symbol = symbol_for(in.qualname, ++counter_);
  out->role = role;
  StageTimer timer(out->symbol, *jit_);
  PipelineOptions with_symbol = options;
  with_symbol.symbol = out->symbol;
  with_symbol.kernel = role == CompileRole::Kernel;
  // Typing checks the program against the target's services, or a narrower set the caller
  // names (code that must also run elsewhere).  Kernels and device functions get a GPU's
  // services (none), even here, so that what runs on the CPU path compiles for a GPU too.
  InferOptions typing = infer;
  if (role != CompileRole::Function) {
    typing.kernel = true;
    typing.services = RuntimeServices();
    typing.target_name = "a CUDA kernel";
  } else if (infer.services == RuntimeServices::all()) {
    typing.target_name = target_->display_name();
  }
  typing.services = typing.services & target_->services();
  out->ir = build_typed_function(in, *types_, arg_types, resolver, typing, with_symbol);
  timer.mark("typing");
  out->loop_spec = loop;
  if (role == CompileRole::DeviceFunction) return out;
  LoweredModule lm = lower_module(*out->ir, *target_, jit_->context(), loop, function_role(role));
  out->uses_gemm = lm.services_used.has(RuntimeService::Blas);
  timer.mark("lower");
  target_->optimize(*lm.module, role == CompileRole::Kernel);
  timer.mark("optimize");
  std::vector<std::string> symbols = {lm.wrapper, lm.entry};
  if (!lm.loop.empty()) symbols.push_back(lm.loop);
  if (shared_object) {
    try {
      SharedObjectImage image = build_shared_object(*lm.module, *target_, symbols, runtime_names_);
      out->shared_object = std::move(image.bytes);
      out->imports = std::move(image.imports);
      out->exports = symbols;
      timer.mark("shared-object");
      return out;
    } catch (const SharedObjectError &e) {
      out->shared_object_error = e.what();
      // Code generation may have changed the module: the JIT gets a fresh one.
      llvm::LLVMContext &ctx = jit_->context();
      lm = lower_module(*out->ir, *target_, ctx, loop, function_role(role));
      target_->optimize(*lm.module, role == CompileRole::Kernel);
    }
  }
  double codegen_before = jit_->codegen_seconds();
  std::vector<uint64_t> addr = jit_->add(std::move(lm.module), symbols);
  timer.mark_jit(codegen_before);
  out->wrapper = addr[0];
  out->entry = addr[1];
  if (!lm.loop.empty()) out->loop = addr[2];
  return out;
}

std::string CpuCompiler::llvm_ir(const CompiledFunction &fn, bool optimized) {
  llvm::LLVMContext ctx;
  LoweredModule lm = lower_module(*fn.ir, *target_, ctx, fn.loop_spec, function_role(fn.role));
  if (optimized) target_->optimize(*lm.module, fn.role == CompileRole::Kernel);
  std::string text;
  llvm::raw_string_ostream os(text);
  lm.module->print(os, nullptr);
  return os.str();
}

std::string CpuCompiler::assembly(const CompiledFunction &fn) {
  llvm::LLVMContext ctx;
  LoweredModule lm = lower_module(*fn.ir, *target_, ctx, fn.loop_spec, function_role(fn.role));
  target_->optimize(*lm.module, fn.role == CompileRole::Kernel);
  return target_->assembly(*lm.module);
}

}  // namespace ember
