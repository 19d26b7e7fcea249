/** \file RuntimeNeeds.h
 * What a typed instruction needs from the runtime library at run time (RuntimeService.h):
 * arrays made in compiled code need the allocator, np.sort the sort kernels, prange the thread
 * pool, and so on.  Typing rejects an instruction whose service the target lacks, at the user's
 * line (typeinfer/CheckServices.h); lowering picks its code paths with the same predicates
 * (dot_calls_gemm, shape_op_is_view), so the two agree on every instruction.
 *
 * Conservative where lowering decides at run time: a copy between arrays that may overlap goes
 * through a temporary only when they do, but needs the allocator all the same.
 */
#pragma once

#include <vector>

#include "ir/IR.h"
#include "ir/RuntimeService.h"

namespace ember {

/// Why an instruction needs a service (what the message about it says).
enum class NeedKind : uint8_t {
  NewArray,         ///< a call returns a new array: np.zeros, np.copy, a.astype, np.cumsum, ...
  ArrayExpression,  ///< an element-wise operation on arrays makes its result
  InPlaceUpdate,    ///< `a op= b` on an array: through a temporary when the operands overlap
  ArrayAssignment,  ///< `a[...] = array`: through a temporary when the two overlap
  ArrayIndex,       ///< `a[mask]`, `a[int_array]`: a new array
  Sorting,          ///< np.sort, np.argsort, np.unique, a.sort
  RandomDraw,       ///< np.random.*
  MatrixProduct,    ///< np.dot, np.matmul, @ of float matrices (gemm)
  ParallelLoop,     ///< prange
  ThreadQuery,      ///< ember.get_thread_id, ember.get_num_threads
  Container,        ///< a list, dict or set (made, read or changed): host memory only
  StringOp,         ///< anything that makes or reads a runtime string
  ComplexFunction,  ///< np.exp, np.sqrt, np.sin, ... of a complex number
};

struct RuntimeNeed {
  RuntimeService service;
  NeedKind kind;
};

/// The services instruction d of f needs (typed and explicit IR: after make_explicit), the
/// most specific first: np.sort needs Sort, then the Allocator for its result.
std::vector<RuntimeNeed> runtime_needs(const Function &f, const InstData &d);

/// Whether np.dot / np.matmul / @ of arrays of types a and b (result type `result`) calls the
/// runtime's gemm: two matrices of the result's float dtype.  Otherwise it is loops.
bool dot_calls_gemm(const TypeContext &types, TypeId a, TypeId b, TypeId result);

/// Whether a shape operation (np.reshape, np.ravel, np.transpose, ndarray.flatten) on an array
/// of type `input` returns a view of it rather than a new array.
bool shape_op_is_view(const TypeContext &types, BuiltinId id, TypeId input);

}  // namespace ember
