// AMD's device libraries, found at run time and linked lazily (DeviceLibs.h).
#include "targets/rocm/DeviceLibs.h"

#include <cstdlib>

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include "targets/gpu/GpuCompile.h"
#include "targets/rocm/RocmTarget.h"

namespace ember {

namespace {

/// The address space of the libraries' constants (AMDGPU's constant memory).
constexpr unsigned kConstantSpace = 4;

bool declares_prefix(const llvm::Module &m, llvm::StringRef prefix) {
  for (const llvm::Function &f : m)
    if (f.isDeclaration() && f.getName().starts_with(prefix)) return true;
  return false;
}

void define_control(llvm::Module &m, const char *name, llvm::Type *type, uint64_t value) {
  if (m.getNamedGlobal(name)) return;
  auto *gv = new llvm::GlobalVariable(m, type, true, llvm::GlobalValue::LinkOnceODRLinkage,
                                      llvm::ConstantInt::get(type, value), name, nullptr,
                                      llvm::GlobalValue::NotThreadLocal, kConstantSpace);
  gv->setVisibility(llvm::GlobalValue::ProtectedVisibility);
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Local);
  gv->setAlignment(llvm::Align(type->getIntegerBitWidth() / 8));
}

}  // namespace

DeviceLibs::DeviceLibs() = default;
DeviceLibs::~DeviceLibs() = default;

std::string DeviceLibs::locate(std::vector<std::string> *searched) {
  std::vector<std::string> candidates;
  // An explicit folder is the only one looked at: a wrong setting fails rather than being
  // silently replaced by another installation's libraries.
  if (const char *dir = std::getenv("EMBER_ROCM_DEVICE_LIBS"); dir && *dir) {
    candidates.push_back(dir);
  } else {
    if (const char *root = std::getenv("ROCM_PATH"); root && *root)
      candidates.push_back(std::string(root) + "/amdgcn/bitcode");
    candidates.push_back("/opt/rocm/amdgcn/bitcode");
    candidates.push_back("/usr/lib/x86_64-linux-gnu/amdgcn/bitcode");
    candidates.push_back("/usr/lib/amdgcn/bitcode");
  }
  for (const std::string &c : candidates) {
    if (searched) searched->push_back(c);
    if (llvm::sys::fs::is_regular_file(c + "/ocml.bc")) return c;
  }
  return "";
}

void DeviceLibs::define_controls(llvm::Module &m, const RocmOptions &options) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *i8 = llvm::Type::getInt8Ty(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  define_control(m, "__oclc_ISA_version", i32, static_cast<uint64_t>(options.arch.isa_version()));
  define_control(m, "__oclc_ABI_version", i32, options.code_object == 4 ? 400 : 500);
  define_control(m, "__oclc_wavefrontsize64", i8, options.wavefront_size() == 64 ? 1 : 0);
  define_control(m, "__oclc_finite_only_opt", i8, 0);
  define_control(m, "__oclc_unsafe_math_opt", i8, options.fastmath ? 1 : 0);
  define_control(m, "__oclc_daz_opt", i8, options.fastmath ? 1 : 0);
  define_control(m, "__oclc_correctly_rounded_sqrt32", i8, options.fastmath ? 0 : 1);
}

bool DeviceLibs::needed_by(const llvm::Module &m) {
  return declares_prefix(m, "__ocml_") || declares_prefix(m, "__ockl_");
}

const llvm::MemoryBuffer &DeviceLibs::library(const char *file,
                                              std::unique_ptr<llvm::MemoryBuffer> &slot) {
  if (slot) return *slot;
  if (folder_.empty()) {
    std::vector<std::string> searched;
    folder_ = locate(&searched);
    if (folder_.empty()) {
      std::string where;
      for (const std::string &s : searched) where += "\n  " + s;
      throw RocmToolchainError(
          "ocml.bc and ockl.bc, the ROCm device libraries that HIP kernels calling math "
          "functions or barrier reductions need, were not found; looked in:" +
          where +
          "\ninstall rocm-device-libs, or set ROCM_PATH, or EMBER_ROCM_DEVICE_LIBS to the "
          "folder holding ocml.bc");
    }
  }
  std::string path = folder_ + "/" + file;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) throw RocmToolchainError("cannot read " + path + ": " + buffer.getError().message());
  slot = std::move(*buffer);
  return *slot;
}

void DeviceLibs::link_into(llvm::Module &m) {
  // ocml first: its functions may call ockl's.
  struct Lib {
    const char *prefix, *file;
    std::unique_ptr<llvm::MemoryBuffer> &slot;
  };
  for (Lib lib : {Lib{"__ocml_", "ocml.bc", ocml_}, Lib{"__ockl_", "ockl.bc", ockl_}}) {
    if (!declares_prefix(m, lib.prefix)) continue;
    std::string error;
    if (!gpu::link_lazily(m, library(lib.file, lib.slot), &error))
      throw RocmToolchainError(folder_ + "/" + lib.file + " cannot be linked: " + error);
  }
  // The libraries are built from OpenCL: their version metadata would make the code object's
  // metadata say `.language: OpenCL C`.
  if (llvm::NamedMDNode *ocl = m.getNamedMetadata("opencl.ocl.version")) m.eraseNamedMetadata(ocl);
}

}  // namespace ember
