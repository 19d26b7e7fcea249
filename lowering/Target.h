/** \file Target.h
 * The target as lowering sees it: one object that lowering asks for everything that differs
 * between the machines ember compiles for, so that array semantics, arithmetic and control flow
 * are lowered once and lowering never branches on a target's name.
 *
 *   layout           data layout, triple, and the LLVM address space of each kind of memory
 *   arithmetic       the math library (MathFn), the bits of float -> integer casts
 *   runtime          which services of the runtime library exist (RuntimeFn.def names the
 *                    functions of each); typing rejects what a target lacks, lowering asserts
 *   entry and errors the entry point's ABI and how an exception leaves compiled code
 *   execution model  thread and block indices, barriers, fences, the warp size (GPU kernels)
 *
 * targets/cpu/CpuTarget and targets/cuda/CudaTarget implement it; docs/design.md ("Targets")
 * says how to add another.  Everything here is a question lowering asks while it emits IR;
 * optimization, code generation and loading stay with each target's own compiler (CpuCompiler,
 * CudaCompiler).
 */
#pragma once

#include <cstdint>
#include <string>

#include "ir/RuntimeService.h"
#include "lowering/LLVMHeaders.h"
#include "lowering/MathFn.h"

namespace ember {

/// Kinds of memory, which a target maps to LLVM address spaces (Target::address_space).
///   CPU: all 0.  NVPTX: Global 1, Shared 3, Constant 4, Local 5.  AMDGPU: Global 1,
///   Shared (LDS) 3, Constant 4, Local (private, allocas) 5.  Generic is 0 on all three.
enum class AddressSpace : uint8_t {
  /// What every pointer value lowering passes around is: array data, meminfos, the error
  /// record, iterator states, function parameters.  A GPU's generic (flat) space reaches
  /// global, shared and local memory alike, so one pointer type serves all of them.
  Generic,
  /// Device memory visible to every thread (where a GPU's arrays live).
  Global,
  /// Memory shared by the threads of one block (cuda.shared.array).
  Shared,
  /// A thread's private memory: every alloca lowering makes (then cast to Generic), and later
  /// cuda.local.array.
  Local,
  /// Read-only memory: message strings, later cuda.const.array_like.
  Constant,
};

/// The grid a kernel runs on, as numba.cuda names it (threadIdx, blockIdx, blockDim, gridDim).
enum class GridQuery : uint8_t { ThreadIdx, BlockIdx, BlockDim, GridDim };

/// How far a memory fence orders (cuda.threadfence_block / threadfence / threadfence_system).
enum class FenceScope : uint8_t { Block, Device, System };

/// The entry point lower_module emits besides the function itself.
enum class EntryAbi : uint8_t {
  /// `i32 wrapper(ptr ret, ptr err, ptr args)` of ember/abi.h, which the CPU dispatcher calls
  /// (lowering/Entry.cpp), and the ufunc/gufunc loops NumPy calls (UfuncLoops.cpp).
  StatusWrapper,
  /// A GPU kernel: `void <symbol>_kernel(flattened parameters)` with the target's kernel
  /// calling convention and no host pointers: for each array argument its data pointer, then
  /// shape[0..nd) and strides[0..nd) (int64, bytes); scalars as themselves (bool as i8);
  /// compile-time arguments take no parameter (lowering/GpuKernelEntry.cpp).  The layout is
  /// returned in LoweredModule::kernel_params.
  Kernel,
  /// No entry point: the status-returning function itself is the module's interface, visible
  /// to other GPU code that links it (numba's `compile_ptx(device=True)`).
  DeviceFunction,
};

/// How an exception leaves compiled code.  Every compiled function returns an i32 status
/// (EMBER_OK / EMBER_RAISED) that its callers propagate; targets differ in where the record of
/// the exception (ember_error: id, line, message) is written.
enum class ErrorExit : uint8_t {
  /// Into the ember_error the caller passed (the `err` parameter), which the dispatcher turns
  /// into the Python exception (CPU).
  CallerRecord,
  /// Into the module's device-global record (ember_device_error of ember/abi.h, in the Global
  /// space): the first failing thread claims it with a compare-and-swap of its status and fills
  /// it with the exception id, the line and a message id (an index into
  /// LoweredModule::messages); the thread then returns.  The host reads it after
  /// synchronizing and raises (lowering/DeviceError.cpp).
  DeviceRecord,
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
  /// NVIDIA GPUs (PTX's cvt.rzi.<integer>.<float>): saturating at the destination's own width
  /// (int8 too); NaN gives 0, except from a double or into a 64-bit integer, where it gives
  /// 1 << (width - 1) (the signed minimum; 2^(width-1) unsigned).  PTX ISA, "cvt", Integer Notes.
  Ptx,
};

class Target {
 public:
  virtual ~Target() = default;

  /// The code this target runs, as messages name it: the subject of "..., which <a CUDA
  /// kernel> cannot do".  "the CPU", "a CUDA kernel".
  virtual std::string display_name() const = 0;

  // ---- layout -------------------------------------------------------------------------------
  virtual const llvm::DataLayout &data_layout() const = 0;
  virtual std::string triple() const = 0;
  /// The LLVM address space of a kind of memory.
  virtual unsigned address_space(AddressSpace space) const = 0;

  // ---- arithmetic ---------------------------------------------------------------------------
  /// Emits fn(args...) where every argument has the same floating-point type.
  virtual llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn,
                            llvm::ArrayRef<llvm::Value *> args) = 0;
  /// The bits of NumPy's float -> integer casts on this target (array semantics).
  virtual FloatToIntBits float_to_int_bits() const = 0;

  // ---- runtime ------------------------------------------------------------------------------
  /// The runtime services compiled code may call (RuntimeFn.def lists each one's functions).
  virtual RuntimeServices services() const = 0;
  bool has(RuntimeService s) const { return services().has(s); }

  // ---- entry and errors ---------------------------------------------------------------------
  virtual EntryAbi entry_abi() const = 0;
  virtual ErrorExit error_exit() const = 0;
  /// The calling convention of an EntryAbi::Kernel entry (NVPTX: ptx_kernel).
  virtual llvm::CallingConv::ID kernel_calling_convention() const { return llvm::CallingConv::C; }

  // ---- execution model: GPU kernels ---------------------------------------------------------
  // targets/cuda/CudaTarget answers these with NVVM intrinsics; a target without kernels (the
  // CPU, until it runs kernels natively as loops over thread indices) with an internal error.
  /// The i32 value of threadIdx/blockIdx/blockDim/gridDim along axis 0 (x), 1 (y) or 2 (z),
  /// emitted at b's insertion point.
  virtual llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis) = 0;
  /// Waits until every thread of the block reaches it, and orders their memory accesses
  /// (cuda.syncthreads).
  virtual void barrier(llvm::IRBuilder<> &b) = 0;
  /// Orders this thread's memory accesses as seen by the threads of `scope`.
  virtual void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) = 0;
  /// Threads per warp (NVIDIA: 32; AMD: 64 or 32): what cuda.warpsize and the warp functions see.
  virtual int warp_size() const = 0;
};

}  // namespace ember
