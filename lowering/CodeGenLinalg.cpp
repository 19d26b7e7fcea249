// The LAPACK builtins ember's np.linalg calls (typeinfer/LinalgRules.cpp): each becomes one call
// of its runtime wrapper (runtime/Lapack.cpp) with the element type first (0 float32, 1 float64,
// 2 complex64, 3 complex128),
// then every buffer as its data pointer and every size as an int64, in the builtin's order.
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_lapack(const InstData &d, BuiltinId id) {
  RuntimeFn fn;
  switch (id) {
    case BuiltinId::LapackGetrf: fn = RuntimeFn::LapackGetrf; break;
    case BuiltinId::LapackGesv: fn = RuntimeFn::LapackGesv; break;
    case BuiltinId::LapackPotrf: fn = RuntimeFn::LapackPotrf; break;
    case BuiltinId::LapackGesdd: fn = RuntimeFn::LapackGesdd; break;
    case BuiltinId::LapackSyevd: fn = RuntimeFn::LapackSyevd; break;
    case BuiltinId::LapackGeev: fn = RuntimeFn::LapackGeev; break;
    case BuiltinId::LapackGelsd: fn = RuntimeFn::LapackGelsd; break;
    case BuiltinId::LapackGeqrf: fn = RuntimeFn::LapackGeqrf; break;
    case BuiltinId::LapackOrgqr: fn = RuntimeFn::LapackOrgqr; break;
    default: internal_error << "not a LAPACK builtin";
  }
  TypeId first = type(d.operands[1]);
  int64_t kind = 1;
  switch (types_.dtype(first)) {
    case ScalarKind::Float32: kind = 0; break;
    case ScalarKind::Float64: kind = 1; break;
    case ScalarKind::Complex64: kind = 2; break;
    case ScalarKind::Complex128: kind = 3; break;
    default: internal_error << "a LAPACK builtin on a buffer of " << types_.to_string(first);
  }
  std::vector<V> args = {llvm::ConstantInt::get(i64_, static_cast<uint64_t>(kind))};
  for (size_t k = 1; k < d.operands.size(); ++k) {
    TypeId t = type(d.operands[k]);
    V v = get(d.operands[k]);
    if (types_.is_array(t)) {
      args.push_back(array_field(v, DataModel::kData));
    } else if (is_float(types_.scalar_kind(t))) {
      args.push_back(convert(v, t, types_.float64()));
    } else {
      args.push_back(convert(v, t, types_.int64()));
    }
  }
  return b_.CreateCall(runtime(fn), args);
}

}  // namespace ember
