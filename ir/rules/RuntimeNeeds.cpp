// What typed instructions need from the runtime (RuntimeNeeds.h).
#include "ir/rules/RuntimeNeeds.h"

#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"

namespace ember {

namespace {

/// Whether values of t hold an array (an array, or a tuple or optional of one).
bool holds_array(const TypeContext &types, TypeId t) {
  const TypeData &d = types.get(t);
  switch (d.kind) {
    case TypeKind::Array: return true;
    case TypeKind::Tuple:
    case TypeKind::Optional:
      for (TypeId e : d.elems)
        if (holds_array(types, e)) return true;
      return false;
    default: return false;
  }
}

void builtin_needs(const Function &f, const InstData &d, BuiltinId id,
                   std::vector<RuntimeNeed> *out) {
  const TypeContext &types = f.types();
  auto need = [&](RuntimeService s, NeedKind k) { out->push_back({s, k}); };
  if (is_complex_fn_builtin(id))
    for (size_t k = 1; k < d.operands.size(); ++k) {
      TypeId t = unwrap_optional(types, f.type(d.operands[k]));
      ScalarKind sk = types.is_array(t)    ? types.dtype(t)
                      : types.is_scalar(t) ? types.scalar_kind(t)
                                           : ScalarKind::Bool;
      if (is_complex(sk)) need(RuntimeService::ComplexMath, NeedKind::ComplexFunction);
    }
  switch (id) {
    case BuiltinId::Min:
    case BuiltinId::Max:
    case BuiltinId::Any:
    case BuiltinId::Iter:
    case BuiltinId::Next:
    case BuiltinId::All:  // over a string literal's characters (runtime strings)
      for (size_t k = 1; k < d.operands.size(); ++k)
        if (d.operands[k].valid() && types.kind(f.type(d.operands[k])) == TypeKind::Str)
          need(RuntimeService::Strings, NeedKind::StringOp);
      break;
    case BuiltinId::Prange: need(RuntimeService::ThreadPool, NeedKind::ParallelLoop); break;
    case BuiltinId::EmberGetThreadId:
    case BuiltinId::EmberGetNumThreads:
      need(RuntimeService::ThreadPool, NeedKind::ThreadQuery);
      break;
    case BuiltinId::NpSort:
    case BuiltinId::NpArgsort:
    case BuiltinId::NpUnique:
    case BuiltinId::ArraySort: need(RuntimeService::Sort, NeedKind::Sorting); break;
    case BuiltinId::NpRandomSeed:
    case BuiltinId::NpRandomRandom:
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn:
    case BuiltinId::NpRandomUniform:
    case BuiltinId::NpRandomNormal:
    case BuiltinId::NpRandomRandint:
    case BuiltinId::NpRandomStandardNormal:
    case BuiltinId::NpRandomChoice:
    case BuiltinId::BitgenNextUint64:  // a host BitGenerator's functions
    case BuiltinId::BitgenNextUint32:
    case BuiltinId::BitgenNextDouble: need(RuntimeService::Random, NeedKind::RandomDraw); break;
    case BuiltinId::LapackGetrf:
    case BuiltinId::LapackGesv:
    case BuiltinId::LapackPotrf:
    case BuiltinId::LapackGesdd:
    case BuiltinId::LapackSyevd:
    case BuiltinId::LapackGeev:
    case BuiltinId::LapackGelsd:
    case BuiltinId::LapackGeqrf:
    case BuiltinId::LapackOrgqr: need(RuntimeService::Blas, NeedKind::MatrixProduct); break;
    case BuiltinId::NpDot:
    case BuiltinId::NpMatmul:
      if (dot_calls_gemm(types, f.type(d.operands[1]), f.type(d.operands[2]), f.type(d.result)))
        need(RuntimeService::Blas, NeedKind::MatrixProduct);
      break;
    default: break;
  }
  if (!d.result.valid() || !holds_array(types, f.type(d.result))) return;
  bool view = false;
  switch (id) {
    case BuiltinId::NpReshape:
    case BuiltinId::NpRavel:
    case BuiltinId::NpTranspose:
    case BuiltinId::ArrayFlatten: view = shape_op_is_view(types, id, f.type(d.operands[1])); break;
    // Kernel arrays live in shared, local (a stack slot) or constant memory, not the heap.
    case BuiltinId::CudaSharedArray:
    case BuiltinId::CudaLocalArray:
    case BuiltinId::CudaConstArrayLike:
    case BuiltinId::ViewOf: view = true; break;
    default: break;
  }
  if (!view) need(RuntimeService::Allocator, NeedKind::NewArray);
}

}  // namespace

bool dot_calls_gemm(const TypeContext &types, TypeId a, TypeId b, TypeId result) {
  if (!types.is_array(a) || !types.is_array(b) || !types.is_array(result)) return false;
  if (types.ndim(a) != 2 || types.ndim(b) != 2) return false;
  ScalarKind rk = types.dtype(result);
  return (rk == ScalarKind::Float64 || rk == ScalarKind::Float32) && types.dtype(a) == rk &&
         types.dtype(b) == rk;
}

bool shape_op_is_view(const TypeContext &types, BuiltinId id, TypeId input) {
  switch (id) {
    case BuiltinId::NpTranspose: return true;
    // A C-contiguous array is reshaped or raveled in place; any other is copied first.
    case BuiltinId::NpReshape:
    case BuiltinId::NpRavel: return types.is_array(input) && types.layout(input) == Layout::C;
    default: return false;  // ndarray.flatten always copies
  }
}

std::vector<RuntimeNeed> runtime_needs(const Function &f, const InstData &d) {
  const TypeContext &types = f.types();
  std::vector<RuntimeNeed> out;
  bool array_result = d.result.valid() && types.is_array(f.type(d.result));
  // A runtime string anywhere in the instruction: strings live in MemInfos (host only).
  auto is_runtime_string = [&](Value v) {
    TypeKind k = types.kind(f.type(v));
    // A literal too where an operator works on it (`"ab" == "ab"`, `"abc"[1]`).
    bool op = d.op == Op::BinOp || d.op == Op::Compare || d.op == Op::Contains ||
              d.op == Op::GetItem || d.op == Op::GetIter;
    return k == TypeKind::Unicode || k == TypeKind::UnicodeIter || (op && k == TypeKind::Str);
  };
  bool strings = d.result.valid() && is_runtime_string(d.result);
  for (Value v : d.operands) strings = strings || (v.valid() && is_runtime_string(v));
  if (strings) out.push_back({RuntimeService::Strings, NeedKind::StringOp});
  auto container = [&](Value v) {
    if (!v.valid()) return false;
    TypeKind k = types.kind(f.type(v));
    return types.is_container(f.type(v)) || k == TypeKind::DictView || k == TypeKind::ListIter ||
           k == TypeKind::DictIter || k == TypeKind::Instance;  // jitclass instances: MemInfos
  };
  bool uses_container = container(d.result);
  for (Value v : d.operands) uses_container |= container(v);
  if (uses_container && d.op != Op::IncRef && d.op != Op::DecRef) {
    out.push_back({RuntimeService::Containers, NeedKind::Container});
    return out;
  }
  switch (d.op) {
    case Op::Call: {
      const TypeData &callee = types.get(f.type(d.operands[0]));
      if (callee.kind == TypeKind::Builtin) {
        builtin_needs(f, d, static_cast<BuiltinId>(callee.a), &out);
      } else if (callee.kind == TypeKind::NumberClass) {
        if (array_result) out.push_back({RuntimeService::Allocator, NeedKind::NewArray});
      } else if (callee.kind == TypeKind::Dispatcher &&
                 static_cast<CalleeKind>(callee.a) == CalleeKind::UfuncKernel && array_result) {
        out.push_back({RuntimeService::Allocator, NeedKind::ArrayExpression});
      }
      // A jitted callee is checked when it is compiled; a gufunc writes the outputs it is given.
      break;
    }
    case Op::BinOp:
      if (static_cast<BinOpKind>(d.imm) == BinOpKind::MatMul) {
        if (dot_calls_gemm(types, f.type(d.operands[0]), f.type(d.operands[1]), f.type(d.result)))
          out.push_back({RuntimeService::Blas, NeedKind::MatrixProduct});
        if (array_result) out.push_back({RuntimeService::Allocator, NeedKind::NewArray});
        break;
      }
      if (array_result)
        out.push_back({RuntimeService::Allocator, d.imm2 && types.is_array(f.type(d.operands[0]))
                                                      ? NeedKind::InPlaceUpdate
                                                      : NeedKind::ArrayExpression});
      break;
    case Op::Compare:
    case Op::Unary:
      if (array_result) out.push_back({RuntimeService::Allocator, NeedKind::ArrayExpression});
      break;
    case Op::GetItem:
    case Op::SetItem: {
      TypeId base = f.type(d.operands[0]);
      if (!types.is_array(base)) break;
      if (d.op == Op::SetItem && holds_array(types, f.type(d.operands[2]))) {
        out.push_back({RuntimeService::Allocator, NeedKind::ArrayAssignment});
        break;
      }
      if (d.op == Op::GetItem)
        for (const IndexItem &it : analyze_index(f, types, d.operands[1], d.loc))
          if (it.kind == IndexItem::Kind::Array) {
            out.push_back({RuntimeService::Allocator, NeedKind::ArrayIndex});
            break;
          }
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace ember
