/** \file DataModel.h
 * How ember's types are laid out in LLVM: the value type an SSA value of a type has in
 * registers, and the memory type it has inside arrays, tuples and the ABI (ember/abi.h).  The two
 * differ only for bool (i1 in registers, i8 in memory).  Compile-time types have no LLVM type.
 * This is target-neutral: CPU, CUDA and ROCm share it; the only thing a target changes is the
 * address space of its pointers (the target's Generic one).
 */
#pragma once

#include <cstddef>
#include <unordered_map>

#include "ember/abi.h"
#include "ir/Types.h"
#include "lowering/LLVMHeaders.h"

namespace ember {

class DataModel {
 public:
  /// Pointers (array data, meminfos, iterator states, the error record's message) are in
  /// `pointer_space`: the target's AddressSpace::Generic.
  DataModel(llvm::LLVMContext &ctx, TypeContext &types, unsigned pointer_space);

  llvm::LLVMContext &context() const { return ctx_; }
  TypeContext &types() const { return types_; }
  /// The pointer type of every pointer in the data model.
  llvm::PointerType *pointer_type() const { return ptr_; }

  /// The register type of values of t, or nullptr for compile-time types.
  llvm::Type *value_type(TypeId t);
  /// The in-memory type of t (arrays elements, tuple fields, ABI slots).
  llvm::Type *memory_type(TypeId t);
  llvm::Type *scalar_type(ScalarKind k);
  /// The array struct {meminfo, parent, nitems, itemsize, data, shape[nd], strides[nd]}.
  llvm::StructType *array_type(int ndim);
  /// The iterator state structs; iterator values are pointers to them.
  llvm::Type *iterator_state_type(TypeId iter);
  /// {i32 exc, i32 line, ptr msg}
  llvm::StructType *error_type();

  // Field indices of the array struct.
  static constexpr unsigned kMeminfo = 0, kParent = 1, kNitems = 2, kItemsize = 3, kData = 4,
                            kShape = 5, kStrides = 6;

  // The runtime's ember_meminfo (ember/abi.h), which compiled code reads by byte offset: the
  // reference count it updates atomically and the data pointer of a new array.
  static constexpr uint64_t kMeminfoRefcountOffset = offsetof(ember_meminfo, refcount);
  static constexpr uint64_t kMeminfoDataOffset = offsetof(ember_meminfo, data);

 private:
  llvm::LLVMContext &ctx_;
  TypeContext &types_;
  llvm::PointerType *ptr_;
  std::unordered_map<uint32_t, llvm::Type *> value_cache_, memory_cache_;
  std::unordered_map<int, llvm::StructType *> arrays_;
  llvm::StructType *error_ = nullptr;
};

}  // namespace ember
