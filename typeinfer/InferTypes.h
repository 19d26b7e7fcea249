/** \file InferTypes.h
 * Type inference: a forward dataflow over the SSA function, repeated until no type changes.
 * Argument types seed it; each instruction's type comes from its rule (TypeRules.h); a block
 * parameter's type is the unification of its incoming arguments; the return type is the
 * unification of the returned values (or the declared one).  A rule that fails on provisional
 * types is retried on the final ones, and only then reported, at the user's line.
 *
 * Calls to other jitted functions go through a CalleeResolver, which compiles (or finds) the
 * callee's specialization for the argument types; a call of the function to itself with its
 * own argument types is typed from the return type inferred so far (recursion is typeable when
 * some return path does not recurse).
 */
#pragma once

#include <string>
#include <vector>

#include "ir/IR.h"
#include "ir/RuntimeService.h"

namespace ember {

/// What a user's @overload_method or @overload_attribute (ember/extending.py) gives a type.
struct UserAttribute {
  enum class Kind : uint8_t { None, Method, Attribute };
  Kind kind = Kind::None;
  uint64_t handle = 0;  ///< the overload's handle: resolve() it with the receiver first
};

class CalleeResolver {
 public:
  virtual ~CalleeResolver() = default;
  /// The user's overload of attribute `name` for values of type obj, asked when the type has
  /// no built-in attribute of that name (UserAttrRules.cpp).  Kind::None when there is none.
  virtual UserAttribute lookup_attribute(TypeId obj, const std::string &name, SourceLoc loc) {
    return {};
  }
  /// The specialization of jitted function `dispatcher` for a call with these argument types
  /// (positional ones, then the keyword ones named by kwnames).  Raises CompileError.
  virtual CalleeRef resolve(uint64_t dispatcher, const std::vector<TypeId> &args,
                            const std::vector<std::string> &kwnames, SourceLoc loc) = 0;
};

struct InferOptions {
  uint64_t self_handle = 0;  ///< the dispatcher of the function being compiled
  TypeId declared_return;    ///< from an explicit signature; Unknown when inferred
  /// The runtime services the target offers: using a feature that needs another is a
  /// TypingError (CheckServices.h).  Each target's compiler narrows it to its own.
  RuntimeServices services = RuntimeServices::all();
  /// The target as those errors name it: "a CUDA kernel" (Target::display_name).
  std::string target_name = "the target";
  /// A CUDA kernel or device function: the kernel language (ember.cuda) is allowed, and a
  /// kernel (not a device function) must return None (check_kernel_returns).
  bool kernel = false;
  /// The warp (wavefront) size of the kernel's target: lane masks (ballot_sync, activemask,
  /// lanemask_lt) are 32-bit integers, as numba-cuda types them, and 64-bit on a 64-wide AMD
  /// wavefront (Target::warp_size).
  int warp_size = 32;
};

/// Types every value of f; sets f.arg_types and f.return_type.
void infer_types(Function &f, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
                 const InferOptions &options);

/// A kernel returns None: a TypingError at the first `return` of another value.  Runs after
/// infer_types, before make_explicit turns every return into the common type.
void check_kernel_returns(const Function &f);

/// Makes implicit conversions and argument binding explicit after inference: Cast instructions
/// on branch arguments, returns, arithmetic and comparison operands, array stores and call
/// arguments; keyword and default arguments become positional ones.  Lowering relies on it.
void make_explicit(Function &f);

}  // namespace ember
