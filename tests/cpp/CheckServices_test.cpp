// Typing knows the target (typeinfer/CheckServices.h): functions typed for a target without
// runtime services (tests/cpp/TestTargets.h) get a TypingError at the line of the feature that
// needs a missing service, worded with the target's name; what needs nothing (scalar code,
// indexing, views, a dot product of vectors) is typed and lowers for that target; and the CPU
// compiler keeps a narrower service set its caller names.
#include <gtest/gtest.h>

#include <string>

#include "lowering/Lower.h"
#include "targets/cpu/CpuCompiler.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/TestHelpers.h"
#include "tests/cpp/TestTargets.h"

namespace ember {
namespace {

using test::binop_function;
using test::c_builtin;
using test::c_float;
using test::c_int;
using test::c_none;
using test::DeviceLikeTarget;
using test::LowerTest;
using test::NisBuilder;
using test::op;

/// The device-like target with some services back.
class PartialTarget : public DeviceLikeTarget {
 public:
  PartialTarget(Target &base, RuntimeServices services)
      : DeviceLikeTarget(base), services_(services) {}
  RuntimeServices services() const override { return services_; }

 private:
  RuntimeServices services_;
};

struct Failure {
  ErrorKind kind = ErrorKind::Internal;
  int32_t line = -1;
  std::string message;  ///< empty when the function was typed without error
};

class CheckServicesTest : public LowerTest {
 protected:
  TypeId f64_1d() { return types().array(ScalarKind::Float64, 1, Layout::C); }
  TypeId f64_2d() { return types().array(ScalarKind::Float64, 2, Layout::C); }

  /// Types `in` for `target`; the error it raises, if any.
  Failure type_for(const Target &target, const FunctionInput &in, const std::vector<TypeId> &args,
                   bool parallel = false) {
    try {
      test::typed_for(target, in, types(), args, parallel);
    } catch (const CompileError &e) {
      return {e.kind(), e.loc().line, e.what()};
    }
    return {};
  }
  Failure on_device(const FunctionInput &in, const std::vector<TypeId> &args,
                    bool parallel = false) {
    DeviceLikeTarget device(compiler().target());
    return type_for(device, in, args, parallel);
  }
  /// Types and lowers `in` for the device-like target; its LLVM IR.
  std::string lower_on_device(const FunctionInput &in, const std::vector<TypeId> &args) {
    DeviceLikeTarget device(compiler().target());
    auto f = test::typed_for(device, in, types(), args);
    llvm::LLVMContext ctx;
    LoweredModule lm = lower_module(*f, device, ctx);
    EXPECT_EQ(lm.services_used, RuntimeServices());
    std::string text;
    llvm::raw_string_ostream os(text);
    lm.module->print(os, nullptr);
    return os.str();
  }
};

// 1 def f(n):
// 2     s = 1.0
// 3     a = np.zeros(n)
// 4     return s
FunctionInput zeros_function() {
  return NisBuilder("f", {"n"}, {"s", "a"}, 1)
      .consts({c_float(1.0)})
      .global("zeros", c_builtin(BuiltinId::NpZeros))
      .code({{NisOp::LoadConst, 0, -1, 2},
             {NisOp::StoreFast, 1},
             {NisOp::PushNull, 0, -1, 3},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 1, -1, 4},
             {NisOp::ReturnValue}});
}

// 1 def f(*args):
// 2     return <builtin>(*args)
FunctionInput call_function(BuiltinId id, std::vector<std::string> args) {
  std::vector<test::Ins> code = {{NisOp::PushNull, 0, -1, 2}, {NisOp::LoadGlobal, 0}};
  for (size_t k = 0; k < args.size(); ++k)
    code.push_back({NisOp::LoadFast, static_cast<int32_t>(k)});
  code.push_back({NisOp::Call, static_cast<int32_t>(args.size())});
  code.push_back({NisOp::ReturnValue});
  return NisBuilder("f", args, {}, 1).global("g", c_builtin(id)).code(code);
}

// 1 def f(n):
// 2     s = 0
// 3     for i in prange(n):
// 4         s += i
// 5     return s
FunctionInput prange_function() {
  return NisBuilder("f", {"n"}, {"s", "i"}, 1)
      .consts({c_int(0)})
      .global("prange", c_builtin(BuiltinId::Prange))
      .code({{NisOp::LoadConst, 0, -1, 2},
             {NisOp::StoreFast, 1},
             {NisOp::PushNull, 0, -1, 3},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::GetIter},
             {NisOp::ForIter, 14},  // 7
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 1, -1, 4},
             {NisOp::LoadFast, 2},
             {NisOp::BinaryOp, op(BinOpKind::Add), 1},
             {NisOp::StoreFast, 1},
             {NisOp::Jump, 7, -1, 3},
             {NisOp::LoadFast, 1, -1, 5},  // 14
             {NisOp::ReturnValue}});
}

// 1 def f(a):
// 2     a += 1.0
// 3     return a
FunctionInput in_place_function() {
  return NisBuilder("f", {"a"}, {}, 1)
      .consts({c_float(1.0)})
      .code({{NisOp::LoadFast, 0, -1, 2},
             {NisOp::LoadConst, 0},
             {NisOp::BinaryOp, op(BinOpKind::Add), 1},
             {NisOp::StoreFast, 0},
             {NisOp::LoadFast, 0, -1, 3},
             {NisOp::ReturnValue}});
}

// 1 def f(a, b):
// 2     a[1:] = b
// 3     return 0
FunctionInput slice_assign_function() {
  return NisBuilder("f", {"a", "b"}, {}, 1)
      .consts({c_int(1), c_none(), c_int(0)})
      .code({{NisOp::LoadFast, 1, -1, 2},
             {NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::LoadConst, 1},
             {NisOp::BuildSlice, 2},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 2, -1, 3},
             {NisOp::ReturnValue}});
}

// 1 def f(a, i):
// 2     return a[i]
FunctionInput index_function() {
  return NisBuilder("f", {"a", "i"}, {}, 1)
      .code({{NisOp::LoadFast, 0, -1, 2},
             {NisOp::LoadFast, 1},
             {NisOp::BinarySubscr},
             {NisOp::ReturnValue}});
}

TEST_F(CheckServicesTest, AllocatingAnArrayIsATypingErrorAtItsLine) {
  Failure e = on_device(zeros_function(), {types().int64()});
  EXPECT_EQ(e.kind, ErrorKind::Typing);
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.message,
            "np.zeros() allocates an array, which a test kernel cannot do; allocate it on the "
            "host and pass it in");
  // The same function types for a target with the allocator.
  PartialTarget with_allocator(compiler().target(),
                               RuntimeServices().with(RuntimeService::Allocator));
  EXPECT_EQ(type_for(with_allocator, zeros_function(), {types().int64()}).message, "");
}

TEST_F(CheckServicesTest, SortingNeedsTheSortServiceThenTheAllocator) {
  FunctionInput sort = call_function(BuiltinId::NpSort, {"a"});
  Failure e = on_device(sort, {f64_1d()});
  EXPECT_EQ(e.kind, ErrorKind::Typing);
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message, "np.sort() needs the runtime's sort, which a test kernel does not have");
  PartialTarget sorts(compiler().target(), RuntimeServices().with(RuntimeService::Sort));
  e = type_for(sorts, sort, {f64_1d()});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "np.sort() allocates an array, which a test kernel cannot do; allocate it on the "
            "host and pass it in");
  PartialTarget no_sort(compiler().target(), RuntimeServices::all().without(RuntimeService::Sort));
  EXPECT_EQ(type_for(no_sort, zeros_function(), {types().int64()}).message, "");
  EXPECT_EQ(type_for(no_sort, sort, {f64_1d()}).line, 2);
}

TEST_F(CheckServicesTest, PrangeNeedsAThreadPool) {
  Failure e = on_device(prange_function(), {types().int64()});
  EXPECT_EQ(e.kind, ErrorKind::Typing);
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.message,
            "ember.prange() needs a thread pool, which a test kernel does not have; use range()");
}

TEST_F(CheckServicesTest, ParallelTrueNeedsAThreadPoolAtTheDefLine) {
  FunctionInput identity =
      NisBuilder("f", {"x"}, {}, 7).code({{NisOp::LoadFast, 0, -1, 8}, {NisOp::ReturnValue}});
  Failure e = on_device(identity, {types().int64()}, true);
  EXPECT_EQ(e.kind, ErrorKind::Typing);
  EXPECT_EQ(e.line, 7);
  EXPECT_EQ(e.message, "parallel=True needs a thread pool, which a test kernel does not have");
  EXPECT_EQ(on_device(identity, {types().int64()}, false).message, "");
}

TEST_F(CheckServicesTest, RandomNumbersAndThreadQueriesNeedTheirServices) {
  Failure e = on_device(call_function(BuiltinId::NpRandomRandom, {}), {});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "np.random.random() needs the runtime's random generator, which a test kernel does "
            "not have");
  e = on_device(call_function(BuiltinId::EmberGetThreadId, {}), {});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "ember.get_thread_id() asks the thread pool, which a test kernel does not have");
}

TEST_F(CheckServicesTest, MatrixProductsNeedBlasAndDotsOfVectorsNeedNothing) {
  PartialTarget no_blas(compiler().target(), RuntimeServices::all().without(RuntimeService::Blas));
  Failure e = type_for(no_blas, binop_function(BinOpKind::MatMul), {f64_2d(), f64_2d()});
  EXPECT_EQ(e.kind, ErrorKind::Typing);
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.message,
            "`@` on arrays needs the runtime's matrix product (BLAS) for float matrices, which "
            "a test kernel does not have; write the product as loops");
  e = type_for(no_blas, call_function(BuiltinId::NpDot, {"a", "b"}), {f64_2d(), f64_2d()});
  EXPECT_EQ(e.line, 2);
  // An integer matrix product is loops, not gemm: it only allocates.
  TypeId i64_2d = types().array(ScalarKind::Int64, 2, Layout::C);
  EXPECT_EQ(type_for(no_blas, binop_function(BinOpKind::MatMul), {i64_2d, i64_2d}).message, "");
  // A dot product of vectors is a loop with a scalar result: nothing from the runtime.
  std::string ir =
      lower_on_device(call_function(BuiltinId::NpDot, {"a", "b"}), {f64_1d(), f64_1d()});
  EXPECT_EQ(ir.find("@ember_"), std::string::npos) << ir;
  EXPECT_NE(ir.find("fmul"), std::string::npos) << ir;
}

TEST_F(CheckServicesTest, WholeArrayOperationsNeedTheAllocator) {
  Failure e = on_device(binop_function(BinOpKind::Mul), {f64_1d(), f64_1d()});
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.message,
            "`*` on arrays allocates an array for its result, which a test kernel cannot do; "
            "compute it element by element in a loop");
  e = on_device(in_place_function(), {f64_1d()});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "`+=` on an array may allocate a temporary array, which a test kernel cannot do; "
            "update it element by element in a loop");
  e = on_device(slice_assign_function(), {f64_1d(), f64_1d()});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "assigning an array to array elements may allocate a temporary copy, which a test "
            "kernel cannot do; copy it element by element in a loop");
  e = on_device(index_function(), {f64_1d(), types().array(ScalarKind::Bool, 1, Layout::C)});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "indexing an array with an array allocates an array, which a test kernel cannot do; "
            "loop over the indices instead");
  // A scalar stored into a slice allocates nothing.
  EXPECT_EQ(on_device(slice_assign_function(), {f64_1d(), types().float64()}).message, "");
}

TEST_F(CheckServicesTest, ViewsNeedNothingAndCopiesNeedTheAllocator) {
  FunctionInput ravel = call_function(BuiltinId::NpRavel, {"a"});
  // np.ravel of a C-contiguous array is a view: typed, and lowered without the runtime.
  std::string ir = lower_on_device(ravel, {f64_2d()});
  EXPECT_EQ(ir.find("@ember_"), std::string::npos) << ir;
  // Of any other layout it is a copy.
  Failure e = on_device(ravel, {types().array(ScalarKind::Float64, 2, Layout::A)});
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message,
            "np.ravel() allocates an array, which a test kernel cannot do; allocate it on the "
            "host and pass it in");
  // Indexing with integers gives elements, slices give views.
  ir = lower_on_device(index_function(), {f64_2d(), types().int64()});
  EXPECT_EQ(ir.find("@ember_"), std::string::npos) << ir;
}

TEST_F(CheckServicesTest, TheCpuCompilerKeepsANarrowerServiceSetItsCallerNames) {
  FunctionInput sort = call_function(BuiltinId::NpSort, {"a"});
  PipelineOptions options;
  options.verify = true;
  InferOptions infer;
  infer.services = RuntimeServices::all().without(RuntimeService::Sort);
  infer.target_name = "a CUDA kernel";
  try {
    compiler().compile(sort, {f64_1d()}, resolver_, infer, options);
    FAIL() << "np.sort compiled without the sort service";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 2);
    EXPECT_EQ(std::string(e.what()),
              "np.sort() needs the runtime's sort, which a CUDA kernel does not have");
  }
  EXPECT_NE(compile(sort, {f64_1d()}), nullptr);  // the CPU has every service
}

}  // namespace
}  // namespace ember
