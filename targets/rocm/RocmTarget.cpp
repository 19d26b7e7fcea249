#include "targets/rocm/RocmTarget.h"

#include <stdexcept>

#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include "ir/Error.h"
#include "targets/gpu/GpuCompile.h"
#include "targets/rocm/DeviceLibs.h"

namespace ember {

namespace {

constexpr const char *kTriple = "amdgcn-amd-amdhsa";

void initialize_amdgpu_once() {
  static bool done = [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTarget();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUAsmPrinter();
    return true;
  }();
  (void)done;
}

const llvm::Target &amdgpu() {
  initialize_amdgpu_once();
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(kTriple, err);
  internal_assert(target) << "LLVM has no AMDGPU backend: " << err;
  return *target;
}

/// A call of ocml's function for `base` on values of type t (float or double).
llvm::Value *call_ocml(llvm::IRBuilder<> &b, const std::string &base,
                       llvm::ArrayRef<llvm::Value *> args) {
  bool f32 = args[0]->getType()->isFloatTy();
  return gpu::call_pure_math(b, "__ocml_" + base + (f32 ? "_f32" : "_f64"), args);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// ---- GfxArch / RocmOptions ------------------------------------------------------------------

GfxArch GfxArch::parse(const std::string &name) {
  bool shaped = name.size() >= 6 && name.compare(0, 3, "gfx") == 0;
  for (size_t i = 3; shaped && i < name.size(); ++i) shaped = hex_digit(name[i]) >= 0;
  if (shaped) {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(amdgpu().createMCSubtargetInfo(kTriple, name, ""));
    if (sti && sti->isCPUStringValid(name)) return GfxArch{name};
  }
  throw std::invalid_argument("'" + name +
                              "' is not an AMD GPU architecture LLVM 19 knows (gfx90a, gfx942, "
                              "gfx1100, ...)");
}

int GfxArch::isa_version() const {
  size_t n = name.size();
  int major = std::stoi(name.substr(3, n - 5));
  return major * 1000 + hex_digit(name[n - 2]) * 100 + hex_digit(name[n - 1]);
}

bool GfxArch::supports_wave32() const { return isa_version() >= 10000; }

int RocmOptions::wavefront_size() const {
  if (wavefront) return wavefront;
  return arch.supports_wave32() ? 32 : 64;
}

std::string RocmOptions::key() const {
  return arch.name + "/w" + std::to_string(wavefront_size()) + "/v" + std::to_string(code_object) +
         (fastmath ? "+fast" : "");
}

// ---- RocmTarget -----------------------------------------------------------------------------

RocmTarget::RocmTarget(const RocmOptions &options) : options_(options) {
  int w = options.wavefront_size();
  if (w != 32 && w != 64)
    throw std::invalid_argument("the wavefront size is 32 or 64, not " + std::to_string(w));
  if (w == 32 && !options.arch.supports_wave32())
    throw std::invalid_argument(options.arch.name + " runs 64-wide wavefronts only");
  if (options.code_object != 4 && options.code_object != 5)
    throw std::invalid_argument("the code object version is 4 or 5, not " +
                                std::to_string(options.code_object));
  llvm::TargetOptions to;
  to.UnsafeFPMath = options.fastmath;
  // The architecture's own wavefront size needs no feature; RDNA asked for 64 does.
  std::string features;
  if (options.arch.supports_wave32()) features = w == 64 ? "+wavefrontsize64" : "+wavefrontsize32";
  tm_.reset(amdgpu().createTargetMachine(kTriple, options.arch.name, features, to,
                                         llvm::Reloc::PIC_, std::nullopt,
                                         llvm::CodeGenOptLevel::Aggressive));
  internal_assert(tm_) << "cannot create the AMDGPU target machine for " << options.arch.name;
  layout_ = std::make_unique<llvm::DataLayout>(tm_->createDataLayout());
}

RocmTarget::~RocmTarget() = default;

const llvm::DataLayout &RocmTarget::data_layout() const { return *layout_; }

std::string RocmTarget::triple() const { return kTriple; }

unsigned RocmTarget::address_space(AddressSpace space) const {
  switch (space) {
    case AddressSpace::Generic: return 0;  // flat
    case AddressSpace::Global: return 1;
    case AddressSpace::Shared: return 3;  // LDS
    case AddressSpace::Constant: return 4;
    case AddressSpace::Local: return 5;  // private (scratch)
  }
  return 0;
}

llvm::CallingConv::ID RocmTarget::kernel_calling_convention() const {
  return llvm::CallingConv::AMDGPU_KERNEL;
}

void RocmTarget::decorate_kernel(llvm::Function &kernel) const {
  kernel.addFnAttr("amdgpu-flat-work-group-size", "1,1024");
  // The code object's loader finds kernels by their symbols in the dynamic symbol table.
  kernel.setVisibility(llvm::GlobalValue::ProtectedVisibility);
}

llvm::Value *RocmTarget::math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) {
  llvm::Type *t = args[0]->getType();
  if (t->isHalfTy()) {
    std::vector<llvm::Value *> wide;
    for (llvm::Value *a : args) wide.push_back(b.CreateFPExt(a, b.getFloatTy()));
    return b.CreateFPTrunc(math(b, fn, wide), t);
  }
  internal_assert(t->isFloatTy() || t->isDoubleTy()) << "math on a non-float type";
  return call_ocml(b, gpu::math_base_name(fn), args);
}

void RocmTarget::prepare(llvm::Module &m) const {
  m.addModuleFlag(llvm::Module::Error, "amdhsa_code_object_version",
                  static_cast<uint32_t>(options_.code_object * 100));
  DeviceLibs::define_controls(m, options_);
  gpu::replace_frem(m, [](llvm::IRBuilder<> &b, llvm::Value *x, llvm::Value *y) {
    return call_ocml(b, "fmod", {x, y});
  });
  if (options_.fastmath)
    for (llvm::Function &f : m) {
      if (f.isDeclaration()) continue;
      f.addFnAttr("unsafe-fp-math", "true");
      f.addFnAttr("denormal-fp-math-f32", "preserve-sign,preserve-sign");
    }
}

void RocmTarget::optimize(llvm::Module &m) const { gpu::optimize_o3(m, *tm_); }

std::string RocmTarget::object(llvm::Module &m) const { return gpu::emit(m, *tm_, true); }

std::string RocmTarget::assembly(llvm::Module &m) const { return gpu::emit(m, *tm_, false); }

}  // namespace ember
