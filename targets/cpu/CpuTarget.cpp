#include "targets/cpu/CpuTarget.h"

#include <cstdlib>
#include <set>

#include <mutex>

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/Scalar/InductiveRangeCheckElimination.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/LCSSA.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>

#include "ir/Error.h"

namespace ember {

namespace {

void initialize_llvm_once() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)done;
}

struct MathEntry {
  llvm::Intrinsic::ID intrinsic;  ///< not_intrinsic when a libm call
  const char *f64;                ///< libm name for double
  const char *f32;                ///< libm name for float
};

MathEntry math_entry(MathFn fn) {
  using I = llvm::Intrinsic::ID;
  const I none = llvm::Intrinsic::not_intrinsic;
  switch (fn) {
    case MathFn::Sqrt: return {llvm::Intrinsic::sqrt, "sqrt", "sqrtf"};
    case MathFn::Exp: return {llvm::Intrinsic::exp, "exp", "expf"};
    case MathFn::Exp2: return {llvm::Intrinsic::exp2, "exp2", "exp2f"};
    case MathFn::Log: return {llvm::Intrinsic::log, "log", "logf"};
    case MathFn::Log2: return {llvm::Intrinsic::log2, "log2", "log2f"};
    case MathFn::Log10: return {llvm::Intrinsic::log10, "log10", "log10f"};
    case MathFn::Sin: return {llvm::Intrinsic::sin, "sin", "sinf"};
    case MathFn::Cos: return {llvm::Intrinsic::cos, "cos", "cosf"};
    case MathFn::Tan: return {llvm::Intrinsic::tan, "tan", "tanf"};
    case MathFn::Asin: return {llvm::Intrinsic::asin, "asin", "asinf"};
    case MathFn::Acos: return {llvm::Intrinsic::acos, "acos", "acosf"};
    case MathFn::Atan: return {llvm::Intrinsic::atan, "atan", "atanf"};
    case MathFn::Sinh: return {llvm::Intrinsic::sinh, "sinh", "sinhf"};
    case MathFn::Cosh: return {llvm::Intrinsic::cosh, "cosh", "coshf"};
    case MathFn::Tanh: return {llvm::Intrinsic::tanh, "tanh", "tanhf"};
    case MathFn::Floor: return {llvm::Intrinsic::floor, "floor", "floorf"};
    case MathFn::Ceil: return {llvm::Intrinsic::ceil, "ceil", "ceilf"};
    case MathFn::Trunc: return {llvm::Intrinsic::trunc, "trunc", "truncf"};
    case MathFn::RoundEven: return {llvm::Intrinsic::roundeven, "roundeven", "roundevenf"};
    case MathFn::Fabs: return {llvm::Intrinsic::fabs, "fabs", "fabsf"};
    case MathFn::Copysign: return {llvm::Intrinsic::copysign, "copysign", "copysignf"};
    case MathFn::Pow: return {llvm::Intrinsic::pow, "pow", "powf"};
    case MathFn::Log1p: return {none, "log1p", "log1pf"};
    case MathFn::Expm1: return {none, "expm1", "expm1f"};
    case MathFn::Atan2: return {none, "atan2", "atan2f"};
    case MathFn::Asinh: return {none, "asinh", "asinhf"};
    case MathFn::Acosh: return {none, "acosh", "acoshf"};
    case MathFn::Atanh: return {none, "atanh", "atanhf"};
    case MathFn::Hypot: return {none, "hypot", "hypotf"};
    case MathFn::Fmod: return {none, "fmod", "fmodf"};
    case MathFn::Erf: return {none, "erf", "erff"};
    case MathFn::Erfc: return {none, "erfc", "erfcf"};
    case MathFn::Gamma: return {none, "tgamma", "tgammaf"};
    case MathFn::Lgamma: return {none, "lgamma", "lgammaf"};
    case MathFn::Cbrt: return {none, "cbrt", "cbrtf"};
  }
  return {none, "", ""};
}

}  // namespace

CpuTarget::CpuTarget() {
  initialize_llvm_once();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  internal_assert(static_cast<bool>(jtmb))
      << "cannot detect the host CPU: " << llvm::toString(jtmb.takeError());
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  jtmb->setCodeModel(llvm::CodeModel::Small);
  // A test hook: features to add or remove ("-f16c"), to compile as for an older CPU.
  if (const char *extra = std::getenv("EMBER_CPU_FEATURES")) {
    llvm::SmallVector<llvm::StringRef, 4> features;
    llvm::StringRef(extra).split(features, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef f : features) jtmb->getFeatures().AddFeature(f.trim());
  }
  auto tm = jtmb->createTargetMachine();
  internal_assert(static_cast<bool>(tm))
      << "cannot create the host target machine: " << llvm::toString(tm.takeError());
  tm_ = std::move(*tm);
  layout_ = std::make_unique<llvm::DataLayout>(tm_->createDataLayout());
  register_vector_math();
}

CpuTarget::~CpuTarget() = default;

const llvm::DataLayout &CpuTarget::data_layout() const { return *layout_; }

unsigned CpuTarget::address_space(AddressSpace space) const {
  switch (space) {
    case AddressSpace::Generic:
    case AddressSpace::Global:
    case AddressSpace::Shared:
    case AddressSpace::Local:
    case AddressSpace::Constant: return 0;
  }
  return 0;
}

std::string CpuTarget::triple() const { return tm_->getTargetTriple().str(); }
std::string CpuTarget::cpu_name() const { return tm_->getTargetCPU().str(); }
std::string CpuTarget::cpu_features() const { return tm_->getTargetFeatureString().str(); }

llvm::TargetMachine &CpuTarget::pic_machine() {
  if (!pic_tm_)
    pic_tm_.reset(tm_->getTarget().createTargetMachine(
        tm_->getTargetTriple().str(), tm_->getTargetCPU(), tm_->getTargetFeatureString(),
        tm_->Options, llvm::Reloc::PIC_, llvm::CodeModel::Small,
        llvm::CodeGenOptLevel::Aggressive));
  internal_assert(pic_tm_ != nullptr) << "cannot create a position-independent target machine";
  return *pic_tm_;
}

std::string CpuTarget::half_libcall(const std::string &runtime_name) const {
  if (!tm_->getTargetTriple().isX86()) return "";
  if (runtime_name == "ember_half_from_double_sse") return "__truncdfhf2";
  if (runtime_name == "ember_half_to_float_sse") return "__extendhfsf2";
  if (runtime_name == "ember_half_from_float_sse") return "__truncsfhf2";
  return "";
}

bool CpuTarget::supports(VectorIsa isa) const {
  std::string features = cpu_features() + ",";
  auto has = [&](const char *f) {
    return features.find(std::string("+") + f + ",") != std::string::npos;
  };
  switch (isa) {
    case VectorIsa::Sse42: return has("sse4.2");
    case VectorIsa::Avx2: return has("avx2") && has("fma");
    // xsimd's AVX-512 code uses AVX-512DQ instructions as well as AVX-512F.
    case VectorIsa::Avx512: return has("avx512f") && has("avx512dq");
  }
  return false;
}

std::vector<VectorFunction> CpuTarget::use_vector_library(const std::vector<VectorFunction> &fns,
                                                          bool prefer) {
  ours_.clear();
  for (const VectorFunction &f : fns)
    if (supports(f.isa)) ours_.push_back(f);
  prefer_ours_ = prefer;
  register_vector_math();
  return ours_;
}

void CpuTarget::set_libmvec(bool available) {
  libmvec_ = available;
  register_vector_math();
}

namespace {

/// The intrinsic the lowering emits for a libm function, when it emits one (CpuTarget::math).
const char *intrinsic_for(const std::string &scalar) {
  static const char *const names[] = {"sin",  "cos",  "tan",   "exp", "exp2", "exp10",
                                      "log",  "log2", "log10", "pow", "asin", "acos",
                                      "atan", "sinh", "cosh",  "tanh"};
  std::string base = scalar;
  bool single = !base.empty() && base.back() == 'f' && base != "erf";
  if (single) base.pop_back();
  for (const char *n : names)
    if (base == n) return n;
  return nullptr;
}

}  // namespace

void CpuTarget::register_vector_math() {
  // A new library info: the loop vectorizer takes the first VecDesc that matches a function and
  // width, so each (function, width) is registered once.
  tlii_ = std::make_unique<llvm::TargetLibraryInfoImpl>(tm_->getTargetTriple());
  std::vector<llvm::VecDesc> descs;
  std::set<std::pair<std::string, int>> covered;
  auto keep = [&](std::string s) -> llvm::StringRef {
    names_.push_back(std::move(s));
    return names_.back();
  };
  auto add = [&](const std::string &scalar, const std::string &vector, int lanes, int args) {
    if (!covered.insert({scalar, lanes}).second) return;
    std::string abi =
        "_ZGV_LLVM_N" + std::to_string(lanes) + std::string(static_cast<size_t>(args), 'v');
    llvm::StringRef vname = keep(vector), vabi = keep(abi);
    auto ec = llvm::ElementCount::getFixed(static_cast<unsigned>(lanes));
    descs.emplace_back(keep(scalar), vname, ec, false, vabi);
    if (const char *in = intrinsic_for(scalar)) {
      bool single = scalar.back() == 'f' && scalar != "erf";
      descs.emplace_back(keep(std::string("llvm.") + in + (single ? ".f32" : ".f64")), vname, ec,
                         false, vabi);
    }
  };
  auto add_ours = [&] {
    for (const VectorFunction &f : ours_) add(f.scalar, f.vector, f.lanes, f.args);
  };
  if (prefer_ours_) add_ours();

  // glibc's libmvec: _ZGV<isa>N<lanes><args>_<name>, isa b = SSE4, d = AVX2, e = AVX-512.
  struct Fn {
    const char *name;
    int args;
  };
  static const Fn fns[] = {
      {"sin", 1},   {"cos", 1},   {"tan", 1},   {"exp", 1},   {"exp2", 1},  {"exp10", 1},
      {"log", 1},   {"log2", 1},  {"log10", 1}, {"pow", 2},   {"asin", 1},  {"acos", 1},
      {"atan", 1},  {"sinh", 1},  {"cosh", 1},  {"tanh", 1},  {"atan2", 2}, {"asinh", 1},
      {"acosh", 1}, {"atanh", 1}, {"log1p", 1}, {"expm1", 1}, {"erf", 1},   {"erfc", 1},
      {"cbrt", 1},  {"hypot", 2},
  };
  struct Isa {
    char letter;
    int f64_lanes;
    bool enabled;
  };
  const Isa isas[] = {{'b', 2, true},
                      {'d', 4, supports(VectorIsa::Avx2)},
                      {'e', 8, cpu_features().find("+avx512f") != std::string::npos}};
  for (const Fn &fn : fns)
    for (const Isa &isa : isas) {
      if (!isa.enabled || !libmvec_) continue;
      for (int single = 0; single < 2; ++single) {
        int lanes = single ? isa.f64_lanes * 2 : isa.f64_lanes;
        std::string scalar = std::string(fn.name) + (single ? "f" : "");
        add(scalar,
            std::string("_ZGV") + isa.letter + "N" + std::to_string(lanes) +
                std::string(static_cast<size_t>(fn.args), 'v') + "_" + scalar,
            lanes, fn.args);
      }
    }
  add_ours();  // what libmvec lacks (everything, without libmvec); repeats are skipped
  tlii_->addVectorizableFunctions(descs);
}

llvm::Value *CpuTarget::math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) {
  llvm::Type *t = args[0]->getType();
  if (t->isHalfTy()) {  // NumPy's float16 math: computed in float32, rounded once
    std::vector<llvm::Value *> wide;
    for (llvm::Value *a : args) wide.push_back(b.CreateFPExt(a, b.getFloatTy()));
    return b.CreateFPTrunc(math(b, fn, wide), t);
  }
  MathEntry e = math_entry(fn);
  if (fn == MathFn::Fmod) return b.CreateFRem(args[0], args[1]);
  if (e.intrinsic != llvm::Intrinsic::not_intrinsic)
    return b.CreateIntrinsic(e.intrinsic, {t}, args);
  llvm::Module *m = b.GetInsertBlock()->getModule();
  const char *name = t->isFloatTy() ? e.f32 : e.f64;
  std::vector<llvm::Type *> params(args.size(), t);
  llvm::FunctionCallee callee =
      m->getOrInsertFunction(name, llvm::FunctionType::get(t, params, false));
  if (auto *f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    // Like Numba, treat libm as pure (errno is not observable from Python), so calls can be
    // hoisted and vectorized through the VecDescs above.
    f->setDoesNotAccessMemory();
    f->setDoesNotThrow();
    f->setWillReturn();
  }
  auto *call = b.CreateCall(callee, args);
  call->setDoesNotAccessMemory();
  return call;
}

FloatToIntBits CpuTarget::float_to_int_bits() const {
  // x86-64 is measured; elsewhere the saturating conversion is AArch64's (fcvtzs / fcvtzu),
  // also what LLVM's own fptosi.sat gives, the defined choice for a host not yet measured.
  return tm_->getTargetTriple().isX86() ? FloatToIntBits::X86 : FloatToIntBits::Saturating;
}

void CpuTarget::optimize(llvm::Module &m, bool kernel) {
  std::string cpu = cpu_name(), features = cpu_features();
  for (llvm::Function &f : m) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", cpu);
    f.addFnAttr("target-features", features);
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  pto.LoopUnrolling = true;
  llvm::PassBuilder pb(tm_.get(), pto);
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(*tlii_); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  if (kernel) {
    // IRCE splits a loop only at guards profiling says are almost always true; a kernel's
    // bounds guard has no profile, and is false in at most one block of the grid.  The option
    // is IRCE's own, and IRCE runs only in kernel modules.
    static std::once_flag once;
    std::call_once(once, [] {
      auto &options = llvm::cl::getRegisteredOptions();
      auto it = options.find("irce-skip-profitability-checks");
      if (it != options.end()) it->second->addOccurrence(0, it->first(), "true");
    });
    pb.registerScalarOptimizerLateEPCallback(
        [](llvm::FunctionPassManager &fpm, llvm::OptimizationLevel) {
          // A kernel's block loop holds the kernel's guard (`if i < x.shape[0]`): splitting the
          // loop where the guard turns false leaves a guard-free main loop, vectorized without
          // masked memory operations (slow on some x86 cores).
          fpm.addPass(llvm::LoopSimplifyPass());
          fpm.addPass(llvm::LCSSAPass());
          fpm.addPass(llvm::IRCEPass());
        });
  }
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}

std::string CpuTarget::assembly(const llvm::Module &m) {
  std::unique_ptr<llvm::Module> clone = llvm::CloneModule(m);
  llvm::SmallString<0> text;
  llvm::raw_svector_ostream os(text);
  llvm::legacy::PassManager pm;
  internal_assert(!tm_->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
      << "the target cannot emit assembly";
  pm.run(*clone);
  return std::string(text.str());
}

}  // namespace ember
