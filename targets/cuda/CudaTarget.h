/** \file CudaTarget.h
 * An NVIDIA GPU as a target: LLVM's NVPTX backend for one architecture (sm_80 when no device
 * says otherwise), the lowest PTX ISA that architecture needs (a driver rejects PTX newer than
 * itself), and the answers lowering asks for (lowering/Target.h): NVPTX's address spaces (global
 * 1, shared 3, constant 4, local 5; allocas in local), math through libdevice's __nv_*
 * functions, cvt.rzi's float -> integer bits, no runtime services, kernels with flattened array
 * parameters and the ptx_kernel calling convention, errors into the device-global record, and
 * the special registers, barriers and fences of the execution model.
 * After lowering, CudaCompiler (CudaCompiler.h) links libdevice (Libdevice.h) and calls
 * prepare(), optimize() (NVVMReflect, O3) and ptx() here.
 */
#pragma once

#include <memory>
#include <string>

#include "lowering/Target.h"

namespace llvm {
class TargetMachine;
}  // namespace llvm

namespace ember {

/// A GPU architecture LLVM 19's NVPTX backend can generate code for.
struct CudaArch {
  int major = 8, minor = 0;
  /// sm_90a: Hopper's architecture-specific instructions; such PTX runs on sm_90 devices only.
  bool arch_specific = false;

  std::string sm() const;  ///< "sm_80", "sm_90a"
  /// The lowest PTX ISA version the architecture needs, times ten (70 = PTX ISA 7.0).
  int ptx_version() const;
  bool operator==(const CudaArch &o) const {
    return major == o.major && minor == o.minor && arch_specific == o.arch_specific;
  }

  /// The architecture to compile for on a device of compute capability major.minor: the
  /// newest one LLVM 19 has that is not newer than the device (PTX for sm_90 runs on every
  /// later GPU, compiled there by the driver).  `arch_specific` asks for sm_90a, and needs
  /// exactly 9.0.  Throws std::invalid_argument for capabilities below 7.5 (CUDA 13's ptxas
  /// no longer assembles them) and for an arch-specific request other than 9.0.
  static CudaArch for_capability(int major, int minor, bool arch_specific = false);
};

/// What a CudaTarget compiles: the architecture and the options that change its code.
struct CudaOptions {
  CudaArch arch;
  /// numba.cuda's fastmath: flush float32 denormals to zero (libdevice's __CUDA_FTZ and the
  /// backend's .ftz), approximate division and square root.  The IR's fast-math flags come from
  /// CodeFlags::fastmath, which the compiler sets to the same value.
  bool fastmath = false;
  /// A device function (EntryAbi::DeviceFunction) instead of a kernel.
  bool device_function = false;
};

class CudaTarget : public Target {
 public:
  explicit CudaTarget(const CudaOptions &options);
  ~CudaTarget() override;

  // ---- Target ----
  std::string display_name() const override { return "a CUDA kernel"; }
  const llvm::DataLayout &data_layout() const override;
  std::string triple() const override;
  unsigned address_space(AddressSpace space) const override;
  /// libdevice's __nv_<name> (float: __nv_<name>f), declared here and linked after lowering.
  /// float16 computes in float32, as CUDA's own half math functions do.
  llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) override;
  FloatToIntBits float_to_int_bits() const override { return FloatToIntBits::Ptx; }
  RuntimeServices services() const override { return RuntimeServices(); }
  EntryAbi entry_abi() const override {
    return options_.device_function ? EntryAbi::DeviceFunction : EntryAbi::Kernel;
  }
  ErrorExit error_exit() const override { return ErrorExit::DeviceRecord; }
  llvm::CallingConv::ID kernel_calling_convention() const override;
  // The execution model (lowering/Target.h): special registers, bar.sync and its reductions,
  // membar, shfl.sync and vote.sync, shared memory as addrspace(3) globals (CudaKernelOps.cpp).
  /// %tid, %ctaid, %ntid, %nctaid (.x/.y/.z), zero-extended to i64.
  llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                            const KernelSite &at) override;
  /// %laneid.
  llvm::Value *lane_id(llvm::IRBuilder<> &b, const KernelSite &at) override;
  /// bar.sync 0 / barrier0.popc / .and / .or.
  llvm::Value *barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                       const KernelSite &at) override;
  /// membar.cta / membar.gl / membar.sys.
  void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) override;
  llvm::Value *warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                            llvm::Value *value, llvm::Value *lane, const KernelSite &at) override;
  llvm::Value *warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask, llvm::Value *pred,
                         const KernelSite &at) override;
  llvm::Value *active_mask(llvm::IRBuilder<> &b, const KernelSite &at) override;
  void warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) override;
  /// One addrspace(3) global per array, named array.name (ptxas lays them out).
  llvm::Value *shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                            const KernelSite &at) override;
  /// `extern __shared__`: a zero-length addrspace(3) global, its size from %dynamic_smem_size.
  llvm::Value *dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                              llvm::Value **bytes) override;
  EntryAbi kernel_entry_abi() const override { return EntryAbi::Kernel; }
  int warp_size() const override { return 32; }

  const CudaOptions &options() const { return options_; }
  llvm::TargetMachine &machine() const { return *tm_; }

  /// Before libdevice is linked: every `frem` without the afn flag becomes a call to
  /// libdevice's exact fmod (NVPTX expands frem as x - trunc(x / y) * y, which is not exact
  /// once the quotient needs more than the mantissa: Python's `%` must match fmod's bits).
  void prepare(llvm::Module &m) const;
  /// NVVMReflect (the PassBuilder gets the NVPTX target machine, which adds it first) and O3.
  /// With fastmath, every function also asks for float32 denormals flushed and unsafe math.
  void optimize(llvm::Module &m) const;
  /// The module's PTX text.  Code generation's own passes change the module: emit it last.
  std::string ptx(llvm::Module &m) const;

 private:
  CudaOptions options_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::DataLayout> layout_;
};

}  // namespace ember
