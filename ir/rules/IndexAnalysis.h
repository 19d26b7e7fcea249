/** \file IndexAnalysis.h
 * What a subscript means, and the types of indexing and iteration: rules that typing
 * (typeinfer/ArrayRules.cpp) and lowering (lowering/CodeGenArray.cpp, FuseArrayExprs.cpp) must
 * agree on, so they live here, below both.  Pure functions of the typed IR; they raise
 * typing_error/unsupported at the user's line for subscripts ember cannot compile.
 */
#pragma once

#include <vector>

#include "ir/IR.h"

namespace ember {

/// What is known at compile time about a slice.
struct SliceShape {
  bool unit_step = false;  ///< the step is absent or the constant 1
  bool full = false;       ///< `:` (no start, stop or step)
};

/// One part of a subscript.
struct IndexItem {
  /// Ellipsis: `...`, only as the last part: the remaining axes, kept whole; with an integer
  /// for every axis before it, it selects a 0-d view (np.nditer's elements) where the integers
  /// alone would select a scalar.
  enum class Kind : uint8_t { Int, Slice, NewAxis, Array, Ellipsis };
  Kind kind = Kind::Int;
  Value value;  ///< the part's value (invalid for elements of a tuple held in a variable)
  SliceShape slice;
};

/// Whether t (through an Optional) is an integer or a bool: what indexes one axis.
bool is_int_like(const TypeContext &types, TypeId t);
SliceShape slice_shape(const Function &f, Value slice);
/// The positions a slice with constant (or absent) bounds selects from a sequence of length n,
/// as Python's slice.indices; false when `slice` is not such a slice.  A constant step of 0 is a
/// typing error at `loc`, as it is a ValueError in Python.
bool const_slice_positions(const Function &f, Value slice, int64_t n, SourceLoc loc,
                           std::vector<int64_t> *out);
/// The axes of np.transpose(a, axes) / a.transpose(*axes) given as `args` (nothing: reversed;
/// one tuple; or one integer per axis), each a constant, as a permutation of 0..ndim-1 with
/// negative axes wrapped; a typing error at `loc` otherwise.
std::vector<int> transpose_axes(const Function &f, const std::vector<Value> &args, int ndim,
                                SourceLoc loc);
/// Splits `index` (an int, a slice, None, an array or a tuple of those) into its parts.
std::vector<IndexItem> analyze_index(const Function &f, const TypeContext &types, Value index,
                                     SourceLoc loc);
/// The type of array[index]: a scalar when every axis gets an integer, else a view.
/// With `f`, one boolean mask or 1-d integer array index is allowed (a copy, not a view).
TypeId view_type(TypeContext &types, TypeId array, const std::vector<IndexItem> &items,
                 SourceLoc loc, const Function *f = nullptr);
/// The element (ndim 1) or row-view (ndim > 1) type of iterating/indexing an array's first axis.
TypeId array_item_type(TypeContext &types, TypeId array);
/// The type of the values an iterator yields.
TypeId iterator_value_type(TypeContext &types, TypeId iter);

}  // namespace ember
