/** \file CpuTarget.h
 * The host CPU as a target: its TargetMachine (the host's CPU name and features, O3), the
 * optimization pipeline (LLVM's O3 with loop and SLP vectorization, and vector math registered
 * with the loop vectorizer: ember's own xsimd library (runtime/vmath) where it has the function
 * at a width the host runs, glibc's libmvec for the rest, including the AVX-512 variants LLVM's
 * own table lacks), math functions as LLVM intrinsics or libm calls, and assembly printing.
 * As lowering's Target: address space 0 for everything, every runtime service, the status
 * wrapper entry and errors in the caller's record; GPU kernels run natively, their launch
 * context behind the err parameter (CpuKernelTarget.cpp, ember/kernel.h).
 * It owns no JIT: CpuJit.h runs what this produces (and resolves the vector functions' names).
 */
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "lowering/Target.h"

namespace llvm {
class TargetMachine;
class TargetLibraryInfoImpl;
}  // namespace llvm

namespace ember {

/// The instruction set a vector math function is compiled for (ember/vmath.h's ember_isa).
enum class VectorIsa { Sse42 = 1, Avx2 = 2, Avx512 = 3 };

/// One vector variant of a libm function: `vector` computes `scalar` on `lanes` lanes.
struct VectorFunction {
  std::string scalar;  ///< "exp", "expf", "atan2", ...
  std::string vector;  ///< "ember_vexp_f64x4"
  int lanes = 0;
  int args = 1;
  VectorIsa isa = VectorIsa::Sse42;
};

class CpuTarget : public Target {
 public:
  CpuTarget();
  ~CpuTarget() override;

  // ---- Target ----
  std::string display_name() const override { return "the CPU"; }
  const llvm::DataLayout &data_layout() const override;
  std::string triple() const override;
  /// One flat address space: 0.
  unsigned address_space(AddressSpace space) const override;
  llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) override;
  /// The host's: NumPy built for this machine inherits its conversion instructions.
  FloatToIntBits float_to_int_bits() const override;
  RuntimeServices services() const override { return RuntimeServices::all(); }
  EntryAbi entry_abi() const override { return EntryAbi::StatusWrapper; }
  ErrorExit error_exit() const override { return ErrorExit::CallerRecord; }
  // GPU kernels run natively (the CPU path, ember/kernel.h): indices and shared memory are read
  // from the launch context the kernel's err parameter points at; barriers and warp functions
  // call the runtime's fiber scheduler.
  llvm::Value *thread_index(llvm::IRBuilder<> &b, GridQuery query, int axis,
                            const KernelSite &at) override;
  llvm::Value *lane_id(llvm::IRBuilder<> &b, const KernelSite &at) override;
  int warp_size() const override;
  llvm::Value *barrier(llvm::IRBuilder<> &b, BarrierOp op, llvm::Value *pred,
                       const KernelSite &at) override;
  void memory_fence(llvm::IRBuilder<> &b, FenceScope scope) override;
  llvm::Value *warp_shuffle(llvm::IRBuilder<> &b, ShuffleOp op, llvm::Value *mask,
                            llvm::Value *value, llvm::Value *lane, const KernelSite &at) override;
  llvm::Value *warp_vote(llvm::IRBuilder<> &b, VoteOp op, llvm::Value *mask, llvm::Value *pred,
                         const KernelSite &at) override;
  llvm::Value *active_mask(llvm::IRBuilder<> &b, const KernelSite &at) override;
  void warp_sync(llvm::IRBuilder<> &b, llvm::Value *mask, const KernelSite &at) override;
  llvm::Value *shared_array(llvm::IRBuilder<> &b, const SharedArray &array,
                            const KernelSite &at) override;
  llvm::Value *dynamic_shared(llvm::IRBuilder<> &b, const KernelSite &at,
                              llvm::Value **bytes) override;
  EntryAbi kernel_entry_abi() const override { return EntryAbi::CpuKernel; }

  std::string cpu_name() const;
  std::string cpu_features() const;
  llvm::TargetMachine &machine() const { return *tm_; }
  /// The same machine generating position-independent code, for shared objects (the on-disk
  /// cache, SharedObject.h); made on first use.
  llvm::TargetMachine &pic_machine();

  /// Whether the host runs code built for this instruction set.
  bool supports(VectorIsa isa) const;
  /// Registers a vector math library with the loop vectorizer (only the entries the host
  /// supports are used).  libmvec, where the process has it, comes first unless `prefer` is
  /// set: it measured faster here (docs/performance.md); the library covers what libmvec lacks
  /// and every function on a host without libmvec.  Returns the entries registered, whose
  /// symbols the JIT must resolve.
  std::vector<VectorFunction> use_vector_library(const std::vector<VectorFunction> &fns,
                                                 bool prefer);
  /// Whether glibc's libmvec can be used (the JIT could load it).
  void set_libmvec(bool available);
  /// The library call a runtime function (ember/half.h) stands for on this host, or "" when it
  /// stands for none.  LLVM 19 on x86-64 calls __truncdfhf2 for double -> half always, and
  /// __extendhfsf2 / __truncsfhf2 for every float16 conversion on a CPU without F16C, a half
  /// travelling in an SSE register; a Python process need not have libgcc's or compiler-rt's.
  /// Other hosts convert with instructions.
  std::string half_libcall(const std::string &runtime_name) const;

  /// Adds the host's target attributes to every function and runs O3.
  /// `kernel`: a GPU kernel's module (FunctionRole::Kernel), whose block loops are split at
  /// the kernel's bounds guard before vectorization.
  void optimize(llvm::Module &m, bool kernel = false);
  /// The module's machine code as assembly text (the module is cloned, not changed).
  std::string assembly(const llvm::Module &m);

 private:
  /// Fills a fresh library info with the vector functions of ours_ and libmvec, in order.
  void register_vector_math();

  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::TargetMachine> pic_tm_;
  std::unique_ptr<llvm::DataLayout> layout_;
  std::unique_ptr<llvm::TargetLibraryInfoImpl> tlii_;
  std::deque<std::string> names_;  // VecDesc keeps StringRefs: the strings live here
  std::vector<VectorFunction> ours_;
  bool prefer_ours_ = false;
  bool libmvec_ = true;
};

}  // namespace ember
