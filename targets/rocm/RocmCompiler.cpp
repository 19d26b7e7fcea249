#include "targets/rocm/RocmCompiler.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>

#include "ember/abi.h"
#include "targets/gpu/GpuCompile.h"
#include "targets/rocm/HsacoLinker.h"

namespace ember {

RocmCompiler::RocmCompiler(TypeContext &types)
    : types_(types), ctx_(std::make_unique<llvm::LLVMContext>()) {}

RocmCompiler::~RocmCompiler() = default;

RocmTarget &RocmCompiler::target(const RocmOptions &options) {
  std::unique_ptr<RocmTarget> &t = targets_[options.key()];
  if (!t) t = std::make_unique<RocmTarget>(options);
  return *t;
}

LoweredModule RocmCompiler::build(const Function &f, RocmTarget &target, bool optimize) {
  LoweredModule lm = lower_module(f, target, *ctx_, {}, FunctionRole::Kernel);
  llvm::Module &m = *lm.module;
  target.prepare(m);
  if (DeviceLibs::needed_by(m)) libs_.link_into(m);
  // The host finds the record with hipModuleGetGlobal: visible in the dynamic symbol table.
  if (llvm::GlobalVariable *record = m.getNamedGlobal(EMBER_DEVICE_ERROR_SYMBOL))
    record->setVisibility(llvm::GlobalValue::ProtectedVisibility);
  gpu::internalize_except(m, {lm.wrapper, EMBER_DEVICE_ERROR_SYMBOL});
  if (optimize) target.optimize(m);
  return lm;
}

std::shared_ptr<const HsacoModule> RocmCompiler::compile(
    const FunctionInput &in, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
    const InferOptions &infer, const PipelineOptions &options, const RocmOptions &rocm) {
  std::string key = gpu::function_key(in, arg_types, infer, options) + rocm.key();
  auto hit = cache_.find(key);
  if (hit != cache_.end()) return hit->second;

  RocmTarget &t = target(rocm);
  InferOptions typing = infer;
  typing.services = infer.services & t.services();
  typing.target_name = t.display_name();
  typing.kernel = true;
  typing.warp_size = t.warp_size();
  PipelineOptions opts = options;
  opts.kernel = true;
  opts.symbol = gpu::kernel_symbol(in.qualname, ++counter_);
  opts.flags.fastmath = rocm.fastmath;

  auto out = std::make_shared<HsacoModule>();
  out->options = rocm;
  out->ir = build_typed_function(in, types_, arg_types, resolver, typing, opts);
  gpu::check_kernel(types_, *ctx_, in, *out->ir, arg_types, typing, false, t.display_name());

  LoweredModule lm = build(*out->ir, t, true);
  out->symbol = lm.wrapper;
  out->params = lm.kernel_params;
  out->messages = lm.messages;
  out->static_shared_bytes = lm.static_shared_bytes;
  const llvm::GlobalVariable *record = lm.module->getNamedGlobal(EMBER_DEVICE_ERROR_SYMBOL);
  out->may_raise = lm.writes_error_record && record && !record->use_empty();
  out->error_record = EMBER_DEVICE_ERROR_SYMBOL;
  out->hsaco = link_hsaco(t.object(*lm.module));
  cache_[key] = out;
  return out;
}

std::string RocmCompiler::assembly(const HsacoModule &m) {
  RocmTarget &t = target(m.options);
  LoweredModule lm = build(*m.ir, t, true);
  return t.assembly(*lm.module);
}

std::string RocmCompiler::llvm_ir(const HsacoModule &m, bool optimized) {
  RocmTarget &t = target(m.options);
  LoweredModule lm =
      optimized ? build(*m.ir, t, true) : lower_module(*m.ir, t, *ctx_, {}, FunctionRole::Kernel);
  std::string text;
  llvm::raw_string_ostream os(text);
  lm.module->print(os, nullptr);
  return os.str();
}

}  // namespace ember
