#include "ir/IRPrinter.h"

#include <cstdio>
#include <sstream>

namespace ember {

std::string print_const(const ConstValue &c) {
  using K = ConstValue::Kind;
  std::ostringstream os;
  switch (c.kind) {
    case K::None: return "None";
    case K::Bool: return c.i ? "True" : "False";
    case K::Int: return std::to_string(c.i);
    case K::Float: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", c.f);
      return buf;
    }
    case K::Complex: {
      char buf[96];
      std::snprintf(buf, sizeof buf, "(%.17g%+.17gj)", c.f, c.f2);
      return buf;
    }
    case K::Str: return "'" + c.str + "'";
    case K::Tuple: {
      os << "(";
      for (size_t i = 0; i < c.elems.size(); ++i) os << (i ? ", " : "") << print_const(c.elems[i]);
      if (c.elems.size() == 1) os << ",";
      os << ")";
      return os.str();
    }
    case K::Module: return "<module " + c.str + ">";
    case K::Builtin: {
      const BuiltinInfo &b = builtin_info(c.builtin);
      return std::string("<builtin ") + b.module + "." + b.attr + ">";
    }
    case K::Dispatcher: return "<jitted " + c.str + ">";
    case K::ExceptionClass: return "<exception " + c.str + ">";
    case K::NumberClass: return "<class " + c.str + ">";
    case K::TypeRef: return "<type " + c.str + ">";
    case K::Unsupported: return "<unsupported " + c.str + ">";
    case K::JitClass: return "<jitclass " + c.str + ">";
    case K::CFunction: return "<cfunction " + c.str + ">";
    case K::Array: {
      os << "<array " << scalar_name(static_cast<ScalarKind>(c.i)) << " (";
      for (size_t i = 0; i < c.shape.size(); ++i) os << (i ? ", " : "") << c.shape[i];
      os << ")>";
      return os.str();
    }
  }
  return "?";
}

namespace {

std::string val(Value v) { return "%" + std::to_string(v.id); }

void print_call(std::ostream &os, const BlockCall &t) {
  os << "bb" << t.block.id << "(";
  for (size_t i = 0; i < t.args.size(); ++i) os << (i ? ", " : "") << val(t.args[i]);
  os << ")";
}

void print_inst(std::ostream &os, const Function &f, const InstData &d) {
  const TypeContext &types = f.types();
  os << "  ";
  if (d.result.valid()) os << val(d.result) << " = ";
  os << op_name(d.op);
  switch (d.op) {
    case Op::Arg: os << " " << d.imm; break;
    case Op::Const: os << " " << print_const(f.consts[static_cast<size_t>(d.imm)]); break;
    case Op::GetAttr:
    case Op::SetAttr: os << " ." << f.names[static_cast<size_t>(d.imm)]; break;
    case Op::CheckBound: os << " " << f.names[static_cast<size_t>(d.imm)]; break;
    case Op::BinOp:
      os << " " << binop_symbol(static_cast<BinOpKind>(d.imm)) << (d.imm2 ? "=" : "");
      break;
    case Op::Compare: os << " " << cmp_symbol(static_cast<CmpKind>(d.imm)); break;
    case Op::Is: os << (d.imm ? " not" : ""); break;
    case Op::Contains: os << (d.imm ? " not" : ""); break;
    case Op::Unary: os << " " << unary_symbol(static_cast<UnaryKind>(d.imm)); break;
    case Op::Unpack: os << " " << d.imm << "/" << d.imm2; break;
    default: break;
  }
  for (size_t i = 0; i < d.operands.size(); ++i) os << (i ? ", " : " ") << val(d.operands[i]);
  if (d.op == Op::Call && d.imm >= 0) {
    os << " kw=(";
    const auto &kw = f.kwnames[static_cast<size_t>(d.imm)];
    for (size_t i = 0; i < kw.size(); ++i) os << (i ? ", " : "") << kw[i];
    os << ")";
  }
  for (size_t i = 0; i < d.targets.size(); ++i) {
    os << (i || !d.operands.empty() ? ", " : " ");
    print_call(os, d.targets[i]);
  }
  if (d.result.valid()) os << " : " << types.to_string(f.type(d.result));
  os << "\n";
}

}  // namespace

std::string print_function(const Function &f, const std::vector<std::string> *source_lines) {
  const TypeContext &types = f.types();
  std::ostringstream os;
  os << "function " << f.name << "(";
  for (size_t i = 0; i < f.arg_types.size(); ++i)
    os << (i ? ", " : "") << (i < f.arg_names.size() ? f.arg_names[i] + ": " : "")
       << types.to_string(f.arg_types[i]);
  os << ") -> " << types.to_string(f.return_type) << "\n";
  int32_t last_line = 0;
  for (uint32_t b = 0; b < f.num_blocks(); ++b) {
    const BlockData &bd = f.block(Block{b});
    os << "bb" << b;
    if (!bd.params.empty()) {
      os << "(";
      for (size_t i = 0; i < bd.params.size(); ++i)
        os << (i ? ", " : "") << val(bd.params[i]) << ": " << types.to_string(f.type(bd.params[i]));
      os << ")";
    }
    os << ":\n";
    for (Inst i : bd.insts) {
      const InstData &d = f.inst(i);
      if (source_lines && d.loc.line > 0 && d.loc.line != last_line) {
        last_line = d.loc.line;
        size_t idx = static_cast<size_t>(d.loc.line - 1);
        if (idx < source_lines->size()) {
          std::string text = (*source_lines)[idx];
          size_t start = text.find_first_not_of(" \t");
          os << "  # " << d.loc.line << ": "
             << (start == std::string::npos ? "" : text.substr(start)) << "\n";
        }
      }
      print_inst(os, f, d);
    }
  }
  return os.str();
}

}  // namespace ember
