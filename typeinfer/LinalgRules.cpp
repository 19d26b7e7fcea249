// Typing of the LAPACK builtins (ir/Builtins.def, "ember.npapi.lapack"): the routines ember's
// own np.linalg (ember/npapi/linalg.py) calls.  They are internal: each takes C-contiguous
// float32, float64, complex64 or complex128 buffers holding column-major matrices (the first
// one's dtype picks the routine), real buffers of that precision for singular values and
// Hermitian eigenvalues, pivot and rank buffers, and sizes,
// in a fixed order (runtime/Lapack.cpp), and returns LAPACK's INFO as an int64.  The checks
// here keep a wrong call from reaching the runtime with buffers of the wrong kind.
#include "typeinfer/CallRules.h"

namespace ember {

namespace {

/// Each operand: 'a' a buffer of the first one's dtype, 'r' a buffer of its real precision
/// (float32 for complex64), 'I' an int32 buffer, 'L' an int64 buffer, 'n' an integer, 'f' a
/// float.
const char *lapack_operands(BuiltinId id) {
  switch (id) {
    case BuiltinId::LapackGetrf: return "aInn";
    case BuiltinId::LapackGesv: return "aIann";
    case BuiltinId::LapackPotrf: return "an";
    case BuiltinId::LapackGesdd: return "araannnnn";
    case BuiltinId::LapackSyevd: return "arnn";
    case BuiltinId::LapackGeev: return "aaaann";
    case BuiltinId::LapackGelsd: return "aarLnnnnf";
    case BuiltinId::LapackGeqrf: return "aann";
    case BuiltinId::LapackOrgqr: return "aannn";
    default: return nullptr;
  }
}

ScalarKind real_part_kind(ScalarKind k) {
  switch (k) {
    case ScalarKind::Complex64: return ScalarKind::Float32;
    case ScalarKind::Complex128: return ScalarKind::Float64;
    default: return k;
  }
}

}  // namespace

bool is_lapack_builtin(BuiltinId id) { return lapack_operands(id) != nullptr; }

const BuiltinSignature *lapack_builtin_signature(BuiltinId id) {
  static const BuiltinSignature positional{{}, 0, true};
  return is_lapack_builtin(id) ? &positional : nullptr;
}

TypeId type_lapack_call(BuiltinCall &c) {
  const char *ops = lapack_operands(c.id);
  if (!ops) return TypeId{};
  TypeContext &types = c.types;
  std::string pattern(ops);
  if (c.nargs() != pattern.size())
    typing_error(c.cx.loc()) << c.name() << "() takes " << pattern.size() << " arguments";
  ScalarKind kind = ScalarKind::Float64;
  for (size_t k = 0; k < pattern.size(); ++k) {
    TypeId t = c.arg(k);
    bool ok = false;
    switch (pattern[k]) {
      case 'a':
      case 'r':
      case 'I':
      case 'L': {
        if (!types.is_array(t) || types.layout(t) != Layout::C || types.readonly(t)) break;
        ScalarKind dk = types.dtype(t);
        if (pattern[k] == 'I')
          ok = dk == ScalarKind::Int32;
        else if (pattern[k] == 'L')
          ok = dk == ScalarKind::Int64;
        else if (k == 0)
          ok = dk == ScalarKind::Float32 || dk == ScalarKind::Float64 ||
               dk == ScalarKind::Complex64 || dk == ScalarKind::Complex128,
          kind = dk;
        else if (pattern[k] == 'r')
          ok = dk == real_part_kind(kind);
        else
          ok = dk == kind;
        break;
      }
      case 'n': ok = types.is_scalar(t) && is_integer(types.scalar_kind(t)); break;
      case 'f': ok = types.is_scalar(t) && !is_complex(types.scalar_kind(t)); break;
      default: break;
    }
    if (!ok)
      typing_error(c.cx.loc()) << c.name() << "(): argument " << k + 1 << " has the wrong type ("
                               << types.to_string(t) << ")";
  }
  return types.int64();
}

}  // namespace ember
