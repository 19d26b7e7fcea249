#include "targets/cuda/CudaCompiler.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>

#include "ember/abi.h"
#include "targets/gpu/GpuCompile.h"

namespace ember {

namespace {

/// Everything a compile depends on: the function and pipeline (gpu::function_key), then the
/// CUDA options.
std::string cache_key(const FunctionInput &in, const std::vector<TypeId> &args,
                      const InferOptions &infer, const PipelineOptions &options,
                      const CudaOptions &cuda) {
  std::string k = gpu::function_key(in, args, infer, options);
  k += cuda.arch.sm();
  k += cuda.fastmath ? "/fast" : "/-";
  k += cuda.device_function ? "/device" : "/kernel";
  return k;
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

LoweredModule CudaCompiler::build(const Function &f, CudaTarget &target, bool optimize) {
  LoweredModule lm = lower_module(f, target, *ctx_, {}, role(target));
  target.prepare(*lm.module);
  if (Libdevice::needed_by(*lm.module)) libdevice_.link_into(*lm.module);
  std::string entry = lm.wrapper;
  // Only the entry and the record stay visible: the status function inlines into the kernel,
  // and libdevice's unused functions go.
  gpu::internalize_except(*lm.module, {entry, EMBER_DEVICE_ERROR_SYMBOL});
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
  opts.symbol = gpu::kernel_symbol(in.qualname, ++counter_);
  opts.flags.fastmath = cuda.fastmath;

  auto out = std::make_shared<PtxModule>();
  out->options = cuda;
  out->ir = build_typed_function(in, types_, arg_types, resolver, typing, opts);
  gpu::check_kernel(types_, *ctx_, in, *out->ir, arg_types, typing, cuda.device_function,
                    t.display_name());

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
