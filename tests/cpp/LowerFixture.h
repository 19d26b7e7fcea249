// The fixture of the lowering tests (Lower_test.cpp, LowerArrays_test.cpp): one CpuCompiler for
// the process with the runtime's symbols defined, compile() with the IR verifier on, and call()
// through a compiled function's ABI wrapper.  Test code only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/abi.h"
#include "ember/runtime.h"
#include "targets/cpu/CpuCompiler.h"
#include "tests/cpp/TestHelpers.h"

namespace ember::test {

constexpr int32_t op(BinOpKind k) { return static_cast<int32_t>(k); }

class LowerTest : public ::testing::Test {
 protected:
  static CpuCompiler &compiler() {
    static CpuCompiler *c = [] {
      auto *cc = new CpuCompiler();
      for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s)
        cc->define_runtime_symbol(s->name, reinterpret_cast<uint64_t>(s->address));
      return cc;
    }();
    return *c;
  }
  TypeContext &types() { return compiler().types(); }

  std::shared_ptr<CompiledFunction> compile(const FunctionInput &in,
                                            const std::vector<TypeId> &args) {
    PipelineOptions options;
    options.verify = true;
    InferOptions infer;
    infer.self_handle = in.self_handle;
    return compiler().compile(in, args, resolver_, infer, options);
  }

  /// Calls fn's wrapper with pointers to the arguments; returns the status.
  static int32_t call(const CompiledFunction &fn, void *ret, ember_error *err,
                      std::vector<void *> args) {
    auto w = reinterpret_cast<ember_wrapper_fn>(fn.wrapper);
    return w(ret, err, args.data());
  }

  FakeResolver resolver_;
};

// 5 def f(a, b):
// 6     return a <op> b
inline FunctionInput binop_function(BinOpKind kind) {
  return NisBuilder("f", {"a", "b"}, {}, 5)
      .code({{NisOp::LoadFast, 0, -1, 6},
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, op(kind)},
             {NisOp::ReturnValue}});
}

}  // namespace ember::test
