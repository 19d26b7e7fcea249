// The GPU's entry ABI and error exit run, not just read: lowering's EntryAbi::Kernel
// (GpuKernelEntry.cpp) and ErrorExit::DeviceRecord (DeviceError.cpp) are ordinary LLVM IR, so a
// target that answers as a GPU does for them but is the CPU otherwise lowers kernels the host's
// JIT can run.  The tests call such a kernel with flattened parameters (data, shape, strides)
// of arrays with unusual strides, and check where it stores; and that a raise fills the
// module's ember_device_error with the exception id, the line and the message id, that a
// thread finding the record claimed leaves it alone (first writer wins), and that a thread that
// raises stops before its later stores.  What only a GPU shows (ptxas, ld.global) is in
// CudaKernel_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ember/abi.h"
#include "lowering/Lower.h"
#include "targets/cpu/CpuJit.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/TestTargets.h"

namespace ember {
namespace {

using test::c_exception;
using test::c_float;
using test::c_int;
using test::c_none;
using test::c_str;
using test::NisBuilder;
using test::op;

/// The CPU, with a GPU's entry, error exit and (absent) runtime services.
class CpuAsGpuTarget : public test::DelegatingTarget {
 public:
  explicit CpuAsGpuTarget(Target &cpu) : DelegatingTarget(cpu) {}
  std::string display_name() const override { return "a test kernel"; }
  RuntimeServices services() const override { return RuntimeServices(); }
  EntryAbi entry_abi() const override { return EntryAbi::Kernel; }
  ErrorExit error_exit() const override { return ErrorExit::DeviceRecord; }
};

class GpuAbiOnCpuTest : public test::LowerTest {
 protected:
  /// Types `in` for the kernel target, lowers and JITs it (a JIT of its own: every module
  /// defines the record), and returns the kernel's and the record's addresses.
  std::pair<void *, ember_device_error *> build(const FunctionInput &in,
                                                const std::vector<TypeId> &args,
                                                LoweredModule *lowered = nullptr) {
    CpuAsGpuTarget target(compiler().target());
    auto f = test::typed_for(target, in, types(), args);
    jit_ = std::make_unique<CpuJit>(compiler().target());
    LoweredModule lm = lower_module(*f, target, jit_->context());
    compiler().target().optimize(*lm.module);
    std::string kernel = lm.wrapper;
    if (lowered) {
      lowered->kernel_params = lm.kernel_params;
      lowered->messages = lm.messages;
      lowered->writes_error_record = lm.writes_error_record;
    }
    std::vector<uint64_t> at = jit_->add(std::move(lm.module), {kernel, EMBER_DEVICE_ERROR_SYMBOL});
    return {reinterpret_cast<void *>(at[0]), reinterpret_cast<ember_device_error *>(at[1])};
  }

  std::unique_ptr<CpuJit> jit_;
};

// 1 def k(a, x):
// 2     a[1, -1] = x
FunctionInput store_function() {
  return NisBuilder("k", {"a", "x"})
      .consts({c_int(1), c_int(-1), c_none()})
      .code({{NisOp::LoadFast, 1, -1, 2},
             {NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::LoadConst, 1},
             {NisOp::BuildTuple, 2},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 2},
             {NisOp::ReturnValue}});
}

TEST_F(GpuAbiOnCpuTest, FlattenedArrayParametersAddressTheElement) {
  LoweredModule lm;
  auto [entry, record] = build(
      store_function(), {types().array(ScalarKind::Float64, 2, Layout::A), types().float64()}, &lm);
  ASSERT_EQ(lm.kernel_params.size(), 6u);
  using Kernel = void (*)(double *, int64_t, int64_t, int64_t, int64_t, double);
  auto kernel = reinterpret_cast<Kernel>(entry);
  // A 3 x 4 view of a 4 x 6 buffer, in Fortran order (strides 8 and 32 bytes), then the same
  // in C order of a wider buffer (strides 48 and 8): a[1, -1] is a[1, 3] in both.
  std::vector<double> buffer(24, 0.0);
  kernel(buffer.data(), 3, 4, 8, 32, 7.5);
  for (size_t k = 0; k < buffer.size(); ++k) EXPECT_EQ(buffer[k], k == 1 + 3 * 4 ? 7.5 : 0.0) << k;
  std::fill(buffer.begin(), buffer.end(), 0.0);
  kernel(buffer.data(), 3, 4, 48, 8, -2.0);
  for (size_t k = 0; k < buffer.size(); ++k) EXPECT_EQ(buffer[k], k == 6 + 3 ? -2.0 : 0.0) << k;
  EXPECT_EQ(record->status, EMBER_OK);
}

// 1 def k(a, i):
// 2     if i < 0:
// 3         raise ValueError("negative")
// 4     a[0] = 100 // i
// 5     a[1] = i
FunctionInput raising_function() {
  return NisBuilder("k", {"a", "i"})
      .consts({c_int(0), c_str("negative"), c_int(100), c_int(1), c_none()})
      .global("ValueError", c_exception(EMBER_EXC_ValueError, "ValueError"))
      .code({{NisOp::LoadFast, 1, -1, 2},
             {NisOp::LoadConst, 0},
             {NisOp::CompareOp, static_cast<int32_t>(CmpKind::Lt)},
             {NisOp::PopJumpIfFalse, 9},
             {NisOp::PushNull, 0, -1, 3},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadConst, 1},
             {NisOp::Call, 1},
             {NisOp::Raise, 1},
             {NisOp::LoadConst, 2, -1, 4},  // 9
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, op(BinOpKind::FloorDiv)},
             {NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::StoreSubscr},
             {NisOp::LoadFast, 1, -1, 5},
             {NisOp::LoadFast, 0},
             {NisOp::LoadConst, 3},
             {NisOp::StoreSubscr},
             {NisOp::LoadConst, 4},
             {NisOp::ReturnValue}});
}

TEST_F(GpuAbiOnCpuTest, FirstRaiseClaimsTheRecordAndLaterOnesLeaveIt) {
  LoweredModule lm;
  auto [entry, record] = build(
      raising_function(), {types().array(ScalarKind::Int64, 1, Layout::C), types().int64()}, &lm);
  EXPECT_TRUE(lm.writes_error_record);
  ASSERT_EQ(lm.messages.size(), 2u);
  int32_t negative = lm.messages[0] == "negative" ? 0 : 1;
  EXPECT_EQ(lm.messages[negative], "negative");
  EXPECT_EQ(lm.messages[1 - negative], "integer division or modulo by zero");
  using Kernel = void (*)(int64_t *, int64_t, int64_t, int64_t);
  auto kernel = reinterpret_cast<Kernel>(entry);
  int64_t a[2] = {-1, -1};

  kernel(a, 2, 8, 4);  // no raise
  EXPECT_EQ(a[0], 25);
  EXPECT_EQ(a[1], 4);
  EXPECT_EQ(record->status, EMBER_OK);

  a[0] = a[1] = -1;
  kernel(a, 2, 8, -3);  // line 3 raises and claims the record
  EXPECT_EQ(record->status, EMBER_RAISED);
  EXPECT_EQ(record->exc, EMBER_EXC_ValueError);
  EXPECT_EQ(record->line, 3);
  EXPECT_EQ(record->msg_id, negative);
  EXPECT_EQ(a[0], -1);  // the raising thread returned before its stores
  EXPECT_EQ(a[1], -1);

  kernel(a, 2, 8, 0);  // line 4 raises too, but finds the record claimed
  EXPECT_EQ(record->exc, EMBER_EXC_ValueError);
  EXPECT_EQ(record->line, 3);
  EXPECT_EQ(record->msg_id, negative);
  EXPECT_EQ(a[1], -1);

  std::memset(record, 0, sizeof *record);  // as the host does after raising
  kernel(a, 2, 8, 0);
  EXPECT_EQ(record->status, EMBER_RAISED);
  EXPECT_EQ(record->exc, EMBER_EXC_ZeroDivisionError);
  EXPECT_EQ(record->line, 4);
  EXPECT_EQ(record->msg_id, 1 - negative);
  EXPECT_EQ(a[1], -1);
}

}  // namespace
}  // namespace ember
