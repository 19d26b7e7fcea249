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
 *   execution model  thread and block indices, barriers, fences, warps, shared memory and the
 *                    kernel entry (GPU kernels, and the CPU path that runs them natively)
 *
 * targets/cpu/CpuTarget, targets/cuda/CudaTarget and targets/rocm/RocmTarget implement it;
 * docs/design.md ("Targets") says how to add another.  Everything here is a question lowering asks
 * while it emits IR; optimization, code generation and loading stay with each target's own compiler
 * (CpuCompiler, CudaCompiler).
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
  /// A thread's private memory: every alloca lowering makes (then cast to Generic), and
  /// cuda.local.array.
  Local,
  /// Read-only memory: message strings, and constant arrays (cuda.const.array_like, NumPy
  /// arrays read from globals).
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
  /// A kernel run natively on the CPU (lowering/CpuKernelEntry.cpp, ember/kernel.h): a launch
  /// wrapper with the StatusWrapper signature whose first seven argument slots are the launch
  /// configuration (grid x, y, z, block x, y, z, dynamic shared bytes, all int64), then a
  /// per-thread function for fibers and, for kernels that never synchronize, a per-block loop.
  CpuKernel,
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

/// Barriers (Target::barrier): cuda.syncthreads and its reductions over the block.
enum class BarrierOp : uint8_t { Sync, Count, And, Or };

/// Warp shuffles (Target::warp_shuffle), as PTX's shfl.sync modes.
enum class ShuffleOp : uint8_t { Idx, Up, Down, Xor };

/// Warp votes (Target::warp_vote), as PTX's vote.sync modes.
enum class VoteOp : uint8_t { All, Any, Eq, Ballot };

/// Where a kernel-language operation is lowered: what a Target's kernel members may read
/// besides their operands.
struct KernelSite {
  /// The function's launch state: its `err` parameter, which every compiled function receives
  /// and passes to its callees.  On the CPU it points at the ember_kernel_ctx of ember/kernel.h
  /// (the error record, then thread and block indices, dimensions and shared memory); GPU
  /// targets, whose indices are special registers, ignore it.
  llvm::Value *state = nullptr;
  /// The user's line (the CPU names it when threads diverge around a barrier).
  int32_t line = 0;
};

/// One cuda.shared.array of a module (Target::shared_array).
struct SharedArray {
  uint64_t offset = 0;  ///< within the block's static shared memory, a multiple of align
  uint64_t bytes = 0;
  uint64_t align = 16;
  llvm::Type *element = nullptr;  ///< its element type in memory
  uint64_t count = 0;             ///< elements
  std::string name;               ///< unique in the module
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
  /// The calling convention of an EntryAbi::Kernel entry (NVPTX: ptx_kernel; AMDGPU:
  /// amdgpu_kernel).
  virtual llvm::CallingConv::ID kernel_calling_convention() const { return llvm::CallingConv::C; }
  /// Gives a target the kernel entry GpuKernelEntry.cpp made, for attributes of its own
  /// (AMDGPU: the work-group size range).
  virtual void decorate_kernel(llvm::Function &kernel) const {}

  // ---- execution model: GPU kernels --------------------------------------------------------
  // What the kernel language (ember.cuda: lowering/CodeGenKernel.cpp) asks of a target.  Every
  // member receives the KernelSite of the operation: the function's launch-state pointer (its
  // `err` parameter; the CPU keeps its launch context there, a GPU target ignores it) and the
  // user's line.  Results are plain LLVM values lowering converts to the types typing gave:
  // i64 for indices, i32 for lanes, masks, votes and barrier reductions.  A target that runs no
  // kernels answers with an internal error (typing rejects kernels for it first).  Atomics need
  // nothing here: lowering emits LLVM's atomicrmw and cmpxchg (monotonic ordering) on Generic
  // pointers, which every backend lowers (NVPTX: atom.*; float min/max are cmpxchg loops).

  /// threadIdx/blockIdx/blockDim/gridDim along axis 0 (x), 1 (y) or 2 (z), as an i64 known to be
  /// non-negative and below 2^31 (GPU targets zero-extend their 32-bit special registers).
  virtual llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                                    const KernelSite &at) = 0;
  /// This thread's lane in its warp (i32, 0 .. warp_size() - 1): the linear thread index of the
  /// block (x fastest) modulo the warp size, as warps are formed on NVIDIA and AMD GPUs.
  virtual llvm::Value *lane_id(llvm::IRBuilder<> &b, const KernelSite &at) = 0;
  /// Threads per warp (NVIDIA: 32; AMD: 64 or 32): cuda.warpsize, a compile-time constant.
  /// Lane masks (the `mask` operands and the results of Ballot and active_mask) are integers of
  /// this many bits: i32, or i64 on a 64-wide AMD wavefront.
  virtual int warp_size() const = 0;
  /// cuda.syncthreads() (Sync: returns nullptr) and syncthreads_count/_and/_or(pred), whose i32
  /// result is the number of threads whose pred (i1) is true / whether all / any are: waits until
  /// every thread of the block arrives, and orders their memory accesses (shared and global)
  /// as a block-scope fence does.  NVPTX: barrier0 / barrier0.popc / .and / .or.
  virtual llvm::Value *barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                               const KernelSite &at) = 0;
  /// Orders this thread's memory accesses as seen by the threads of `scope`
  /// (cuda.threadfence_block / threadfence / threadfence_system; NVPTX membar.cta/gl/sys).
  virtual void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) = 0;
  /// The shuffles (cuda.shfl_sync, shfl_up_sync, shfl_down_sync, shfl_xor_sync): `value` is an
  /// i32 or an i64 (lowering bitcasts floats and widens narrower integers; a target whose
  /// shuffle moves 32 bits shuffles the halves of an i64), `lane` an i32 source lane / delta /
  /// lane mask of which the low log2(warp_size()) bits count, `mask` the lane mask of
  /// participating lanes.  Returns
  /// the value of the source lane, or the thread's own value when the source is outside the
  /// warp (Up below lane 0, Down beyond the last lane), as PTX's shfl.sync with clamp 31 (Idx,
  /// Down, Xor) and 0 (Up) does.
  virtual llvm::Value *warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                                    llvm::Value *value, llvm::Value *lane,
                                    const KernelSite &at) = 0;
  /// The votes over the lanes of `mask` with predicate `pred` (i1): All, Any and Eq give an i1;
  /// Ballot the lane mask of the lanes in mask whose predicate is true (vote.sync.*).
  virtual llvm::Value *warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask,
                                 llvm::Value *pred, const KernelSite &at) = 0;
  /// cuda.activemask(): the lane mask of the warp's lanes executing this call together.
  virtual llvm::Value *active_mask(llvm::IRBuilder<> &b, const KernelSite &at) = 0;
  /// cuda.syncwarp(mask): waits for the lanes of mask and orders their memory accesses.
  virtual void warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) = 0;
  /// A cuda.shared.array: `array.bytes` bytes at `array.offset` of the block's static shared
  /// memory (lowering lays the arrays of a module out one after another, each aligned to
  /// `array.align`, and reports the total as LoweredModule::static_shared_bytes).  Returns a
  /// Generic pointer to it.  A GPU target may instead make one Shared-space global per array
  /// (named `array.name`, of `array.count` elements of `array.element`) and ignore the offset.
  virtual llvm::Value *shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                                    const KernelSite &at) = 0;
  /// The launch's dynamic shared memory (cuda.shared.array with shape 0): a Generic pointer,
  /// 16-byte aligned, and its size in bytes as an i64 in *bytes (PTX: %dynamic_smem_size).
  virtual llvm::Value *dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                                      llvm::Value **bytes) = 0;
  /// The entry point of a kernel (lower_module with FunctionRole::Kernel): EntryAbi::Kernel on a
  /// GPU, EntryAbi::CpuKernel for the CPU path.
  virtual EntryAbi kernel_entry_abi() const = 0;
};

}  // namespace ember
