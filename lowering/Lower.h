/** \file Lower.h
 * Typed IR -> an LLVM module, for any target.  The module holds the function (external), every
 * compiled function it calls (internal copies, so LLVM can inline them) and the entry point
 * the target's EntryAbi asks for: on the CPU, a wrapper with the uniform ABI of ember/abi.h
 * (`i32 wrapper(ptr ret, ptr err, ptr args)`), and the ufunc/gufunc loop NumPy calls.
 *
 * Everything that differs between targets is a question to the Target (lowering/Target.h):
 * address spaces, math functions, the results of float -> integer casts that C leaves
 * undefined, which runtime services exist (RuntimeFn.def), the entry ABI and how an error
 * leaves compiled code.  Array semantics, arithmetic and control flow are lowered once, here;
 * lowering never branches on a target's name and never includes typeinfer/ (the rules both
 * share are in ir/rules/).
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/IR.h"
#include "lowering/DataModel.h"
#include "lowering/LLVMHeaders.h"
#include "lowering/Target.h"

namespace ember {

/// An inner loop for NumPy to call, besides the ABI wrapper (UfuncLoops.cpp).
struct LoopSpec {
  /// CFunc: not a loop but the native C function `R name(A...)` of a @cfunc (CFuncEntry.cpp),
  /// emitted beside the wrapper in the same way.
  enum class Kind : uint8_t { None, Ufunc, Gufunc, CFunc };
  Kind kind = Kind::None;
  /// Gufunc: for each argument, the indices (from 0) of its core dimensions in NumPy's
  /// dimensions array after the outer one; "(n),(n)->()" is {{0}, {0}, {}}.
  std::vector<std::vector<int>> core_dims;
};

/// One parameter of a GPU kernel (EntryAbi::Kernel), in order: what the host passes.
struct KernelParam {
  enum class Kind : uint8_t {
    Data,    ///< an array's data pointer (a device address, 8 bytes)
    Shape,   ///< an array's extent along `axis` (int64)
    Stride,  ///< an array's stride along `axis`, in bytes (int64)
    Scalar,  ///< a scalar or tuple argument, as it is laid out in memory (bool: one byte)
  };
  Kind kind = Kind::Scalar;
  int32_t arg = 0;    ///< the Python argument it comes from
  int32_t axis = -1;  ///< Shape and Stride: the axis
  uint32_t size = 0;  ///< bytes
  uint32_t align = 1;
};

/// What the function is to its callers: an ordinary compiled function (the target's
/// entry_abi()), or a GPU kernel (the target's kernel_entry_abi()).
enum class FunctionRole : uint8_t { Function, Kernel };

struct LoweredModule {
  std::unique_ptr<llvm::Module> module;
  std::string entry;              ///< the function's symbol
  std::string wrapper;            ///< the ABI entry point's symbol (a GPU: the kernel's)
  std::string loop;               ///< the ufunc or gufunc loop's symbol, when one was asked for
  RuntimeServices services_used;  ///< the runtime services the module calls
  /// EntryAbi::Kernel: the kernel's parameters, in order.
  std::vector<KernelParam> kernel_params;
  /// ErrorExit::DeviceRecord: the message of each message id the device record may hold.
  std::vector<std::string> messages;
  /// ErrorExit::DeviceRecord: whether any code writes the record (before optimization).
  bool writes_error_record = false;
  /// Kernels: whether the module synchronizes threads (barriers, warp functions), and the bytes
  /// of static shared memory its cuda.shared.arrays take per block.
  bool synchronizes = false;
  uint64_t static_shared_bytes = 0;
};

/// Lowers f, its callees and its entry point into a new module of `ctx`, with the target's
/// data layout and triple.  Each function is lowered with its own CodeFlags.
LoweredModule lower_module(const Function &f, Target &target, llvm::LLVMContext &ctx,
                           const LoopSpec &loop = {}, FunctionRole role = FunctionRole::Function);

}  // namespace ember
