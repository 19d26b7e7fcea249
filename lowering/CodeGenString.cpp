// Lowering of strings (ember/str.h): a string value is its ember_meminfo*, whose data is the
// ember_str header.  Literals become immortal module constants laid out exactly as a runtime
// string (meminfo, header, code points), so every operation treats the two alike; len() and
// iteration read the header inline, everything else calls the runtime.  Results of runtime
// calls are new references, as InsertRefcounts expects of every producing instruction.
#include <algorithm>

#include "ember/abi.h"
#include "ember/str.h"
#include "ir/rules/FormatString.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

namespace {

std::vector<uint32_t> decode_utf8(const std::string &text) {
  std::vector<uint32_t> cps;
  const auto *p = reinterpret_cast<const uint8_t *>(text.data());
  size_t n = text.size();
  for (size_t i = 0; i < n;) {
    uint32_t c = p[i];
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (extra) c &= 0x3Fu >> extra;
    for (int k = 1; k <= extra && i + k < n; ++k) c = (c << 6) | (p[i + k] & 0x3F);
    cps.push_back(c);
    i += 1 + static_cast<size_t>(extra);
  }
  return cps;
}

bool is_none(const TypeContext &types, TypeId t) { return types.kind(t) == TypeKind::None; }

}  // namespace

llvm::Constant *FunctionLowerer::string_literal(const std::string &utf8) {
  auto it = ms_.str_literals.find(utf8);
  if (it != ms_.str_literals.end()) return it->second;
  std::vector<uint32_t> cps = decode_utf8(utf8);
  uint32_t max_cp = 0;
  for (uint32_t c : cps) max_cp = std::max(max_cp, c);
  int kind = max_cp < 256 ? 1 : max_cp < 65536 ? 2 : 4;
  llvm::Type *unit = llvm::Type::getIntNTy(ctx_, static_cast<unsigned>(kind * 8));
  std::vector<llvm::Constant *> units;
  for (uint32_t c : cps) units.push_back(llvm::ConstantInt::get(unit, c));
  units.push_back(llvm::ConstantInt::get(unit, 0));  // NUL-terminated, as runtime strings
  auto *chars_t = llvm::ArrayType::get(unit, units.size());
  // ember_meminfo and ember_str (ember/abi.h, ember/str.h).
  auto *mi_t = llvm::StructType::get(ctx_, {i64_, ptr_, ptr_, ptr_, i64_, ptr_});
  auto *hdr_t = llvm::StructType::get(ctx_, {i64_, i64_, ptr_, i32_, i32_, ptr_});
  auto *g_t = llvm::StructType::get(ctx_, {mi_t, hdr_t, chars_t});
  // Writable: the reference count moves and the hash is cached in place.
  auto *gv = new llvm::GlobalVariable(ms_.module, g_t, false, llvm::GlobalValue::PrivateLinkage,
                                      nullptr, "ember.str");
  gv->setAlignment(llvm::Align(8));
  auto field = [&](unsigned k) {
    llvm::Constant *idx[] = {llvm::ConstantInt::get(i32_, 0), llvm::ConstantInt::get(i32_, k)};
    return llvm::ConstantExpr::getInBoundsGetElementPtr(g_t, gv, idx);
  };
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  llvm::Constant *mi = llvm::ConstantStruct::get(
      mi_t, {llvm::ConstantInt::get(i64_, static_cast<uint64_t>(EMBER_STR_IMMORTAL)), null, null,
             field(1), llvm::ConstantInt::get(i64_, sizeof(ember_str)), null});
  llvm::Constant *hdr = llvm::ConstantStruct::get(
      hdr_t, {llvm::ConstantInt::get(i64_, cps.size()),
              llvm::ConstantInt::get(i64_, static_cast<uint64_t>(-1), true), field(2),
              llvm::ConstantInt::get(i32_, static_cast<uint64_t>(kind)),
              llvm::ConstantInt::get(i32_, max_cp < 128 ? 1 : 0), null});
  gv->setInitializer(
      llvm::ConstantStruct::get(g_t, {mi, hdr, llvm::ConstantArray::get(chars_t, units)}));
  ms_.str_literals[utf8] = gv;
  return gv;
}

V FunctionLowerer::string_value(Value v) {
  TypeId t = type(v);
  if (types_.kind(t) == TypeKind::Str) return string_literal(types_.string(types_.get(t).a));
  internal_assert(types_.kind(t) == TypeKind::Unicode) << "not a string: " << types_.to_string(t);
  return get(v);
}

V FunctionLowerer::string_header(V s) {
  return b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, s, DataModel::kMeminfoDataOffset));
}

V FunctionLowerer::string_length(V s) {
  static_assert(offsetof(ember_str, length) == 0, "the length is the header's first field");
  return b_.CreateLoad(i64_, string_header(s));
}

V FunctionLowerer::checked_string(V s, const char *what) {
  raise_if(b_.CreateIsNull(s), EMBER_EXC_MemoryError, std::string("out of memory in ") + what);
  return s;
}

V FunctionLowerer::lower_string_binop(const InstData &d) {
  auto kind = static_cast<BinOpKind>(d.imm);
  Value l = d.operands[0], r = d.operands[1];
  if (kind == BinOpKind::Add) {
    // `s += t` / `s = s + t` where this is s's last use (InsertRefcounts drops it right after):
    // the runtime may append in place, as CPython does.
    bool last_use = false;
    if (types_.kind(type(l)) == TypeKind::Unicode && l != r && ms_.counts_references) {
      const auto &insts = f_.block(d.block).insts;
      auto at = std::find(insts.begin(), insts.end(), current_id_);
      for (++at; at != insts.end() && f_.inst(*at).op == Op::DecRef; ++at)
        if (f_.inst(*at).operands[0] == l) last_use = true;
    }
    RuntimeFn fn = last_use ? RuntimeFn::StrAppend : RuntimeFn::StrConcat;
    return checked_string(b_.CreateCall(runtime(fn), {string_value(l), string_value(r)}), "+");
  }
  if (kind == BinOpKind::Mod) {
    // Each conversion becomes the str.format field it equals (FormatString.h): the value read as
    // an int, a float or str() of it, then formatted with the translated spec; the pieces joined.
    std::vector<PercentPiece> pieces;
    std::string error;
    internal_assert(parse_percent_format(types_.string(types_.get(type(l)).a), &pieces, &error))
        << error;
    TypeId rt = type(r);
    auto value_at = [&](int k, TypeId *t) -> V {
      if (types_.kind(rt) != TypeKind::Tuple) {
        *t = rt;
        return types_.kind(rt) == TypeKind::Str ? string_value(r) : get(r);
      }
      *t = types_.get(rt).elems[static_cast<size_t>(k)];
      if (types_.kind(*t) == TypeKind::Str) return string_literal(types_.string(types_.get(*t).a));
      return from_memory(b_.CreateExtractValue(get(r), {static_cast<unsigned>(k)}), *t);
    };
    V acc = nullptr;
    for (const PercentPiece &p : pieces) {
      V part;
      if (p.arg < 0) {
        part = string_literal(p.text);
        incref(part, types_.unicode());
      } else {
        TypeId t;
        V v = value_at(p.arg, &t);
        if (p.conv == PercentConv::Str) {
          V text = string_of(v, t);
          if (p.text.empty()) {
            part = text;
          } else {
            part = format_value(text, types_.unicode(), string_literal(p.text));
            decref(text, types_.unicode());
          }
        } else {
          bool is_float_value = is_float(types_.scalar_kind(t));
          if (p.conv == PercentConv::Int && is_float_value) {  // %d of a float: int(v)
            v = b_.CreateFPToSI(v, i64_);
            t = types_.int64();
          } else if (p.conv == PercentConv::Float && !is_float_value) {
            v = convert(v, t, types_.float64());
            t = types_.float64();
          }
          part = format_value(v, t, string_literal(p.text));
        }
      }
      acc = concat_owned(acc, part, "%-formatting");
    }
    return owned_or_empty_string(acc);
  }
  bool left_string = types_.is_string(type(l));
  Value s = left_string ? l : r, n = left_string ? r : l;
  V count = convert(get(n), type(n), types_.int64());
  return checked_string(b_.CreateCall(runtime(RuntimeFn::StrRepeat), {string_value(s), count}),
                        "*");
}

V FunctionLowerer::lower_string_compare(CmpKind kind, Value l, Value r) {
  return compare_strings(kind, string_value(l), string_value(r));
}

V FunctionLowerer::compare_strings(CmpKind kind, V a, V b) {
  if (kind == CmpKind::Eq || kind == CmpKind::Ne) {
    V eq = b_.CreateICmpNE(b_.CreateCall(runtime(RuntimeFn::StrEqual), {a, b}),
                           llvm::ConstantInt::get(i32_, 0));
    return kind == CmpKind::Eq ? eq : b_.CreateNot(eq);
  }
  V c = b_.CreateCall(runtime(RuntimeFn::StrCompare), {a, b});
  llvm::Constant *zero = llvm::ConstantInt::get(i32_, 0);
  switch (kind) {
    case CmpKind::Lt: return b_.CreateICmpSLT(c, zero);
    case CmpKind::Le: return b_.CreateICmpSLE(c, zero);
    case CmpKind::Gt: return b_.CreateICmpSGT(c, zero);
    default: return b_.CreateICmpSGE(c, zero);
  }
}

V FunctionLowerer::lower_string_contains(const InstData &d) {
  V found =
      b_.CreateICmpNE(b_.CreateCall(runtime(RuntimeFn::StrContains),
                                    {string_value(d.operands[1]), string_value(d.operands[0])}),
                      llvm::ConstantInt::get(i32_, 0));
  return d.imm ? b_.CreateNot(found) : found;
}

V FunctionLowerer::lower_string_getitem(const InstData &d) {
  V s = string_value(d.operands[0]);
  V n = string_length(s);
  TypeId it = type(d.operands[1]);
  if (types_.kind(it) == TypeKind::Slice) {
    V count, step;
    V start = resolve_slice(get(d.operands[1]), n, &count, &step);
    return checked_string(b_.CreateCall(runtime(RuntimeFn::StrSlice), {s, start, step, count}),
                          "a slice");
  }
  ScalarKind k = types_.scalar_kind(it);
  V i = get(d.operands[1]);
  if (k == ScalarKind::Bool || !is_signed(k)) {
    i = b_.CreateZExtOrTrunc(i, i64_);
  } else {
    i = b_.CreateSExtOrTrunc(i, i64_);
    i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)), b_.CreateAdd(i, n),
                        i);
  }
  raise_if(b_.CreateICmpUGE(i, n), EMBER_EXC_IndexError, "string index out of range");
  return checked_string(b_.CreateCall(runtime(RuntimeFn::StrCharAt), {s, i}), "indexing");
}

V FunctionLowerer::string_of(V v, TypeId t) {
  switch (types_.kind(t)) {
    case TypeKind::Str:
    case TypeKind::Unicode: incref(v, types_.unicode()); return v;
    case TypeKind::Scalar: break;
    default: internal_error << "str() of " << types_.to_string(t);
  }
  ScalarKind k = types_.scalar_kind(t);
  V r;
  if (k == ScalarKind::Bool)
    r = b_.CreateCall(runtime(RuntimeFn::StrFromBool), {b_.CreateZExt(v, i32_)});
  else if (is_float(k))
    r = b_.CreateCall(runtime(RuntimeFn::StrFromFloat), {b_.CreateFPExt(v, f64_)});
  else if (is_signed(k))
    r = b_.CreateCall(runtime(RuntimeFn::StrFromInt), {b_.CreateSExtOrTrunc(v, i64_)});
  else
    r = b_.CreateCall(runtime(RuntimeFn::StrFromUint), {b_.CreateZExtOrTrunc(v, i64_)});
  return checked_string(r, "str()");
}

V FunctionLowerer::format_value(V v, TypeId t, V spec) {
  V r;
  if (types_.is_string(t)) {
    r = b_.CreateCall(runtime(RuntimeFn::StrFormatStr), {v, spec});
  } else {
    ScalarKind k = types_.scalar_kind(t);
    if (is_float(k))
      r = b_.CreateCall(runtime(RuntimeFn::StrFormatFloat), {b_.CreateFPExt(v, f64_), spec});
    else if (k == ScalarKind::Bool || !is_signed(k))
      r = b_.CreateCall(runtime(RuntimeFn::StrFormatInt), {b_.CreateZExtOrTrunc(v, i64_), spec});
    else
      r = b_.CreateCall(runtime(RuntimeFn::StrFormatInt), {b_.CreateSExtOrTrunc(v, i64_), spec});
  }
  raise_if(b_.CreateIsNull(r), EMBER_EXC_ValueError, "Invalid format specifier");
  return r;
}

V FunctionLowerer::lower_string_to_number(Value sv, TypeId to) {
  V s = string_value(sv);
  bool is_int = types_.scalar_kind(to) != ScalarKind::Float64;
  V slot = entry_alloca(is_int ? i64_ : f64_, "number");
  V status =
      b_.CreateCall(runtime(is_int ? RuntimeFn::StrToInt : RuntimeFn::StrToFloat), {s, slot});
  raise_if(b_.CreateICmpEQ(status, llvm::ConstantInt::get(i32_, 1)), EMBER_EXC_ValueError,
           is_int ? "invalid literal for int() with base 10" : "could not convert string to float");
  if (is_int)
    raise_if(b_.CreateICmpEQ(status, llvm::ConstantInt::get(i32_, 2)), EMBER_EXC_OverflowError,
             "int() of a string: the value does not fit in int64");
  return b_.CreateLoad(is_int ? i64_ : f64_, slot);
}

V FunctionLowerer::lower_string_builtin(const InstData &d, BuiltinId id) {
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  auto given = [&](size_t k) { return k < nargs && !is_none(types_, type(arg(k))); };
  auto int_arg = [&](size_t k, int64_t dflt) -> V {
    if (!given(k)) return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(dflt), true);
    return convert(get(arg(k)), type(arg(k)), types_.int64());
  };
  auto flag = [&](V i32) { return b_.CreateICmpNE(i32, llvm::ConstantInt::get(i32_, 0)); };
  auto i32c = [&](int v) { return llvm::ConstantInt::get(i32_, static_cast<uint64_t>(v)); };
  auto call = [&](RuntimeFn fn, std::vector<V> args) { return b_.CreateCall(runtime(fn), args); };
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  switch (id) {
    case BuiltinId::Str: {
      if (!given(0)) {
        V empty = string_literal("");
        incref(empty, types_.unicode());
        return empty;
      }
      TypeId t = type(arg(0));
      if (types_.kind(t) == TypeKind::CaughtException) return caught_exception_str(get(arg(0)));
      return string_of(types_.is_string(t) ? string_value(arg(0)) : get(arg(0)), t);
    }
    case BuiltinId::Repr: return string_of(get(arg(0)), type(arg(0)));
    case BuiltinId::Format: {
      TypeId t = type(arg(0));
      V v = types_.is_string(t) ? string_value(arg(0)) : get(arg(0));
      if (!given(1)) return string_of(v, t);
      return format_value(v, t, string_value(arg(1)));
    }
    case BuiltinId::Ord: {
      V s = string_value(arg(0));
      raise_if(b_.CreateICmpNE(string_length(s), llvm::ConstantInt::get(i64_, 1)),
               EMBER_EXC_TypeError, "ord() expected a character");
      return call(RuntimeFn::StrCodeAt, {s, llvm::ConstantInt::get(i64_, 0)});
    }
    case BuiltinId::Chr: {
      V cp = convert(get(arg(0)), type(arg(0)), types_.int64());
      raise_if(b_.CreateICmpUGT(cp, llvm::ConstantInt::get(i64_, 0x10FFFF)), EMBER_EXC_ValueError,
               "chr() arg not in range(0x110000)");
      return checked_string(call(RuntimeFn::StrChr, {cp}), "chr()");
    }
    case BuiltinId::Hash: {
      TypeId t = type(arg(0));
      if (types_.is_string(t)) return call(RuntimeFn::StrHash, {string_value(arg(0))});
      ScalarKind k = types_.scalar_kind(t);
      if (is_float(k))
        return call(RuntimeFn::HashDouble, {convert(get(arg(0)), t, types_.float64())});
      if (k == ScalarKind::UInt64) return call(RuntimeFn::HashUint, {get(arg(0))});
      return call(RuntimeFn::HashInt, {convert(get(arg(0)), t, types_.int64())});
    }
    case BuiltinId::StrStrip:
    case BuiltinId::StrLstrip:
    case BuiltinId::StrRstrip: {
      int sides = id == BuiltinId::StrStrip ? 3 : id == BuiltinId::StrLstrip ? 1 : 2;
      V chars = given(1) ? string_value(arg(1)) : null;
      return checked_string(call(RuntimeFn::StrStrip, {string_value(arg(0)), chars, i32c(sides)}),
                            "strip()");
    }
    case BuiltinId::StrStartswith:
    case BuiltinId::StrEndswith: {
      V s = string_value(arg(0)), start = int_arg(2, 0), end = int_arg(3, INT64_MAX);
      V at_end = i32c(id == BuiltinId::StrEndswith);
      TypeId t = type(arg(1));
      if (types_.kind(t) != TypeKind::Tuple)
        return flag(call(RuntimeFn::StrStartswith, {s, string_value(arg(1)), start, end, at_end}));
      // A tuple of affixes: true when any matches (every one is tested: no side effects).
      const auto &elems = types_.get(t).elems;
      V tup = elems.empty() ? nullptr : get(arg(1)), any = i32c(0);
      for (unsigned k = 0; k < elems.size(); ++k) {
        V affix = types_.kind(elems[k]) == TypeKind::Str
                      ? string_literal(types_.string(types_.get(elems[k]).a))
                      : from_memory(b_.CreateExtractValue(tup, {k}), elems[k]);
        any = b_.CreateOr(any, call(RuntimeFn::StrStartswith, {s, affix, start, end, at_end}));
      }
      return flag(any);
    }
    case BuiltinId::StrFind:
    case BuiltinId::StrRfind:
    case BuiltinId::StrIndex:
    case BuiltinId::StrRindex: {
      bool reverse = id == BuiltinId::StrRfind || id == BuiltinId::StrRindex;
      V at = call(RuntimeFn::StrFind, {string_value(arg(0)), string_value(arg(1)), int_arg(2, 0),
                                       int_arg(3, INT64_MAX), i32c(reverse)});
      if (id == BuiltinId::StrIndex || id == BuiltinId::StrRindex)
        raise_if(b_.CreateICmpSLT(at, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_ValueError,
                 "substring not found");
      return at;
    }
    case BuiltinId::StrCount:
      return call(RuntimeFn::StrCount, {string_value(arg(0)), string_value(arg(1)), int_arg(2, 0),
                                        int_arg(3, INT64_MAX)});
    case BuiltinId::StrReplace:
      return checked_string(call(RuntimeFn::StrReplace, {string_value(arg(0)), string_value(arg(1)),
                                                         string_value(arg(2)), int_arg(3, -1)}),
                            "replace()");
    case BuiltinId::StrUpper:
    case BuiltinId::StrLower:
      return checked_string(
          call(RuntimeFn::StrChangeCase, {string_value(arg(0)), i32c(id == BuiltinId::StrUpper)}),
          "upper()/lower()");
    case BuiltinId::StrIsdigit:
    case BuiltinId::StrIsalpha:
    case BuiltinId::StrIsspace:
    case BuiltinId::StrIsdecimal:
    case BuiltinId::StrIsalnum: {
      int which = id == BuiltinId::StrIsdigit     ? 0
                  : id == BuiltinId::StrIsalpha   ? 1
                  : id == BuiltinId::StrIsspace   ? 2
                  : id == BuiltinId::StrIsdecimal ? 3
                                                  : 4;
      return flag(call(RuntimeFn::StrIs, {string_value(arg(0)), i32c(which)}));
    }
    case BuiltinId::StrZfill:
    case BuiltinId::StrCenter:
    case BuiltinId::StrLjust:
    case BuiltinId::StrRjust: {
      int how = id == BuiltinId::StrLjust    ? 0
                : id == BuiltinId::StrRjust  ? 1
                : id == BuiltinId::StrCenter ? 2
                                             : 3;
      V fill = null;
      if (id != BuiltinId::StrZfill && given(2)) {
        fill = string_value(arg(2));
        raise_if(b_.CreateICmpNE(string_length(fill), llvm::ConstantInt::get(i64_, 1)),
                 EMBER_EXC_TypeError, "The fill character must be exactly one character long");
      }
      return checked_string(
          call(RuntimeFn::StrPad, {string_value(arg(0)), int_arg(1, 0), fill, i32c(how)}),
          "padding");
    }
    case BuiltinId::StrSplit:
    case BuiltinId::StrRsplit: {
      V sep = null;
      if (given(1)) {
        sep = string_value(arg(1));
        raise_if(b_.CreateICmpEQ(string_length(sep), llvm::ConstantInt::get(i64_, 0)),
                 EMBER_EXC_ValueError, "empty separator");
      }
      return checked_string(
          call(RuntimeFn::StrSplit, {string_value(arg(0)), sep, int_arg(2, -1),
                                     i32c(id == BuiltinId::StrRsplit), typeinfo(types_.unicode())}),
          "split()");
    }
    case BuiltinId::StrSplitlines: {
      V keep = given(1) ? b_.CreateZExt(truth(get(arg(1)), type(arg(1))), i32_) : i32c(0);
      return checked_string(
          call(RuntimeFn::StrSplitlines, {string_value(arg(0)), keep, typeinfo(types_.unicode())}),
          "splitlines()");
    }
    case BuiltinId::StrJoin: return lower_string_join(string_value(arg(0)), arg(1));
    case BuiltinId::StrPartition:
    case BuiltinId::StrRpartition: {
      V sep = string_value(arg(1));
      raise_if(b_.CreateICmpEQ(string_length(sep), llvm::ConstantInt::get(i64_, 0)),
               EMBER_EXC_ValueError, "empty separator");
      auto *parts_t = llvm::ArrayType::get(ptr_, 3);
      V parts = entry_alloca(parts_t, "parts");
      V status = call(RuntimeFn::StrPartition,
                      {string_value(arg(0)), sep, i32c(id == BuiltinId::StrRpartition), parts});
      raise_if(b_.CreateICmpNE(status, i32c(0)), EMBER_EXC_MemoryError,
               "out of memory in partition()");
      TypeId rt = type(d.result);
      V tup = llvm::UndefValue::get(mt(rt));
      for (unsigned k = 0; k < 3; ++k) {
        V part = b_.CreateLoad(ptr_, b_.CreateConstGEP2_32(parts_t, parts, 0, k));
        tup = b_.CreateInsertValue(tup, to_memory(part, types_.unicode()), {k});
      }
      return tup;
    }
    case BuiltinId::StrExpandtabs:
      return checked_string(call(RuntimeFn::StrExpandtabs, {string_value(arg(0)), int_arg(1, 8)}),
                            "expandtabs()");
    case BuiltinId::StrTitle:
    case BuiltinId::StrCapitalize:
    case BuiltinId::StrSwapcase:
    case BuiltinId::StrCasefold: {
      int how = id == BuiltinId::StrTitle        ? EMBER_RECASE_TITLE
                : id == BuiltinId::StrCapitalize ? EMBER_RECASE_CAPITALIZE
                : id == BuiltinId::StrSwapcase   ? EMBER_RECASE_SWAPCASE
                                                 : EMBER_RECASE_CASEFOLD;
      return checked_string(call(RuntimeFn::StrRecase, {string_value(arg(0)), i32c(how)}),
                            "a case conversion");
    }
    case BuiltinId::StrIsupper:
    case BuiltinId::StrIslower:
    case BuiltinId::StrIstitle:
    case BuiltinId::StrIsnumeric:
    case BuiltinId::StrIsprintable:
    case BuiltinId::StrIsascii:
    case BuiltinId::StrIsidentifier: {
      int which = id == BuiltinId::StrIsupper       ? EMBER_STR_ISUPPER
                  : id == BuiltinId::StrIslower     ? EMBER_STR_ISLOWER
                  : id == BuiltinId::StrIstitle     ? EMBER_STR_ISTITLE
                  : id == BuiltinId::StrIsnumeric   ? EMBER_STR_ISNUMERIC
                  : id == BuiltinId::StrIsprintable ? EMBER_STR_ISPRINTABLE
                  : id == BuiltinId::StrIsascii     ? EMBER_STR_ISASCII
                                                    : EMBER_STR_ISIDENTIFIER;
      return flag(call(RuntimeFn::StrPredicate, {string_value(arg(0)), i32c(which)}));
    }
    case BuiltinId::StrTranslate: {
      V slot = entry_alloca(ptr_, "translated");
      V status = call(RuntimeFn::StrTranslate, {string_value(arg(0)), get(arg(1)), slot});
      raise_if(b_.CreateICmpEQ(status, i32c(1)), EMBER_EXC_ValueError,
               "character mapping must be in range(0x110000)");
      raise_if(b_.CreateICmpNE(status, i32c(0)), EMBER_EXC_MemoryError,
               "out of memory in translate()");
      return b_.CreateLoad(ptr_, slot);
    }
    case BuiltinId::StrMaketrans: {
      const auto &kv = types_.get(type(d.result)).elems;
      V slot = entry_alloca(ptr_, "table");
      V status = given(1)
                     ? call(RuntimeFn::StrMaketrans, {string_value(arg(0)), string_value(arg(1)),
                                                      given(2) ? string_value(arg(2)) : null,
                                                      typeinfo(kv[0]), typeinfo(kv[1]), slot})
                     : call(RuntimeFn::StrMaketransDict,
                            {get(arg(0)), typeinfo(kv[0]), typeinfo(kv[1]), slot});
      raise_if(b_.CreateICmpEQ(status, i32c(1)), EMBER_EXC_ValueError,
               given(1) ? "the first two maketrans arguments must have equal length"
                        : "string keys in translate table must be of length 1");
      raise_if(b_.CreateICmpNE(status, i32c(0)), EMBER_EXC_MemoryError,
               "out of memory in maketrans()");
      return b_.CreateLoad(ptr_, slot);
    }
    case BuiltinId::StrRemoveprefix:
    case BuiltinId::StrRemovesuffix:
      return checked_string(
          call(RuntimeFn::StrRemoveAffix, {string_value(arg(0)), string_value(arg(1)),
                                           i32c(id == BuiltinId::StrRemovesuffix)}),
          "removeprefix()/removesuffix()");
    case BuiltinId::StrFormat: {
      std::vector<FormatPiece> pieces;
      std::string error;
      const std::string &tmpl = types_.string(types_.get(type(arg(0))).a);
      internal_assert(parse_format_string(tmpl, &pieces, &error)) << error;
      V acc = nullptr;
      for (const FormatPiece &p : pieces) {
        V part;
        if (p.arg < 0) {
          part = string_literal(p.text);
          incref(part, types_.unicode());
        } else {
          Value a = arg(static_cast<size_t>(p.arg) + 1);
          TypeId t = type(a);
          V v = types_.is_string(t) ? string_value(a) : get(a);
          part = p.text.empty() ? string_of(v, t) : format_value(v, t, string_literal(p.text));
        }
        acc = concat_owned(acc, part, "str.format()");
      }
      return owned_or_empty_string(acc);
    }
    default: internal_error << "not a string builtin: " << builtin_display_name(id);
  }
  return nullptr;
}

V FunctionLowerer::lower_string_join(V sep, Value items) {
  TypeId t = type(items);
  switch (types_.kind(t)) {
    case TypeKind::Str:
    case TypeKind::Unicode:
      return checked_string(
          b_.CreateCall(runtime(RuntimeFn::StrJoinChars), {sep, string_value(items)}), "join()");
    case TypeKind::List: {
      // A list of strings keeps its items as one array of string pointers: joined in place.
      V list = get(items);
      V first = list_item_ptr(list, llvm::ConstantInt::get(i64_, 0), types_.unicode());
      return checked_string(
          b_.CreateCall(runtime(RuntimeFn::StrJoin), {sep, first, list_size(list)}), "join()");
    }
    default: {  // a tuple of strings: its items copied to an array on the stack
      const auto &elems = types_.get(t).elems;
      auto *array_t = llvm::ArrayType::get(ptr_, std::max<size_t>(elems.size(), 1));
      V array = entry_alloca(array_t, "join.items");
      V tup = get(items);
      for (unsigned k = 0; k < elems.size(); ++k) {
        V e = types_.kind(elems[k]) == TypeKind::Str
                  ? string_literal(types_.string(types_.get(elems[k]).a))
                  : from_memory(b_.CreateExtractValue(tup, {k}), elems[k]);
        b_.CreateStore(e, b_.CreateConstGEP2_32(array_t, array, 0, k));
      }
      V n = llvm::ConstantInt::get(i64_, elems.size());
      return checked_string(b_.CreateCall(runtime(RuntimeFn::StrJoin), {sep, array, n}), "join()");
    }
  }
}

// ---- iteration: {string, next index, current character} ------------------------------------

V FunctionLowerer::string_iter_init(V s, TypeId iter) {
  llvm::Type *st = dm_.iterator_state_type(iter);
  V state = entry_alloca(st, "striter");
  b_.CreateStore(s, b_.CreateStructGEP(st, state, 0));
  b_.CreateStore(llvm::ConstantInt::get(i64_, 0), b_.CreateStructGEP(st, state, 1));
  b_.CreateStore(llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_)),
                 b_.CreateStructGEP(st, state, 2));
  incref(s, types_.unicode());  // the iterator holds the string
  return state;
}

V FunctionLowerer::string_iter_next(V state, TypeId iter) {
  llvm::Type *st = dm_.iterator_state_type(iter);
  V s = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 0));
  V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
  V ok = b_.CreateICmpSLT(idx, string_length(s));
  auto *step = llvm::BasicBlock::Create(ctx_, "striter.step", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "striter.done", fn_);
  b_.CreateCondBr(ok, step, done);
  b_.SetInsertPoint(step);
  // The iterator owns the current character: the previous one is released.
  meminfo_decref(b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 2)));
  V c = checked_string(b_.CreateCall(runtime(RuntimeFn::StrCharAt), {s, idx}), "iteration");
  b_.CreateStore(c, b_.CreateStructGEP(st, state, 2));
  b_.CreateStore(b_.CreateAdd(idx, llvm::ConstantInt::get(i64_, 1)),
                 b_.CreateStructGEP(st, state, 1));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return ok;
}

V FunctionLowerer::string_iter_value(V state, TypeId iter) {
  llvm::Type *st = dm_.iterator_state_type(iter);
  return b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 2));  // borrowed: the caller increfs
}

V FunctionLowerer::concat_owned(V acc, V part, const char *what) {
  if (!acc) return part;
  V joined = checked_string(b_.CreateCall(runtime(RuntimeFn::StrConcat), {acc, part}), what);
  decref(acc, types_.unicode());
  decref(part, types_.unicode());
  return joined;
}

V FunctionLowerer::owned_or_empty_string(V acc) {
  if (acc) return acc;
  V empty = string_literal("");
  incref(empty, types_.unicode());
  return empty;
}

}  // namespace ember
