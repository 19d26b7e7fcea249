// The CUDA target's answers (targets/cuda/CudaTarget.h) apart from whole kernels: which
// architecture and PTX ISA a compute capability gets, the layout and address spaces, the
// special registers, barrier and fences as PTX (assembled by ptxas), cvt.rzi's float -> integer
// bits (FloatToIntBits::Ptx, run on the CPU through the JIT: the lowering is ordinary LLVM IR
// whose meaning does not depend on the target), and where libdevice is found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "ember/abi.h"
#include "lowering/Lower.h"
#include "targets/cpu/CpuJit.h"
#include "targets/cuda/CudaCompiler.h"
#include "targets/cuda/CudaTarget.h"
#include "targets/cuda/Libdevice.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/Ptxas.h"
#include "tests/cpp/TestTargets.h"

#include <llvm/Target/TargetMachine.h>

namespace ember {
namespace {

using test::NisBuilder;

bool has(const std::string &text, const std::string &s) {
  return text.find(s) != std::string::npos;
}

TEST(CudaArchTest, CapabilityPicksTheNewestArchitectureNotNewerThanIt) {
  struct Case {
    int major, minor;
    bool specific;
    std::string sm;
    int ptx;
  };
  for (const Case &c : std::vector<Case>{{7, 5, false, "sm_75", 63},
                                         {8, 0, false, "sm_80", 70},
                                         {8, 5, false, "sm_80", 70},  // no sm_85: sm_80's PTX
                                         {8, 6, false, "sm_86", 71},
                                         {8, 7, false, "sm_87", 74},
                                         {8, 9, false, "sm_89", 78},
                                         {9, 0, false, "sm_90", 78},
                                         {9, 0, true, "sm_90a", 80},
                                         {10, 0, false, "sm_90", 78},  // Blackwell runs sm_90
                                         {12, 0, false, "sm_90", 78}}) {
    CudaArch a = CudaArch::for_capability(c.major, c.minor, c.specific);
    EXPECT_EQ(a.sm(), c.sm) << c.major << "." << c.minor;
    EXPECT_EQ(a.ptx_version(), c.ptx) << c.sm;
  }
  EXPECT_THROW(CudaArch::for_capability(7, 0), std::invalid_argument);
  EXPECT_THROW(CudaArch::for_capability(8, 0, true), std::invalid_argument);
  try {
    CudaArch::for_capability(6, 1);
  } catch (const std::invalid_argument &e) {
    EXPECT_TRUE(has(e.what(), "compute capability 6.1 is older than ember supports")) << e.what();
  }
}

TEST(CudaTargetTest, LayoutAndAddressSpacesAreNvptxs) {
  CudaTarget t({});
  EXPECT_EQ(t.triple(), "nvptx64-nvidia-cuda");
  EXPECT_EQ(t.data_layout(), t.machine().createDataLayout());
  EXPECT_EQ(t.data_layout().getPointerSizeInBits(0), 64u);
  EXPECT_EQ(t.machine().getTargetCPU(), "sm_80");
  EXPECT_EQ(t.machine().getTargetFeatureString(), "+ptx70");
  EXPECT_EQ(t.address_space(AddressSpace::Generic), 0u);
  EXPECT_EQ(t.address_space(AddressSpace::Global), 1u);
  EXPECT_EQ(t.address_space(AddressSpace::Shared), 3u);
  EXPECT_EQ(t.address_space(AddressSpace::Constant), 4u);
  EXPECT_EQ(t.address_space(AddressSpace::Local), 5u);
  EXPECT_EQ(t.warp_size(), 32);
  EXPECT_EQ(t.services(), RuntimeServices());
  EXPECT_EQ(t.entry_abi(), EntryAbi::Kernel);
  EXPECT_EQ(t.error_exit(), ErrorExit::DeviceRecord);
  EXPECT_EQ(t.float_to_int_bits(), FloatToIntBits::Ptx);
  EXPECT_EQ(t.kernel_calling_convention(), llvm::CallingConv::PTX_Kernel);
  CudaOptions device;
  device.device_function = true;
  EXPECT_EQ(CudaTarget(device).entry_abi(), EntryAbi::DeviceFunction);
}

/// A kernel storing every special register, then a barrier and the three fences.
std::string execution_model_ptx(CudaTarget &t) {
  llvm::LLVMContext ctx;
  llvm::Module m("t", ctx);
  m.setDataLayout(t.data_layout());
  m.setTargetTriple(t.triple());
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *k =
      llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
                             llvm::GlobalValue::ExternalLinkage, "k", m);
  k->setCallingConv(t.kernel_calling_convention());
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", k));
  int slot = 0;
  for (GridQuery q :
       {GridQuery::ThreadIdx, GridQuery::BlockIdx, GridQuery::BlockDim, GridQuery::GridDim})
    for (int axis = 0; axis < 3; ++axis) {
      llvm::Value *v = t.thread_index(b, q, axis, KernelSite{});
      EXPECT_TRUE(v->getType()->isIntegerTy(64));
      b.CreateStore(v, b.CreateConstGEP1_64(b.getInt64Ty(), k->getArg(0), slot++));
    }
  t.barrier(b, BarrierOp::Sync, nullptr, KernelSite{});
  t.memory_fence(b, FenceScope::Block);
  t.memory_fence(b, FenceScope::Device);
  t.memory_fence(b, FenceScope::System);
  b.CreateRetVoid();
  EXPECT_FALSE(llvm::verifyModule(m, &llvm::errs()));
  return t.ptx(m);
}

TEST(CudaTargetTest, SpecialRegistersBarrierAndFences) {
  CudaTarget t({});
  std::string ptx = execution_model_ptx(t);
  for (const char *reg : {"%tid", "%ctaid", "%ntid", "%nctaid"})
    for (const char *axis : {".x", ".y", ".z"})
      EXPECT_TRUE(has(ptx, std::string(reg) + axis + ";")) << reg << axis << "\n" << ptx;
  EXPECT_TRUE(has(ptx, "bar.sync \t0;")) << ptx;
  EXPECT_TRUE(has(ptx, "membar.cta;")) << ptx;
  EXPECT_TRUE(has(ptx, "membar.gl;")) << ptx;
  EXPECT_TRUE(has(ptx, "membar.sys;")) << ptx;
  std::string ptxas = test::find_ptxas();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not found (no CUDA toolkit): PTX not assembled";
  for (const char *sm : {"sm_80", "sm_90"}) {
    test::PtxasResult r = test::run_ptxas(ptxas, ptx, sm);
    EXPECT_EQ(r.status, 0) << sm << ":\n" << r.output;
  }
}

TEST(CudaTargetTest, EveryArchitectureAssembles) {
  std::string ptxas = test::find_ptxas();
  for (auto [major, minor, specific] : std::vector<std::tuple<int, int, bool>>{{7, 5, false},
                                                                               {8, 0, false},
                                                                               {8, 6, false},
                                                                               {8, 7, false},
                                                                               {8, 9, false},
                                                                               {9, 0, false},
                                                                               {9, 0, true}}) {
    CudaOptions o;
    o.arch = CudaArch::for_capability(major, minor, specific);
    CudaTarget t(o);
    std::string ptx = execution_model_ptx(t);
    int v = o.arch.ptx_version();
    EXPECT_TRUE(has(ptx, ".version " + std::to_string(v / 10) + "." + std::to_string(v % 10)))
        << ptx;
    EXPECT_TRUE(has(ptx, ".target " + o.arch.sm())) << ptx;
    if (ptxas.empty()) continue;
    test::PtxasResult r = test::run_ptxas(ptxas, ptx, o.arch.sm());
    EXPECT_EQ(r.status, 0) << o.arch.sm() << ":\n" << r.output;
  }
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not found (no CUDA toolkit): PTX not assembled";
}

// ---- cvt.rzi's bits --------------------------------------------------------------------------

/// The CPU compiler's fixture, for what runs through the CPU's front end and JIT.
class CudaOnCpuTest : public test::LowerTest {};

/// The CPU target with the GPU's float -> integer bits: lowered here, run by the CPU's JIT.
class PtxBitsTarget : public test::DelegatingTarget {
 public:
  explicit PtxBitsTarget(Target &cpu) : DelegatingTarget(cpu) {}
  FloatToIntBits float_to_int_bits() const override { return FloatToIntBits::Ptx; }
};

// 1 def f(x):
// 2     return cls(x)     (cls: np.int8 and friends: NumPy's cast)
FunctionInput numpy_cast(ScalarKind k) {
  return NisBuilder("f", {"x"})
      .global("cls", test::c_number_class(k))
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::ReturnValue}});
}

TEST_F(CudaOnCpuTest, PtxFloatToIntBitsFollowCvtRzi) {
  PtxBitsTarget ptx(compiler().target());
  CpuJit jit(compiler().target());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t min64 = std::numeric_limits<int64_t>::min();
  struct Case {
    ScalarKind to;
    bool single;  ///< the source is a float32
    double x;
    int64_t want;  ///< the integer's bits, sign-extended from its width
  };
  for (const Case &c : std::vector<Case>{
           // Saturating at the destination's width, int8 included.
           {ScalarKind::Int8, false, 300.7, 127},
           {ScalarKind::Int8, false, -300.7, -128},
           {ScalarKind::UInt8, false, -1.0, 0},
           {ScalarKind::UInt8, false, 256.0, -1},  // 255
           {ScalarKind::Int16, true, 1e6, 32767},
           {ScalarKind::Int32, false, 1e10, std::numeric_limits<int32_t>::max()},
           {ScalarKind::Int32, false, -7.9, -7},
           {ScalarKind::UInt32, false, 1e300, -1},  // 4294967295
           {ScalarKind::Int64, false, -inf, min64},
           {ScalarKind::Int64, false, inf, std::numeric_limits<int64_t>::max()},
           {ScalarKind::UInt64, false, inf, -1},  // 2^64 - 1
           {ScalarKind::UInt64, false, -5.0, 0},
           // NaN: 0 from a float into fewer than 64 bits, 1 << (width - 1) otherwise.
           {ScalarKind::Int8, true, nan, 0},
           {ScalarKind::Int32, true, nan, 0},
           {ScalarKind::UInt32, true, nan, 0},
           {ScalarKind::Int64, true, nan, min64},
           {ScalarKind::UInt64, true, nan, min64},  // 2^63
           {ScalarKind::Int8, false, nan, -128},
           {ScalarKind::UInt8, false, nan, -128},  // 128
           {ScalarKind::Int32, false, nan, std::numeric_limits<int32_t>::min()},
           {ScalarKind::UInt32, false, nan, std::numeric_limits<int32_t>::min()},  // 2^31
           {ScalarKind::Int64, false, nan, min64},
       }) {
    TypeId from = c.single ? types().scalar(ScalarKind::Float32) : types().float64();
    auto fn = compile(numpy_cast(c.to), {from});
    LoweredModule lm = lower_module(*fn->ir, ptx, jit.context());
    compiler().target().optimize(*lm.module);
    auto wrapper =
        reinterpret_cast<ember_wrapper_fn>(jit.add(std::move(lm.module), {lm.wrapper})[0]);
    int64_t out = 0;
    ember_error err{};
    double x64 = c.x;
    float x32 = static_cast<float>(c.x);
    void *arg = c.single ? static_cast<void *>(&x32) : static_cast<void *>(&x64);
    ASSERT_EQ(wrapper(&out, &err, &arg), EMBER_OK);
    int bits = bit_width(c.to);
    int64_t got = bits == 64 ? out : (out << (64 - bits)) >> (64 - bits);
    EXPECT_EQ(got, c.want) << scalar_name(c.to) << "(" << (c.single ? "float32 " : "") << c.x
                           << ")";
  }
}

// ---- libdevice ------------------------------------------------------------------------------

TEST(LibdeviceTest, FoundInTheToolkit) {
  std::vector<std::string> searched;
  std::string path = Libdevice::locate(&searched);
  ASSERT_FALSE(searched.empty());
  if (path.empty()) GTEST_SKIP() << "no CUDA toolkit: libdevice not found";
  EXPECT_EQ(path.substr(path.size() - 15), "libdevice.10.bc");
}

TEST(LibdeviceTest, LinksOnlyTheFunctionsAModuleCalls) {
  if (Libdevice::locate().empty()) GTEST_SKIP() << "no CUDA toolkit: libdevice not found";
  CudaTarget t({});
  llvm::LLVMContext ctx;
  llvm::Module m("m", ctx);
  m.setDataLayout(t.data_layout());
  m.setTargetTriple(t.triple());
  llvm::Type *f32 = llvm::Type::getFloatTy(ctx);
  auto *k = llvm::Function::Create(llvm::FunctionType::get(f32, {f32}, false),
                                   llvm::GlobalValue::ExternalLinkage, "k", m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", k));
  b.CreateRet(t.math(b, MathFn::Exp, {k->getArg(0)}));
  ASSERT_TRUE(Libdevice::needed_by(m));
  Libdevice lib;
  lib.link_into(m);
  std::vector<std::string> defined;
  size_t declared_nv = 0;
  for (const llvm::Function &f : m) {
    if (!f.isDeclaration())
      defined.push_back(f.getName().str());
    else if (f.getName().starts_with("__nv_"))
      ++declared_nv;
  }
  // Out of libdevice's ~570 functions, only the one called (and nothing left undefined).
  EXPECT_EQ(defined, (std::vector<std::string>{"k", "__nv_expf"}));
  EXPECT_EQ(declared_nv, 0u);
  EXPECT_FALSE(llvm::verifyModule(m, &llvm::errs()));
  EXPECT_FALSE(Libdevice::needed_by(m));
}

/// Every MathFn on float16, float32 and float64 names a function libdevice defines (an
/// unknown name would stay an undefined .extern that ptxas rejects), and the PTX assembles.
TEST(LibdeviceTest, EveryMathFunctionExists) {
  if (Libdevice::locate().empty()) GTEST_SKIP() << "no CUDA toolkit: libdevice not found";
  CudaTarget t({});
  llvm::LLVMContext ctx;
  llvm::Module m("m", ctx);
  m.setDataLayout(t.data_layout());
  m.setTargetTriple(t.triple());
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *k =
      llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
                             llvm::GlobalValue::ExternalLinkage, "k", m);
  k->setCallingConv(t.kernel_calling_convention());
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", k));
  int slot = 0, calls = 0;
  for (llvm::Type *type : {b.getHalfTy(), b.getFloatTy(), b.getDoubleTy()})
    for (int i = 0; i <= static_cast<int>(MathFn::Cbrt); ++i) {
      auto fn = static_cast<MathFn>(i);
      bool binary = fn == MathFn::Atan2 || fn == MathFn::Copysign || fn == MathFn::Hypot ||
                    fn == MathFn::Pow || fn == MathFn::Fmod;
      // Arguments the optimizer cannot fold: loaded from the kernel's buffer.
      llvm::Value *x = b.CreateLoad(type, b.CreateConstGEP1_64(b.getInt64Ty(), k->getArg(0), slot));
      llvm::Value *y =
          b.CreateLoad(type, b.CreateConstGEP1_64(b.getInt64Ty(), k->getArg(0), slot + 1));
      llvm::Value *r = binary ? t.math(b, fn, {x, y}) : t.math(b, fn, {x});
      EXPECT_EQ(r->getType(), type) << i;
      b.CreateStore(r, b.CreateConstGEP1_64(b.getInt64Ty(), k->getArg(0), slot++));
      ++calls;
    }
  b.CreateRetVoid();
  Libdevice lib;
  lib.link_into(m);
  for (const llvm::Function &f : m)
    EXPECT_FALSE(f.isDeclaration() && f.getName().starts_with("__nv_"))
        << f.getName().str() << " is not in libdevice";
  EXPECT_FALSE(llvm::verifyModule(m, &llvm::errs()));
  t.optimize(m);
  std::string ptx = t.ptx(m);
  EXPECT_FALSE(has(ptx, ".extern")) << ptx.substr(0, 4000);
  EXPECT_EQ(calls, 3 * 35);
  std::string ptxas = test::find_ptxas();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not found (no CUDA toolkit): PTX not assembled";
  test::PtxasResult r = test::run_ptxas(ptxas, ptx, "sm_80");
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(LibdeviceTest, ExplicitPathIsTheOnlyOneAndItsAbsenceIsAClearError) {
  ASSERT_EQ(setenv("EMBER_LIBDEVICE", "/nonexistent/libdevice.10.bc", 1), 0);
  std::vector<std::string> searched;
  EXPECT_EQ(Libdevice::locate(&searched), "");
  EXPECT_EQ(searched, std::vector<std::string>{"/nonexistent/libdevice.10.bc"});
  llvm::LLVMContext ctx;
  llvm::Module m("m", ctx);
  Libdevice lib;
  try {
    lib.link_into(m);
    FAIL() << "no error";
  } catch (const CudaToolkitError &e) {
    EXPECT_TRUE(has(e.what(), "libdevice.10.bc, the CUDA toolkit's math library")) << e.what();
    EXPECT_TRUE(has(e.what(), "/nonexistent/libdevice.10.bc")) << e.what();
    EXPECT_TRUE(has(e.what(), "EMBER_LIBDEVICE")) << e.what();
  }
  unsetenv("EMBER_LIBDEVICE");
}

// 1 def k(x, out):
// 2     out[0] = <fn>(x)        (fn: math.sqrt, or abs, which needs no library)
FunctionInput store_call(BuiltinId fn) {
  return NisBuilder("k", {"x", "out"})
      .consts({test::c_int(0), test::c_none()})
      .global("fn", test::c_builtin(fn))
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::LoadFast, 1},
             {NisOp::LoadConst, 0},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 1},
             {NisOp::ReturnValue}});
}

TEST_F(CudaOnCpuTest, KernelWithoutMathNeedsNoLibdevice) {
  ASSERT_EQ(setenv("EMBER_LIBDEVICE", "/nonexistent/libdevice.10.bc", 1), 0);
  CudaCompiler cuda(types());
  TypeId out = types().array(ScalarKind::Int64, 1, Layout::C);
  InferOptions infer;
  PipelineOptions options;
  options.verify = true;
  auto m = cuda.compile(store_call(BuiltinId::Abs), {types().int64(), out}, resolver_, infer,
                        options, {});
  EXPECT_TRUE(has(m->ptx, ".entry")) << m->ptx;
  EXPECT_THROW(cuda.compile(store_call(BuiltinId::MathSqrt),
                            {types().float64(), types().array(ScalarKind::Float64, 1, Layout::C)},
                            resolver_, infer, options, {}),
               CudaToolkitError);
  unsetenv("EMBER_LIBDEVICE");
}

}  // namespace
}  // namespace ember
