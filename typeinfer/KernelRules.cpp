// Typing rules for the kernel language (ember.cuda, numba.cuda's names and types): thread and
// block indices, shared / local / constant arrays, barriers and fences, warp shuffles and votes,
// bit operations and atomics.  They apply only where InferOptions::kernel is set (kernels and
// device functions); anywhere else a kernel builtin is a TypingError at the user's line.
// Thread indices are int64 (as numba-cuda's grid() and gridsize()); laneid and warpsize int32,
// the votes bool, ballot_sync int32, activemask and lanemask_lt uint32, as numba-cuda types them
// (64-bit on a 64-wide AMD wavefront: InferOptions::warp_size).
#include "ir/rules/Kernel.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

[[noreturn]] void outside_kernel(SourceLoc loc, BuiltinId id) {
  typing_error(loc) << builtin_display_name(id)
                    << " can only be used in a CUDA kernel or device function (@cuda.jit)";
}

bool is_atomic_kind(ScalarKind k, bool floats) {
  switch (k) {
    case ScalarKind::Int32:
    case ScalarKind::UInt32:
    case ScalarKind::Int64:
    case ScalarKind::UInt64: return true;
    case ScalarKind::Float32:
    case ScalarKind::Float64: return floats;
    default: return false;
  }
}

/// The dtypes an atomic accepts, as numba-cuda: all six for add, sub, max, min, nanmax, nanmin;
/// the integers for and, or, xor, exch, cas; the unsigned ones for inc and dec.
bool atomic_accepts(BuiltinId id, ScalarKind k) {
  switch (id) {
    case BuiltinId::CudaAtomicAdd:
    case BuiltinId::CudaAtomicSub:
    case BuiltinId::CudaAtomicMax:
    case BuiltinId::CudaAtomicMin:
    case BuiltinId::CudaAtomicNanmax:
    case BuiltinId::CudaAtomicNanmin: return is_atomic_kind(k, true);
    case BuiltinId::CudaAtomicInc:
    case BuiltinId::CudaAtomicDec: return k == ScalarKind::UInt32 || k == ScalarKind::UInt64;
    default: return is_atomic_kind(k, false);
  }
}

const char *atomic_dtypes(BuiltinId id) {
  switch (id) {
    case BuiltinId::CudaAtomicAdd:
    case BuiltinId::CudaAtomicSub:
    case BuiltinId::CudaAtomicMax:
    case BuiltinId::CudaAtomicMin:
    case BuiltinId::CudaAtomicNanmax:
    case BuiltinId::CudaAtomicNanmin: return "int32, uint32, int64, uint64, float32 or float64";
    case BuiltinId::CudaAtomicInc:
    case BuiltinId::CudaAtomicDec: return "uint32 or uint64";
    default: return "int32, uint32, int64 or uint64";
  }
}

TypeId type_atomic(BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId a = c.param(0);
  if (!types.is_array(a))
    typing_error(c.cx.loc()) << c.name() << "(): the first argument must be an array, not "
                             << types.to_string(a);
  ScalarKind k = types.dtype(a);
  if (!atomic_accepts(c.id, k))
    typing_error(c.cx.loc()) << c.name() << "() works on arrays of " << atomic_dtypes(c.id)
                             << ", not " << scalar_name(k);
  if (types.readonly(a)) typing_error(c.cx.loc()) << c.name() << "(): the array is read-only";
  size_t first_value = 2;
  if (c.id == BuiltinId::CudaAtomicCompareAndSwap) {
    if (types.ndim(a) != 1)
      typing_error(c.cx.loc()) << c.name() << "() works on 1-d arrays (it uses element 0)";
    first_value = 1;
  } else {
    TypeId idx = c.param(1);
    int ndim = types.ndim(a);
    bool ok = ndim == 1 && c.is_int_like(idx);
    if (types.kind(idx) == TypeKind::Tuple) {
      const auto &elems = types.get(idx).elems;
      ok = static_cast<int>(elems.size()) == ndim;
      for (TypeId e : elems) ok &= c.is_int_like(e);
    }
    if (!ok)
      typing_error(c.cx.loc()) << c.name() << "(): the index of an element of a " << ndim
                               << "-d array is " << (ndim == 1 ? "an integer" : "")
                               << (ndim == 1 ? " or " : "") << "a tuple of " << ndim
                               << " integers, not " << types.to_string(idx);
  }
  for (size_t p = first_value; p < c.bound.size(); ++p)
    if (!c.is_number(c.param(p)) || is_complex(c.kind_of(c.param(p))))
      typing_error(c.cx.loc()) << c.name() << "(): the value must be a number, not "
                               << types.to_string(c.param(p));
  return types.scalar(k);
}

/// cuda.shared.array / cuda.local.array(shape, dtype): a C-contiguous array of a constant shape.
TypeId type_array_decl(BuiltinCall &c) {
  TypeContext &types = c.types;
  std::vector<int64_t> shape;
  if (!constant_shape(c.cx.f, c.value(0), &shape) || shape.empty())
    typing_error(c.cx.loc()) << c.name() << "(): the shape must be an integer constant or a "
                             << "tuple of them, known when the kernel is compiled";
  for (int64_t d : shape)
    if (d < 0) typing_error(c.cx.loc()) << c.name() << "(): a negative extent (" << d << ")";
  bool dynamic = c.id == BuiltinId::CudaSharedArray && shape.size() == 1 && shape[0] == 0;
  if (c.id == BuiltinId::CudaLocalArray && shape.size() == 1 && shape[0] == 0)
    typing_error(c.cx.loc()) << c.name() << "(): a local array needs a size (shape 0 is "
                             << "cuda.shared.array's dynamic shared memory)";
  ScalarKind k;
  if (!c.given(1) || !dtype_of(types, c.param(1), &k))
    typing_error(c.cx.loc()) << c.name() << "(): dtype must be a NumPy type such as np.float32 "
                             << "or a string such as 'f4'";
  if (dynamic) return types.array(k, 1, Layout::C);  // sized by the launch
  return types.array(k, static_cast<int>(shape.size()), Layout::C);
}

bool is_shuffle_value(const BuiltinCall &c, TypeId t) {
  t = unwrap_optional(c.types, t);
  return c.types.is_scalar(t) && !is_complex(c.types.scalar_kind(t));
}

}  // namespace

const BuiltinSignature *kernel_builtin_signature(BuiltinId id) {
  if (!is_kernel_builtin(id)) return nullptr;
  using S = BuiltinSignature;
  static const S none{{}, 0, false}, ndim{{"ndim"}, 1, false};
  static const S array_decl{{"shape", "dtype"}, 2, false}, like{{"ary"}, 1, false};
  static const S pred{{"predicate"}, 1, false}, mask{{"mask"}, 0, false};
  static const S shfl{{"mask", "value", "src_lane"}, 3, false};
  static const S shfl_delta{{"mask", "value", "delta"}, 3, false};
  static const S shfl_xor{{"mask", "value", "lane_mask"}, 3, false};
  static const S vote{{"mask", "predicate"}, 2, false}, one{{"x"}, 1, false};
  static const S fma{{"a", "b", "c"}, 3, false};
  static const S atomic{{"ary", "idx", "val"}, 3, false};
  static const S cas{{"ary", "idx", "old", "val"}, 4, false};
  static const S compare_and_swap{{"ary", "old", "val"}, 3, false};
  switch (id) {
    case BuiltinId::CudaGrid:
    case BuiltinId::CudaGridsize: return &ndim;
    case BuiltinId::CudaSharedArray:
    case BuiltinId::CudaLocalArray: return &array_decl;
    case BuiltinId::CudaConstArrayLike: return &like;
    case BuiltinId::CudaSyncthreadsCount:
    case BuiltinId::CudaSyncthreadsAnd:
    case BuiltinId::CudaSyncthreadsOr: return &pred;
    case BuiltinId::CudaSyncwarp: return &mask;
    case BuiltinId::CudaShflSync: return &shfl;
    case BuiltinId::CudaShflUpSync:
    case BuiltinId::CudaShflDownSync: return &shfl_delta;
    case BuiltinId::CudaShflXorSync: return &shfl_xor;
    case BuiltinId::CudaAllSync:
    case BuiltinId::CudaAnySync:
    case BuiltinId::CudaEqSync:
    case BuiltinId::CudaBallotSync: return &vote;
    case BuiltinId::CudaPopc:
    case BuiltinId::CudaClz:
    case BuiltinId::CudaFfs:
    case BuiltinId::CudaBrev:
    case BuiltinId::CudaCbrt: return &one;
    case BuiltinId::CudaFma: return &fma;
    case BuiltinId::CudaAtomicCas: return &cas;
    case BuiltinId::CudaAtomicCompareAndSwap: return &compare_and_swap;
    default: return is_kernel_atomic(id) ? &atomic : &none;
  }
}

TypeId type_kernel_call(BuiltinCall &c) {
  if (!is_kernel_builtin(c.id)) return TypeId{};
  TypeContext &types = c.types;
  SourceLoc loc = c.cx.loc();
  if (!c.cx.kernel) outside_kernel(loc, c.id);
  if (is_kernel_atomic(c.id)) return type_atomic(c);
  switch (c.id) {
    case BuiltinId::CudaThreadIdx:
    case BuiltinId::CudaBlockIdx:
    case BuiltinId::CudaBlockDim:
    case BuiltinId::CudaGridDim:
      typing_error(loc) << c.name() << " is not callable: read " << c.name() << ".x, .y or .z";
    case BuiltinId::CudaLaneid:
    case BuiltinId::CudaWarpsize: typing_error(loc) << c.name() << " is a value, not a function";
    case BuiltinId::CudaGrid:
    case BuiltinId::CudaGridsize: {
      int64_t n;
      if (!c.const_param(0, &n) || n < 1 || n > 3)
        typing_error(loc) << c.name() << "() takes the constant 1, 2 or 3";
      if (n == 1) return types.int64();
      return types.tuple(std::vector<TypeId>(static_cast<size_t>(n), types.int64()));
    }
    case BuiltinId::CudaSharedArray:
    case BuiltinId::CudaLocalArray: return type_array_decl(c);
    case BuiltinId::CudaConstArrayLike: {
      TypeId a = c.param(0);
      if (!types.is_array(a))
        typing_error(loc) << c.name() << "() takes a NumPy array held in a global or closure "
                          << "variable, not " << types.to_string(a);
      Inst def = c.cx.f.def(c.value(0));
      if (!def.valid() || c.cx.f.inst(def).op != Op::Const)
        typing_error(loc) << c.name() << "() takes a NumPy array held in a global or closure "
                          << "variable (it is frozen into the kernel when it compiles)";
      return a;
    }
    case BuiltinId::CudaSyncthreads:
    case BuiltinId::CudaThreadfence:
    case BuiltinId::CudaThreadfenceBlock:
    case BuiltinId::CudaThreadfenceSystem: return types.none();
    case BuiltinId::CudaSyncthreadsCount:
    case BuiltinId::CudaSyncthreadsAnd:
    case BuiltinId::CudaSyncthreadsOr:
      check_truth(types, c.param(0), loc);
      return types.scalar(ScalarKind::Int32);
    case BuiltinId::CudaSyncwarp:
      if (c.given(0) && !c.is_int_like(c.param(0))) c.bad_args();
      return types.none();
    case BuiltinId::CudaShflSync:
    case BuiltinId::CudaShflUpSync:
    case BuiltinId::CudaShflDownSync:
    case BuiltinId::CudaShflXorSync:
      if (!c.is_int_like(c.param(0)) || !c.is_int_like(c.param(2)))
        typing_error(loc) << c.name() << "(): the mask and the lane are integers";
      if (!is_shuffle_value(c, c.param(1)))
        typing_error(loc) << c.name() << "() shuffles integers, floats and bools, not "
                          << types.to_string(c.param(1));
      return unwrap_optional(types, c.param(1));
    case BuiltinId::CudaAllSync:
    case BuiltinId::CudaAnySync:
    case BuiltinId::CudaEqSync:
    case BuiltinId::CudaBallotSync:
      if (!c.is_int_like(c.param(0))) typing_error(loc) << c.name() << "(): the mask is an integer";
      check_truth(types, c.param(1), loc);
      if (c.id != BuiltinId::CudaBallotSync) return types.boolean();
      return types.scalar(c.cx.warp_size == 64 ? ScalarKind::Int64 : ScalarKind::Int32);
    case BuiltinId::CudaActivemask:
    case BuiltinId::CudaLanemaskLt:
      return types.scalar(c.cx.warp_size == 64 ? ScalarKind::UInt64 : ScalarKind::UInt32);
    case BuiltinId::CudaPopc:
    case BuiltinId::CudaClz:
    case BuiltinId::CudaFfs:
    case BuiltinId::CudaBrev: {
      TypeId t = unwrap_optional(types, c.param(0));
      if (!types.is_scalar(t) || !is_integer(types.scalar_kind(t)))
        typing_error(loc) << c.name() << "() takes an integer, not " << types.to_string(t);
      if (c.id == BuiltinId::CudaFfs) return types.scalar(ScalarKind::UInt32);
      return t;
    }
    case BuiltinId::CudaFma:
    case BuiltinId::CudaCbrt: {
      bool single = true;
      for (size_t p = 0; p < c.bound.size(); ++p) {
        if (!c.is_number(c.param(p)) || is_complex(c.kind_of(c.param(p)))) c.bad_args();
        single &= c.kind_of(c.param(p)) == ScalarKind::Float32;
      }
      return types.scalar(single ? ScalarKind::Float32 : ScalarKind::Float64);
    }
    default: break;
  }
  internal_error << "no typing rule for " << c.name();
}

TypeId type_kernel_attr(RuleContext &cx, BuiltinId id, const std::string &name, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  if (!cx.kernel) outside_kernel(cx.loc(), id);
  if (grid_query_index(id) < 0)
    typing_error(cx.loc()) << builtin_display_name(id) << " has no attribute '" << name << "'";
  AttrId a;
  if (name == "x")
    a = AttrId::GridAxisX;
  else if (name == "y")
    a = AttrId::GridAxisY;
  else if (name == "z")
    a = AttrId::GridAxisZ;
  else
    typing_error(cx.loc()) << builtin_display_name(id) << " has the attributes x, y and z, not '"
                           << name << "'";
  *attr_id = static_cast<uint32_t>(a);
  return types.int64();
}

TypeId type_kernel_value(RuleContext &cx, BuiltinId id, uint32_t *attr_id) {
  if (!cx.kernel) outside_kernel(cx.loc(), id);
  *attr_id = static_cast<uint32_t>(AttrId::KernelValue);
  return cx.types.scalar(ScalarKind::Int32);
}

void check_kernel_returns(const Function &f) {
  const TypeContext &types = f.types();
  for (uint32_t b = 0; b < f.num_blocks(); ++b) {
    const InstData &t = f.terminator(Block{b});
    if (t.op != Op::Ret) continue;
    TypeId r = f.type(t.operands[0]);
    if (types.kind(r) != TypeKind::None)
      typing_error(t.loc) << "a kernel returns None; this returns " << types.to_string(r)
                          << " (write results into an array argument)";
  }
}

}  // namespace ember
