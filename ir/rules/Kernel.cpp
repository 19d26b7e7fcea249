// The kernel language's shared facts (Kernel.h).
#include "ir/rules/Kernel.h"

namespace ember {

bool is_kernel_builtin(BuiltinId id) {
  return id >= BuiltinId::CudaThreadIdx && id <= BuiltinId::CudaAtomicCompareAndSwap;
}

int grid_query_index(BuiltinId id) {
  switch (id) {
    case BuiltinId::CudaThreadIdx: return 0;
    case BuiltinId::CudaBlockIdx: return 1;
    case BuiltinId::CudaBlockDim: return 2;
    case BuiltinId::CudaGridDim: return 3;
    default: return -1;
  }
}

bool is_kernel_value(BuiltinId id) {
  return id == BuiltinId::CudaLaneid || id == BuiltinId::CudaWarpsize;
}

bool is_kernel_atomic(BuiltinId id) {
  return id >= BuiltinId::CudaAtomicAdd && id <= BuiltinId::CudaAtomicCompareAndSwap;
}

bool kernel_builtin_synchronizes(BuiltinId id) {
  switch (id) {
    case BuiltinId::CudaSyncthreads:
    case BuiltinId::CudaSyncthreadsCount:
    case BuiltinId::CudaSyncthreadsAnd:
    case BuiltinId::CudaSyncthreadsOr:
    case BuiltinId::CudaSyncwarp:
    case BuiltinId::CudaShflSync:
    case BuiltinId::CudaShflUpSync:
    case BuiltinId::CudaShflDownSync:
    case BuiltinId::CudaShflXorSync:
    case BuiltinId::CudaAllSync:
    case BuiltinId::CudaAnySync:
    case BuiltinId::CudaEqSync:
    case BuiltinId::CudaBallotSync:
    case BuiltinId::CudaActivemask: return true;
    default: return false;
  }
}

namespace {
bool constant_dims(const ConstValue &c, std::vector<int64_t> *out) {
  if (c.kind == ConstValue::Kind::Int) {
    out->push_back(c.i);
    return true;
  }
  if (c.kind != ConstValue::Kind::Tuple) return false;
  for (const ConstValue &e : c.elems) {
    if (e.kind != ConstValue::Kind::Int) return false;
    out->push_back(e.i);
  }
  return true;
}
}  // namespace

bool constant_shape(const Function &f, Value v, std::vector<int64_t> *out) {
  out->clear();
  int64_t k;
  if (f.const_int(v, &k)) {
    out->push_back(k);
    return true;
  }
  Inst def = f.def(v);
  if (!def.valid()) return false;
  const InstData &d = f.inst(def);
  if (d.op == Op::Cast) return constant_shape(f, d.operands[0], out);
  if (d.op == Op::Const) return constant_dims(f.consts[static_cast<size_t>(d.imm)], out);
  if (d.op != Op::BuildTuple) return false;
  for (Value e : d.operands) {
    if (!f.const_int(e, &k)) return false;
    out->push_back(k);
  }
  return true;
}

}  // namespace ember
