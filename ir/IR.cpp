#include "ir/IR.h"

namespace ember {

namespace {
struct OpInfo {
  const char *name;
  bool terminator;
};
const OpInfo kOps[] = {
#define EMBER_OP(name, text, term) {text, term},
#include "ir/Ops.def"
#undef EMBER_OP
};
}  // namespace

const char *op_name(Op op) { return kOps[static_cast<int>(op)].name; }
bool is_terminator(Op op) { return kOps[static_cast<int>(op)].terminator; }

const char *binop_symbol(BinOpKind k) {
  static const char *s[] = {"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@"};
  return s[static_cast<int>(k)];
}
const char *cmp_symbol(CmpKind k) {
  static const char *s[] = {"<", "<=", "==", "!=", ">", ">="};
  return s[static_cast<int>(k)];
}
const char *unary_symbol(UnaryKind k) {
  static const char *s[] = {"-", "+", "~", "not"};
  return s[static_cast<int>(k)];
}

Block Function::add_block() {
  blocks_.emplace_back();
  return Block{static_cast<uint32_t>(blocks_.size() - 1)};
}

Value Function::add_param(Block b, TypeId type) {
  Value v{static_cast<uint32_t>(values_.size())};
  ValueData d;
  d.type = type;
  d.is_param = true;
  d.owner = b.id;
  d.index = static_cast<uint32_t>(blocks_[b.id].params.size());
  values_.push_back(d);
  blocks_[b.id].params.push_back(v);
  return v;
}

Inst Function::insert(Block b, size_t pos, Op op, std::vector<Value> operands, bool make_result,
                      SourceLoc loc, int64_t imm, int64_t imm2) {
  Inst i{static_cast<uint32_t>(insts_.size())};
  InstData d;
  d.op = op;
  d.block = b;
  d.operands = std::move(operands);
  d.imm = imm;
  d.imm2 = imm2;
  d.loc = loc;
  if (make_result) {
    d.result = Value{static_cast<uint32_t>(values_.size())};
    ValueData vd;
    vd.owner = i.id;
    values_.push_back(vd);
  }
  insts_.push_back(std::move(d));
  auto &list = blocks_[b.id].insts;
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), i);
  return i;
}

Inst Function::append(Block b, Op op, std::vector<Value> operands, bool make_result, SourceLoc loc,
                      int64_t imm, int64_t imm2) {
  return insert(b, blocks_[b.id].insts.size(), op, std::move(operands), make_result, loc, imm,
                imm2);
}

void Function::replace_all_uses(Value from, Value to) {
  for (InstData &d : insts_) {
    for (Value &v : d.operands)
      if (v == from) v = to;
    for (BlockCall &t : d.targets)
      for (Value &v : t.args)
        if (v == from) v = to;
  }
}

Inst Function::def(Value v) const {
  const ValueData &d = values_[v.id];
  if (d.is_param) return Inst{};
  return Inst{d.owner};
}

std::vector<Block> Function::successors(Block b) const {
  std::vector<Block> out;
  if (blocks_[b.id].insts.empty()) return out;
  for (const BlockCall &t : terminator(b).targets) out.push_back(t.block);
  return out;
}

bool Function::const_int(Value v, int64_t *out) const {
  Inst i = def(v);
  if (!i.valid()) return false;
  const InstData &d = insts_[i.id];
  if (d.op == Op::Cast) return const_int(d.operands[0], out);
  if (d.op != Op::Const) return false;
  const ConstValue &c = consts[static_cast<size_t>(d.imm)];
  if (c.kind != ConstValue::Kind::Int && c.kind != ConstValue::Kind::Bool) return false;
  *out = c.i;
  return true;
}

}  // namespace ember
