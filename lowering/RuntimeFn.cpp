// The table of runtime functions (RuntimeFn.def) and their declarations.
#include "lowering/RuntimeFn.h"

#include <vector>

#include "ir/Error.h"

namespace ember {

namespace {

enum class RtType : uint8_t { Void, I32, I64, F64, Ptr };

struct RuntimeFnInfo {
  const char *symbol;
  RuntimeService service;
  RtType result;
  std::vector<RtType> params;
};

/// The names RuntimeFn.def spells its types with.
namespace spelling {
constexpr RtType Void = RtType::Void, I32 = RtType::I32, I64 = RtType::I64, F64 = RtType::F64,
                 Ptr = RtType::Ptr;
}  // namespace spelling

const RuntimeFnInfo &info(RuntimeFn fn) {
  using namespace spelling;
  static const RuntimeFnInfo table[] = {
#define EMBER_PARAMS(...) \
  { __VA_ARGS__ }
#define EMBER_RUNTIME_FN(id, symbol, service, result, params) \
  {symbol, RuntimeService::service, result, EMBER_PARAMS params},
#include "lowering/RuntimeFn.def"
#undef EMBER_RUNTIME_FN
#undef EMBER_PARAMS
  };
  auto i = static_cast<size_t>(fn);
  internal_assert(i < static_cast<size_t>(RuntimeFn::NumRuntimeFns)) << "no runtime function " << i;
  return table[i];
}

llvm::Type *llvm_type(llvm::LLVMContext &ctx, RtType t, unsigned pointer_space) {
  switch (t) {
    case RtType::Void: return llvm::Type::getVoidTy(ctx);
    case RtType::I32: return llvm::Type::getInt32Ty(ctx);
    case RtType::I64: return llvm::Type::getInt64Ty(ctx);
    case RtType::F64: return llvm::Type::getDoubleTy(ctx);
    case RtType::Ptr: return llvm::PointerType::get(ctx, pointer_space);
  }
  return nullptr;
}

}  // namespace

const char *runtime_fn_symbol(RuntimeFn fn) { return info(fn).symbol; }

RuntimeService runtime_fn_service(RuntimeFn fn) { return info(fn).service; }

RuntimeFn sort_runtime_fn(ScalarKind k, bool argsort) {
  switch (k) {
    case ScalarKind::Bool: return argsort ? RuntimeFn::ArgsortB : RuntimeFn::SortB;
    case ScalarKind::Int8: return argsort ? RuntimeFn::ArgsortI8 : RuntimeFn::SortI8;
    case ScalarKind::Int16: return argsort ? RuntimeFn::ArgsortI16 : RuntimeFn::SortI16;
    case ScalarKind::Int32: return argsort ? RuntimeFn::ArgsortI32 : RuntimeFn::SortI32;
    case ScalarKind::Int64: return argsort ? RuntimeFn::ArgsortI64 : RuntimeFn::SortI64;
    case ScalarKind::UInt8: return argsort ? RuntimeFn::ArgsortU8 : RuntimeFn::SortU8;
    case ScalarKind::UInt16: return argsort ? RuntimeFn::ArgsortU16 : RuntimeFn::SortU16;
    case ScalarKind::UInt32: return argsort ? RuntimeFn::ArgsortU32 : RuntimeFn::SortU32;
    case ScalarKind::UInt64: return argsort ? RuntimeFn::ArgsortU64 : RuntimeFn::SortU64;
    case ScalarKind::Float32: return argsort ? RuntimeFn::ArgsortF32 : RuntimeFn::SortF32;
    case ScalarKind::Float64:
      return argsort ? RuntimeFn::ArgsortF64 : RuntimeFn::SortF64;
      EMBER_TIME_KIND_CASES  // int64 counts; lowering moves NaT (INT64_MIN) last
          return argsort
          ? RuntimeFn::ArgsortI64
          : RuntimeFn::SortI64;
    case ScalarKind::Complex64:
    case ScalarKind::Complex128:
    case ScalarKind::Float16: break;  // float16: type_sorting refuses it
  }
  internal_error << "no sort for " << scalar_name(k);
  return RuntimeFn::NumRuntimeFns;
}

llvm::Function *declare_runtime_fn(llvm::Module &m, RuntimeFn fn, unsigned pointer_space) {
  const RuntimeFnInfo &i = info(fn);
  if (llvm::Function *f = m.getFunction(i.symbol)) return f;
  llvm::LLVMContext &ctx = m.getContext();
  std::vector<llvm::Type *> params;
  for (RtType p : i.params) params.push_back(llvm_type(ctx, p, pointer_space));
  auto *type = llvm::FunctionType::get(llvm_type(ctx, i.result, pointer_space), params, false);
  auto *f = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, i.symbol, m);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  return f;
}

}  // namespace ember
