// Kernels through the CUDA target (targets/cuda/CudaCompiler.h), from hand-built NIS as the
// front end would hand them over: the flattened kernel ABI (its .entry and .param list, arrays
// rebuilt without host pointers, ld.global / st.global through the data pointers), math through
// libdevice (linked, reflected and inlined away), a raise writing the device record (claimed
// with a compare-and-swap, its message in the returned table), Python's float % through
// libdevice's exact fmod, fastmath, device functions, typing errors for what a kernel cannot do,
// the cache, and ptxas accepting every kernel's PTX for sm_80, sm_90 and sm_90a.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ember/abi.h"
#include "targets/cuda/CudaCompiler.h"
#include "tests/cpp/Ptxas.h"
#include "tests/cpp/TestHelpers.h"

namespace ember {
namespace {

using test::c_builtin;
using test::c_exception;
using test::c_float;
using test::c_int;
using test::c_none;
using test::c_str;
using test::NisBuilder;

constexpr int32_t op(BinOpKind k) { return static_cast<int32_t>(k); }

bool has(const std::string &text, const std::string &s) {
  return text.find(s) != std::string::npos;
}
size_t count(const std::string &text, const std::string &s) {
  size_t n = 0;
  for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + s.size())) ++n;
  return n;
}

class CudaKernelTest : public ::testing::Test {
 protected:
  static TypeContext &types() {
    static TypeContext *t = new TypeContext();
    return *t;
  }
  static CudaCompiler &compiler() {
    static CudaCompiler *c = new CudaCompiler(types());
    return *c;
  }
  TypeId f32_1d() { return types().array(ScalarKind::Float32, 1, Layout::C); }
  TypeId f64_1d() { return types().array(ScalarKind::Float64, 1, Layout::C); }

  std::shared_ptr<const PtxModule> compile(const FunctionInput &in, const std::vector<TypeId> &args,
                                           CudaOptions cuda = {}, bool python_errors = true) {
    return compile_with(compiler(), in, args, cuda, python_errors);
  }
  std::shared_ptr<const PtxModule> compile_with(CudaCompiler &c, const FunctionInput &in,
                                                const std::vector<TypeId> &args,
                                                CudaOptions cuda = {}, bool python_errors = true) {
    InferOptions infer;
    infer.self_handle = in.self_handle;
    PipelineOptions options;
    options.verify = true;
    options.flags.python_errors = python_errors;
    return c.compile(in, args, resolver_, infer, options, cuda);
  }

  /// ptxas accepts the module's PTX for each architecture (recompiled for each).
  void expect_assembles(const FunctionInput &in, const std::vector<TypeId> &args,
                        bool device_function = false) {
    std::string ptxas = test::find_ptxas();
    if (ptxas.empty()) GTEST_SKIP() << "ptxas not found (no CUDA toolkit): PTX not assembled";
    for (CudaArch arch : {CudaArch{8, 0, false}, CudaArch{9, 0, false}, CudaArch{9, 0, true}}) {
      CudaOptions cuda;
      cuda.arch = arch;
      cuda.device_function = device_function;
      auto m = compile(in, args, cuda);
      EXPECT_TRUE(has(m->ptx, ".target " + arch.sm())) << m->ptx;
      test::PtxasResult r = test::run_ptxas(ptxas, m->ptx, arch.sm(), device_function);
      EXPECT_EQ(r.status, 0) << arch.sm() << ":\n" << r.output << "\n" << m->ptx;
    }
  }

  test::FakeResolver resolver_;
};

// 1 def saxpy(a, x, y, out):
// 2     for i in range(x.shape[0]):
// 3         out[i] = a * x[i] + y[i]
FunctionInput saxpy_function() {
  return NisBuilder("saxpy", {"a", "x", "y", "out"}, {"i"})
      .consts({c_int(0), c_none()})
      .global("range", c_builtin(BuiltinId::Range))
      .attr("shape")
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 1},
             {NisOp::LoadAttr, 1},
             {NisOp::LoadConst, 0},
             {NisOp::BinarySubscr},
             {NisOp::Call, 1},
             {NisOp::GetIter},
             {NisOp::ForIter, 23},  // 8
             {NisOp::StoreFast, 4},
             {NisOp::LoadFast, 0, -1, 3},
             {NisOp::LoadFast, 1},
             {NisOp::LoadFast, 4},
             {NisOp::BinarySubscr},
             {NisOp::BinaryOp, op(BinOpKind::Mul)},
             {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 4},
             {NisOp::BinarySubscr},
             {NisOp::BinaryOp, op(BinOpKind::Add)},
             {NisOp::LoadFast, 3},
             {NisOp::LoadFast, 4},
             {NisOp::StoreSubscr},
             {NisOp::Jump, 8, -1, 2},
             {NisOp::LoadConst, 1},  // 23
             {NisOp::ReturnValue}});
}

// 1 def k(x, out):
// 2     out[0] = math.exp(x) + math.sin(x)
FunctionInput math_function() {
  return NisBuilder("k", {"x", "out"})
      .consts({c_int(0), c_none()})
      .global("exp", c_builtin(BuiltinId::MathExp))
      .global("sin", c_builtin(BuiltinId::MathSin))
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::PushNull},
             {NisOp::LoadGlobal, 1},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::BinaryOp, op(BinOpKind::Add)},
             {NisOp::LoadFast, 1},
             {NisOp::LoadConst, 0},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 1},
             {NisOp::ReturnValue}});
}

// 1 def k(a, i):
// 2     if i >= a.shape[0]:
// 3         raise ValueError("index too big")
// 4     a[i] = 1.0
FunctionInput raise_function() {
  return NisBuilder("k", {"a", "i"})
      .consts({c_int(0), c_str("index too big"), c_float(1.0), c_none()})
      .global("ValueError", c_exception(EMBER_EXC_ValueError, "ValueError"))
      .attr("shape")
      .code({{NisOp::LoadFast, 1, -1, 2},
             {NisOp::LoadFast, 0},
             {NisOp::LoadAttr, 1},
             {NisOp::LoadConst, 0},
             {NisOp::BinarySubscr},
             {NisOp::CompareOp, static_cast<int32_t>(CmpKind::Ge)},
             {NisOp::PopJumpIfFalse, 12},
             {NisOp::PushNull, 0, -1, 3},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadConst, 1},
             {NisOp::Call, 1},
             {NisOp::Raise, 1},
             {NisOp::LoadConst, 2, -1, 4},  // 12
             {NisOp::LoadFast, 0},
             {NisOp::LoadFast, 1},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 3},
             {NisOp::ReturnValue}});
}

// 1 def k(a, x):
// 2     a[1, 2] = x
FunctionInput store_2d_function() {
  return NisBuilder("k", {"a", "x"})
      .consts({c_int(1), c_int(2), c_none()})
      .code({{NisOp::LoadFast, 1, -1, 2},
             {NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::LoadConst, 1},
             {NisOp::BuildTuple, 2},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 2},
             {NisOp::ReturnValue}});
}

// 1 def k(flag, t, out):
// 2     if flag:
// 3         out[0] = t[1]
FunctionInput scalars_function() {
  return NisBuilder("k", {"flag", "t", "out"})
      .consts({c_int(1), c_int(0), c_none()})
      .code({{NisOp::LoadFast, 0, -1, 2},
             {NisOp::PopJumpIfFalse, 8},
             {NisOp::LoadFast, 1, -1, 3},
             {NisOp::LoadConst, 0},
             {NisOp::BinarySubscr},
             {NisOp::LoadFast, 2},
             {NisOp::LoadConst, 1},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 2},  // 8
             {NisOp::ReturnValue}});
}

// 1 def k(x, y, out):
// 2     out[0] = x <op> y
FunctionInput binop_store_function(BinOpKind kind) {
  return NisBuilder("k", {"x", "y", "out"})
      .consts({c_int(0), c_none()})
      .code({{NisOp::LoadFast, 0, -1, 2},
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, op(kind)},
             {NisOp::LoadFast, 2},
             {NisOp::LoadConst, 0},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 1},
             {NisOp::ReturnValue}});
}

TEST_F(CudaKernelTest, ElementwiseKernelHasTheFlattenedEntry) {
  auto m = compile(saxpy_function(),
                   {types().scalar(ScalarKind::Float32), f32_1d(), f32_1d(), f32_1d()});
  EXPECT_EQ(m->symbol.rfind("ember_saxpy_", 0), 0u) << m->symbol;
  EXPECT_EQ(m->symbol.substr(m->symbol.size() - 7), "_kernel") << m->symbol;
  // a, then (data, shape, stride) for each of the three arrays.
  ASSERT_EQ(m->params.size(), 10u);
  EXPECT_EQ(m->params[0].kind, KernelParam::Kind::Scalar);
  EXPECT_EQ(m->params[0].size, 4u);
  for (int a = 0; a < 3; ++a) {
    const KernelParam *p = &m->params[1 + 3 * a];
    EXPECT_EQ(p[0].kind, KernelParam::Kind::Data);
    EXPECT_EQ(p[1].kind, KernelParam::Kind::Shape);
    EXPECT_EQ(p[2].kind, KernelParam::Kind::Stride);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(p[k].arg, a + 1);
      EXPECT_EQ(p[k].size, 8u);
    }
    EXPECT_EQ(p[1].axis, 0);
  }
  const std::string &ptx = m->ptx;
  EXPECT_TRUE(has(ptx, ".version 7.0")) << ptx;  // sm_80's PTX ISA, the lowest it needs
  EXPECT_TRUE(has(ptx, ".target sm_80")) << ptx;
  EXPECT_TRUE(has(ptx, ".visible .entry " + m->symbol + "(")) << ptx;
  EXPECT_EQ(count(ptx, ".param .u64"), 9u) << ptx;
  EXPECT_EQ(count(ptx, ".param .f32"), 1u) << ptx;
  // Generic data pointers become global ones (NVVMLowerArgs): no generic loads or stores.
  EXPECT_TRUE(has(ptx, "ld.global")) << ptx;
  EXPECT_TRUE(has(ptx, "st.global")) << ptx;
  EXPECT_FALSE(has(ptx, "ld.f32")) << ptx;
  // Nothing of the host: no calls, no runtime, one function.
  EXPECT_FALSE(has(ptx, "call")) << ptx;
  EXPECT_FALSE(has(ptx, ".extern")) << ptx;
  EXPECT_EQ(count(ptx, ".entry"), 1u) << ptx;
  EXPECT_FALSE(has(ptx, ".func")) << ptx;
  expect_assembles(saxpy_function(),
                   {types().scalar(ScalarKind::Float32), f32_1d(), f32_1d(), f32_1d()});
}

TEST_F(CudaKernelTest, LoweredKernelRebuildsArraysWithoutHostPointers) {
  auto m = compile(saxpy_function(),
                   {types().scalar(ScalarKind::Float32), f32_1d(), f32_1d(), f32_1d()});
  std::string ir = compiler().llvm_ir(*m, false);
  EXPECT_TRUE(has(ir, "define ptx_kernel void @" + m->symbol +
                          "(float %0, ptr %1, i64 %2, i64 %3, ptr %4, i64 %5, i64 %6, ptr %7, "
                          "i64 %8, i64 %9)"))
      << ir;
  // meminfo and parent null, nitems the product of the shape, itemsize 4.
  EXPECT_TRUE(has(ir,
                  "insertvalue { ptr, ptr, i64, i64, ptr, [1 x i64], [1 x i64] } { ptr null, "
                  "ptr null, i64 undef"))
      << ir;
  EXPECT_TRUE(has(ir, "i64 4, 3")) << ir;
  EXPECT_TRUE(has(ir, "alwaysinline")) << ir;
  EXPECT_TRUE(has(ir, "alloca i8, align 1, addrspace(5)")) << ir;
  std::string opt = compiler().llvm_ir(*m, true);
  // The status function was inlined and dropped: the kernel is the module's only function.
  EXPECT_EQ(count(opt, "define "), 1u) << opt;
  EXPECT_TRUE(has(opt, "define ptx_kernel void @" + m->symbol)) << opt;
}

TEST_F(CudaKernelTest, TwoDimensionalArrayPassesShapeAndStrides) {
  TypeId a2 = types().array(ScalarKind::Float64, 2, Layout::A);
  auto m = compile(store_2d_function(), {a2, types().float64()});
  ASSERT_EQ(m->params.size(), 6u);
  std::vector<std::pair<KernelParam::Kind, int>> want = {
      {KernelParam::Kind::Data, -1},  {KernelParam::Kind::Shape, 0},
      {KernelParam::Kind::Shape, 1},  {KernelParam::Kind::Stride, 0},
      {KernelParam::Kind::Stride, 1}, {KernelParam::Kind::Scalar, -1}};
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(m->params[k].kind, want[k].first) << k;
    EXPECT_EQ(m->params[k].axis, want[k].second) << k;
  }
  EXPECT_EQ(m->params[5].arg, 1);
  // a[1, 2] of an any-layout array: data + strides[0] + 2 * strides[1], read from the params.
  EXPECT_TRUE(has(m->ptx, "ld.param.u64")) << m->ptx;
  EXPECT_TRUE(has(m->ptx, "st.global.f64")) << m->ptx;
  expect_assembles(store_2d_function(), {a2, types().float64()});
}

TEST_F(CudaKernelTest, BoolAndTupleScalarsAreParameters) {
  TypeId t = types().tuple({types().int64(), types().float64()});
  auto m = compile(scalars_function(), {types().boolean(), t, f64_1d()});
  ASSERT_EQ(m->params.size(), 5u);
  EXPECT_EQ(m->params[0].size, 1u);  // bool as one byte
  EXPECT_EQ(m->params[1].kind, KernelParam::Kind::Scalar);
  EXPECT_EQ(m->params[1].size, 16u);
  EXPECT_EQ(m->params[1].align, 8u);
  std::string ir = compiler().llvm_ir(*m, false);
  EXPECT_TRUE(has(ir, "(i8 %0, { i64, double } %1, ptr %2, i64 %3, i64 %4)")) << ir;
  EXPECT_TRUE(has(ir, "icmp ne i8 %0, 0")) << ir;
  expect_assembles(scalars_function(), {types().boolean(), t, f64_1d()});
}

TEST_F(CudaKernelTest, MathGoesThroughLibdevice) {
  for (TypeId x : {types().scalar(ScalarKind::Float32), types().float64()}) {
    bool single = x == types().scalar(ScalarKind::Float32);
    TypeId out = single ? f32_1d() : f64_1d();
    auto m = compile(math_function(), {x, out});
    std::string ir = compiler().llvm_ir(*m, false);
    EXPECT_TRUE(has(ir, single ? "call float @__nv_expf(float" : "call double @__nv_exp(double"))
        << ir;
    EXPECT_TRUE(has(ir, single ? "@__nv_sinf" : "@__nv_sin")) << ir;
    // Linked, reflected (__nvvm_reflect gone) and inlined: no __nv_ function is left (only
    // the double sin's argument reduction slow path, which libdevice marks noinline).
    std::string opt = compiler().llvm_ir(*m, true);
    EXPECT_FALSE(has(opt, "__nvvm_reflect")) << opt;
    EXPECT_FALSE(has(opt, "@__nv_")) << opt;
    EXPECT_EQ(count(opt, "define ptx_kernel"), 1u) << opt;
    EXPECT_EQ(count(opt, "define "), single ? 1u : 2u) << opt;
    if (!single) EXPECT_TRUE(has(opt, "@__internal_trig_reduction_slowpathd")) << opt;
    EXPECT_FALSE(has(m->ptx, "__nv_")) << m->ptx;
    EXPECT_FALSE(has(m->ptx, ".extern")) << m->ptx;
    // libdevice's expf: ex2.approx; its double exp a polynomial in fma.rn.f64.
    EXPECT_TRUE(has(m->ptx, single ? "ex2.approx" : "fma.rn.f64")) << m->ptx;
    expect_assembles(math_function(), {x, out});
  }
}

TEST_F(CudaKernelTest, RaiseWritesTheDeviceRecord) {
  auto m = compile(raise_function(), {f64_1d(), types().int64()});
  EXPECT_TRUE(m->may_raise);
  EXPECT_EQ(m->error_record, EMBER_DEVICE_ERROR_SYMBOL);
  ASSERT_EQ(m->messages.size(), 1u);
  EXPECT_EQ(m->messages[0], "index too big");
  std::string ir = compiler().llvm_ir(*m, false);
  EXPECT_TRUE(has(ir,
                  "@ember_device_error = addrspace(1) global { i32, i32, i32, i32 } "
                  "zeroinitializer, align 4"))
      << ir;
  // Claimed with a compare-and-swap of the status (EMBER_OK -> EMBER_RAISED), then filled
  // with ValueError's id, line 3 and message 0.
  EXPECT_TRUE(has(ir, "cmpxchg ptr addrspace(1) @ember_device_error, i32 0, i32 1 monotonic"))
      << ir;
  EXPECT_TRUE(has(ir, "store i32 " + std::to_string(EMBER_EXC_ValueError) +
                          ", ptr addrspace(1) getelementptr inbounds ({ i32, i32, i32, i32 }, "
                          "ptr addrspace(1) @ember_device_error, i32 0, i32 1)"))
      << ir;
  EXPECT_TRUE(has(ir,
                  "store i32 3, ptr addrspace(1) getelementptr inbounds ({ i32, i32, i32, "
                  "i32 }, ptr addrspace(1) @ember_device_error, i32 0, i32 2)"))
      << ir;
  EXPECT_TRUE(has(ir,
                  "store i32 0, ptr addrspace(1) getelementptr inbounds ({ i32, i32, i32, "
                  "i32 }, ptr addrspace(1) @ember_device_error, i32 0, i32 3)"))
      << ir;
  EXPECT_TRUE(has(m->ptx, ".visible .global .align 4 .b8 ember_device_error[16];")) << m->ptx;
  EXPECT_TRUE(has(m->ptx, "atom.global.cas.b32")) << m->ptx;
  expect_assembles(raise_function(), {f64_1d(), types().int64()});
}

TEST_F(CudaKernelTest, KernelThatCannotRaiseStillHasTheRecord) {
  auto m = compile(store_2d_function(),
                   {types().array(ScalarKind::Float64, 2, Layout::C), types().float64()});
  EXPECT_FALSE(m->may_raise);
  EXPECT_TRUE(m->messages.empty());
  EXPECT_TRUE(has(m->ptx, ".visible .global .align 4 .b8 ember_device_error[16];")) << m->ptx;
}

TEST_F(CudaKernelTest, FloatModuloUsesExactFmod) {
  auto m = compile(binop_store_function(BinOpKind::Mod),
                   {types().float64(), types().float64(), f64_1d()});
  EXPECT_TRUE(has(compiler().llvm_ir(*m, false), " frem double"));
  std::string opt = compiler().llvm_ir(*m, true);
  EXPECT_FALSE(has(opt, " frem ")) << opt;  // libdevice's fmod, inlined
  // Python's float modulo by zero raises.
  ASSERT_EQ(m->messages.size(), 1u);
  EXPECT_EQ(m->messages[0], "float modulo by zero");
  expect_assembles(binop_store_function(BinOpKind::Mod),
                   {types().float64(), types().float64(), f64_1d()});
}

TEST_F(CudaKernelTest, FastmathApproximatesAndFlushes) {
  FunctionInput in = binop_store_function(BinOpKind::TrueDiv);
  std::vector<TypeId> args = {types().scalar(ScalarKind::Float32),
                              types().scalar(ScalarKind::Float32), f32_1d()};
  auto precise = compile(in, args, {}, false);
  CudaOptions fast;
  fast.fastmath = true;
  auto approx = compile(in, args, fast, false);
  EXPECT_NE(precise, approx);
  EXPECT_TRUE(has(precise->ptx, "div.rn.f32")) << precise->ptx;
  EXPECT_TRUE(has(approx->ptx, "div.approx.ftz.f32")) << approx->ptx;
  EXPECT_TRUE(has(compiler().llvm_ir(*approx, false), "fdiv fast float")) << approx->ptx;
}

TEST_F(CudaKernelTest, DeviceFunctionIsAFunc) {
  CudaOptions device;
  device.device_function = true;
  auto m = compile(math_function(), {types().scalar(ScalarKind::Float32), f32_1d()}, device);
  EXPECT_TRUE(m->params.empty());
  EXPECT_FALSE(has(m->ptx, ".entry")) << m->ptx;
  EXPECT_TRUE(has(m->ptx, ".visible .func  (.param .b32 func_retval0) " + m->symbol + "("))
      << m->ptx;
  EXPECT_TRUE(has(m->ptx, ".weak .global .align 4 .b8 ember_device_error[16]")) << m->ptx;
  expect_assembles(math_function(), {types().scalar(ScalarKind::Float32), f32_1d()}, true);
}

TEST_F(CudaKernelTest, CompilesAreCached) {
  // A compiler of its own: the shared one holds what other tests compiled.
  CudaCompiler cuda(types());
  std::vector<TypeId> args = {types().float64(), f64_1d()};
  auto first = compile_with(cuda, math_function(), args);
  EXPECT_EQ(cuda.cache_size(), 1u);
  EXPECT_EQ(compile_with(cuda, math_function(), args), first);
  EXPECT_EQ(cuda.cache_size(), 1u);
  CudaOptions sm90;
  sm90.arch = {9, 0, false};
  auto other = compile_with(cuda, math_function(), args, sm90);
  EXPECT_NE(other, first);
  EXPECT_TRUE(has(other->ptx, ".target sm_90")) << other->ptx;
  EXPECT_TRUE(has(other->ptx, ".version 7.8")) << other->ptx;
  // Another argument type, and another function with the same name, compile again.
  EXPECT_NE(compile_with(cuda, math_function(), {types().scalar(ScalarKind::Float32), f32_1d()}),
            first);
  FunctionInput changed = math_function();
  changed.name_values[1] = c_builtin(BuiltinId::MathCos);
  auto cos = compile_with(cuda, changed, args);
  EXPECT_NE(cos, first);
  EXPECT_TRUE(has(cuda.llvm_ir(*cos, false), "@__nv_cos(")) << cuda.llvm_ir(*cos, false);
  EXPECT_EQ(cuda.cache_size(), 4u);
}

// 1 def k(x):
// 2     return x
TEST_F(CudaKernelTest, KernelReturningAValueIsATypingError) {
  FunctionInput in =
      NisBuilder("k", {"x"}).code({{NisOp::LoadFast, 0, -1, 2}, {NisOp::ReturnValue}});
  try {
    compile(in, {types().int64()});
    FAIL() << "no error";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 2);
    EXPECT_TRUE(has(e.what(), "a kernel returns None; this returns int64")) << e.what();
  }
  // As a device function, it may.
  CudaOptions device;
  device.device_function = true;
  EXPECT_TRUE(has(compile(in, {types().int64()}, device)->ptx, ".func"));
}

TEST_F(CudaKernelTest, ArrayInsideATupleIsATypingError) {
  FunctionInput in = NisBuilder("k", {"t"}, {}, 7)
                         .consts({c_none()})
                         .code({{NisOp::LoadConst, 0, -1, 8}, {NisOp::ReturnValue}});
  try {
    compile(in, {types().tuple({f64_1d(), f64_1d()})});
    FAIL() << "no error";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 7);
    EXPECT_TRUE(has(e.what(), "argument 't' of k() is a")) << e.what();
    EXPECT_TRUE(has(e.what(), "which a CUDA kernel cannot take")) << e.what();
  }
}

// 1 def k(n):
// 2     a = np.zeros(n)
TEST_F(CudaKernelTest, AllocationInAKernelIsATypingError) {
  FunctionInput in = NisBuilder("k", {"n"}, {"a"})
                         .consts({c_none()})
                         .global("zeros", c_builtin(BuiltinId::NpZeros))
                         .code({{NisOp::PushNull, 0, -1, 2},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadConst, 0},
                                {NisOp::ReturnValue}});
  try {
    compile(in, {types().int64()});
    FAIL() << "no error";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 2);
    EXPECT_TRUE(has(e.what(), "which a CUDA kernel cannot do")) << e.what();
  }
}

}  // namespace
}  // namespace ember
