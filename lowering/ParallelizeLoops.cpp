#include "lowering/ParallelizeLoops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

#include "ir/CFG.h"

namespace ember {

namespace {

struct Reduction {
  size_t index = 0;  ///< position among the header's parameters
  Value param;
  Value init;
  ReduceOp op = ReduceOp::Add;
};

class LoopOutliner {
 public:
  LoopOutliner(Function &f, Inst getiter, size_t serial)
      : f_(f), types_(f.types()), getiter_(getiter), serial_(serial) {}

  /// Outlines the loop; false when it stays serial (see find_loop).
  bool run() {
    find_loop();
    // Every iteration raises (a read of a never-bound local): the first one raises, serially
    // as it would in parallel, and nothing is carried to a next one.
    if (latches_.empty()) return false;
    find_reductions();
    find_live_ins();
    auto body = std::make_shared<Function>(types_);
    build_body(*body);
    rewrite_parent(body);
    return true;
  }

 private:
  [[noreturn]] void reject(const std::string &why) {
    unsupported(f_.inst(getiter_).loc)
        << "this prange loop cannot run in parallel: " << why
        << " (ember runs prange loops whose iterations are independent apart from reductions "
           "such as `s += x` or `m = max(m, x)`)";
  }

  // ---- the loop ----------------------------------------------------------------------------

  void find_loop() {
    Value it = f_.inst(getiter_).result;
    range_ = f_.inst(getiter_).operands[0];
    for (uint32_t b = 0; b < f_.num_blocks(); ++b)
      for (Inst i : f_.block(Block{b}).insts) {
        const InstData &d = f_.inst(i);
        if (d.operands.empty() || d.operands[0] != it) continue;
        if (d.op == Op::IterNext) next_ = i;
        if (d.op == Op::IterValue) value_ = i;
      }
    internal_assert(next_.valid() && value_.valid()) << "a prange iterator without its loop";
    header_ = f_.inst(next_).block;
    const InstData &term = f_.terminator(header_);
    internal_assert(term.op == Op::CondBr && term.targets[0].block == f_.inst(value_).block)
        << "unexpected prange loop shape";
    body_entry_ = term.targets[0].block;
    exit_ = term.targets[1].block;
    // The body: the blocks the header's true edge reaches that lead back to the header (the
    // natural loop), so code after a `break` or a `return` is not part of it.
    std::set<uint32_t> reached;
    std::vector<Block> work = {body_entry_};
    while (!work.empty()) {
      Block b = work.back();
      work.pop_back();
      if (b == header_ || reached.count(b.id)) continue;
      reached.insert(b.id);
      for (Block s : f_.successors(b)) work.push_back(s);
    }
    CFG cfg(f_);
    for (uint32_t b : reached)
      for (Block s : f_.successors(Block{b}))
        if (s == header_) work.push_back(Block{b});
    while (!work.empty()) {
      Block b = work.back();
      work.pop_back();
      if (body_.count(b.id) || !reached.count(b.id)) continue;
      body_.insert(b.id);
      for (Block p : cfg.preds(b)) work.push_back(p);
    }
    // Blocks from which every path raises (or never ends) belong to the iteration that raises:
    // Unreachable follows a read of a local that is never bound, which always raises, and an
    // inner loop may come before it.  A block escapes when it can reach the loop's exit (a
    // break) or a return; the rest of `reached` outside the body raises.
    std::set<uint32_t> escapes;
    for (uint32_t b : reached) {
      const InstData &t = f_.terminator(Block{b});
      bool out = t.op == Op::Ret || Block{b} == exit_;
      for (const BlockCall &c : t.targets) out = out || c.block == exit_;
      if (out) work.push_back(Block{b});
    }
    while (!work.empty()) {
      Block b = work.back();
      work.pop_back();
      if (escapes.count(b.id) || !reached.count(b.id) || body_.count(b.id)) continue;
      escapes.insert(b.id);
      for (Block p : cfg.preds(b)) work.push_back(p);
    }
    for (uint32_t b : reached)
      if (!body_.count(b) && !escapes.count(b)) raising_.insert(b);
    body_.insert(raising_.begin(), raising_.end());
    if (!body_.count(body_entry_.id)) reject("no iteration reaches the next one (break or return)");
    for (uint32_t b : body_) {
      const InstData &t = f_.terminator(Block{b});
      for (const BlockCall &c : t.targets)
        if (c.block != header_ && !body_.count(c.block.id))
          reject("it leaves the loop early (break or return)");
      for (const BlockCall &c : t.targets)
        if (c.block == header_) latches_.push_back(Block{b});
    }
    for (Block p : cfg.preds(header_))
      if (!body_.count(p.id)) {
        if (preheader_.valid()) reject("the loop has several entries");
        preheader_ = p;
      }
    internal_assert(preheader_.valid()) << "a prange loop without an entry";
  }

  /// The arguments passed to the header's parameters by block b.
  const std::vector<Value> &args_from(Block b) {
    for (const BlockCall &c : f_.terminator(b).targets)
      if (c.block == header_) return c.args;
    internal_error << "no edge to the loop header";
    static std::vector<Value> none;
    return none;
  }

  // ---- reductions --------------------------------------------------------------------------

  bool in_loop(Block b) const { return b == header_ || body_.count(b.id); }
  Block block_of(Value v) const {
    const ValueData &vd = f_.value(v);
    return vd.is_param ? Block{vd.owner} : f_.inst(Inst{vd.owner}).block;
  }

  /// Follows a value back to the reduction parameter; records the operator and chain.
  void follow(Value v, Value param, std::set<uint32_t> &chain, int *op) {
    if (v == param || chain.count(v.id)) return;
    if (!in_loop(block_of(v))) reject("a loop-carried value is set from outside the loop");
    chain.insert(v.id);
    const ValueData &vd = f_.value(v);
    if (vd.is_param) {
      Block b{vd.owner};
      for (uint32_t src : body_) {
        for (const BlockCall &c : f_.terminator(Block{src}).targets)
          if (c.block == b) follow(c.args[vd.index], param, chain, op);
      }
      return;
    }
    const InstData &d = f_.inst(Inst{vd.owner});
    int k = -1;
    Value next;
    if (d.op == Op::BinOp) {
      auto kind = static_cast<BinOpKind>(d.imm);
      bool l = depends(d.operands[0], param, chain), r = depends(d.operands[1], param, chain);
      if (l == r) reject("a loop-carried value is combined with itself");
      switch (kind) {
        case BinOpKind::Add: k = static_cast<int>(ReduceOp::Add); break;
        case BinOpKind::Sub:
          if (!l) reject("`x = y - x` is not a reduction");
          k = static_cast<int>(ReduceOp::Add);
          break;
        case BinOpKind::Mul: k = static_cast<int>(ReduceOp::Mul); break;
        case BinOpKind::And: k = static_cast<int>(ReduceOp::And); break;
        case BinOpKind::Or: k = static_cast<int>(ReduceOp::Or); break;
        case BinOpKind::Xor: k = static_cast<int>(ReduceOp::Xor); break;
        default: reject(std::string("the operator ") + binop_symbol(kind) + " is not a reduction");
      }
      next = l ? d.operands[0] : d.operands[1];
    } else if (d.op == Op::Call && d.operands.size() == 3 &&
               types_.kind(f_.type(d.operands[0])) == TypeKind::Builtin) {
      auto id = static_cast<BuiltinId>(types_.get(f_.type(d.operands[0])).a);
      if (id != BuiltinId::Min && id != BuiltinId::Max)
        reject("a loop-carried value is updated by a call");
      bool l = depends(d.operands[1], param, chain), r = depends(d.operands[2], param, chain);
      if (l == r) reject("a loop-carried value is combined with itself");
      k = static_cast<int>(id == BuiltinId::Min ? ReduceOp::Min : ReduceOp::Max);
      next = l ? d.operands[1] : d.operands[2];
    } else {
      reject("a value is carried from one iteration to the next (only reductions may be)");
    }
    if (*op >= 0 && *op != k) reject("a reduction variable is updated with different operators");
    *op = k;
    follow(next, param, chain, op);
  }

  /// Whether v is computed, inside the loop, from the reduction parameter.
  bool depends(Value v, Value param, const std::set<uint32_t> &chain) {
    std::map<uint32_t, bool> memo;
    return depends_rec(v, param, chain, memo);
  }
  bool depends_rec(Value v, Value param, const std::set<uint32_t> &chain,
                   std::map<uint32_t, bool> &memo) {
    if (v == param || chain.count(v.id)) return true;
    auto it = memo.find(v.id);
    if (it != memo.end()) return it->second;
    memo[v.id] = false;  // cycles (inner loops) do not make a dependence by themselves
    if (!in_loop(block_of(v))) return false;
    bool dep = false;
    const ValueData &vd = f_.value(v);
    if (vd.is_param) {
      if (Block{vd.owner} == header_) return false;  // another reduction
      for (uint32_t src : body_)
        for (const BlockCall &c : f_.terminator(Block{src}).targets)
          if (c.block == Block{vd.owner} && depends_rec(c.args[vd.index], param, chain, memo))
            dep = true;
    } else {
      for (Value o : f_.inst(Inst{vd.owner}).operands)
        if (depends_rec(o, param, chain, memo)) dep = true;
    }
    memo[v.id] = dep;
    return dep;
  }

  void find_reductions() {
    const BlockData &h = f_.block(header_);
    const std::vector<Value> &init = args_from(preheader_);
    for (size_t k = 0; k < h.params.size(); ++k) {
      Value p = h.params[k];
      Reduction r;
      r.index = k;
      r.param = p;
      r.init = init[k];
      std::set<uint32_t> chain;
      int op = -1;
      for (Block latch : latches_) follow(args_from(latch)[k], p, chain, &op);
      r.op = op < 0 ? ReduceOp::Add : static_cast<ReduceOp>(op);
      // Nothing else in the loop may read the reduction or its partial values.
      chain.insert(p.id);
      for (uint32_t b : body_)
        for (Inst i : f_.block(Block{b}).insts) {
          const InstData &d = f_.inst(i);
          bool part_of_chain = d.result.valid() && chain.count(d.result.id);
          for (Value o : d.operands)
            if (chain.count(o.id) && !part_of_chain)
              reject("a reduction variable is read inside the loop (other than to update it)");
          for (const BlockCall &c : d.targets)
            for (size_t a = 0; a < c.args.size(); ++a) {
              if (!chain.count(c.args[a].id)) continue;
              Value target = f_.block(c.block).params[a];
              if (c.block != header_ && !chain.count(target.id))
                reject("a reduction variable is read inside the loop (other than to update it)");
              if (c.block == header_ && a != k)
                reject("a reduction variable is copied into another loop variable");
            }
        }
      reductions_.push_back(r);
    }
  }

  // ---- live-ins ----------------------------------------------------------------------------

  void find_live_ins() {
    Value it = f_.inst(getiter_).result;
    auto note = [&](Value v) {
      if (v == it || in_loop(block_of(v)) || live_index_.count(v.id)) return;
      if (types_.is_compile_time(f_.type(v))) return;  // recreated in the body (mapped())
      live_index_[v.id] = live_ins_.size();
      live_ins_.push_back(v);
    };
    for (uint32_t b : body_)
      for (Inst i : f_.block(Block{b}).insts) {
        const InstData &d = f_.inst(i);
        for (Value o : d.operands) note(o);
        for (const BlockCall &c : d.targets)
          for (Value a : c.args) note(a);
      }
  }

  // ---- the outlined body -------------------------------------------------------------------

  Value const_value(Function &g, Block b, const ConstValue &c, TypeId t) {
    int64_t idx = static_cast<int64_t>(g.consts.size());
    g.consts.push_back(c);
    Inst i = g.append(b, Op::Const, {}, true, loc(), idx);
    g.set_type(g.inst(i).result, t);
    return g.inst(i).result;
  }

  SourceLoc loc() const { return f_.inst(getiter_).loc; }

  Value identity(Function &g, Block b, ReduceOp op, TypeId t) {
    ConstValue c;
    ScalarKind k = types_.scalar_kind(t);
    bool fl = is_float(k);
    TypeId ct = fl ? types_.float64() : k == ScalarKind::Bool ? types_.boolean() : types_.int64();
    switch (op) {
      case ReduceOp::Add:
      case ReduceOp::Or:
      case ReduceOp::Xor:
        c.kind = fl                      ? ConstValue::Kind::Float
                 : k == ScalarKind::Bool ? ConstValue::Kind::Bool
                                         : ConstValue::Kind::Int;
        break;
      case ReduceOp::Mul:
        c.kind = fl ? ConstValue::Kind::Float : ConstValue::Kind::Int;
        c.i = 1;
        c.f = 1.0;
        if (!fl) ct = types_.int64();
        break;
      case ReduceOp::And:
        c.kind = k == ScalarKind::Bool ? ConstValue::Kind::Bool : ConstValue::Kind::Int;
        c.i = k == ScalarKind::Bool ? 1 : -1;
        break;
      case ReduceOp::Min:
      case ReduceOp::Max: {
        bool is_min = op == ReduceOp::Min;
        c.kind = fl ? ConstValue::Kind::Float : ConstValue::Kind::Int;
        c.f = is_min ? HUGE_VAL : -HUGE_VAL;
        c.i = is_min ? INT64_MAX : INT64_MIN;
        if (!fl && !is_signed(k)) c.i = is_min ? -1 : 0;  // all ones: the largest unsigned
        ct = fl ? types_.float64() : types_.int64();
        break;
      }
    }
    if (!types_.is_scalar(t)) reject("a reduction variable is not a number");
    Value v = const_value(g, b, c, ct);
    if (ct == t) return v;
    Inst cast = g.append(b, Op::Cast, {v}, true, loc());
    g.set_type(g.inst(cast).result, t);
    return g.inst(cast).result;
  }

  void build_body(Function &g) {
    g.name = f_.name + ".<prange>";
    g.filename = f_.filename;
    g.firstlineno = f_.firstlineno;
    g.symbol = f_.symbol + ".prange" + std::to_string(serial_);
    g.flags = f_.flags;
    g.flags.parallel = false;
    g.consts = f_.consts;
    g.names = f_.names;
    g.kwnames = f_.kwnames;
    g.modules = f_.modules;
    g.callees = f_.callees;
    TypeId i64 = types_.int64();
    g.arg_types = {i64, i64, i64, i64};
    g.arg_names = {"lo", "hi", "start", "step"};
    for (Value v : live_ins_) {
      g.arg_types.push_back(f_.type(v));
      g.arg_names.push_back("%" + std::to_string(v.id));
    }
    std::vector<TypeId> partial_types;
    for (const Reduction &r : reductions_) partial_types.push_back(f_.type(r.param));
    g.return_type = types_.tuple(partial_types);

    Block entry = g.add_block();
    std::vector<Value> args;
    for (size_t a = 0; a < g.arg_types.size(); ++a) {
      Inst i = g.append(entry, Op::Arg, {}, true, loc(), static_cast<int64_t>(a));
      g.set_type(g.inst(i).result, g.arg_types[a]);
      args.push_back(g.inst(i).result);
    }
    for (size_t k = 0; k < live_ins_.size(); ++k) map_[live_ins_[k].id] = args[4 + k];
    // Compile-time live-ins (modules, builtins) have no runtime value: recreate them.
    Block header = g.add_block();
    Value k = g.add_param(header, i64);
    for (const Reduction &r : reductions_) map_[r.param.id] = g.add_param(header, f_.type(r.param));
    std::vector<Value> entry_args = {args[0]};
    for (const Reduction &r : reductions_)
      entry_args.push_back(identity(g, entry, r.op, f_.type(r.param)));
    Inst br = g.append(entry, Op::Br, {}, false, loc());
    g.inst(br).targets.push_back({header, entry_args});
    // Blocks of the body, created first so branches can point at them.
    for (uint32_t b : body_) block_map_[b] = g.add_block();
    Block exit = g.add_block();
    Inst cmp =
        g.append(header, Op::Compare, {k, args[1]}, true, loc(), static_cast<int64_t>(CmpKind::Lt));
    g.set_type(g.inst(cmp).result, types_.boolean());
    Inst cond = g.append(header, Op::CondBr, {g.inst(cmp).result}, false, loc());
    g.inst(cond).targets.push_back({block_map_[body_entry_.id], {}});
    g.inst(cond).targets.push_back({exit, {}});
    std::vector<Value> partials(g.block(header).params.begin() + 1, g.block(header).params.end());
    Inst tup = g.append(exit, Op::BuildTuple, partials, true, loc());
    g.set_type(g.inst(tup).result, g.return_type);
    g.append(exit, Op::Ret, {g.inst(tup).result}, false, loc());
    // Clone the body, in block order.
    for (uint32_t b : body_)
      for (Value p : f_.block(Block{b}).params) map_[p.id] = g.add_param(block_map_[b], f_.type(p));
    for (uint32_t b : body_) clone_block(g, Block{b}, k, args[2], args[3], header, entry);
  }

  Value mapped(Function &g, Value v, Block entry) {
    auto it = map_.find(v.id);
    if (it != map_.end()) return it->second;
    // A compile-time live-in: clone its definition (a constant or an attribute of one).
    Inst def = f_.def(v);
    internal_assert(def.valid()) << "unmapped value in a prange body";
    const InstData &d = f_.inst(def);
    std::vector<Value> ops;
    for (Value o : d.operands) ops.push_back(mapped(g, o, entry));
    Block b = entry;
    Inst i = g.insert(b, g.block(b).insts.size() - 1, d.op, ops, true, d.loc, d.imm, d.imm2);
    g.inst(i).aux = d.aux;
    g.set_type(g.inst(i).result, f_.type(v));
    map_[v.id] = g.inst(i).result;
    return g.inst(i).result;
  }

  void clone_block(Function &g, Block b, Value k, Value start, Value step, Block header,
                   Block entry) {
    Block nb = block_map_[b.id];
    for (Inst i : f_.block(b).insts) {
      const InstData &d = f_.inst(i);
      if (i == value_) {
        // The loop variable: start + k * step.
        Inst mul =
            g.append(nb, Op::BinOp, {k, step}, true, d.loc, static_cast<int64_t>(BinOpKind::Mul));
        g.set_type(g.inst(mul).result, types_.int64());
        Inst add = g.append(nb, Op::BinOp, {start, g.inst(mul).result}, true, d.loc,
                            static_cast<int64_t>(BinOpKind::Add));
        g.set_type(g.inst(add).result, types_.int64());
        map_[d.result.id] = g.inst(add).result;
        continue;
      }
      std::vector<Value> ops;
      for (Value o : d.operands) ops.push_back(mapped(g, o, entry));
      std::vector<BlockCall> targets;
      for (const BlockCall &c : d.targets) {
        BlockCall nc;
        if (c.block == header_) {
          // The back edge: the next iteration, with the updated partials.
          Value one = const_value(g, nb, ConstValue::integer(1), types_.int64());
          Inst inc =
              g.append(nb, Op::BinOp, {k, one}, true, d.loc, static_cast<int64_t>(BinOpKind::Add));
          g.set_type(g.inst(inc).result, types_.int64());
          nc.block = header;
          nc.args.push_back(g.inst(inc).result);
          for (const Reduction &r : reductions_)
            nc.args.push_back(mapped(g, c.args[r.index], entry));
        } else {
          nc.block = block_map_.at(c.block.id);
          for (Value a : c.args) nc.args.push_back(mapped(g, a, entry));
        }
        targets.push_back(std::move(nc));
      }
      Inst ni = g.append(nb, d.op, ops, d.result.valid(), d.loc, d.imm, d.imm2);
      g.inst(ni).aux = d.aux;
      g.inst(ni).targets = std::move(targets);
      if (d.result.valid()) {
        g.set_type(g.inst(ni).result, f_.type(d.result));
        map_[d.result.id] = g.inst(ni).result;
      }
    }
  }

  // ---- the parent --------------------------------------------------------------------------

  void rewrite_parent(std::shared_ptr<Function> body) {
    CalleeRef ref;
    ref.params = body->arg_types;
    ref.result = body->return_type;
    ref.symbol = body->symbol;
    ref.function = body;
    uint32_t callee = static_cast<uint32_t>(f_.callees.size());
    f_.callees.push_back(ref);

    Block region = f_.add_block();
    std::vector<Value> ops = {range_};
    ops.insert(ops.end(), live_ins_.begin(), live_ins_.end());
    Inst pf = f_.append(region, Op::ParallelFor, ops, true, loc());
    f_.inst(pf).aux = callee;
    Value result = f_.inst(pf).result;
    f_.set_type(result, body->return_type);
    std::vector<ReduceOp> ops_list;
    std::map<uint32_t, Value> finals;
    for (size_t r = 0; r < reductions_.size(); ++r) {
      const Reduction &red = reductions_[r];
      ops_list.push_back(red.op);
      TypeId t = f_.type(red.param);
      Value index = const_in(region, ConstValue::integer(static_cast<int64_t>(r)), types_.int64());
      Inst get = f_.append(region, Op::GetItem, {result, index}, true, loc());
      f_.set_type(f_.inst(get).result, t);
      Value partial = f_.inst(get).result;
      Value final;
      if (red.op == ReduceOp::Min || red.op == ReduceOp::Max) {
        ConstValue fn;
        fn.kind = ConstValue::Kind::Builtin;
        fn.builtin = red.op == ReduceOp::Min ? BuiltinId::Min : BuiltinId::Max;
        Value callee_v = const_in(region, fn, types_.builtin(fn.builtin));
        Inst call = f_.append(region, Op::Call, {callee_v, red.init, partial}, true, loc(), -1);
        f_.set_type(f_.inst(call).result, t);
        final = f_.inst(call).result;
      } else {
        BinOpKind k = red.op == ReduceOp::Add   ? BinOpKind::Add
                      : red.op == ReduceOp::Mul ? BinOpKind::Mul
                      : red.op == ReduceOp::And ? BinOpKind::And
                      : red.op == ReduceOp::Or  ? BinOpKind::Or
                                                : BinOpKind::Xor;
        Inst op =
            f_.append(region, Op::BinOp, {red.init, partial}, true, loc(), static_cast<int64_t>(k));
        f_.set_type(f_.inst(op).result, t);
        final = f_.inst(op).result;
      }
      finals[red.param.id] = final;
    }
    f_.reductions[pf.id] = ops_list;
    // What typing put in the header for the exit edge (casts of its arguments, e.g. a new
    // C array joining a view) now runs in the region, on the final values.
    std::vector<Inst> &hinsts = f_.block(header_).insts;
    for (Inst i : hinsts) {
      InstData &d = f_.inst(i);
      if (i == next_ || is_terminator(d.op)) continue;
      for (Value &o : d.operands)
        if (finals.count(o.id)) o = finals[o.id];
      d.block = region;
      f_.block(region).insts.push_back(i);
    }
    hinsts.erase(std::remove_if(hinsts.begin(), hinsts.end(),
                                [&](Inst i) { return f_.inst(i).block == region; }),
                 hinsts.end());
    // Leave for the loop's exit with the final values.
    const InstData &hterm = f_.terminator(header_);
    BlockCall to_exit = hterm.targets[1];
    for (Value &a : to_exit.args)
      if (finals.count(a.id)) a = finals[a.id];
    Inst br = f_.append(region, Op::Br, {}, false, loc());
    f_.inst(br).targets.push_back(to_exit);
    // The preheader now enters the region instead of the loop.
    for (BlockCall &c : f_.terminator(preheader_).targets)
      if (c.block == header_) c = BlockCall{region, {}};
    // The iterator is no longer used.
    auto &pre = f_.block(f_.inst(getiter_).block).insts;
    pre.erase(std::remove(pre.begin(), pre.end(), getiter_), pre.end());
    // Code after the loop reads the final values.
    for (uint32_t b = 0; b < f_.num_blocks(); ++b) {
      if (in_loop(Block{b}) || Block{b} == region) continue;
      for (Inst i : f_.block(Block{b}).insts) {
        InstData &d = f_.inst(i);
        for (Value &o : d.operands)
          if (finals.count(o.id)) o = finals[o.id];
        for (BlockCall &c : d.targets)
          for (Value &a : c.args)
            if (finals.count(a.id)) a = finals[a.id];
      }
    }
  }

  Value const_in(Block b, const ConstValue &c, TypeId t) {
    int64_t idx = static_cast<int64_t>(f_.consts.size());
    f_.consts.push_back(c);
    Inst i = f_.append(b, Op::Const, {}, true, loc(), idx);
    f_.set_type(f_.inst(i).result, t);
    return f_.inst(i).result;
  }

  Function &f_;
  TypeContext &types_;
  Inst getiter_, next_, value_;
  size_t serial_;
  Value range_;
  Block header_, body_entry_, exit_, preheader_;
  std::set<uint32_t> body_;
  std::set<uint32_t> raising_;  ///< body blocks from which every path raises
  std::vector<Block> latches_;
  std::vector<Reduction> reductions_;
  std::vector<Value> live_ins_;
  std::map<uint32_t, size_t> live_index_;
  std::map<uint32_t, Value> map_;
  std::map<uint32_t, Block> block_map_;
};

}  // namespace

std::vector<std::shared_ptr<Function>> parallelize_loops(Function &f) {
  std::vector<std::shared_ptr<Function>> out;
  if (!f.flags.parallel) return out;
  CFG cfg(f);
  std::vector<Inst> candidates;
  for (Block b : cfg.rpo())
    for (Inst i : f.block(b).insts) {
      const InstData &d = f.inst(i);
      if (d.op != Op::GetIter) continue;
      TypeId t = f.type(d.operands[0]);
      if (f.types().kind(t) == TypeKind::Range && f.types().get(t).a) candidates.push_back(i);
    }
  size_t serial = 0;
  for (Inst g : candidates) {
    CFG now(f);
    if (!now.reachable(f.inst(g).block)) continue;  // inside a loop outlined already: serial
    size_t before = f.callees.size();
    if (!LoopOutliner(f, g, serial).run()) continue;
    ++serial;
    out.push_back(std::const_pointer_cast<Function>(f.callees[before].function));
  }
  return out;
}

}  // namespace ember
