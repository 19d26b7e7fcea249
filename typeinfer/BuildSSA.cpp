#include "typeinfer/BuildSSA.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "typeinfer/NisCFG.h"

namespace ember {

namespace {

class SSABuilder {
 public:
  SSABuilder(const FunctionInput &in, TypeContext &types)
      : in_(in), f_(std::make_unique<Function>(types)), nis_(build_nis_cfg(in)) {}

  std::unique_ptr<Function> run() {
    init_function();
    find_assigned();
    make_blocks();
    compute_order();
    for (uint32_t b : order_) {
      maybe_seal(b);
      fill(b);
      filled_[b] = 1;
      for (uint32_t s : succs_[b]) maybe_seal(s);
    }
    for (uint32_t b = 0; b < f_->num_blocks(); ++b)
      internal_assert(sealed_[b]) << in_.qualname << ": bb" << b << " was never sealed";
    do remove_trivial_params();
    while (remove_redundant_param_cycles());
    for (uint32_t b = 0; b < f_->num_blocks(); ++b)
      for (Value p : f_->block(Block{b}).params)
        internal_assert(!is_null(p)) << in_.qualname << ": the NULL marker reached a phi";
    materialize_flags();
    remove_dead_code();
    return std::move(f_);
  }

 private:
  // ---- setup -------------------------------------------------------------------------------

  void init_function() {
    Function &f = *f_;
    f.name = in_.qualname;
    f.filename = in_.filename;
    f.firstlineno = in_.firstlineno;
    f.consts = in_.consts;
    f.consts.insert(f.consts.end(), in_.name_values.begin(), in_.name_values.end());
    f.names = in_.names;
    f.modules = in_.modules;
    int nargs = in_.argcount + in_.kwonlyargcount;
    for (int i = 0; i < nargs; ++i) f.arg_names.push_back(in_.varnames[static_cast<size_t>(i)]);
    null_const_ = static_cast<int64_t>(f.consts.size());
    ConstValue null;
    null.kind = ConstValue::Kind::Unsupported;
    null.str = "the NULL marker of a call";
    f.consts.push_back(null);
    none_const_ = static_cast<int64_t>(f.consts.size());
    f.consts.push_back(ConstValue{});
    ConstValue zero;  // a handler's lasti slot
    zero.kind = ConstValue::Kind::Int;
    zero_const_ = static_cast<int64_t>(f.consts.size());
    f.consts.push_back(zero);
    for (bool b : {false, true}) {
      ConstValue c;
      c.kind = ConstValue::Kind::Bool;
      c.i = b;
      (b ? true_const_ : false_const_) = static_cast<int64_t>(f.consts.size());
      f.consts.push_back(c);
    }
    nvars_ = static_cast<int>(in_.varnames.size());
  }

  /// One IR block per reachable NIS block, one per FOR_ITER body edge, and an entry block.
  void make_blocks() {
    entry_ = f_->add_block().id;
    ir_of_nis_.assign(nis_.blocks.size(), UINT32_MAX);
    for_body_.assign(nis_.blocks.size(), UINT32_MAX);
    for (size_t b = 0; b < nis_.blocks.size(); ++b) {
      if (nis_.blocks[b].entry_depth < 0) continue;
      ir_of_nis_[b] = f_->add_block().id;
      const NisInstr &last = in_.code[static_cast<size_t>(nis_.blocks[b].end - 1)];
      if (last.op == NisOp::ForIter) for_body_[b] = f_->add_block().id;
    }
    size_t n = f_->num_blocks();
    succs_.assign(n, {});
    preds_.assign(n, {});
    nis_of_ir_.assign(n, -1);
    body_of_ir_.assign(n, -1);
    auto edge = [&](uint32_t from, uint32_t to) {
      succs_[from].push_back(to);
      if (std::find(preds_[to].begin(), preds_[to].end(), from) == preds_[to].end())
        preds_[to].push_back(from);
    };
    edge(entry_, ir_of_nis_[0]);
    for (size_t b = 0; b < nis_.blocks.size(); ++b) {
      uint32_t ir = ir_of_nis_[b];
      if (ir == UINT32_MAX) continue;
      nis_of_ir_[ir] = static_cast<int32_t>(b);
      const NisBlock &nb = nis_.blocks[b];
      if (for_body_[b] != UINT32_MAX) {
        uint32_t body = for_body_[b];
        body_of_ir_[body] = static_cast<int32_t>(b);
        edge(ir, body);
        edge(ir, ir_of_nis_[static_cast<size_t>(nb.succs[1])]);
        edge(body, ir_of_nis_[static_cast<size_t>(nb.succs[0])]);
        continue;
      }
      for (int32_t s : nb.succs) edge(ir, ir_of_nis_[static_cast<size_t>(s)]);
    }
    sealed_.assign(n, 0);
    filled_.assign(n, 0);
    defs_.assign(n, {});
    incomplete_.assign(n, {});
    out_stack_.assign(n, {});
  }

  void compute_order() {
    size_t n = f_->num_blocks();
    std::vector<char> seen(n, 0);
    std::vector<uint32_t> post;
    std::vector<std::pair<uint32_t, size_t>> stack = {{entry_, 0}};
    seen[entry_] = 1;
    while (!stack.empty()) {
      auto &[b, next] = stack.back();
      if (next < succs_[b].size()) {
        uint32_t s = succs_[b][next++];
        if (!seen[s]) {
          seen[s] = 1;
          stack.push_back({s, 0});
        }
        continue;
      }
      post.push_back(b);
      stack.pop_back();
    }
    order_.assign(post.rbegin(), post.rend());
  }

  /// The locals assigned on every path into each NIS block (a must-analysis: the intersection
  /// over predecessors of what they leave assigned), so that only reads that may find a local
  /// unbound are checked.
  void find_assigned() {
    size_t nb = nis_.blocks.size(), nv = static_cast<size_t>(nvars_);
    std::vector<std::vector<int32_t>> preds(nb);
    for (size_t b = 0; b < nb; ++b)
      for (int32_t s : nis_.blocks[b].succs)
        preds[static_cast<size_t>(s)].push_back(static_cast<int32_t>(b));
    std::vector<char> all(nv, 1), args(nv, 0);
    for (int i = 0; i < in_.argcount + in_.kwonlyargcount; ++i) args[static_cast<size_t>(i)] = 1;
    assigned_in_.assign(nb, all);
    std::vector<std::vector<char>> out(nb, all);
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t b = 0; b < nb; ++b) {
        if (nis_.blocks[b].entry_depth < 0) continue;
        std::vector<char> in = b == 0 ? args : all;
        for (int32_t p : preds[b]) {
          if (nis_.blocks[static_cast<size_t>(p)].entry_depth < 0) continue;
          for (size_t v = 0; v < nv; ++v) in[v] &= out[static_cast<size_t>(p)][v];
        }
        std::vector<char> o = in;
        for (int32_t k = nis_.blocks[b].start; k < nis_.blocks[b].end; ++k) {
          const NisInstr &ins = in_.code[static_cast<size_t>(k)];
          if (ins.op == NisOp::StoreFast) o[static_cast<size_t>(ins.arg)] = 1;
          if (ins.op == NisOp::DeleteFast) o[static_cast<size_t>(ins.arg)] = 0;
        }
        if (in != assigned_in_[b] || o != out[b]) {
          assigned_in_[b] = std::move(in);
          out[b] = std::move(o);
          changed = true;
        }
      }
    }
  }

  // ---- Braun et al. ------------------------------------------------------------------------
  // Variables are locals (0..nvars-1), stack slots (nvars + depth) and, for each local, a bool
  // "is bound" flag (bound_flag(local)).  A read whose flag is not provably true is checked at
  // run time (CheckBound): CPython's UnboundLocalError instead of an uninitialized value.

  static int bound_flag(int local) { return -1 - local; }

  void write_var(int var, uint32_t block, Value v) { defs_[block][var] = v; }

  Value read_var(int var, uint32_t block) {
    auto it = defs_[block].find(var);
    if (it != defs_[block].end()) return it->second;
    return read_var_recursive(var, block);
  }

  Value read_var_recursive(int var, uint32_t block) {
    Value v;
    if (!sealed_[block]) {
      v = f_->add_param(Block{block});
      incomplete_[block].push_back({var, v});
    } else if (preds_[block].empty()) {
      v = var < 0 ? false_value() : undef();
    } else if (preds_[block].size() == 1) {
      v = read_var(var, preds_[block][0]);
    } else {
      v = f_->add_param(Block{block});
      write_var(var, block, v);
      add_param_operands(var, block);
    }
    write_var(var, block, v);
    return v;
  }

  /// Appends, for the newest parameter of `block`, the value of `var` in every predecessor.
  void add_param_operands(int var, uint32_t block) {
    for (uint32_t p : preds_[block]) {
      Value v = read_var(var, p);
      for (BlockCall &t : f_->terminator(Block{p}).targets)
        if (t.block.id == block) t.args.push_back(v);
    }
  }

  void maybe_seal(uint32_t block) {
    if (sealed_[block]) return;
    for (uint32_t p : preds_[block])
      if (!filled_[p]) return;
    sealed_[block] = 1;
    // Parameters were created in order; their operands must be appended in the same order.
    for (auto &[var, param] : incomplete_[block]) add_param_operands(var, block);
    incomplete_[block].clear();
  }

  // ---- instructions ------------------------------------------------------------------------

  Value emit(uint32_t block, Op op, std::vector<Value> operands, SourceLoc loc, int64_t imm = 0,
             int64_t imm2 = 0) {
    Inst i = f_->append(Block{block}, op, std::move(operands), true, loc, imm, imm2);
    return f_->inst(i).result;
  }
  void emit_void(uint32_t block, Op op, std::vector<Value> operands, SourceLoc loc) {
    f_->append(Block{block}, op, std::move(operands), false, loc);
  }
  Inst terminate(uint32_t block, Op op, std::vector<Value> operands, SourceLoc loc,
                 std::vector<uint32_t> targets) {
    Inst i = f_->append(Block{block}, op, std::move(operands), false, loc);
    for (uint32_t t : targets) f_->inst(i).targets.push_back(BlockCall{Block{t}, {}});
    return i;
  }

  /// A value defined once at the top of the entry block (so it dominates every use).
  Value entry_value(Value *slot, Op op, int64_t imm) {
    if (!slot->valid()) {
      Inst i = f_->insert(Block{entry_}, 0, op, {}, true, SourceLoc{in_.firstlineno}, imm);
      *slot = f_->inst(i).result;
    }
    return *slot;
  }
  Value undef() { return entry_value(&undef_, Op::Undef, 0); }
  // Flags are built from two placeholder values (ids past every real value), so that a flag
  // true on every incoming edge is a trivial phi, and so that the values of a function without
  // checks are numbered as if flags did not exist.  materialize_flags() makes the placeholders
  // still in use constants.
  static Value true_value() { return Value{UINT32_MAX - 1}; }
  static Value false_value() { return Value{UINT32_MAX - 2}; }
  static bool is_placeholder(Value v) { return v == true_value() || v == false_value(); }
  Value null_marker() { return entry_value(&null_, Op::Const, null_const_); }
  bool is_null(Value v) const { return null_.valid() && v == null_; }

  void fill(uint32_t block) {
    if (block == entry_) return fill_entry();
    if (body_of_ir_[block] >= 0) return fill_for_body(block);
    const NisBlock &nb = nis_.blocks[static_cast<size_t>(nis_of_ir_[block])];
    assigned_ = assigned_in_[static_cast<size_t>(nis_of_ir_[block])];
    std::vector<Value> stack;
    handler_ = nb.handler;
    if (nb.handler_entry >= 0) {
      // An exception handler: the stack below the try's depth, then lasti, then the exception.
      const NisHandler &h = in_.handlers[static_cast<size_t>(nb.handler_entry)];
      SourceLoc loc{in_.code[static_cast<size_t>(nb.start)].line};
      std::vector<char> below(nb.entry_nulls.begin(),
                              nb.entry_nulls.begin() + static_cast<std::ptrdiff_t>(h.depth));
      read_entry_stack(block, below, &stack);
      if (h.lasti) stack.push_back(emit(block, Op::Const, {}, loc, zero_const_));
      stack.push_back(emit(block, Op::CaughtException, {}, loc));
    } else {
      read_entry_stack(block, nb.entry_nulls, &stack);
    }
    for (int32_t k = nb.start; k < nb.end; ++k) {
      index_ = k;
      if (!translate(block, in_.code[static_cast<size_t>(k)], k + 1 == nb.end, stack)) return;
    }
    // Fell through into the next block (inside a try: or into the handler, if it raised).
    SourceLoc loc{in_.code[static_cast<size_t>(nb.end - 1)].line};
    if (nb.handler >= 0)
      terminate(block, Op::CatchBr, {}, loc, {succs_[block][0], succs_[block][1]});
    else
      terminate(block, Op::Br, {}, loc, {succs_[block][0]});
    publish_stack(block, stack);
  }

  void fill_entry() {
    int nargs = in_.argcount + in_.kwonlyargcount;
    for (int i = 0; i < nargs; ++i) {
      write_var(i, entry_, emit(entry_, Op::Arg, {}, SourceLoc{in_.firstlineno}, i));
      write_var(bound_flag(i), entry_, true_value());
    }
    terminate(entry_, Op::Br, {}, SourceLoc{in_.firstlineno}, {succs_[entry_][0]});
  }

  void fill_for_body(uint32_t block) {
    const NisBlock &head = nis_.blocks[static_cast<size_t>(body_of_ir_[block])];
    const NisInstr &for_iter = in_.code[static_cast<size_t>(head.end - 1)];
    // The FOR_ITER block's stack at its end, which ends with the iterator.
    std::vector<char> nulls = head.entry_nulls;
    for (int32_t k = head.start; k < head.end - 1; ++k)
      nis_track_nulls(in_.code[static_cast<size_t>(k)], nulls);
    std::vector<Value> stack;
    read_entry_stack(block, nulls, &stack);
    SourceLoc loc{for_iter.line};
    stack.push_back(emit(block, Op::IterValue, {stack.back()}, loc));
    terminate(block, Op::Br, {}, loc, {succs_[block][0]});
    publish_stack(block, stack);
  }

  /// The operand stack on entry to `block`: the NULL marker where the bytecode put one (it is
  /// the same on every edge, so it is never merged), the predecessors' values elsewhere.
  void read_entry_stack(uint32_t block, const std::vector<char> &nulls, std::vector<Value> *stack) {
    for (size_t d = 0; d < nulls.size(); ++d)
      stack->push_back(nulls[d] ? null_marker() : read_var(nvars_ + static_cast<int>(d), block));
  }

  void publish_stack(uint32_t block, const std::vector<Value> &stack) {
    for (size_t d = 0; d < stack.size(); ++d)
      write_var(nvars_ + static_cast<int>(d), block, stack[d]);
  }

  Value pop(std::vector<Value> &stack) {
    internal_assert(!stack.empty()) << in_.qualname << ": operand stack underflow";
    Value v = stack.back();
    stack.pop_back();
    return v;
  }

  /// Translates one NIS instruction; returns false when it terminated the block.
  bool translate(uint32_t block, const NisInstr &ins, bool last, std::vector<Value> &stack) {
    SourceLoc loc{ins.line};
    auto push = [&](Value v) { stack.push_back(v); };
    switch (ins.op) {
      case NisOp::LoadFast: push(load_local(block, ins.arg, loc)); break;
      case NisOp::LoadFastOrUndef: push(read_var(ins.arg, block)); break;
      case NisOp::StoreFast:
        write_var(ins.arg, block, pop(stack));
        write_var(bound_flag(ins.arg), block, true_value());
        assigned_[static_cast<size_t>(ins.arg)] = 1;
        break;
      case NisOp::DeleteFast:
        write_var(ins.arg, block, undef());
        write_var(bound_flag(ins.arg), block, false_value());
        assigned_[static_cast<size_t>(ins.arg)] = 0;
        break;
      case NisOp::LoadConst: push(emit(block, Op::Const, {}, loc, ins.arg)); break;
      case NisOp::LoadGlobal:
      case NisOp::LoadDeref:
        push(emit(block, Op::Const, {}, loc, static_cast<int64_t>(in_.consts.size()) + ins.arg));
        break;
      case NisOp::PushNull: push(null_marker()); break;
      case NisOp::LoadAttr: push(emit(block, Op::GetAttr, {pop(stack)}, loc, ins.arg)); break;
      case NisOp::Call: push(translate_call(block, ins, stack)); break;
      case NisOp::BinaryOp: {
        Value r = pop(stack), l = pop(stack);
        push(emit(block, Op::BinOp, {l, r}, loc, ins.arg, ins.arg2));
        break;
      }
      case NisOp::BinarySubscr: {
        Value i = pop(stack), c = pop(stack);
        push(emit(block, Op::GetItem, {c, i}, loc));
        break;
      }
      case NisOp::StoreSubscr: {
        Value i = pop(stack), c = pop(stack), v = pop(stack);
        emit_void(block, Op::SetItem, {c, i, v}, loc);
        break;
      }
      case NisOp::StoreAttr: {  // obj.name = v (a jitclass field); arg = the name's index
        Value obj = pop(stack), v = pop(stack);
        f_->append(Block{block}, Op::SetAttr, {obj, v}, false, loc, ins.arg);
        break;
      }
      case NisOp::BuildSlice:
      case NisOp::BuildTuple:
      case NisOp::BuildList: {
        std::vector<Value> elems(static_cast<size_t>(ins.arg));
        for (int32_t k = ins.arg - 1; k >= 0; --k) elems[static_cast<size_t>(k)] = pop(stack);
        Op op = ins.op == NisOp::BuildSlice   ? Op::BuildSlice
                : ins.op == NisOp::BuildTuple ? Op::BuildTuple
                                              : Op::BuildList;
        push(emit(block, op, elems, loc));
        break;
      }
      case NisOp::ListAppend:
      case NisOp::SetAdd:
      case NisOp::ListExtend:
      case NisOp::SetUpdate:
      case NisOp::DictUpdate: {
        // The container stays on the stack (comprehensions, displays with *x): a method call.
        Value item = pop(stack);
        internal_assert(ins.arg >= 1 && static_cast<size_t>(ins.arg) <= stack.size())
            << "bad " << nis_op_name(ins.op);
        Value c = stack[stack.size() - static_cast<size_t>(ins.arg)];
        BuiltinId id = ins.op == NisOp::ListAppend   ? BuiltinId::ListAppend
                       : ins.op == NisOp::SetAdd     ? BuiltinId::SetAdd
                       : ins.op == NisOp::ListExtend ? BuiltinId::ListExtend
                       : ins.op == NisOp::SetUpdate  ? BuiltinId::SetUpdate
                                                     : BuiltinId::DictUpdate;
        emit(block, Op::Call, {builtin_const(block, id, loc), c, item}, loc, -1);
        break;
      }
      case NisOp::MapAdd: {
        Value v = pop(stack), k = pop(stack);
        internal_assert(ins.arg >= 1 && static_cast<size_t>(ins.arg) <= stack.size())
            << "bad MAP_ADD";
        Value d = stack[stack.size() - static_cast<size_t>(ins.arg)];
        emit_void(block, Op::SetItem, {d, k, v}, loc);
        break;
      }
      case NisOp::BuildMap: {
        std::vector<Value> elems(2 * static_cast<size_t>(ins.arg));
        for (size_t k = elems.size(); k-- > 0;) elems[k] = pop(stack);
        push(emit(block, Op::BuildMap, elems, loc));
        break;
      }
      case NisOp::BuildConstKeyMap: {
        Value keys = pop(stack);
        std::vector<Value> values(static_cast<size_t>(ins.arg));
        for (size_t k = values.size(); k-- > 0;) values[k] = pop(stack);
        std::vector<Value> elems;
        for (size_t k = 0; k < values.size(); ++k) {
          elems.push_back(emit(block, Op::Unpack, {keys}, loc, static_cast<int64_t>(k), ins.arg));
          elems.push_back(values[k]);
        }
        push(emit(block, Op::BuildMap, elems, loc));
        break;
      }
      case NisOp::BuildSet: {
        std::vector<Value> elems(static_cast<size_t>(ins.arg));
        for (size_t k = elems.size(); k-- > 0;) elems[k] = pop(stack);
        push(emit(block, Op::BuildSet, elems, loc));
        break;
      }
      case NisOp::DeleteSubscr: {
        Value i = pop(stack), c = pop(stack);
        emit_void(block, Op::DelItem, {c, i}, loc);
        break;
      }
      case NisOp::ListToTuple:
        unsupported(loc) << "star-unpacking (*x) into a tuple is not supported in compiled code";
      case NisOp::CompareOp: {
        Value r = pop(stack), l = pop(stack);
        push(emit(block, Op::Compare, {l, r}, loc, ins.arg));
        break;
      }
      case NisOp::IsOp: {
        Value r = pop(stack), l = pop(stack);
        push(emit(block, Op::Is, {l, r}, loc, ins.arg));
        break;
      }
      case NisOp::ContainsOp: {
        Value container = pop(stack), item = pop(stack);
        push(emit(block, Op::Contains, {item, container}, loc, ins.arg));
        break;
      }
      case NisOp::Unary: push(emit(block, Op::Unary, {pop(stack)}, loc, ins.arg)); break;
      case NisOp::ToBool: push(emit(block, Op::Truth, {pop(stack)}, loc)); break;
      case NisOp::UnpackSequence: {
        Value seq = pop(stack);
        for (int32_t k = ins.arg - 1; k >= 0; --k)
          push(emit(block, Op::Unpack, {seq}, loc, k, ins.arg));
        break;
      }
      case NisOp::Copy: {
        internal_assert(ins.arg >= 1 && static_cast<size_t>(ins.arg) <= stack.size())
            << "bad COPY " << ins.arg;
        push(stack[stack.size() - static_cast<size_t>(ins.arg)]);
        break;
      }
      case NisOp::Swap: {
        internal_assert(ins.arg >= 2 && static_cast<size_t>(ins.arg) <= stack.size())
            << "bad SWAP " << ins.arg;
        std::swap(stack.back(), stack[stack.size() - static_cast<size_t>(ins.arg)]);
        break;
      }
      case NisOp::PopTop: pop(stack); break;
      case NisOp::GetIter: push(emit(block, Op::GetIter, {pop(stack)}, loc)); break;
      case NisOp::ForIter: {
        internal_assert(last) << "FOR_ITER not at the end of a block";
        Value ok = emit(block, Op::IterNext, {stack.back()}, loc);
        terminate(block, Op::CondBr, {ok}, loc, {succs_[block][0], succs_[block][1]});
        publish_stack(block, stack);
        return false;
      }
      case NisOp::Jump:
        terminate(block, Op::Br, {}, loc, {succs_[block][0]});
        publish_stack(block, stack);
        return false;
      case NisOp::PopJumpIfTrue:
      case NisOp::PopJumpIfFalse:
      case NisOp::PopJumpIfNone:
      case NisOp::PopJumpIfNotNone: {
        Value v = pop(stack);
        Value cond;
        if (ins.op == NisOp::PopJumpIfTrue || ins.op == NisOp::PopJumpIfFalse)
          cond = emit(block, Op::Truth, {v}, loc);
        else
          cond = emit(block, Op::Is, {v, emit(block, Op::Const, {}, loc, none_const_)}, loc);
        bool jump_when_true = ins.op == NisOp::PopJumpIfTrue || ins.op == NisOp::PopJumpIfNone;
        uint32_t fall = succs_[block][0], taken = succs_[block][1];
        if (fall == taken)
          terminate(block, Op::Br, {}, loc, {fall});
        else if (jump_when_true)
          terminate(block, Op::CondBr, {cond}, loc, {taken, fall});
        else
          terminate(block, Op::CondBr, {cond}, loc, {fall, taken});
        publish_stack(block, stack);
        return false;
      }
      case NisOp::ReturnValue: terminate(block, Op::Ret, {pop(stack)}, loc, {}); return false;
      case NisOp::Raise: {
        Value exc;
        if (ins.arg == 0) {
          // A bare `raise` re-raises the exception being handled: the copy PUSH_EXC_INFO left
          // at the top of the stack the except body runs on (its cleanup entry's depth).
          int32_t h = nis_handler_of(in_, index_);
          if (h < 0 || in_.handlers[static_cast<size_t>(h)].depth < 1)
            unsupported(loc) << "a bare `raise` outside an except clause is not supported";
          size_t slot = static_cast<size_t>(in_.handlers[static_cast<size_t>(h)].depth) - 1;
          internal_assert(slot < stack.size()) << "bare raise below the stack";
          exc = stack[slot];
        } else {
          if (ins.arg == 2) pop(stack);  // `raise X from Y`: the cause is not kept
          exc = pop(stack);
        }
        raise_to_handler(block, exc, loc, stack);
        return false;
      }
      case NisOp::Reraise: raise_to_handler(block, pop(stack), loc, stack); return false;
      case NisOp::PushExcInfo: {
        Value exc = pop(stack);
        push(exc);  // stands for CPython's previous exception: what a bare raise re-raises
        push(exc);
        break;
      }
      case NisOp::PopExcept: pop(stack); break;
      case NisOp::CheckExcMatch: {
        Value cls = pop(stack);
        push(emit(block, Op::ExcMatch, {stack.back(), cls}, loc));
        break;
      }
      case NisOp::UnreachableEH: terminate(block, Op::Unreachable, {}, loc, {}); return false;
      case NisOp::ReturnGenerator:  // the first op of a generator function
        f_->is_generator = true;
        push(emit(block, Op::Const, {}, loc, none_const_));
        break;
      case NisOp::YieldValue: push(emit(block, Op::Yield, {pop(stack)}, loc)); break;
      case NisOp::Reserved51:
      case NisOp::Reserved52:
      case NisOp::Reserved53:
      case NisOp::Reserved54:
      case NisOp::Reserved55:
      case NisOp::Reserved56:
      case NisOp::Reserved57:
      case NisOp::Reserved58:
      case NisOp::Reserved59:
        internal_error << "reserved NIS op " << static_cast<int>(ins.op);
      case NisOp::MakeFunction: {
        // The code object is frozen as a jitted function taking the captured values first; an
        // inner function without captures is that function itself.
        Value code = pop(stack);
        if (ins.arg & 8)
          push(emit(block, Op::MakeClosure, {code, pop(stack)}, loc));
        else
          push(code);
        break;
      }
    }
    return true;
  }

  /// Raises `exc`: into this block's handler when it is inside a try, else out of the function.
  void raise_to_handler(uint32_t block, Value exc, SourceLoc loc, std::vector<Value> &stack) {
    if (handler_ >= 0) {
      terminate(block, Op::Raise, {exc}, loc, {succs_[block].back()});
      publish_stack(block, stack);
    } else {
      terminate(block, Op::Raise, {exc}, loc, {});
    }
  }

  /// A read of local `var`, checked at run time unless it is assigned on every path here.  Only
  /// such reads look at the flags, so a function without one gets no flag phis at all.
  Value load_local(uint32_t block, int var, SourceLoc loc) {
    Value v = read_var(var, block);
    if (assigned_[static_cast<size_t>(var)]) return v;
    Value bound = read_var(bound_flag(var), block);
    auto [it, fresh] = name_of_var_.try_emplace(var, static_cast<int64_t>(f_->names.size()));
    if (fresh) f_->names.push_back(in_.varnames[static_cast<size_t>(var)]);
    return emit(block, Op::CheckBound, {v, bound}, loc, it->second);
  }

  /// A constant holding a builtin (the callee of a call the front end makes itself).
  Value builtin_const(uint32_t block, BuiltinId id, SourceLoc loc) {
    ConstValue c;
    c.kind = ConstValue::Kind::Builtin;
    c.builtin = id;
    int64_t idx = static_cast<int64_t>(f_->consts.size());
    f_->consts.push_back(c);
    return emit(block, Op::Const, {}, loc, idx);
  }

  Value translate_call(uint32_t block, const NisInstr &ins, std::vector<Value> &stack) {
    SourceLoc loc{ins.line};
    std::vector<Value> args(static_cast<size_t>(ins.arg));
    for (int32_t k = ins.arg - 1; k >= 0; --k) args[static_cast<size_t>(k)] = pop(stack);
    Value hi = pop(stack), lo = pop(stack);
    Value callee;
    if (is_null(lo)) {
      callee = hi;
    } else if (is_null(hi)) {
      callee = lo;
    } else {
      callee = lo;
      args.insert(args.begin(), hi);
    }
    internal_assert(!is_null(callee)) << in_.qualname << ": call of the NULL marker";
    int64_t kw = -1;
    if (ins.arg2 >= 0) {
      const ConstValue &names = in_.consts[static_cast<size_t>(ins.arg2)];
      internal_assert(names.kind == ConstValue::Kind::Tuple) << "keyword names are not a tuple";
      std::vector<std::string> list;
      for (const ConstValue &n : names.elems) list.push_back(n.str);
      kw = static_cast<int64_t>(f_->kwnames.size());
      f_->kwnames.push_back(std::move(list));
    }
    std::vector<Value> operands = {callee};
    operands.insert(operands.end(), args.begin(), args.end());
    return emit(block, Op::Call, operands, loc, kw);
  }

  // ---- cleanup -----------------------------------------------------------------------------

  /// Braun's tryRemoveTrivialPhi, applied to every parameter until nothing changes.
  void remove_trivial_params() {
    Function &f = *f_;
    // Incoming edges of every block: (predecessor terminator, target index).
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<std::vector<std::pair<Inst, size_t>>> incoming(f.num_blocks());
      for (uint32_t b = 0; b < f.num_blocks(); ++b) {
        const BlockData &bd = f.block(Block{b});
        if (bd.insts.empty()) continue;
        Inst term = bd.insts.back();
        const auto &targets = f.inst(term).targets;
        for (size_t t = 0; t < targets.size(); ++t)
          incoming[targets[t].block.id].push_back({term, t});
      }
      for (uint32_t b = 0; b < f.num_blocks(); ++b) {
        BlockData &bd = f.block(Block{b});
        for (size_t k = 0; k < bd.params.size();) {
          Value param = bd.params[k];
          Value same;
          bool trivial = true;
          for (auto &[term, t] : incoming[b]) {
            Value arg = f.inst(term).targets[t].args[k];
            if (arg == param || arg == same) continue;
            if (same.valid()) {
              trivial = false;
              break;
            }
            same = arg;
          }
          if (!trivial) {
            ++k;
            continue;
          }
          if (!same.valid()) same = undef();
          for (auto &[term, t] : incoming[b]) {
            auto &args = f.inst(term).targets[t].args;
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(k));
          }
          bd.params.erase(bd.params.begin() + static_cast<std::ptrdiff_t>(k));
          for (size_t j = k; j < bd.params.size(); ++j)
            f.value(bd.params[j]).index = static_cast<uint32_t>(j);
          f.replace_all_uses(param, same);
          changed = true;
        }
      }
    }
  }

  /// Braun et al. §3.2: a strongly connected set of parameters that together receive only one
  /// value from outside the set is that value (loops nested in branches make such cycles, e.g.
  /// a bound flag that is true on every path into a loop).  Each member is replaced by the
  /// value, which leaves it trivial for remove_trivial_params.  Returns whether any was.
  bool remove_redundant_param_cycles() {
    Function &f = *f_;
    // Each parameter's incoming arguments.
    std::unordered_map<uint32_t, std::vector<Value>> args;
    for (uint32_t b = 0; b < f.num_blocks(); ++b) {
      const BlockData &bd = f.block(Block{b});
      if (bd.insts.empty()) continue;
      for (const BlockCall &t : f.inst(bd.insts.back()).targets) {
        const auto &params = f.block(t.block).params;
        for (size_t k = 0; k < params.size(); ++k) args[params[k].id].push_back(t.args[k]);
      }
    }
    // Tarjan's algorithm over the parameters, edges from a parameter to the parameters it
    // receives.
    std::unordered_map<uint32_t, int> index, low;
    std::vector<uint32_t> stack;
    std::unordered_map<uint32_t, bool> on_stack;
    std::vector<std::vector<uint32_t>> sccs;
    int counter = 0;
    std::function<void(uint32_t)> visit = [&](uint32_t p) {
      index[p] = low[p] = counter++;
      stack.push_back(p);
      on_stack[p] = true;
      for (Value a : args[p]) {
        if (is_placeholder(a) || !f.value(a).is_param) continue;
        if (!index.count(a.id)) {
          visit(a.id);
          low[p] = std::min(low[p], low[a.id]);
        } else if (on_stack[a.id]) {
          low[p] = std::min(low[p], index[a.id]);
        }
      }
      if (low[p] != index[p]) return;
      std::vector<uint32_t> scc;
      uint32_t q;
      do {
        q = stack.back();
        stack.pop_back();
        on_stack[q] = false;
        scc.push_back(q);
      } while (q != p);
      if (scc.size() > 1) sccs.push_back(std::move(scc));
    };
    for (auto &[p, unused] : args)
      if (!index.count(p)) visit(p);
    bool changed = false;
    for (const auto &scc : sccs) {
      Value outside;
      bool single = true;
      for (uint32_t p : scc)
        for (Value a : args[p]) {
          if (std::find(scc.begin(), scc.end(), a.id) != scc.end() || a == outside) continue;
          if (outside.valid()) single = false;
          outside = a;
        }
      if (!single || !outside.valid()) continue;
      for (uint32_t p : scc) f.replace_all_uses(Value{p}, outside);
      changed = true;
    }
    return changed;
  }

  /// Replaces the flag placeholders still in use by bool constants at the top of the entry.
  void materialize_flags() {
    Function &f = *f_;
    if (name_of_var_.empty()) return;  // no CheckBound was made
    for (Value placeholder : {true_value(), false_value()}) {
      Value c = entry_value(placeholder == true_value() ? &true_ : &false_, Op::Const,
                            placeholder == true_value() ? true_const_ : false_const_);
      f.replace_all_uses(placeholder, c);
    }
  }

  /// Removes constants and undefs nobody uses (the NULL marker among them).  Attribute reads
  /// stay until typing has checked them (`v = x.foo` with v unused is still a TypingError, as
  /// in Numba); make_explicit drops the unused ones.
  void remove_dead_code() {
    Function &f = *f_;
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<int> uses(f.num_values(), 0);
      for (uint32_t b = 0; b < f.num_blocks(); ++b)
        for (Inst i : f.block(Block{b}).insts) {
          const InstData &d = f.inst(i);
          for (Value v : d.operands) ++uses[v.id];
          for (const BlockCall &t : d.targets)
            for (Value v : t.args) ++uses[v.id];
        }
      for (uint32_t b = 0; b < f.num_blocks(); ++b) {
        auto &insts = f.block(Block{b}).insts;
        auto dead = [&](Inst i) {
          const InstData &d = f.inst(i);
          bool pure = d.op == Op::Const || d.op == Op::Undef;
          return pure && uses[d.result.id] == 0;
        };
        auto end = std::remove_if(insts.begin(), insts.end(), dead);
        if (end != insts.end()) {
          insts.erase(end, insts.end());
          changed = true;
        }
      }
    }
  }

  const FunctionInput &in_;
  std::unique_ptr<Function> f_;
  NisCFG nis_;
  int nvars_ = 0;
  int64_t null_const_ = 0, none_const_ = 0, true_const_ = 0, false_const_ = 0, zero_const_ = 0;
  int32_t handler_ = -1;  // the exception-table entry of the block being filled, or -1
  int32_t index_ = 0;     // the NIS index of the instruction being translated
  std::unordered_map<int, int64_t> name_of_var_;  // local -> its index in Function::names
  std::vector<std::vector<char>> assigned_in_;    // per NIS block: locals assigned on entry
  std::vector<char> assigned_;                    // the same while filling a block
  uint32_t entry_ = 0;
  std::vector<uint32_t> ir_of_nis_, for_body_, order_;
  std::vector<int32_t> nis_of_ir_, body_of_ir_;
  std::vector<std::vector<uint32_t>> succs_, preds_;
  std::vector<char> sealed_, filled_;
  std::vector<std::unordered_map<int, Value>> defs_;
  std::vector<std::vector<std::pair<int, Value>>> incomplete_;
  std::vector<std::vector<Value>> out_stack_;
  Value undef_, null_, true_, false_;
};

}  // namespace

std::unique_ptr<Function> build_ssa(const FunctionInput &in, TypeContext &types) {
  return SSABuilder(in, types).run();
}

}  // namespace ember
