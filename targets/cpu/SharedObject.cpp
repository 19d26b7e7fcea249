// A compiled CPU module as a host shared object (SharedObject.h).
#include "targets/cpu/SharedObject.h"

#include <dlfcn.h>
#include <link.h>

#include <set>

#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "targets/LldDriver.h"
#include "targets/cpu/CpuTarget.h"

namespace ember {

namespace {

constexpr const char *kSlots = "__ember_import_slots";

/// A temporary file removed when it goes out of scope.
struct TempFile {
  llvm::SmallString<128> path;
  TempFile(const char *prefix, const char *suffix) {
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(prefix, suffix, path))
      throw SharedObjectError("cannot create a temporary file: " + ec.message());
  }
  ~TempFile() { llvm::sys::fs::remove(path); }
  std::string str() const { return path.str().str(); }
  void write(const std::string &bytes) const {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec) throw SharedObjectError("cannot write " + str() + ": " + ec.message());
    os << bytes;
  }
};

std::string emit_object(llvm::Module &m, llvm::TargetMachine &tm) {
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    throw SharedObjectError("the host target cannot emit an object file");
  pm.run(m);
  return std::string(bytes.str());
}

/// The symbols an object file leaves undefined.
std::vector<std::string> undefined_symbols(const std::string &object) {
  auto file = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(object, "ember-cache-object"));
  if (!file) throw SharedObjectError("cannot read the object: " + toString(file.takeError()));
  std::vector<std::string> out;
  for (const llvm::object::SymbolRef &sym : (*file)->symbols()) {
    llvm::Expected<uint32_t> flags = sym.getFlags();
    if (!flags) {
      llvm::consumeError(flags.takeError());
      continue;
    }
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined)) continue;
    llvm::Expected<llvm::StringRef> name = sym.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (!name->empty()) out.push_back(name->str());
  }
  return out;
}

/// The path of a shared library of the process ("" when it is not loaded).
std::string loaded_library(const char *soname) {
  void *h = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
  if (!h) return "";
  std::string path;
  struct link_map *map = nullptr;
  if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name) path = map->l_name;
  dlclose(h);
  return path;
}

/// Hidden trampolines, one per import, jumping through the slot the loader fills (x86-64).
std::string trampolines(const std::vector<std::pair<std::string, std::string>> &imports) {
  std::string s = "\t.text\n";
  for (size_t i = 0; i < imports.size(); ++i) {
    const std::string q = "\"" + imports[i].first + "\"";
    s += "\t.p2align 4\n\t.globl " + q + "\n\t.hidden " + q + "\n\t.type " + q + ",@function\n" +
         q + ":\n\tjmpq *" + kSlots + "+" + std::to_string(8 * i) + "(%rip)\n\t.size " + q +
         ", .-" + q + "\n";
  }
  size_t bytes = 8 * (imports.empty() ? 1 : imports.size());
  s += "\t.data\n\t.globl " + std::string(kSlots) + "\n\t.type " + kSlots + ",@object\n" +
       "\t.p2align 3\n" + kSlots + ":\n\t.zero " + std::to_string(bytes) + "\n\t.size " + kSlots +
       ", " + std::to_string(bytes) + "\n";
  return s;
}

}  // namespace

SharedObjectImage build_shared_object(llvm::Module &m, CpuTarget &target,
                                      const std::vector<std::string> &exports,
                                      const std::map<std::string, std::string> &runtime_names) {
  llvm::TargetMachine &tm = target.pic_machine();
  if (!tm.getTargetTriple().isX86() || !tm.getTargetTriple().isArch64Bit() ||
      !tm.getTargetTriple().isOSLinux())
    throw SharedObjectError("the on-disk cache supports x86-64 Linux only, not " +
                            tm.getTargetTriple().str());
  std::set<std::string> exported(exports.begin(), exports.end());
  for (llvm::GlobalValue &g : m.global_values()) {
    if (g.isDeclaration()) {
      g.setDSOLocal(false);  // a runtime trampoline or a C library function: through the PLT
      continue;
    }
    if (g.hasLocalLinkage()) continue;
    g.setVisibility(exported.count(g.getName().str()) ? llvm::GlobalValue::DefaultVisibility
                                                      : llvm::GlobalValue::HiddenVisibility);
  }
  std::string object = emit_object(m, tm);

  SharedObjectImage out;
  for (const std::string &name : undefined_symbols(object)) {
    auto it = runtime_names.find(name);
    if (it != runtime_names.end()) out.imports.emplace_back(name, it->second);
  }
  llvm::LLVMContext ctx;
  llvm::Module stubs("ember.cache.imports", ctx);
  stubs.setTargetTriple(tm.getTargetTriple().str());
  stubs.setDataLayout(tm.createDataLayout());
  stubs.setModuleInlineAsm(trampolines(out.imports));
  std::string stub_object = emit_object(stubs, tm);

  TempFile main_o("ember-cache", "o"), stubs_o("ember-cache-imports", "o"), so("ember-cache", "so");
  main_o.write(object);
  stubs_o.write(stub_object);
  std::vector<std::string> args = {"-shared",          "-Bsymbolic",      "--no-undefined",
                                   "--hash-style=gnu", "--build-id=none", "-z",
                                   "noexecstack",      "-soname",         "ember-cache.so",
                                   main_o.str(),       stubs_o.str(),     "--as-needed"};
  // The C library, libm and libmvec as the process has them: what the code still calls by
  // name (memcpy, sin, _ZGVdN4v_exp) becomes DT_NEEDED on them, checked by --no-undefined.
  for (const char *lib : {"libc.so.6", "libm.so.6", "libmvec.so.1", "libgcc_s.so.1"}) {
    std::string path = loaded_library(lib);
    if (!path.empty()) args.push_back(path);
  }
  args.push_back("-o");
  args.push_back(so.str());
  std::string diagnostics;
  if (!run_lld_elf(args, diagnostics))
    throw SharedObjectError("lld could not link the shared object: " + diagnostics);
  auto buffer = llvm::MemoryBuffer::getFile(so.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) throw SharedObjectError("cannot read lld's output: " + buffer.getError().message());
  out.bytes = (*buffer)->getBuffer().str();
  return out;
}

}  // namespace ember
