/** \file RocmTarget.h
 * An AMD GPU as a target: LLVM's AMDGPU backend for `amdgcn-amd-amdhsa` and one architecture
 * (gfx90a, gfx942, gfx1100, or any gfx LLVM 19 knows), a wavefront of 64 or 32 lanes, code
 * object v5 (v4 for older runtimes), and the answers lowering asks for (lowering/Target.h):
 * AMDGPU's address spaces (global 1, LDS 3, constant 4, private 5: allocas live in 5), math
 * through ocml's __ocml_* functions, saturating float -> integer bits, no runtime services,
 * kernels with flattened array parameters and the amdgpu_kernel calling convention, errors into
 * the device-global record, and the work-item intrinsics, barriers, fences and cross-lane
 * operations of the execution model (RocmKernelOps.cpp).
 * After lowering, RocmCompiler (RocmCompiler.h) links ocml/ockl (DeviceLibs.h), calls
 * prepare(), optimize() and object() here, and links the object into a HSACO (HsacoLinker.h).
 */
#pragma once

#include <memory>
#include <string>

#include "lowering/Target.h"

namespace llvm {
class TargetMachine;
}  // namespace llvm

namespace ember {

/// An AMD GPU architecture: "gfx90a", "gfx942", "gfx1100".
struct GfxArch {
  std::string name = "gfx942";

  /// The architecture named `name`, checked against LLVM's AMDGPU processor list: throws
  /// std::invalid_argument for a name LLVM 19 does not know.
  static GfxArch parse(const std::string &name);
  /// The ISA version as the device libraries' __oclc_ISA_version spells it: major * 1000 +
  /// minor * 100 + stepping, the last two characters being minor and stepping in hex
  /// (gfx90a -> 9010, gfx942 -> 9402, gfx1100 -> 11000).
  int isa_version() const;
  /// GCN and CDNA (gfx9 and older) run 64-wide wavefronts only; RDNA (gfx10 and later) runs 32
  /// by default and 64 on request.
  bool supports_wave32() const;
  bool operator==(const GfxArch &o) const { return name == o.name; }
};

/// What a RocmTarget compiles: the architecture and the options that change its code.
struct RocmOptions {
  GfxArch arch;
  /// The wavefront size, 64 or 32; 0 takes the architecture's default (64 on gfx9, 32 on
  /// gfx10+).  32 on gfx9 throws std::invalid_argument (RocmTarget's constructor).
  int wavefront = 0;
  /// The code object version, 5 (ROCm 6 and later) or 4 (older runtimes).
  int code_object = 5;
  /// numba.cuda's fastmath: ocml's unsafe-math and denormals-are-zero controls, and the IR's
  /// fast-math flags (CodeFlags::fastmath, set to the same value by the compiler).
  bool fastmath = false;

  /// The wavefront size these options give on their architecture.
  int wavefront_size() const;
  std::string key() const;  ///< "gfx942/w64/v5", "+fast" when fastmath
};

class RocmTarget : public Target {
 public:
  explicit RocmTarget(const RocmOptions &options);
  ~RocmTarget() override;

  // ---- Target ----
  std::string display_name() const override { return "a HIP kernel"; }
  const llvm::DataLayout &data_layout() const override;
  std::string triple() const override;
  unsigned address_space(AddressSpace space) const override;
  /// ocml's __ocml_<name>_f32 / _f64, declared here and linked after lowering; float16
  /// computes in float32.
  llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) override;
  /// v_cvt_{i,u}32_f32/f64 clamp to the integer's range and give 0 for NaN.
  FloatToIntBits float_to_int_bits() const override { return FloatToIntBits::Saturating; }
  RuntimeServices services() const override { return RuntimeServices(); }
  EntryAbi entry_abi() const override { return EntryAbi::Kernel; }
  ErrorExit error_exit() const override { return ErrorExit::DeviceRecord; }
  llvm::CallingConv::ID kernel_calling_convention() const override;
  /// Blocks of up to 1024 threads, as on NVIDIA GPUs (amdgpu-flat-work-group-size 1,1024).
  void decorate_kernel(llvm::Function &kernel) const override;
  // The execution model (RocmKernelOps.cpp).
  /// workitem.id / workgroup.id; blockDim and gridDim from ockl (__ockl_get_local_size,
  /// __ockl_get_num_groups), which read the dispatch packet or the COv5 implicit arguments.
  llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                            const KernelSite &at) override;
  /// mbcnt_lo / mbcnt_hi over all lanes.
  llvm::Value *lane_id(llvm::IRBuilder<> &b, const KernelSite &at) override;
  /// s_barrier between workgroup-scope release and acquire fences; the reductions through
  /// ockl's __ockl_wgred_{add,and,or}_i32 (LDS scratch, as HIP's __syncthreads_count).
  llvm::Value *barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                       const KernelSite &at) override;
  /// seq_cst fences at workgroup, agent and system scope.
  void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) override;
  /// ds_bpermute from the source lane, the own value where the source is outside the warp.
  llvm::Value *warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                            llvm::Value *value, llvm::Value *lane, const KernelSite &at) override;
  /// From llvm.amdgcn.ballot (i32 or i64 as the wavefront).
  llvm::Value *warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask, llvm::Value *pred,
                         const KernelSite &at) override;
  llvm::Value *active_mask(llvm::IRBuilder<> &b, const KernelSite &at) override;
  /// A wave barrier between wavefront-scope fences (HIP's __syncwarp).
  void warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) override;
  /// One LDS (addrspace 3) global per array, laid out by the backend (the code object's
  /// group_segment_fixed_size).
  llvm::Value *shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                            const KernelSite &at) override;
  /// A zero-length external LDS global (dynamic LDS, placed after the static allocation); its
  /// size is the dispatch's group segment size less llvm.amdgcn.groupstaticsize.
  llvm::Value *dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                              llvm::Value **bytes) override;
  EntryAbi kernel_entry_abi() const override { return EntryAbi::Kernel; }
  int warp_size() const override { return options_.wavefront_size(); }

  const RocmOptions &options() const { return options_; }
  llvm::TargetMachine &machine() const { return *tm_; }

  /// Before the device libraries are linked: the code object version flag, the oclc control
  /// constants (DeviceLibs::define_controls), and `frem` as ocml's exact fmod.
  void prepare(llvm::Module &m) const;
  /// O3 with the AMDGPU target machine (kernel-argument promotion to global, LDS lowering).
  void optimize(llvm::Module &m) const;
  /// The module's relocatable object (ELF), and its AMDGCN assembly.  Code generation's own
  /// passes change the module: emit from a module once.
  std::string object(llvm::Module &m) const;
  std::string assembly(llvm::Module &m) const;

 private:
  RocmOptions options_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::DataLayout> layout_;
};

}  // namespace ember
