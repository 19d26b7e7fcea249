/** \file CpuTarget.h
 * The host CPU as a target: its TargetMachine (the host's CPU name and features, O3), the
 * optimization pipeline (LLVM's O3 with loop and SLP vectorization, and vector math from glibc's
 * libmvec registered with the loop vectorizer, including the AVX-512 variants LLVM's own table
 * lacks), math functions as LLVM intrinsics or libm calls, and assembly printing.
 * It owns no JIT: CpuJit.h runs what this produces.
 */
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "lowering/Lower.h"

namespace llvm {
class TargetMachine;
class TargetLibraryInfoImpl;
}  // namespace llvm

namespace ember {

class CpuTarget : public TargetHooks {
 public:
  CpuTarget();
  ~CpuTarget() override;

  llvm::Value *math(llvm::IRBuilder<> &b, MathFn fn, llvm::ArrayRef<llvm::Value *> args) override;

  const llvm::DataLayout &data_layout() const;
  std::string triple() const;
  std::string cpu_name() const;
  std::string cpu_features() const;
  llvm::TargetMachine &machine() const { return *tm_; }

  /// Adds the host's target attributes to every function and runs O3.
  void optimize(llvm::Module &m);
  /// The module's machine code as assembly text (the module is cloned, not changed).
  std::string assembly(const llvm::Module &m);

 private:
  void register_vector_math();

  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::DataLayout> layout_;
  std::unique_ptr<llvm::TargetLibraryInfoImpl> tlii_;
  std::deque<std::string> names_;  // VecDesc keeps StringRefs: the strings live here
};

}  // namespace ember
