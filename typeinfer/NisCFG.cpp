#include "typeinfer/NisCFG.h"

#include <algorithm>

#include "ir/Error.h"

namespace ember {

namespace {
const char *nis_name_of(NisOp op) {
  switch (op) {
#define EMBER_NIS(name, pyname) \
  case NisOp::name: return pyname;
#define EMBER_NIS_AT(name, pyname, number) EMBER_NIS(name, pyname)
#include "typeinfer/NisOps.def"
#undef EMBER_NIS_AT
#undef EMBER_NIS
  }
  return nullptr;
}

bool is_branch(NisOp op) {
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

bool ends_block(NisOp op) {
  return is_branch(op) || op == NisOp::ReturnValue || op == NisOp::Raise ||
         op == NisOp::UnreachableEH || op == NisOp::Reraise;
}
}  // namespace

bool nis_may_raise(NisOp op) {
  switch (op) {
    case NisOp::LoadFast:  // an unbound local
    case NisOp::LoadAttr:
    case NisOp::Call:
    case NisOp::BinaryOp:
    case NisOp::BinarySubscr:
    case NisOp::StoreSubscr:
    case NisOp::StoreAttr:
    case NisOp::CompareOp:
    case NisOp::ContainsOp:
    case NisOp::Unary:
    case NisOp::UnpackSequence:
    case NisOp::GetIter:
    case NisOp::Raise:
    case NisOp::Reraise: return true;
    default: return false;
  }
}

int32_t nis_handler_of(const FunctionInput &in, int32_t i) {
  for (size_t h = 0; h < in.handlers.size(); ++h)
    if (in.handlers[h].start <= i && i < in.handlers[h].end) return static_cast<int32_t>(h);
  return -1;
}

const char *nis_op_name(NisOp op) { return nis_name_of(op); }
bool is_nis_op(int op) {
  return op >= 0 && op < kNumNisOps && nis_name_of(static_cast<NisOp>(op)) != nullptr;
}

int nis_stack_effect(const NisInstr &ins) {
  switch (ins.op) {
    case NisOp::LoadFast:
    case NisOp::LoadFastOrUndef:
    case NisOp::LoadConst:
    case NisOp::LoadGlobal:
    case NisOp::LoadDeref:
    case NisOp::PushNull:
    case NisOp::Copy: return 1;
    case NisOp::StoreFast:
    case NisOp::BinaryOp:
    case NisOp::BinarySubscr:
    case NisOp::CompareOp:
    case NisOp::IsOp:
    case NisOp::ContainsOp:
    case NisOp::ListAppend:
    case NisOp::PopTop:
    case NisOp::PopJumpIfTrue:
    case NisOp::PopJumpIfFalse:
    case NisOp::PopJumpIfNone:
    case NisOp::PopJumpIfNotNone:
    case NisOp::ReturnValue: return -1;
    case NisOp::DeleteFast:
    case NisOp::LoadAttr:
    case NisOp::Unary:
    case NisOp::ToBool:
    case NisOp::ListToTuple:
    case NisOp::Swap:
    case NisOp::GetIter:
    case NisOp::Jump:
    case NisOp::UnreachableEH: return 0;
    case NisOp::Call: return -(ins.arg + 1);
    case NisOp::StoreSubscr: return -3;
    case NisOp::StoreAttr: return -2;
    case NisOp::DeleteSubscr: return -2;
    case NisOp::MapAdd: return -2;
    case NisOp::SetAdd:
    case NisOp::ListExtend:
    case NisOp::SetUpdate:
    case NisOp::DictUpdate: return -1;
    case NisOp::BuildMap: return 1 - 2 * ins.arg;
    case NisOp::BuildSet: return 1 - ins.arg;
    case NisOp::BuildConstKeyMap: return -ins.arg;
    case NisOp::BuildSlice:
    case NisOp::BuildTuple:
    case NisOp::BuildList: return 1 - ins.arg;
    case NisOp::UnpackSequence: return ins.arg - 1;
    case NisOp::ForIter: return 1;
    case NisOp::Raise: return -ins.arg;
    case NisOp::MakeFunction: return ins.arg & 8 ? -1 : 0;  // the closure tuple is consumed
    case NisOp::PushExcInfo: return 1;
    case NisOp::PopExcept:
    case NisOp::Reraise: return -1;
    case NisOp::CheckExcMatch: return 0;
    case NisOp::ReturnGenerator: return 1;  // None, which a POP_TOP drops
    case NisOp::YieldValue: return 0;       // the value out, the value sent (None) in
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
  }
  return 0;
}

namespace {
/// How many stack items an instruction pops (its pushes are pops + nis_stack_effect).
int nis_pops(const NisInstr &ins) {
  switch (ins.op) {
    case NisOp::LoadFast:
    case NisOp::LoadFastOrUndef:
    case NisOp::LoadConst:
    case NisOp::LoadGlobal:
    case NisOp::LoadDeref:
    case NisOp::PushNull:
    case NisOp::Copy:
    case NisOp::Swap:
    case NisOp::DeleteFast:
    case NisOp::Jump:
    case NisOp::UnreachableEH:
    case NisOp::ForIter: return 0;
    case NisOp::StoreFast:
    case NisOp::PopTop:
    case NisOp::PopJumpIfTrue:
    case NisOp::PopJumpIfFalse:
    case NisOp::PopJumpIfNone:
    case NisOp::PopJumpIfNotNone:
    case NisOp::ReturnValue:
    case NisOp::ListAppend:
    case NisOp::LoadAttr:
    case NisOp::Unary:
    case NisOp::ToBool:
    case NisOp::ListToTuple:
    case NisOp::GetIter:
    case NisOp::UnpackSequence: return 1;
    case NisOp::BinaryOp:
    case NisOp::BinarySubscr:
    case NisOp::CompareOp:
    case NisOp::IsOp:
    case NisOp::ContainsOp: return 2;
    case NisOp::StoreSubscr: return 3;
    case NisOp::StoreAttr: return 2;
    case NisOp::DeleteSubscr:
    case NisOp::MapAdd: return 2;
    case NisOp::SetAdd:
    case NisOp::ListExtend:
    case NisOp::SetUpdate:
    case NisOp::DictUpdate: return 1;
    case NisOp::BuildMap: return 2 * ins.arg;
    case NisOp::BuildSet: return ins.arg;
    case NisOp::BuildConstKeyMap: return ins.arg + 1;
    case NisOp::Call: return ins.arg + 2;
    case NisOp::BuildSlice:
    case NisOp::BuildTuple:
    case NisOp::BuildList:
    case NisOp::Raise: return ins.arg;
    case NisOp::MakeFunction: return ins.arg & 8 ? 2 : 1;
    case NisOp::PushExcInfo:
    case NisOp::PopExcept:
    case NisOp::CheckExcMatch:
    case NisOp::Reraise: return 1;
    case NisOp::ReturnGenerator: return 0;
    case NisOp::YieldValue: return 1;
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
  }
  return 0;
}
}  // namespace

void nis_track_nulls(const NisInstr &ins, std::vector<char> &nulls) {
  switch (ins.op) {
    case NisOp::PushNull: nulls.push_back(1); return;
    case NisOp::Copy:
      internal_assert(ins.arg >= 1 && static_cast<size_t>(ins.arg) <= nulls.size()) << "bad COPY";
      nulls.push_back(nulls[nulls.size() - static_cast<size_t>(ins.arg)]);
      return;
    case NisOp::Swap:
      internal_assert(ins.arg >= 2 && static_cast<size_t>(ins.arg) <= nulls.size()) << "bad SWAP";
      std::swap(nulls.back(), nulls[nulls.size() - static_cast<size_t>(ins.arg)]);
      return;
    default: break;
  }
  int pops = nis_pops(ins), pushes = pops + nis_stack_effect(ins);
  internal_assert(static_cast<size_t>(pops) <= nulls.size())
      << "stack underflow at " << nis_op_name(ins.op);
  nulls.resize(nulls.size() - static_cast<size_t>(pops));
  nulls.resize(nulls.size() + static_cast<size_t>(pushes), 0);
}

NisCFG build_nis_cfg(const FunctionInput &in) {
  const auto &code = in.code;
  int32_t n = static_cast<int32_t>(code.size());
  internal_assert(n > 0) << in.qualname << ": empty instruction stream";
  std::vector<char> leader(static_cast<size_t>(n) + 1, 0);
  leader[0] = 1;
  for (int32_t i = 0; i < n; ++i) {
    const NisInstr &ins = code[static_cast<size_t>(i)];
    if (is_branch(ins.op)) {
      internal_assert(ins.target >= 0 && ins.target < n)
          << in.qualname << ": jump target " << ins.target << " out of range";
      leader[static_cast<size_t>(ins.target)] = 1;
    }
    if (ends_block(ins.op)) leader[static_cast<size_t>(i) + 1] = 1;
    // Inside a try, an instruction that may raise ends its block: the edge to the handler
    // leaves from there, with the locals as they are when it raises.
    if (nis_may_raise(ins.op) && nis_handler_of(in, i) >= 0) leader[static_cast<size_t>(i) + 1] = 1;
  }
  for (const NisHandler &h : in.handlers) {
    internal_assert(h.target >= 0 && h.target < n && h.start >= 0 && h.end <= n)
        << in.qualname << ": bad handler entry";
    leader[static_cast<size_t>(h.target)] = 1;
    // A block lies wholly inside or outside each try: every raise in a block that ends in a
    // CatchBr belongs to that try (lowering sends them all to its handler).
    leader[static_cast<size_t>(h.start)] = 1;
    leader[static_cast<size_t>(h.end)] = 1;
  }
  NisCFG cfg;
  cfg.block_of.assign(static_cast<size_t>(n), -1);
  for (int32_t i = 0; i < n;) {
    NisBlock b;
    b.start = i;
    int32_t j = i + 1;
    while (j < n && !leader[static_cast<size_t>(j)]) ++j;
    b.end = j;
    for (int32_t k = i; k < j; ++k)
      cfg.block_of[static_cast<size_t>(k)] = static_cast<int32_t>(cfg.blocks.size());
    cfg.blocks.push_back(b);
    i = j;
  }
  for (NisBlock &b : cfg.blocks) {
    const NisInstr &last = code[static_cast<size_t>(b.end - 1)];
    auto block_at = [&](int32_t idx) {
      internal_assert(idx < n) << in.qualname << ": control falls off the end of the function";
      return cfg.block_of[static_cast<size_t>(idx)];
    };
    switch (last.op) {
      case NisOp::ForIter:
      case NisOp::PopJumpIfTrue:
      case NisOp::PopJumpIfFalse:
      case NisOp::PopJumpIfNone:
      case NisOp::PopJumpIfNotNone: b.succs = {block_at(b.end), block_at(last.target)}; break;
      case NisOp::Jump: b.succs = {block_at(last.target)}; break;
      case NisOp::ReturnValue:
      case NisOp::Raise:
      case NisOp::Reraise:
      case NisOp::UnreachableEH: break;
      default: b.succs = {block_at(b.end)}; break;
    }
    int32_t h = nis_handler_of(in, b.end - 1);
    if (h >= 0 && nis_may_raise(last.op)) {
      b.handler = h;
      b.succs.push_back(block_at(in.handlers[static_cast<size_t>(h)].target));
    }
  }
  for (size_t h = 0; h < in.handlers.size(); ++h)
    cfg.blocks[static_cast<size_t>(cfg.block_of[static_cast<size_t>(in.handlers[h].target)])]
        .handler_entry = static_cast<int32_t>(h);
  // Entry stacks (depth and NULL-marker slots) by a worklist over reachable blocks.
  cfg.blocks[0].entry_depth = 0;
  std::vector<int32_t> work = {0};
  while (!work.empty()) {
    int32_t bi = work.back();
    work.pop_back();
    const NisBlock &b = cfg.blocks[static_cast<size_t>(bi)];
    std::vector<char> nulls = b.entry_nulls;
    for (int32_t k = b.start; k < b.end; ++k) {
      const NisInstr &ins = code[static_cast<size_t>(k)];
      if (k == b.end - 1 && ins.op == NisOp::ForIter) break;
      nis_track_nulls(ins, nulls);
    }
    const NisInstr &last = code[static_cast<size_t>(b.end - 1)];
    std::vector<int32_t> succs = b.succs;  // `b` may move as entries are written below
    int32_t handler = b.handler;
    for (size_t s = 0; s < succs.size(); ++s) {
      std::vector<char> out = nulls;
      if (handler >= 0 && s + 1 == succs.size()) {  // the edge to the handler
        const NisHandler &h = in.handlers[static_cast<size_t>(handler)];
        internal_assert(static_cast<size_t>(h.depth) <= out.size())
            << in.qualname << ": handler depth " << h.depth << " above the stack";
        out.resize(static_cast<size_t>(h.depth));
        out.resize(out.size() + (h.lasti ? 2 : 1), 0);
      } else if (last.op == NisOp::ForIter) {
        if (s == 0)
          out.push_back(0);  // the body edge pushes the next value over the iterator
        else
          out.pop_back();  // the exit edge pops the iterator
      }
      NisBlock &succ = cfg.blocks[static_cast<size_t>(succs[s])];
      int32_t depth = static_cast<int32_t>(out.size());
      if (succ.entry_depth < 0) {
        succ.entry_depth = depth;
        succ.entry_nulls = std::move(out);
        work.push_back(succs[s]);
      } else {
        internal_assert(succ.entry_depth == depth)
            << in.qualname << ": stack depth " << depth << " on an edge into NIS " << succ.start
            << " which was entered with depth " << succ.entry_depth;
        internal_assert(succ.entry_nulls == out)
            << in.qualname << ": the NULL marker of a call sits in different stack slots on two "
            << "edges into NIS " << succ.start;
      }
    }
  }
  return cfg;
}

}  // namespace ember
