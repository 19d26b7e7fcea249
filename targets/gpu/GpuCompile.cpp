// The pieces every GPU compiler shares (GpuCompile.h).
#include "targets/gpu/GpuCompile.h"

#include <cctype>
#include <cstring>
#include <set>

#include <llvm/IR/InstIterator.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include "ir/Error.h"
#include "lowering/DataModel.h"
#include "typeinfer/CheckServices.h"

namespace ember::gpu {

namespace {

void put(std::string &k, int64_t v) { k.append(reinterpret_cast<const char *>(&v), sizeof v); }
void put(std::string &k, const std::string &s) {
  put(k, static_cast<int64_t>(s.size()));
  k += s;
}
void put(std::string &k, const ConstValue &c) {
  put(k, static_cast<int64_t>(c.kind));
  put(k, c.scalar);
  put(k, c.i);
  int64_t bits[2];
  std::memcpy(&bits[0], &c.f, 8);
  std::memcpy(&bits[1], &c.f2, 8);
  put(k, bits[0]);
  put(k, bits[1]);
  put(k, static_cast<int64_t>(c.handle));
  put(k, static_cast<int64_t>(c.builtin));
  put(k, c.str);
  put(k, static_cast<int64_t>(c.elems.size()));
  for (const ConstValue &e : c.elems) put(k, e);
}

/// Every function f calls, transitively (their typed IR comes from the CPU compiler).
void collect_callees(const Function &f, std::vector<const Function *> &out,
                     std::set<const Function *> &seen) {
  for (const CalleeRef &c : f.callees) {
    if (c.self || !c.function || !seen.insert(c.function.get()).second) continue;
    out.push_back(c.function.get());
    collect_callees(*c.function, out, seen);
  }
}

/// Whether a value of type t can be a kernel argument: arrays, numbers, tuples of numbers, and
/// compile-time values (which take no parameter).  Anything else would hold a host pointer.
bool kernel_can_take(TypeContext &types, DataModel &dm, TypeId t, bool top) {
  const TypeData &d = types.get(t);
  switch (d.kind) {
    case TypeKind::Array: return top;  // flattened; inside a tuple it would need a host struct
    case TypeKind::Scalar:
    case TypeKind::None: return true;
    case TypeKind::Tuple:
      for (TypeId e : d.elems)
        if (!kernel_can_take(types, dm, e, false)) return false;
      return true;
    default: return dm.memory_type(t) == nullptr;
  }
}

}  // namespace

std::string function_key(const FunctionInput &in, const std::vector<TypeId> &args,
                         const InferOptions &infer, const PipelineOptions &options) {
  std::string k;
  for (const std::string *s : {&in.name, &in.qualname, &in.filename}) put(k, *s);
  for (int64_t v : {int64_t{in.firstlineno}, int64_t{in.argcount}, int64_t{in.kwonlyargcount},
                    static_cast<int64_t>(in.self_handle)})
    put(k, v);
  for (const auto *names : {&in.varnames, &in.names}) {
    put(k, static_cast<int64_t>(names->size()));
    for (const std::string &s : *names) put(k, s);
  }
  for (const auto *values : {&in.consts, &in.name_values}) {
    put(k, static_cast<int64_t>(values->size()));
    for (const ConstValue &c : *values) put(k, c);
  }
  for (const auto &[handle, attrs] : in.modules) {
    put(k, static_cast<int64_t>(handle));
    for (const auto &[name, value] : attrs) {
      put(k, name);
      put(k, value);
    }
  }
  for (const NisInstr &n : in.code)
    for (int64_t v : {int64_t{static_cast<int>(n.op)}, int64_t{n.arg}, int64_t{n.arg2},
                      int64_t{n.target}, int64_t{n.line}})
      put(k, v);
  put(k, static_cast<int64_t>(args.size()));
  for (TypeId t : args) put(k, t.index);
  put(k, infer.declared_return.index);
  const CodeFlags &f = options.flags;
  for (bool b : {f.boundscheck, f.fastmath, f.python_errors, f.parallel, options.verify}) put(k, b);
  return k;
}

std::string kernel_symbol(const std::string &qualname, uint64_t n) {
  std::string s = "ember_";
  for (char c : qualname) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s + "_" + std::to_string(n);
}

void check_kernel(TypeContext &types, llvm::LLVMContext &ctx, const FunctionInput &in,
                  const Function &f, const std::vector<TypeId> &args, const InferOptions &typing,
                  bool device_function, const std::string &target_name) {
  if (!device_function) {
    DataModel dm(ctx, types, 0);
    for (size_t i = 0; i < args.size(); ++i)
      user_assert(kernel_can_take(types, dm, args[i], true), SourceLoc{in.firstlineno})
          << "argument '" << (i < in.varnames.size() ? in.varnames[i] : "?") << "' of "
          << in.qualname << "() is a " << types.to_string(args[i]) << ", which " << target_name
          << " cannot take: pass arrays, numbers and tuples of numbers";
  }
  // Callees were typed for the CPU, which has every service: check them against the GPU's.
  std::vector<const Function *> callees;
  std::set<const Function *> seen;
  collect_callees(f, callees, seen);
  for (const Function *c : callees) check_services(*c, typing);
}

void replace_frem(
    llvm::Module &m,
    const std::function<llvm::Value *(llvm::IRBuilder<> &, llvm::Value *, llvm::Value *)> &fmod) {
  std::vector<llvm::BinaryOperator *> frems;
  for (llvm::Function &f : m)
    for (llvm::Instruction &i : llvm::instructions(f))
      if (i.getOpcode() == llvm::Instruction::FRem && !i.hasApproxFunc())
        frems.push_back(llvm::cast<llvm::BinaryOperator>(&i));
  for (llvm::BinaryOperator *r : frems) {
    llvm::IRBuilder<> b(r);
    llvm::Value *v = fmod(b, r->getOperand(0), r->getOperand(1));
    r->replaceAllUsesWith(v);
    r->eraseFromParent();
  }
}

llvm::GlobalVariable *shared_global(llvm::Module &m, const SharedArray &array, unsigned space) {
  auto *t = llvm::ArrayType::get(array.element, array.count);
  llvm::GlobalVariable *gv = m.getNamedGlobal(array.name);
  if (!gv) {
    gv = new llvm::GlobalVariable(m, t, false, llvm::GlobalValue::InternalLinkage,
                                  llvm::UndefValue::get(t), array.name, nullptr,
                                  llvm::GlobalValue::NotThreadLocal, space);
    gv->setAlignment(llvm::Align(array.align));
  }
  return gv;
}

llvm::GlobalVariable *dynamic_shared_global(llvm::Module &m, unsigned space) {
  // Every kernel of a module that uses it sees the same zero-length array, as CUDA C++, HIP and
  // numba-cuda declare it.
  constexpr const char *kName = "ember_dynamic_shared";
  llvm::GlobalVariable *gv = m.getNamedGlobal(kName);
  if (!gv) {
    auto *t = llvm::ArrayType::get(llvm::Type::getInt8Ty(m.getContext()), 0);
    gv = new llvm::GlobalVariable(m, t, false, llvm::GlobalValue::ExternalLinkage, nullptr, kName,
                                  nullptr, llvm::GlobalValue::NotThreadLocal, space);
    gv->setAlignment(llvm::Align(16));
  }
  return gv;
}

bool link_lazily(llvm::Module &m, const llvm::MemoryBuffer &file, std::string *error) {
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> lib = llvm::getLazyIRModule(
      llvm::MemoryBuffer::getMemBuffer(file.getMemBufferRef(), false), diag, m.getContext());
  if (!lib) {
    *error = diag.getMessage().str();
    return false;
  }
  // Device libraries carry a generic triple and an older layout: take the module's, so that the
  // linker does not warn about mixing targets.
  lib->setTargetTriple(m.getTargetTriple());
  lib->setDataLayout(m.getDataLayout());
  if (llvm::Linker::linkModules(m, std::move(lib), llvm::Linker::LinkOnlyNeeded)) {
    *error = "the linker failed";
    return false;
  }
  return true;
}

void internalize_except(llvm::Module &m, const std::vector<std::string> &keep) {
  llvm::internalizeModule(m, [&](const llvm::GlobalValue &gv) {
    for (const std::string &k : keep)
      if (gv.getName() == k) return true;
    return false;
  });
}

void optimize_o3(llvm::Module &m, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}

std::string emit(llvm::Module &m, llvm::TargetMachine &tm, bool object) {
  llvm::SmallString<0> out;
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  auto kind = object ? llvm::CodeGenFileType::ObjectFile : llvm::CodeGenFileType::AssemblyFile;
  internal_assert(!tm.addPassesToEmitFile(pm, os, nullptr, kind))
      << "the " << tm.getTargetTriple().str() << " backend cannot emit "
      << (object ? "an object" : "assembly");
  pm.run(m);
  return std::string(out.str());
}

const char *math_base_name(MathFn fn) {
  switch (fn) {
    case MathFn::Sqrt: return "sqrt";
    case MathFn::Exp: return "exp";
    case MathFn::Exp2: return "exp2";
    case MathFn::Log: return "log";
    case MathFn::Log2: return "log2";
    case MathFn::Log10: return "log10";
    case MathFn::Log1p: return "log1p";
    case MathFn::Expm1: return "expm1";
    case MathFn::Sin: return "sin";
    case MathFn::Cos: return "cos";
    case MathFn::Tan: return "tan";
    case MathFn::Asin: return "asin";
    case MathFn::Acos: return "acos";
    case MathFn::Atan: return "atan";
    case MathFn::Atan2: return "atan2";
    case MathFn::Sinh: return "sinh";
    case MathFn::Cosh: return "cosh";
    case MathFn::Tanh: return "tanh";
    case MathFn::Asinh: return "asinh";
    case MathFn::Acosh: return "acosh";
    case MathFn::Atanh: return "atanh";
    case MathFn::Floor: return "floor";
    case MathFn::Ceil: return "ceil";
    case MathFn::Trunc: return "trunc";
    case MathFn::RoundEven: return "rint";  // round to nearest, ties to even
    case MathFn::Fabs: return "fabs";
    case MathFn::Copysign: return "copysign";
    case MathFn::Hypot: return "hypot";
    case MathFn::Pow: return "pow";
    case MathFn::Fmod: return "fmod";
    case MathFn::Erf: return "erf";
    case MathFn::Erfc: return "erfc";
    case MathFn::Gamma: return "tgamma";
    case MathFn::Lgamma: return "lgamma";
    case MathFn::Cbrt: return "cbrt";
  }
  return "";
}

llvm::Value *call_pure_math(llvm::IRBuilder<> &b, const std::string &name,
                            llvm::ArrayRef<llvm::Value *> args) {
  llvm::Type *t = args[0]->getType();
  std::vector<llvm::Type *> params(args.size(), t);
  llvm::Module *m = b.GetInsertBlock()->getModule();
  llvm::FunctionCallee callee =
      m->getOrInsertFunction(name, llvm::FunctionType::get(t, params, false));
  llvm::CallInst *call = b.CreateCall(callee, args);
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

}  // namespace ember::gpu
