// A @cfunc's C pointers in compiled code (typing: typeinfer/CFuncRules.cpp): ember.carray /
// farray make an array struct over the pointer with no MemInfo and no parent, borrowed as an
// argument array is (the C caller owns the memory for the call), and ptr[i] loads or stores one
// element.
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_carray(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  V data = get(d.operands[1]);
  Value shape_value = d.operands[2];
  TypeId st = type(shape_value);
  std::vector<V> shape;
  if (types_.kind(st) == TypeKind::Tuple) {
    const auto &elems = types_.get(st).elems;
    V tup = get(shape_value);
    for (unsigned k = 0; k < elems.size(); ++k)
      shape.push_back(convert(from_memory(b_.CreateExtractValue(tup, {k}), elems[k]), elems[k],
                              types_.int64()));
  } else {
    shape.push_back(convert(get(shape_value), st, types_.int64()));
  }
  int nd = static_cast<int>(shape.size());
  uint64_t itemsize = static_cast<uint64_t>(bit_width(types_.dtype(rt)) / 8);
  std::vector<V> strides(shape.size());
  V stride = llvm::ConstantInt::get(i64_, itemsize);
  bool fortran = id == BuiltinId::EmberFarray;
  for (int i = 0; i < nd; ++i) {
    int k = fortran ? i : nd - 1 - i;  // the fastest-varying axis first
    strides[static_cast<size_t>(k)] = stride;
    stride = b_.CreateMul(stride, shape[static_cast<size_t>(k)]);
  }
  auto *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  return make_array(rt, null, null, data, shape, strides);
}

namespace {
/// The address of ptr[index] for a typed pointer.
V element_address(llvm::IRBuilder<> &b, DataModel &dm, V ptr, V index, TypeId elem) {
  return b.CreateGEP(dm.memory_type(elem), ptr, {index});
}
}  // namespace

V FunctionLowerer::lower_pointer_getitem(const InstData &d) {
  TypeId elem = type(d.result);
  V index = convert(get(d.operands[1]), type(d.operands[1]), types_.int64());
  V at = element_address(b_, dm_, get(d.operands[0]), index, elem);
  return from_memory(b_.CreateLoad(mt(elem), at), elem);
}

void FunctionLowerer::lower_pointer_setitem(const InstData &d) {
  const TypeData &pd = types_.get(type(d.operands[0]));
  TypeId elem = types_.scalar(static_cast<ScalarKind>(pd.a));
  V index = convert(get(d.operands[1]), type(d.operands[1]), types_.int64());
  V at = element_address(b_, dm_, get(d.operands[0]), index, elem);
  V v = convert(get(d.operands[2]), type(d.operands[2]), elem);
  b_.CreateStore(to_memory(v, elem), at);
}

}  // namespace ember
