// Features the target's runtime lacks become TypingErrors at the user's line (CheckServices.h).
// What each instruction needs is ir/rules/RuntimeNeeds.h; this file only words the message.
#include "typeinfer/CheckServices.h"

#include <string>

#include "ir/rules/RuntimeNeeds.h"

namespace ember {

namespace {

/// The operation as the user wrote it: "np.zeros()", "`*` on arrays", ...
std::string operation(const Function &f, const InstData &d) {
  const TypeContext &types = f.types();
  switch (d.op) {
    case Op::Call: {
      const TypeData &callee = types.get(f.type(d.operands[0]));
      switch (callee.kind) {
        case TypeKind::Builtin:
          return builtin_display_name(static_cast<BuiltinId>(callee.a)) + "()";
        case TypeKind::NumberClass:
          return std::string(callee.b ? "" : "np.") +
                 scalar_name(static_cast<ScalarKind>(callee.a)) + "() of an array";
        default: return "a @vectorize function on arrays";
      }
    }
    case Op::BinOp:
      return std::string("`") + binop_symbol(static_cast<BinOpKind>(d.imm)) +
             (d.imm2 ? "=` on an array" : "` on arrays");
    case Op::Compare:
      return std::string("`") + cmp_symbol(static_cast<CmpKind>(d.imm)) + "` on arrays";
    case Op::Unary:
      return std::string("unary `") + unary_symbol(static_cast<UnaryKind>(d.imm)) + "` on an array";
    default: return "this operation";
  }
}

[[noreturn]] void reject(const Function &f, const InstData &d, NeedKind kind,
                         const std::string &target) {
  std::string op = operation(f, d);
  switch (kind) {
    case NeedKind::NewArray:
      typing_error(d.loc) << op << " allocates an array, which " << target
                          << " cannot do; allocate it on the host and pass it in";
    case NeedKind::ArrayExpression:
      typing_error(d.loc) << op << " allocates an array for its result, which " << target
                          << " cannot do; compute it element by element in a loop";
    case NeedKind::InPlaceUpdate:
      typing_error(d.loc) << op << " may allocate a temporary array, which " << target
                          << " cannot do; update it element by element in a loop";
    case NeedKind::ArrayAssignment:
      typing_error(d.loc) << "assigning an array to array elements may allocate a temporary "
                             "copy, which "
                          << target << " cannot do; copy it element by element in a loop";
    case NeedKind::ArrayIndex:
      typing_error(d.loc) << "indexing an array with an array allocates an array, which " << target
                          << " cannot do; loop over the indices instead";
    case NeedKind::Sorting:
      typing_error(d.loc) << op << " needs the runtime's sort, which " << target
                          << " does not have";
    case NeedKind::ComplexFunction:
      typing_error(d.loc) << op << " of a complex number needs the runtime's complex functions, "
                          << "which " << target << " does not have";
    case NeedKind::RandomDraw:
      typing_error(d.loc) << op << " needs the runtime's random generator, which " << target
                          << " does not have";
    case NeedKind::MatrixProduct:
      typing_error(d.loc) << op << " needs the runtime's matrix product (BLAS) for float "
                          << "matrices, which " << target
                          << " does not have; write the product as loops";
    case NeedKind::ParallelLoop:
      typing_error(d.loc) << op << " needs a thread pool, which " << target
                          << " does not have; use range()";
    case NeedKind::ThreadQuery:
      typing_error(d.loc) << op << " asks the thread pool, which " << target << " does not have";
    case NeedKind::Container:
      typing_error(d.loc) << "lists, dicts and sets live in host memory, which " << target
                          << " cannot use; use arrays";
    case NeedKind::StringOp:
      typing_error(d.loc) << "strings are host-only: " << target
                          << " has no runtime for them (ember/str.h)";
  }
  internal_error << "unknown need";
}

}  // namespace

void check_services(const Function &f, const InferOptions &options) {
  if (options.services == RuntimeServices::all()) return;
  if (f.flags.parallel && !options.services.has(RuntimeService::ThreadPool))
    typing_error(SourceLoc{f.firstlineno})
        << "parallel=True needs a thread pool, which " << options.target_name << " does not have";
  for (uint32_t b = 0; b < f.num_blocks(); ++b)
    for (Inst i : f.block(Block{b}).insts) {
      const InstData &d = f.inst(i);
      for (const RuntimeNeed &need : runtime_needs(f, d))
        if (!options.services.has(need.service)) reject(f, d, need.kind, options.target_name);
    }
}

}  // namespace ember
