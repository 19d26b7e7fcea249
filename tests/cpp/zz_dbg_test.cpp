#include <gtest/gtest.h>
#include "ir/IRPrinter.h"
#include "tests/cpp/TestHelpers.h"
using namespace ember; using namespace ember::test;
TEST(Dbg, X) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"n"}, {"s", "i"})
                         .consts({c_int(0), c_float(0.5)})
                         .global("range", c_builtin(BuiltinId::Range))
                         .code({{NisOp::LoadConst, 0}, {NisOp::StoreFast, 1}, {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0}, {NisOp::Call, 1},
                                {NisOp::GetIter}, {NisOp::ForIter, 14}, {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 1}, {NisOp::LoadConst, 1},
                                {NisOp::BinaryOp, 0}, {NisOp::StoreFast, 1}, {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1}, {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.int64()});
  printf("%s\n", print_function(*f).c_str());
}
