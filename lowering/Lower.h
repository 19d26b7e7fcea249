/** \file Lower.h
 * Typed IR -> an LLVM module, for any target.  The module holds the function (external), every
 * compiled function it calls (internal copies, so LLVM can inline them) and a wrapper with the
 * uniform ABI entry point of ember/abi.h (`i32 wrapper(ptr ret, ptr err, ptr args)`).
 *
 * Targets supply what differs through TargetHooks: math functions, the results of float ->
 * integer casts that C leaves undefined, and how the runtime's functions are reached.  Array
 * semantics, arithmetic and control flow are lowered once, here.
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

/// What NumPy's float -> integer casts give on the target for NaN, infinities and values out of
/// the integer's range.  C leaves those conversions undefined and NumPy's cast loops are C
/// casts, so the bits are whatever the CPU's conversion instructions produce, and differ between
/// architectures.  The lowering emits either set with ordinary compares and selects.
enum class FloatToIntBits : uint8_t {
  /// x86-64 (cvttss2si / cvttsd2si): an invalid conversion gives the minimum of a 32- or 64-bit
  /// integer.  int8..int32, uint8 and uint16 convert through int32 and keep the low bits,
  /// int64 and uint32 through int64; uint64 converts x - 2^63 when x >= 2^63 and flips the top
  /// bit.  Measured against NumPy's own casts (tests/python/test_float_to_int.py).
  X86,
  /// AArch64 (fcvtzs / fcvtzu): saturating, NaN gives 0; narrow integers through 32 bits.
  Saturating,
};

class TargetHooks {
 public:
  virtual ~TargetHooks() = default;
  /// Emits fn(args...) where every argument has the same floating-point type.
  virtual llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn,
                            llvm::ArrayRef<llvm::Value *> args) = 0;
  /// The bits of NumPy's float -> integer casts on this target (array semantics).
  virtual FloatToIntBits float_to_int_bits() const = 0;
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
