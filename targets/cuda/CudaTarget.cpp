#include "targets/cuda/CudaTarget.h"

#include <stdexcept>

#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include "ir/Error.h"
#include "targets/gpu/GpuCompile.h"

namespace ember {

namespace {

constexpr const char *kTriple = "nvptx64-nvidia-cuda";

void initialize_nvptx_once() {
  static bool done = [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
    return true;
  }();
  (void)done;
}

/// The architectures LLVM 19's NVPTX backend knows from Turing on, each with the first PTX ISA
/// that has it (PTX ISA, "Release Notes"; NVPTX's SM_* feature table).
struct KnownArch {
  int major, minor, ptx;
};
constexpr KnownArch kArchs[] = {{7, 5, 63}, {8, 0, 70}, {8, 6, 71},
                                {8, 7, 74}, {8, 9, 78}, {9, 0, 78}};
/// sm_90a needs PTX ISA 8.0.
constexpr int kSm90aPtx = 80;

/// A call of libdevice's function for `base` on values of type t (float or double).
/// libdevice's scratch memory (sin's argument reduction) is its own, so the call is pure.
llvm::Value *call_libdevice(llvm::IRBuilder<> &b, const std::string &base,
                            llvm::ArrayRef<llvm::Value *> args) {
  bool f32 = args[0]->getType()->isFloatTy();
  return gpu::call_pure_math(b, "__nv_" + base + (f32 ? "f" : ""), args);
}

}  // namespace

// ---- CudaArch -----------------------------------------------------------------------------

std::string CudaArch::sm() const {
  return "sm_" + std::to_string(major) + std::to_string(minor) + (arch_specific ? "a" : "");
}

int CudaArch::ptx_version() const {
  if (arch_specific) return kSm90aPtx;
  for (const KnownArch &a : kArchs)
    if (a.major == major && a.minor == minor) return a.ptx;
  internal_error << "no PTX version for " << sm();
  return 0;
}

CudaArch CudaArch::for_capability(int major, int minor, bool arch_specific) {
  std::string cc = std::to_string(major) + "." + std::to_string(minor);
  if (arch_specific) {
    if (major != 9 || minor != 0)
      throw std::invalid_argument(
          "architecture-specific PTX exists for compute capability 9.0 "
          "(sm_90a) only, not " +
          cc);
    return {9, 0, true};
  }
  const KnownArch *best = nullptr;
  for (const KnownArch &a : kArchs)
    if (a.major < major || (a.major == major && a.minor <= minor)) best = &a;
  if (!best)
    throw std::invalid_argument("compute capability " + cc +
                                " is older than ember supports (7.5, Turing: CUDA 13's ptxas "
                                "dropped sm_70 and older)");
  return {best->major, best->minor, false};
}

// ---- CudaTarget ---------------------------------------------------------------------------

CudaTarget::CudaTarget(const CudaOptions &options) : options_(options) {
  initialize_nvptx_once();
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(kTriple, err);
  internal_assert(target) << "LLVM has no NVPTX backend: " << err;
  llvm::TargetOptions to;
  to.UnsafeFPMath = options.fastmath;
  std::string features = "+ptx" + std::to_string(options.arch.ptx_version());
  tm_.reset(target->createTargetMachine(kTriple, options.arch.sm(), features, to, std::nullopt,
                                        std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  internal_assert(tm_) << "cannot create the NVPTX target machine for " << options.arch.sm();
  layout_ = std::make_unique<llvm::DataLayout>(tm_->createDataLayout());
}

CudaTarget::~CudaTarget() = default;

const llvm::DataLayout &CudaTarget::data_layout() const { return *layout_; }

std::string CudaTarget::triple() const { return kTriple; }

unsigned CudaTarget::address_space(AddressSpace space) const {
  switch (space) {
    case AddressSpace::Generic: return 0;
    case AddressSpace::Global: return 1;
    case AddressSpace::Shared: return 3;
    case AddressSpace::Constant: return 4;
    case AddressSpace::Local: return 5;
  }
  return 0;
}

llvm::CallingConv::ID CudaTarget::kernel_calling_convention() const {
  return llvm::CallingConv::PTX_Kernel;
}

llvm::Value *CudaTarget::math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) {
  llvm::Type *t = args[0]->getType();
  if (t->isHalfTy()) {
    std::vector<llvm::Value *> wide;
    for (llvm::Value *a : args) wide.push_back(b.CreateFPExt(a, b.getFloatTy()));
    return b.CreateFPTrunc(math(b, fn, wide), t);
  }
  internal_assert(t->isFloatTy() || t->isDoubleTy()) << "math on a non-float type";
  return call_libdevice(b, gpu::math_base_name(fn), args);
}

void CudaTarget::prepare(llvm::Module &m) const {
  gpu::replace_frem(m, [](llvm::IRBuilder<> &b, llvm::Value *x, llvm::Value *y) {
    return call_libdevice(b, "fmod", {x, y});
  });
}

void CudaTarget::optimize(llvm::Module &m) const {
  // libdevice asks __nvvm_reflect("__CUDA_FTZ"); NVVMReflect answers from this flag.
  m.addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz",
                  static_cast<uint32_t>(options_.fastmath ? 1 : 0));
  if (options_.fastmath)
    for (llvm::Function &f : m) {
      if (f.isDeclaration()) continue;
      f.addFnAttr("unsafe-fp-math", "true");
      f.addFnAttr("denormal-fp-math-f32", "preserve-sign,preserve-sign");
    }
  gpu::optimize_o3(m, *tm_);
}

std::string CudaTarget::ptx(llvm::Module &m) const { return gpu::emit(m, *tm_, false); }

}  // namespace ember
