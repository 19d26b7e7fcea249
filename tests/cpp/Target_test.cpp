// The Target interface (lowering/Target.h): the CPU target's answers, the runtime function table
// (RuntimeFn.def) against the runtime's own symbol table, and lowering through a target that
// looks like a GPU to lowering (tests/cpp/TestTargets.h): allocas in its Local address space
// cast to Generic, message strings in its Constant space, no reference counting without an
// allocator, and an internal error, not a bad module, when lowering needs a service the target
// lacks.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "ember/runtime.h"
#include "lowering/Lower.h"
#include "lowering/RuntimeFn.h"
#include "targets/cpu/CpuCompiler.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/TestHelpers.h"
#include "tests/cpp/TestTargets.h"

namespace ember {
namespace {

using test::c_builtin;
using test::c_float;
using test::c_int;
using test::DeviceLikeTarget;
using test::Ins;
using test::LowerTest;
using test::NisBuilder;
using test::op;

std::string module_text(const llvm::Module &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  m.print(os, nullptr);
  return os.str();
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

// 1 def f(a, n):
// 2     s = 0.0
// 3     for i in range(n):
// 4         row = a[i]
// 5         s += row[0]
// 6     return s / n
FunctionInput row_sum_function() {
  return NisBuilder("f", {"a", "n"}, {"s", "i", "row"}, 1)
      .consts({c_float(0.0), c_int(0)})
      .global("range", c_builtin(BuiltinId::Range))
      .code({{NisOp::LoadConst, 0, -1, 2},
             {NisOp::StoreFast, 2},
             {NisOp::PushNull, 0, -1, 3},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 1},
             {NisOp::Call, 1},
             {NisOp::GetIter},
             {NisOp::ForIter, 20},  // 7
             {NisOp::StoreFast, 3},
             {NisOp::LoadFast, 0, -1, 4},
             {NisOp::LoadFast, 3},
             {NisOp::BinarySubscr},
             {NisOp::StoreFast, 4},
             {NisOp::LoadFast, 2, -1, 5},
             {NisOp::LoadFast, 4},
             {NisOp::LoadConst, 1},
             {NisOp::BinarySubscr},
             {NisOp::BinaryOp, op(BinOpKind::Add), 1},
             {NisOp::StoreFast, 2},
             {NisOp::Jump, 7, -1, 3},
             {NisOp::LoadFast, 2, -1, 6},  // 20
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, op(BinOpKind::TrueDiv)},
             {NisOp::ReturnValue}});
}

// 1 def f(a):
// 2     return np.sort(a)
FunctionInput sort_function() {
  return NisBuilder("f", {"a"}, {}, 1)
      .global("sort", c_builtin(BuiltinId::NpSort))
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::ReturnValue}});
}

TEST(RuntimeFnTable, EverySymbolIsOneTheRuntimeHandsTheJit) {
  std::set<std::string> runtime;
  for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s) runtime.insert(s->name);
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(RuntimeFn::NumRuntimeFns); ++i) {
    std::string symbol = runtime_fn_symbol(static_cast<RuntimeFn>(i));
    EXPECT_TRUE(runtime.count(symbol)) << symbol << " is not in ember_runtime_symbols()";
    EXPECT_TRUE(seen.insert(symbol).second) << symbol << " is listed twice";
  }
}

TEST(RuntimeFnTable, DeclarationsHaveTheTablesSignatureAndAddressSpace) {
  llvm::LLVMContext ctx;
  llvm::Module m("m", ctx);
  llvm::Function *alloc = declare_runtime_fn(m, RuntimeFn::MeminfoAlloc, 0);
  EXPECT_EQ(alloc->getName(), "ember_meminfo_alloc");
  EXPECT_TRUE(alloc->getReturnType()->isPointerTy());
  ASSERT_EQ(alloc->arg_size(), 1u);
  EXPECT_TRUE(alloc->getArg(0)->getType()->isIntegerTy(64));
  EXPECT_TRUE(alloc->doesNotThrow());
  EXPECT_EQ(declare_runtime_fn(m, RuntimeFn::MeminfoAlloc, 0), alloc);  // declared once

  llvm::Function *sort = declare_runtime_fn(m, sort_runtime_fn(ScalarKind::Float32, false), 7);
  EXPECT_EQ(sort->getName(), "ember_sort_f32");
  EXPECT_TRUE(sort->getReturnType()->isVoidTy());
  ASSERT_EQ(sort->arg_size(), 3u);
  EXPECT_EQ(sort->getArg(0)->getType()->getPointerAddressSpace(), 7u);
  EXPECT_EQ(runtime_fn_symbol(sort_runtime_fn(ScalarKind::UInt16, true)),
            std::string("ember_argsort_u16"));
  EXPECT_EQ(runtime_fn_service(RuntimeFn::GemmF64), RuntimeService::Blas);
  EXPECT_EQ(runtime_fn_service(RuntimeFn::ParallelFor), RuntimeService::ThreadPool);
}

TEST(RuntimeServicesSet, AllHasEveryServiceAndNoneHasNone) {
  for (int i = 0; i < static_cast<int>(RuntimeService::NumServices); ++i) {
    auto s = static_cast<RuntimeService>(i);
    EXPECT_TRUE(RuntimeServices::all().has(s)) << service_name(s);
    EXPECT_FALSE(RuntimeServices().has(s)) << service_name(s);
    EXPECT_FALSE(RuntimeServices::all().without(s).has(s)) << service_name(s);
    EXPECT_TRUE(RuntimeServices().with(s).has(s)) << service_name(s);
  }
  EXPECT_TRUE(RuntimeServices::all().without(RuntimeService::Sort).has(RuntimeService::Random));
}

TEST_F(LowerTest, CpuTargetIsFlatWithEveryServiceAndRunsKernelsNatively) {
  CpuTarget &cpu = compiler().target();
  for (AddressSpace s : {AddressSpace::Generic, AddressSpace::Global, AddressSpace::Shared,
                         AddressSpace::Local, AddressSpace::Constant})
    EXPECT_EQ(cpu.address_space(s), 0u);
  EXPECT_EQ(cpu.services(), RuntimeServices::all());
  EXPECT_EQ(cpu.entry_abi(), EntryAbi::StatusWrapper);
  EXPECT_EQ(cpu.error_exit(), ErrorExit::CallerRecord);
  EXPECT_EQ(cpu.kernel_entry_abi(), EntryAbi::CpuKernel);
  EXPECT_EQ(cpu.warp_size(), 32);
}

TEST_F(LowerTest, DeviceLikeTargetPutsAllocasInItsLocalSpaceAndCountsNoReferences) {
  auto fn = compile(row_sum_function(),
                    {types().array(ScalarKind::Float64, 2, Layout::C), types().int64()});
  // On the CPU the row view takes a reference to its parent's meminfo.
  std::string cpu_ir = compiler().llvm_ir(*fn, false);
  ASSERT_TRUE(contains(cpu_ir, "@ember_meminfo_free")) << cpu_ir;
  ASSERT_TRUE(contains(cpu_ir, "atomicrmw")) << cpu_ir;

  // Typed for the device (no services: the function needs none), then lowered for it.
  DeviceLikeTarget device(compiler().target());
  auto typed = test::typed_for(device, row_sum_function(), types(),
                               {types().array(ScalarKind::Float64, 2, Layout::C), types().int64()});
  llvm::LLVMContext ctx;
  LoweredModule lm = lower_module(*typed, device, ctx);
  std::string ir = module_text(*lm.module);
  EXPECT_EQ(lm.module->getDataLayout().getAllocaAddrSpace(), 5u);
  int allocas = 0;
  std::istringstream lines(ir);
  for (std::string line; std::getline(lines, line);)
    if (contains(line, " = alloca ")) {
      ++allocas;
      EXPECT_TRUE(contains(line, "addrspace(5)")) << line;
    }
  EXPECT_GE(allocas, 1) << ir;  // at least the range iterator's state
  EXPECT_TRUE(contains(ir, "addrspacecast ptr addrspace(5) ")) << ir;
  // The ZeroDivisionError message is a constant in address space 4, read as a generic pointer.
  EXPECT_TRUE(
      std::regex_search(ir, std::regex("@ember\\.msg[.0-9]* = .*addrspace\\(4\\) constant")))
      << ir;
  EXPECT_TRUE(contains(ir, "addrspacecast (ptr addrspace(4) @ember.msg")) << ir;
  // Without an allocator every array is borrowed: no reference counts, no runtime at all.
  EXPECT_FALSE(contains(ir, "atomicrmw")) << ir;
  EXPECT_FALSE(contains(ir, "@ember_")) << ir;
  EXPECT_EQ(lm.services_used, RuntimeServices());
}

TEST_F(LowerTest, LoweringAServiceTheTargetLacksIsAnInternalError) {
  auto fn = compile(sort_function(), {types().array(ScalarKind::Float64, 1, Layout::C)});
  llvm::LLVMContext cpu_ctx;
  EXPECT_TRUE(
      lower_module(*fn->ir, compiler().target(), cpu_ctx).services_used.has(RuntimeService::Sort));
  DeviceLikeTarget device(compiler().target());
  llvm::LLVMContext ctx;
  try {
    lower_module(*fn->ir, device, ctx);
    FAIL() << "np.sort lowered without a sort service";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_TRUE(contains(e.what(), "a test kernel has no")) << e.what();
  }
}

}  // namespace
}  // namespace ember
