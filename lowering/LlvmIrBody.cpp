// An @intrinsic's body (ember/intrinsics.py; the tables of LlvmIrBody.h): Numba's @intrinsic builds
// its body with llvmlite's IR builder, which ember does not use; ember's takes the body as LLVM IR
// text.  The text is wrapped in `define <ret> @"<symbol>.ir"(<t1> %"<p1>", ...) { ... }` (the
// parameters named as the typing function's), parsed with LLVM's assembly parser into a module of
// its own, checked with the verifier, and linked into the module being lowered; the function of
// ember's calling convention (`i32 f(ptr ret, ptr err, args...)`) calls it, stores its result and
// returns 0, and the parsed function is internal and always inlined, so nothing of the wrapping is
// left after optimization.  A text LLVM refuses is a TypingError naming the intrinsic, with LLVM's
// message and the line of the text it is about.
//
// Types cross as ember's registers hold them: integers as iN, float32/float64 as float/double,
// bool as i1, C pointers (types.voidptr, types.CPointer) as ptr, a None result as void; the
// Python side refuses other types before compiling.
#include "lowering/LlvmIrBody.h"

#include <llvm/AsmParser/Parser.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/SourceMgr.h>

#include <map>
#include <mutex>

#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

std::mutex bodies_mutex;
std::map<uint64_t, std::string> pending_bodies;  // by the intrinsic's handle
std::map<std::string, std::string> bodies;       // by the compiled function's symbol

std::string type_text(llvm::Type *t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t->print(os);
  return os.str();
}

/// `name` as an LLVM identifier (quoted: any Python name is a valid quoted one).
std::string quoted(const std::string &name) { return "\"" + name + "\""; }

}  // namespace

void set_pending_llvm_ir(uint64_t handle, std::string text) {
  std::lock_guard<std::mutex> lock(bodies_mutex);
  pending_bodies[handle] = std::move(text);
}

std::optional<std::string> take_pending_llvm_ir(uint64_t handle) {
  std::lock_guard<std::mutex> lock(bodies_mutex);
  auto it = pending_bodies.find(handle);
  if (it == pending_bodies.end()) return std::nullopt;
  std::string text = std::move(it->second);
  pending_bodies.erase(it);
  return text;
}

void register_llvm_ir_body(const std::string &symbol, std::string text) {
  std::lock_guard<std::mutex> lock(bodies_mutex);
  bodies[symbol] = std::move(text);
}

std::optional<std::string> llvm_ir_body(const std::string &symbol) {
  std::lock_guard<std::mutex> lock(bodies_mutex);
  auto it = bodies.find(symbol);
  if (it == bodies.end()) return std::nullopt;
  return it->second;
}

void lower_llvm_ir_body(ModuleState &ms, const Function &f, llvm::Function *fn,
                        const std::string &body_text) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  TypeContext &types = ms.dm.types();
  SourceLoc loc{f.firstlineno};
  bool returns_none = types.kind(f.return_type) == TypeKind::None;
  llvm::Type *rt = returns_none ? llvm::Type::getVoidTy(ctx) : ms.dm.value_type(f.return_type);
  internal_assert(rt) << "@intrinsic " << f.name << " returns a compile-time type";
  std::vector<llvm::Type *> params;
  for (TypeId t : f.arg_types) {
    llvm::Type *vt = ms.dm.value_type(t);
    internal_assert(vt) << "@intrinsic " << f.name << " takes a compile-time type";
    params.push_back(vt);
  }

  const std::string name = f.symbol + ".ir";
  std::string text = "define " + type_text(rt) + " @" + quoted(name) + "(";
  for (size_t i = 0; i < params.size(); ++i)
    text += (i ? ", " : "") + type_text(params[i]) + " %" + quoted(f.arg_names[i]);
  text += ") {\n" + body_text + "\n}\n";

  llvm::SMDiagnostic diag;
  auto parsed = std::make_unique<llvm::Module>(name, ctx);
  parsed->setDataLayout(ms.module.getDataLayout());
  parsed->setTargetTriple(ms.module.getTargetTriple());
  if (llvm::parseAssemblyInto(llvm::MemoryBufferRef(text, name), parsed.get(), nullptr, diag)) {
    // Line 1 is the define ember wrote: the user's text starts on line 2.
    int line = diag.getLineNo() - 1;
    typing_error(loc) << "@intrinsic " << f.name
                      << ": LLVM cannot parse its IR: " << diag.getMessage().str()
                      << (line >= 1 ? " (line " + std::to_string(line) + " of the text: " +
                                          diag.getLineContents().trim().str() + ")"
                                    : std::string(" (in the definition ember wraps the text "
                                                  "in: check the parameter names and types)"));
  }
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*parsed, &os)) {
    os.flush();
    typing_error(loc) << "@intrinsic " << f.name
                      << ": LLVM's verifier rejects its IR: " << llvm::StringRef(err).trim().str();
  }
  // Defined with external linkage so that the linker moves it (it links local functions only
  // when something refers to them); internal once linked.
  if (llvm::Linker::linkModules(ms.module, std::move(parsed)))
    typing_error(loc) << "@intrinsic " << f.name << ": its IR cannot be linked into the module";
  llvm::Function *body = ms.module.getFunction(name);
  internal_assert(body) << "the linked body of " << f.name << " is missing";
  body->setLinkage(llvm::GlobalValue::InternalLinkage);
  body->removeFnAttr(llvm::Attribute::NoInline);
  body->removeFnAttr(llvm::Attribute::OptimizeNone);
  body->addFnAttr(llvm::Attribute::AlwaysInline);

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  std::vector<llvm::Value *> args;
  for (unsigned i = 0; i < params.size(); ++i) args.push_back(fn->getArg(2 + i));
  llvm::Value *result = b.CreateCall(body, args);
  if (!returns_none) {
    llvm::Type *mt = ms.dm.memory_type(f.return_type);
    if (mt != rt) result = b.CreateZExt(result, mt);  // bool: an i1 held in a byte
    b.CreateStore(result, fn->getArg(0));
  }
  b.CreateRet(llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx), 0));
}

}  // namespace ember
