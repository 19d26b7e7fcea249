/** \file CpuJit.h
 * ORC's LLJIT for the host, with the symbols compiled code may reach: the runtime's functions
 * (given by address, so the runtime library need not be loaded globally), libm from the process,
 * and glibc's libmvec for vectorized math.  Modules arrive optimized (CpuTarget::optimize); the
 * JIT only generates code.
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>

namespace ember {

class CpuTarget;

/// This thread's CPU time in seconds (what EMBER_TIMING reports: other processes on a loaded
/// machine do not inflate it, as they do wall-clock time).
double thread_cpu_seconds();

class CpuJit {
 public:
  explicit CpuJit(CpuTarget &target);
  ~CpuJit();

  llvm::LLVMContext &context() { return *ctx_.getContext(); }
  /// Makes `name` resolve to `address` in compiled code.
  void define_symbol(const std::string &name, uint64_t address);
  /// Whether glibc's libmvec was found (its vector functions resolve).
  bool has_libmvec() const { return libmvec_; }
  /// Generates code for m and returns the addresses of `symbols`.
  std::vector<uint64_t> add(std::unique_ptr<llvm::Module> m,
                            const std::vector<std::string> &symbols);
  /// CPU seconds spent generating machine code so far (the rest of add() is ORC's linking).
  double codegen_seconds() const { return codegen_seconds_; }

 private:
  llvm::orc::ThreadSafeContext ctx_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  bool libmvec_ = false;
  double codegen_seconds_ = 0;
};

}  // namespace ember
