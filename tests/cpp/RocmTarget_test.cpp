// The ROCm target's answers (targets/rocm/RocmTarget.h) apart from whole kernels: which
// architectures exist and their ISA versions, wavefront sizes and code object versions, the
// layout and address spaces, every execution-model operation compiled to AMDGCN (for a 64- and
// a 32-wide wavefront), the oclc control constants, the device libraries found or reported
// missing, and lld in process (a code object out, an undefined symbol refused).
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include <llvm/IR/Verifier.h>
#include <llvm/Target/TargetMachine.h>

#include "targets/gpu/GpuCompile.h"
#include "targets/rocm/DeviceLibs.h"
#include "targets/rocm/HsacoLinker.h"
#include "targets/rocm/RocmTarget.h"

namespace ember {
namespace {

bool has(const std::string &text, const std::string &s) {
  return text.find(s) != std::string::npos;
}

RocmOptions options_for(const std::string &arch, int wavefront = 0) {
  RocmOptions o;
  o.arch = GfxArch::parse(arch);
  o.wavefront = wavefront;
  return o;
}

TEST(GfxArchTest, KnownArchitecturesAndTheirIsaVersions) {
  struct Case {
    std::string name;
    int isa;
    bool wave32;
  };
  for (const Case &c : std::vector<Case>{{"gfx90a", 9010, false},
                                         {"gfx942", 9402, false},
                                         {"gfx908", 9008, false},
                                         {"gfx1030", 10300, true},
                                         {"gfx1100", 11000, true}}) {
    GfxArch a = GfxArch::parse(c.name);
    EXPECT_EQ(a.isa_version(), c.isa) << c.name;
    EXPECT_EQ(a.supports_wave32(), c.wave32) << c.name;
  }
  for (const char *bad : {"gfx9999", "sm_80", "gfx", "gfx94z", "GFX942"})
    EXPECT_THROW(GfxArch::parse(bad), std::invalid_argument) << bad;
}

TEST(RocmTargetTest, LayoutAddressSpacesAndAnswers) {
  RocmTarget t(options_for("gfx942"));
  EXPECT_EQ(t.triple(), "amdgcn-amd-amdhsa");
  EXPECT_EQ(t.data_layout(), t.machine().createDataLayout());
  EXPECT_EQ(t.data_layout().getAllocaAddrSpace(), 5u);  // allocas are private memory
  EXPECT_EQ(t.data_layout().getPointerSizeInBits(0), 64u);
  EXPECT_EQ(t.data_layout().getPointerSizeInBits(3), 32u);  // LDS
  EXPECT_EQ(t.machine().getTargetCPU(), "gfx942");
  EXPECT_EQ(t.address_space(AddressSpace::Generic), 0u);
  EXPECT_EQ(t.address_space(AddressSpace::Global), 1u);
  EXPECT_EQ(t.address_space(AddressSpace::Shared), 3u);
  EXPECT_EQ(t.address_space(AddressSpace::Constant), 4u);
  EXPECT_EQ(t.address_space(AddressSpace::Local), 5u);
  EXPECT_EQ(t.services(), RuntimeServices());
  EXPECT_EQ(t.entry_abi(), EntryAbi::Kernel);
  EXPECT_EQ(t.kernel_entry_abi(), EntryAbi::Kernel);
  EXPECT_EQ(t.error_exit(), ErrorExit::DeviceRecord);
  EXPECT_EQ(t.float_to_int_bits(), FloatToIntBits::Saturating);
  EXPECT_EQ(t.kernel_calling_convention(), llvm::CallingConv::AMDGPU_KERNEL);
  EXPECT_EQ(t.display_name(), "a HIP kernel");
}

TEST(RocmTargetTest, WavefrontSizesAndCodeObjectVersions) {
  EXPECT_EQ(RocmTarget(options_for("gfx90a")).warp_size(), 64);
  EXPECT_EQ(RocmTarget(options_for("gfx942")).warp_size(), 64);
  EXPECT_EQ(RocmTarget(options_for("gfx1100")).warp_size(), 32);
  RocmTarget wide(options_for("gfx1100", 64));
  EXPECT_EQ(wide.warp_size(), 64);
  EXPECT_TRUE(has(wide.machine().getTargetFeatureString().str(), "+wavefrontsize64"));
  EXPECT_THROW(RocmTarget(options_for("gfx90a", 32)), std::invalid_argument);
  EXPECT_THROW(RocmTarget(options_for("gfx1100", 16)), std::invalid_argument);
  RocmOptions v3 = options_for("gfx942");
  v3.code_object = 3;
  EXPECT_THROW(RocmTarget{v3}, std::invalid_argument);
  EXPECT_NE(options_for("gfx942").key(), options_for("gfx90a").key());
  RocmOptions v4 = options_for("gfx942");
  v4.code_object = 4;
  EXPECT_NE(v4.key(), options_for("gfx942").key());
}

/// A kernel using every execution-model operation, then the controls, ockl, O3; returns the
/// module (for the assembly or the object).
std::unique_ptr<llvm::Module> execution_model_kernel(RocmTarget &t, llvm::LLVMContext &ctx,
                                                     DeviceLibs &libs) {
  auto m = std::make_unique<llvm::Module>("t", ctx);
  m->setDataLayout(t.data_layout());
  m->setTargetTriple(t.triple());
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  auto *k =
      llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
                             llvm::GlobalValue::ExternalLinkage, "k", *m);
  k->setCallingConv(t.kernel_calling_convention());
  t.decorate_kernel(*k);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", k));
  int slot = 0;
  auto store = [&](llvm::Value *v) {
    v = b.CreateZExtOrTrunc(v, b.getInt64Ty());
    b.CreateStore(v, b.CreateConstGEP1_64(b.getInt64Ty(), k->getArg(0), slot++));
  };
  for (GridQuery q :
       {GridQuery::ThreadIdx, GridQuery::BlockIdx, GridQuery::BlockDim, GridQuery::GridDim})
    for (int axis = 0; axis < 3; ++axis) {
      llvm::Value *v = t.thread_index(b, q, axis, KernelSite{});
      EXPECT_TRUE(v->getType()->isIntegerTy(64));
      store(v);
    }
  llvm::Value *lane = t.lane_id(b, KernelSite{});
  store(lane);
  llvm::Type *mask_t = b.getIntNTy(static_cast<unsigned>(t.warp_size()));
  llvm::Value *full = llvm::ConstantInt::getAllOnesValue(mask_t);
  llvm::Value *odd = b.CreateICmpNE(b.CreateAnd(lane, 1), b.getInt32(0));
  for (ShuffleOp op : {ShuffleOp::Idx, ShuffleOp::Up, ShuffleOp::Down, ShuffleOp::Xor}) {
    store(t.warp_shuffle(b, op, full, lane, b.getInt32(1), KernelSite{}));
    store(t.warp_shuffle(b, op, full, b.CreateZExt(lane, b.getInt64Ty()), b.getInt32(3),
                         KernelSite{}));
  }
  for (VoteOp op : {VoteOp::All, VoteOp::Any, VoteOp::Eq, VoteOp::Ballot}) {
    llvm::Value *v = t.warp_vote(b, op, full, odd, KernelSite{});
    if (op == VoteOp::Ballot) EXPECT_EQ(v->getType(), mask_t);
    store(v);
  }
  EXPECT_EQ(t.active_mask(b, KernelSite{})->getType(), mask_t);
  t.warp_sync(b, full, KernelSite{});
  SharedArray tile;
  tile.bytes = 1024;
  tile.element = b.getDoubleTy();
  tile.count = 128;
  tile.name = "tile";
  llvm::Value *shared = t.shared_array(b, tile, KernelSite{});
  b.CreateStore(llvm::ConstantFP::get(b.getDoubleTy(), 1.0),
                b.CreateGEP(b.getDoubleTy(), shared, {lane}));
  t.barrier(b, BarrierOp::Sync, nullptr, KernelSite{});
  store(b.CreateLoad(b.getInt64Ty(), b.CreateGEP(b.getDoubleTy(), shared, {b.getInt32(3)})));
  // (stored as their bits: store() widens integers)
  llvm::Value *dyn_bytes = nullptr;
  llvm::Value *dyn = t.dynamic_shared(b, KernelSite{}, &dyn_bytes);
  store(dyn_bytes);
  store(b.CreateLoad(b.getInt32Ty(), dyn));
  for (BarrierOp op : {BarrierOp::Count, BarrierOp::And, BarrierOp::Or})
    store(t.barrier(b, op, odd, KernelSite{}));
  for (FenceScope s : {FenceScope::Block, FenceScope::Device, FenceScope::System})
    t.memory_fence(b, s);
  store(b.CreateBitCast(t.math(b, MathFn::Exp, {b.CreateUIToFP(lane, b.getFloatTy())}),
                        b.getInt32Ty()));
  b.CreateRetVoid();
  EXPECT_FALSE(llvm::verifyModule(*m, &llvm::errs()));
  t.prepare(*m);
  libs.link_into(*m);
  gpu::internalize_except(*m, {"k"});
  t.optimize(*m);
  EXPECT_FALSE(llvm::verifyModule(*m, &llvm::errs()));
  return m;
}

bool have_device_libs() { return !DeviceLibs::locate().empty(); }

TEST(RocmTargetTest, ExecutionModelCompilesForBothWavefronts) {
  if (!have_device_libs()) GTEST_SKIP() << "rocm-device-libs not found: nothing to link";
  DeviceLibs libs;
  for (auto [arch, wave] :
       std::vector<std::pair<std::string, int>>{{"gfx942", 64}, {"gfx1100", 32}}) {
    RocmTarget t(options_for(arch));
    ASSERT_EQ(t.warp_size(), wave);
    llvm::LLVMContext ctx;
    std::string asm_ = t.assembly(*execution_model_kernel(t, ctx, libs));
    EXPECT_TRUE(has(asm_, ".amdgcn_target \"amdgcn-amd-amdhsa--" + arch)) << arch;
    EXPECT_TRUE(has(asm_, "s_barrier")) << arch;
    EXPECT_TRUE(has(asm_, "ds_bpermute_b32")) << arch;
    EXPECT_TRUE(has(asm_, "v_mbcnt_lo_u32_b32")) << arch;
    EXPECT_EQ(has(asm_, "v_mbcnt_hi_u32_b32"), wave == 64) << arch;
    EXPECT_TRUE(has(asm_, ".wavefront_size: " + std::to_string(wave))) << arch;
    EXPECT_TRUE(has(asm_, ".group_segment_fixed_size: ")) << arch;
    EXPECT_FALSE(has(asm_, "OpenCL")) << arch;
    // The object links into a code object: nothing is left undefined.
    llvm::LLVMContext ctx2;
    std::string hsaco = link_hsaco(t.object(*execution_model_kernel(t, ctx2, libs)));
    EXPECT_EQ(hsaco.substr(0, 4),
              "\x7f"
              "ELF")
        << arch;
  }
}

TEST(RocmTargetTest, ControlConstantsFollowTheOptions) {
  auto value = [](const llvm::Module &m, const char *name) -> int64_t {
    const llvm::GlobalVariable *gv = m.getNamedGlobal(name);
    if (!gv || gv->getAddressSpace() != 4) return -1;
    return llvm::cast<llvm::ConstantInt>(gv->getInitializer())->getSExtValue();
  };
  llvm::LLVMContext ctx;
  llvm::Module m942("a", ctx), m1100("b", ctx);
  RocmOptions o942 = options_for("gfx942");
  o942.code_object = 4;
  o942.fastmath = true;
  DeviceLibs::define_controls(m942, o942);
  DeviceLibs::define_controls(m1100, options_for("gfx1100"));
  EXPECT_EQ(value(m942, "__oclc_ISA_version"), 9402);
  EXPECT_EQ(value(m942, "__oclc_wavefrontsize64"), 1);
  EXPECT_EQ(value(m942, "__oclc_ABI_version"), 400);
  EXPECT_EQ(value(m942, "__oclc_unsafe_math_opt"), 1);
  EXPECT_EQ(value(m942, "__oclc_daz_opt"), 1);
  EXPECT_EQ(value(m942, "__oclc_correctly_rounded_sqrt32"), 0);
  EXPECT_EQ(value(m1100, "__oclc_ISA_version"), 11000);
  EXPECT_EQ(value(m1100, "__oclc_wavefrontsize64"), 0);
  EXPECT_EQ(value(m1100, "__oclc_ABI_version"), 500);
  EXPECT_EQ(value(m1100, "__oclc_unsafe_math_opt"), 0);
  EXPECT_EQ(value(m1100, "__oclc_finite_only_opt"), 0);
  EXPECT_EQ(value(m1100, "__oclc_correctly_rounded_sqrt32"), 1);
}

TEST(RocmTargetTest, MissingDeviceLibrariesAreReported) {
  const char *old = std::getenv("EMBER_ROCM_DEVICE_LIBS");
  std::string saved = old ? old : "";
  setenv("EMBER_ROCM_DEVICE_LIBS", "/nonexistent/bitcode", 1);
  EXPECT_EQ(DeviceLibs::locate(), "");
  RocmTarget t(options_for("gfx942"));
  llvm::LLVMContext ctx;
  llvm::Module m("t", ctx);
  m.setDataLayout(t.data_layout());
  m.setTargetTriple(t.triple());
  auto *f = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                   llvm::GlobalValue::ExternalLinkage, "f", m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
  t.math(b, MathFn::Sin, {llvm::ConstantFP::get(b.getDoubleTy(), 1.0)});
  b.CreateRetVoid();
  EXPECT_TRUE(DeviceLibs::needed_by(m));
  DeviceLibs libs;
  try {
    libs.link_into(m);
    ADD_FAILURE() << "no error for missing device libraries";
  } catch (const RocmToolchainError &e) {
    EXPECT_TRUE(has(e.what(), "/nonexistent/bitcode")) << e.what();
    EXPECT_TRUE(has(e.what(), "ocml.bc")) << e.what();
  }
  if (old)
    setenv("EMBER_ROCM_DEVICE_LIBS", saved.c_str(), 1);
  else
    unsetenv("EMBER_ROCM_DEVICE_LIBS");
}

TEST(HsacoLinkerTest, AnUndefinedSymbolIsRefused) {
  RocmTarget t(options_for("gfx90a"));
  llvm::LLVMContext ctx;
  llvm::Module m("t", ctx);
  m.setDataLayout(t.data_layout());
  m.setTargetTriple(t.triple());
  auto *k = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                   llvm::GlobalValue::ExternalLinkage, "k", m);
  k->setCallingConv(t.kernel_calling_convention());
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", k));
  b.CreateCall(
      m.getOrInsertFunction("nowhere_defined", llvm::FunctionType::get(b.getVoidTy(), false)));
  b.CreateRetVoid();
  std::string object = t.object(m);
  try {
    link_hsaco(object);
    ADD_FAILURE() << "lld linked an undefined symbol";
  } catch (const HsacoLinkError &e) {
    EXPECT_TRUE(has(e.what(), "nowhere_defined")) << e.what();
  }
  // lld runs again after a refused link.
  llvm::Module ok("ok", ctx);
  ok.setDataLayout(t.data_layout());
  ok.setTargetTriple(t.triple());
  auto *k2 = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                    llvm::GlobalValue::ExternalLinkage, "k2", ok);
  k2->setCallingConv(t.kernel_calling_convention());
  llvm::IRBuilder<> b2(llvm::BasicBlock::Create(ctx, "entry", k2));
  b2.CreateRetVoid();
  EXPECT_EQ(link_hsaco(t.object(ok)).substr(0, 4),
            "\x7f"
            "ELF");
}

}  // namespace
}  // namespace ember
