/** \file Lower.h
 * Typed IR -> an LLVM module, for any target.  The module holds the function (external), every
 * compiled function it calls (internal copies, so LLVM can inline them) and a wrapper with the
 * uniform ABI entry point of ember/abi.h (`i32 wrapper(ptr ret, ptr err, ptr args)`).
 *
 * Targets supply what differs through TargetHooks: math functions, and how the runtime's
 * functions are reached.  Array semantics, arithmetic and control flow are lowered once, here.
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/IR.h"
#include "lowering/DataModel.h"
#include "lowering/LLVMHeaders.h"

namespace ember {

/// Math functions the lowering asks the target for, on float or double arguments.
enum class MathFn : uint8_t {
  Sqrt,
  Exp,
  Exp2,
  Log,
  Log2,
  Log10,
  Log1p,
  Expm1,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Atan2,
  Sinh,
  Cosh,
  Tanh,
  Asinh,
  Acosh,
  Atanh,
  Floor,
  Ceil,
  Trunc,
  RoundEven,
  Fabs,
  Copysign,
  Hypot,
  Pow,
  Fmod,
  Erf,
  Erfc,
  Gamma,
  Lgamma,
  Cbrt,
};

class TargetHooks {
 public:
  virtual ~TargetHooks() = default;
  /// Emits fn(args...) where every argument has the same floating-point type.
  virtual llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn,
                            llvm::ArrayRef<llvm::Value *> args) = 0;
};

/// An inner loop for NumPy to call, besides the ABI wrapper (UfuncLoops.cpp).
struct LoopSpec {
  enum class Kind : uint8_t { None, Ufunc, Gufunc };
  Kind kind = Kind::None;
  /// Gufunc: for each argument, the indices (from 0) of its core dimensions in NumPy's
  /// dimensions array after the outer one; "(n),(n)->()" is {{0}, {0}, {}}.
  std::vector<std::vector<int>> core_dims;
};

struct LoweredModule {
  std::unique_ptr<llvm::Module> module;
  std::string entry;    ///< the function's symbol
  std::string wrapper;  ///< the ABI entry point's symbol
  std::string loop;     ///< the ufunc or gufunc loop's symbol, when one was asked for
};

/// Lowers f, its callees and its wrapper into a new module of `ctx`.  Each function is lowered
/// with its own CodeFlags.
LoweredModule lower_module(const Function &f, TargetHooks &hooks, llvm::LLVMContext &ctx,
                           const llvm::DataLayout &layout, const std::string &triple,
                           const LoopSpec &loop = {});

}  // namespace ember
