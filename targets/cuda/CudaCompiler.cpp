#include "targets/cuda/CudaCompiler.h"

#include <cctype>
#include <cstring>
#include <functional>
#include <set>

#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include "ember/abi.h"
#include "typeinfer/CheckServices.h"

namespace ember {

namespace {

// ---- the cache key: a function's content ----------------------------------------------------

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

/// Everything a compile depends on, as bytes: the function's code, constants and frozen
/// globals, the argument types, and the options.
std::string cache_key(const FunctionInput &in, const std::vector<TypeId> &args,
                      const InferOptions &infer, const PipelineOptions &options,
                      const CudaOptions &cuda) {
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
  for (bool b : {f.boundscheck, f.fastmath, f.python_errors, f.parallel, options.verify,
                 cuda.arch.arch_specific, cuda.fastmath, cuda.device_function})
    put(k, b);
  put(k, cuda.arch.major * 10 + cuda.arch.minor);
  return k;
}

/// A PTX identifier for a Python name: [A-Za-z0-9_] only (PTX has no '.', '<' or '>').
std::string ptx_symbol(const std::string &qualname, uint64_t n) {
  std::string s = "ember_";
  for (char c : qualname) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s + "_" + std::to_string(n);
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

/// A kernel's module has the Kernel entry; a device function's has none (entry_abi()).
FunctionRole role(const CudaTarget &t) {
  return t.options().device_function ? FunctionRole::Function : FunctionRole::Kernel;
}

}  // namespace

CudaCompiler::CudaCompiler(TypeContext &types)
    : types_(types), ctx_(std::make_unique<llvm::LLVMContext>()) {}

CudaCompiler::~CudaCompiler() = default;

CudaTarget &CudaCompiler::target(const CudaOptions &options) {
  std::string key = options.arch.sm() + (options.fastmath ? "/fast" : "") +
                    (options.device_function ? "/device" : "");
  std::unique_ptr<CudaTarget> &t = targets_[key];
  if (!t) t = std::make_unique<CudaTarget>(options);
  return *t;
}

void CudaCompiler::check_kernel(const FunctionInput &in, const Function &f,
                                const std::vector<TypeId> &args, const InferOptions &typing,
                                bool device_function) {
  if (!device_function) {
    DataModel dm(*ctx_, types_, 0);
    for (size_t i = 0; i < args.size(); ++i)
      user_assert(kernel_can_take(types_, dm, args[i], true), SourceLoc{in.firstlineno})
          << "argument '" << (i < in.varnames.size() ? in.varnames[i] : "?") << "' of "
          << in.qualname << "() is a " << types_.to_string(args[i])
          << ", which a CUDA kernel cannot take: pass arrays, numbers and tuples of numbers";
  }
  // Callees were typed for the CPU, which has every service: check them against the GPU's.
  std::vector<const Function *> callees;
  std::set<const Function *> seen;
  collect_callees(f, callees, seen);
  for (const Function *c : callees) check_services(*c, typing);
}

LoweredModule CudaCompiler::build(const Function &f, CudaTarget &target, bool optimize) {
  LoweredModule lm = lower_module(f, target, *ctx_, {}, role(target));
  target.prepare(*lm.module);
  if (Libdevice::needed_by(*lm.module)) libdevice_.link_into(*lm.module);
  std::string entry = lm.wrapper;
  // Only the entry and the record stay visible: the status function inlines into the kernel,
  // and libdevice's unused functions go.
  llvm::internalizeModule(*lm.module, [&](const llvm::GlobalValue &gv) {
    return gv.getName() == entry || gv.getName() == EMBER_DEVICE_ERROR_SYMBOL;
  });
  if (optimize) target.optimize(*lm.module);
  return lm;
}

std::shared_ptr<const PtxModule> CudaCompiler::compile(
    const FunctionInput &in, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
    const InferOptions &infer, const PipelineOptions &options, const CudaOptions &cuda) {
  std::string key = cache_key(in, arg_types, infer, options, cuda);
  auto hit = cache_.find(key);
  if (hit != cache_.end()) return hit->second;

  CudaTarget &t = target(cuda);
  InferOptions typing = infer;
  typing.services = infer.services & t.services();
  typing.target_name = t.display_name();
  typing.kernel = true;  // the kernel language, in kernels and device functions alike
  PipelineOptions opts = options;
  opts.kernel = !cuda.device_function;
  opts.symbol = ptx_symbol(in.qualname, ++counter_);
  opts.flags.fastmath = cuda.fastmath;

  auto out = std::make_shared<PtxModule>();
  out->options = cuda;
  out->ir = build_typed_function(in, types_, arg_types, resolver, typing, opts);
  check_kernel(in, *out->ir, arg_types, typing, cuda.device_function);

  LoweredModule lm = build(*out->ir, t, true);
  out->symbol = lm.wrapper;
  out->params = lm.kernel_params;
  out->messages = lm.messages;
  // After optimization: checks that cannot fail (a range step of constant 1) are gone.
  const llvm::GlobalVariable *record = lm.module->getNamedGlobal(EMBER_DEVICE_ERROR_SYMBOL);
  out->may_raise = lm.writes_error_record && record && !record->use_empty();
  out->error_record = EMBER_DEVICE_ERROR_SYMBOL;
  out->ptx = t.ptx(*lm.module);
  cache_[key] = out;
  return out;
}

std::string CudaCompiler::llvm_ir(const PtxModule &m, bool optimized) {
  CudaTarget &t = target(m.options);
  LoweredModule lm = optimized ? build(*m.ir, t, true) : lower_module(*m.ir, t, *ctx_, {}, role(t));
  std::string text;
  llvm::raw_string_ostream os(text);
  lm.module->print(os, nullptr);
  return os.str();
}

}  // namespace ember
