// Shared test builders: the NIS assembler, constants, the fake resolver, IR queries and the
// reference-count balance checker used by the InsertRefcounts tests.
#include "tests/cpp/TestHelpers.h"

#include <algorithm>
#include <sstream>

#include "lowering/FuseArrayExprs.h"
#include "typeinfer/BuildSSA.h"

namespace ember::test {

// ---- constants ----------------------------------------------------------------------------------

ConstValue c_none() { return ConstValue{}; }

ConstValue c_bool(bool v) {
  ConstValue c;
  c.kind = ConstValue::Kind::Bool;
  c.i = v ? 1 : 0;
  return c;
}

ConstValue c_int(int64_t v) {
  ConstValue c;
  c.kind = ConstValue::Kind::Int;
  c.i = v;
  return c;
}

ConstValue c_float(double v) {
  ConstValue c;
  c.kind = ConstValue::Kind::Float;
  c.f = v;
  return c;
}

ConstValue c_str(const std::string &s) {
  ConstValue c;
  c.kind = ConstValue::Kind::Str;
  c.str = s;
  return c;
}

ConstValue c_tuple(std::vector<ConstValue> elems) {
  ConstValue c;
  c.kind = ConstValue::Kind::Tuple;
  c.elems = std::move(elems);
  return c;
}

ConstValue c_builtin(BuiltinId id) {
  ConstValue c;
  c.kind = ConstValue::Kind::Builtin;
  c.builtin = id;
  return c;
}

ConstValue c_dispatcher(uint64_t handle, const std::string &name) {
  ConstValue c;
  c.kind = ConstValue::Kind::Dispatcher;
  c.handle = handle;
  c.str = name;
  return c;
}

ConstValue c_exception(int32_t exc_id, const std::string &name) {
  ConstValue c;
  c.kind = ConstValue::Kind::ExceptionClass;
  c.i = exc_id;
  c.str = name;
  return c;
}

ConstValue c_number_class(ScalarKind k) {
  ConstValue c;
  c.kind = ConstValue::Kind::NumberClass;
  c.i = static_cast<int64_t>(k);
  c.str = scalar_name(k);
  return c;
}

// ---- the NIS assembler --------------------------------------------------------------------------

namespace {
bool is_jump(NisOp op) {
  switch (op) {
    case NisOp::ForIter:
    case NisOp::Jump:
    case NisOp::PopJumpIfTrue:
    case NisOp::PopJumpIfFalse:
    case NisOp::PopJumpIfNone:
    case NisOp::PopJumpIfNotNone: return true;
    default: return false;
  }
}
}  // namespace

NisBuilder::NisBuilder(std::string name, std::vector<std::string> args,
                       std::vector<std::string> locals, int32_t firstlineno) {
  in_.name = name;
  in_.qualname = name;
  in_.filename = "test.py";
  in_.firstlineno = firstlineno;
  in_.argcount = static_cast<int32_t>(args.size());
  in_.varnames = std::move(args);
  in_.varnames.insert(in_.varnames.end(), locals.begin(), locals.end());
}

NisBuilder &NisBuilder::consts(std::vector<ConstValue> values) {
  in_.consts = std::move(values);
  return *this;
}

NisBuilder &NisBuilder::global(const std::string &name, ConstValue value) {
  in_.names.push_back(name);
  in_.name_values.push_back(std::move(value));
  return *this;
}

NisBuilder &NisBuilder::attr(const std::string &name) {
  ConstValue none;
  none.kind = ConstValue::Kind::Unsupported;
  none.str = "the attribute name " + name;
  return global(name, none);
}

NisBuilder &NisBuilder::self_handle(uint64_t handle) {
  in_.self_handle = handle;
  return *this;
}

NisBuilder &NisBuilder::module(uint64_t handle, ModuleAttrs attrs) {
  in_.modules[handle] = std::move(attrs);
  return *this;
}

FunctionInput NisBuilder::code(const std::vector<Ins> &code) const {
  FunctionInput in = in_;
  int32_t line = in.firstlineno + 1;
  for (size_t k = 0; k < code.size(); ++k) {
    const Ins &i = code[k];
    NisInstr n;
    n.op = i.op;
    if (is_jump(i.op)) {
      n.target = i.arg;
    } else {
      n.arg = i.arg;
    }
    n.arg2 = i.arg2 >= 0 || i.op == NisOp::Call ? i.arg2 : 0;
    if (i.line > 0) line = i.line;
    n.line = line;
    n.offset = static_cast<int32_t>(2 * k);
    in.code.push_back(n);
  }
  return in;
}

FunctionInput nis(std::vector<std::string> varnames, int32_t argcount, const std::vector<Ins> &code,
                  std::vector<ConstValue> consts) {
  std::vector<std::string> args(varnames.begin(), varnames.begin() + argcount);
  std::vector<std::string> locals(varnames.begin() + argcount, varnames.end());
  return NisBuilder("f", args, locals).consts(std::move(consts)).code(code);
}

// ---- the fake resolver --------------------------------------------------------------------------

void FakeResolver::add_simple(uint64_t handle, TypeId result) {
  add(handle, [handle, result](const std::vector<TypeId> &args, const std::vector<std::string> &) {
    CalleeRef ref;
    ref.dispatcher = handle;
    ref.params = args;
    ref.result = result;
    for (size_t i = 0; i < args.size(); ++i) ref.arg_map.push_back(static_cast<int32_t>(i));
    ref.symbol = "callee." + std::to_string(handle);
    return ref;
  });
}

CalleeRef FakeResolver::resolve(uint64_t dispatcher, const std::vector<TypeId> &args,
                                const std::vector<std::string> &kwnames, SourceLoc loc) {
  requests.push_back({dispatcher, args, kwnames, loc});
  auto it = handlers_.find(dispatcher);
  if (it == handlers_.end())
    typing_error(loc) << "fake resolver: unknown dispatcher " << dispatcher;
  return it->second(args, kwnames);
}

// ---- pipeline shortcuts -------------------------------------------------------------------------

std::unique_ptr<Function> infer(const FunctionInput &in, TypeContext &types,
                                const std::vector<TypeId> &args, CalleeResolver *resolver) {
  FakeResolver none;
  std::unique_ptr<Function> f = build_ssa(in, types);
  InferOptions options;
  options.self_handle = in.self_handle;
  infer_types(*f, args, resolver ? *resolver : none, options);
  return f;
}

// ---- IR queries ---------------------------------------------------------------------------------

std::vector<Inst> find_insts(const Function &f, Op op) {
  std::vector<Inst> out;
  for (uint32_t b = 0; b < f.num_blocks(); ++b)
    for (Inst i : f.block(Block{b}).insts)
      if (f.inst(i).op == op) out.push_back(i);
  return out;
}

Inst find_one(const Function &f, Op op) {
  std::vector<Inst> all = find_insts(f, op);
  return all.size() == 1 ? all[0] : Inst{};
}

std::vector<Inst> find_builtin_calls(const Function &f, BuiltinId id) {
  std::vector<Inst> out;
  for (Inst i : find_insts(f, Op::Call)) {
    Inst callee = f.def(f.inst(i).operands[0]);
    if (!callee.valid() || f.inst(callee).op != Op::Const) continue;
    const ConstValue &c = f.consts[static_cast<size_t>(f.inst(callee).imm)];
    if (c.kind == ConstValue::Kind::Builtin && c.builtin == id) out.push_back(i);
  }
  return out;
}

size_t count_op(const Function &f, Op op) { return find_insts(f, op).size(); }

// ---- the reference-count balance checker --------------------------------------------------------

namespace {

class BalanceChecker {
 public:
  BalanceChecker(const Function &f, int max_visits) : f_(f), max_visits_(max_visits) {
    tracked_.assign(f.num_values(), false);
    for (uint32_t v = 0; v < f.num_values(); ++v) {
      TypeId t = f.type(Value{v});
      // A fused value is computed inline by its user and never owns a reference.
      tracked_[v] = !t.unknown() && f.types().needs_refcount(t) && !f.is_fused(Value{v});
      // A borrowed argument or bound method (imm2 = 1, InsertRefcounts) owns no reference.
      const ValueData &vd = f.value(Value{v});
      if (tracked_[v] && !vd.is_param) {
        const InstData &d = f.inst(Inst{vd.owner});
        if ((d.op == Op::Arg || d.op == Op::GetAttr) && d.imm2 == 1) tracked_[v] = false;
      }
    }
  }

  std::string run() {
    std::vector<int> counts(f_.num_values(), 0);
    std::vector<int> visits(f_.num_blocks(), 0);
    walk(f_.entry(), counts, visits, "bb0");
    return error_;
  }

 private:
  bool tracked(Value v) const { return v.valid() && tracked_[v.id]; }

  void fail(const std::string &path, const std::string &what) {
    if (error_.empty()) error_ = what + " (path " + path + ")";
  }

  std::string owned(const std::vector<int> &counts) {
    std::ostringstream os;
    for (uint32_t v = 0; v < counts.size(); ++v)
      if (counts[v] != 0) os << " %" << v << "=" << counts[v];
    return os.str();
  }

  void define(Value v, std::vector<int> &counts, const std::string &path) {
    if (!tracked(v)) return;
    if (counts[v.id] != 0)
      fail(path, "%" + std::to_string(v.id) + " is redefined while it owns " +
                     std::to_string(counts[v.id]) + " reference(s): a leak");
    counts[v.id] = 1;
  }

  void use(Value v, std::vector<int> &counts, const std::string &path, const char *what) {
    if (tracked(v) && counts[v.id] <= 0)
      fail(path, "%" + std::to_string(v.id) + " is used by " + what +
                     " after its last reference "
                     "was dropped");
  }

  void walk(Block b, std::vector<int> counts, std::vector<int> visits, const std::string &path) {
    if (!error_.empty() || ++paths_ > 20000) return;
    if (++visits[b.id] > max_visits_) return;
    const BlockData &bd = f_.block(b);
    for (Inst i : bd.insts) {
      const InstData &d = f_.inst(i);
      if (d.result.valid() && f_.is_fused(d.result)) continue;  // runs inside its user
      if (may_raise(f_, d)) check_unwind(i, counts, path);
      switch (d.op) {
        case Op::IncRef:
          use(d.operands[0], counts, path, "incref");
          if (tracked(d.operands[0])) ++counts[d.operands[0].id];
          continue;
        case Op::DecRef:
          if (tracked(d.operands[0])) {
            if (counts[d.operands[0].id] <= 0)
              fail(path, "%" + std::to_string(d.operands[0].id) +
                             " is decref'd with no reference "
                             "left: a double free");
            --counts[d.operands[0].id];
          }
          continue;
        case Op::Ret: {
          Value r = d.operands[0];
          use(r, counts, path, "ret");
          if (tracked(r)) --counts[r.id];
          std::string left = owned(counts);
          if (!left.empty()) fail(path, "references left at ret:" + left);
          return;
        }
        case Op::Raise: {
          std::string left = owned(counts);
          if (!left.empty()) fail(path, "references left at raise:" + left);
          return;
        }
        case Op::Unreachable: return;
        case Op::Br:
        case Op::CondBr:
          for (Value v : d.operands) use(v, counts, path, op_name(d.op));
          for (const BlockCall &t : d.targets) {
            std::vector<int> next = counts;
            for (Value a : t.args) {
              use(a, next, path, "a branch argument");
              if (tracked(a)) --next[a.id];
            }
            for (Value p : f_.block(t.block).params) define(p, next, path);
            walk(t.block, next, visits, path + " bb" + std::to_string(t.block.id));
          }
          return;
        default:
          for (Value v : effective_operands(f_, d)) use(v, counts, path, op_name(d.op));
          define(d.result, counts, path);
          break;
      }
    }
  }

  /// What the error path of instruction i drops must be exactly what is owned before it runs.
  void check_unwind(Inst i, const std::vector<int> &counts, const std::string &path) {
    std::vector<uint32_t> want, have;
    for (uint32_t v = 0; v < counts.size(); ++v)
      if (counts[v] > 0) want.push_back(v);
    auto it = f_.unwind.find(i.id);
    if (it != f_.unwind.end())
      for (Value v : it->second) have.push_back(v.id);
    std::sort(have.begin(), have.end());
    if (want != have) {
      std::ostringstream os;
      os << "the unwind set of " << op_name(f_.inst(i).op) << " in bb" << f_.inst(i).block.id
         << " drops {";
      for (uint32_t v : have) os << " %" << v;
      os << " } but {";
      for (uint32_t v : want) os << " %" << v;
      os << " } are owned";
      fail(path, os.str());
    }
  }

  const Function &f_;
  int max_visits_;
  std::vector<bool> tracked_;
  std::string error_;
  long paths_ = 0;
};

}  // namespace

std::string check_refcount_balance(const Function &f, int max_visits) {
  return BalanceChecker(f, max_visits).run();
}

}  // namespace ember::test
