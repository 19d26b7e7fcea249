// Typing rules for strings (Numba's unicode_type): operators, subscripts, str's methods and the
// builtins that make or read strings (str, ord, chr, hash, format, int(s), float(s)).  A string
// literal keeps its compile-time type (TypeKind::Str: it may be a dtype name or an exception's
// message) until it meets a runtime string or is merged, returned or stored, where it becomes a
// unicode_type; lowering materializes literals as immortal module constants.
#include "ir/rules/FormatString.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

bool type_string_binop(TypeContext &types, BinOpKind kind, TypeId lhs, TypeId rhs, SourceLoc loc,
                       OperationTypes *out) {
  bool ls = types.is_string(lhs), rs = types.is_string(rhs);
  if (!ls && !rs) return false;
  auto int_like = [&](TypeId t) {
    return types.is_scalar(t) &&
           (is_integer(types.scalar_kind(t)) || types.scalar_kind(t) == ScalarKind::Bool);
  };
  // The operand type stays Unknown: lowering reads each side as it is (a literal or a string).
  if (kind == BinOpKind::Add && ls && rs) {
    *out = {TypeId{}, types.unicode()};
    return true;
  }
  if (kind == BinOpKind::Mod && ls) {
    // "%d of %s" % (a, b): the format must be a literal; its conversions are checked against
    // the values here (CPython's TypeErrors become TypingErrors naming the line).
    if (types.kind(lhs) != TypeKind::Str)
      unsupported(loc) << "%-formatting needs a literal format string in compiled code";
    std::vector<PercentPiece> pieces;
    std::string error;
    if (!parse_percent_format(types.string(types.get(lhs).a), &pieces, &error))
      typing_error(loc) << "%-format: " << error;
    std::vector<TypeId> values =
        types.kind(rhs) == TypeKind::Tuple ? types.get(rhs).elems : std::vector<TypeId>{rhs};
    size_t used = 0;
    for (const PercentPiece &p : pieces) {
      if (p.arg < 0) continue;
      if (static_cast<size_t>(p.arg) >= values.size())
        typing_error(loc) << "not enough arguments for format string";
      used = static_cast<size_t>(p.arg) + 1;
      TypeId v = values[static_cast<size_t>(p.arg)];
      bool number = types.is_scalar(v) && !is_complex(types.scalar_kind(v));
      if (p.conv == PercentConv::Str ? !(number || types.is_string(v)) : !number)
        typing_error(loc) << "%-format: a " << types.to_string(v) << " for a "
                          << (p.conv == PercentConv::Str ? "%s" : "number") << " conversion";
    }
    if (used != values.size())
      typing_error(loc) << "not all arguments converted during string formatting";
    *out = {TypeId{}, types.unicode()};
    return true;
  }
  if (kind == BinOpKind::Mul && ((ls && int_like(rhs)) || (rs && int_like(lhs)))) {
    *out = {TypeId{}, types.unicode()};
    return true;
  }
  typing_error(loc) << "unsupported operand types for " << binop_symbol(kind) << ": "
                    << types.to_string(lhs) << " and " << types.to_string(rhs);
}

bool type_string_compare(TypeContext &types, CmpKind kind, TypeId lhs, TypeId rhs, SourceLoc loc,
                         OperationTypes *out) {
  bool ls = types.is_string(lhs), rs = types.is_string(rhs);
  if (!ls && !rs) return false;
  if (!ls || !rs)
    typing_error(loc) << "cannot compare " << types.to_string(lhs) << " " << cmp_symbol(kind) << " "
                      << types.to_string(rhs)
                      << " in compiled code (a string compares with strings only)";
  *out = {TypeId{}, types.boolean()};
  return true;
}

TypeId stored_type(TypeContext &types, TypeId t) {
  return types.kind(t) == TypeKind::Str ? types.unicode() : t;
}

TypeId type_string_getitem(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId it = cx.type(cx.inst.operands[1]);
  if (types.kind(it) == TypeKind::Slice) return types.unicode();
  if (types.is_scalar(it) &&
      (is_integer(types.scalar_kind(it)) || types.scalar_kind(it) == ScalarKind::Bool))
    return types.unicode();
  typing_error(cx.loc()) << "string indices must be integers or slices, not "
                         << types.to_string(it);
}

BuiltinId string_method_builtin(MethodId m) {
  switch (m) {
    case MethodId::Split: return BuiltinId::StrSplit;
    case MethodId::Join: return BuiltinId::StrJoin;
    case MethodId::Strip: return BuiltinId::StrStrip;
    case MethodId::Lstrip: return BuiltinId::StrLstrip;
    case MethodId::Rstrip: return BuiltinId::StrRstrip;
    case MethodId::Startswith: return BuiltinId::StrStartswith;
    case MethodId::Endswith: return BuiltinId::StrEndswith;
    case MethodId::Find: return BuiltinId::StrFind;
    case MethodId::Rfind: return BuiltinId::StrRfind;
    case MethodId::Index: return BuiltinId::StrIndex;
    case MethodId::Rindex: return BuiltinId::StrRindex;
    case MethodId::Count: return BuiltinId::StrCount;
    case MethodId::Replace: return BuiltinId::StrReplace;
    case MethodId::Upper: return BuiltinId::StrUpper;
    case MethodId::Lower: return BuiltinId::StrLower;
    case MethodId::Isdigit: return BuiltinId::StrIsdigit;
    case MethodId::Isalpha: return BuiltinId::StrIsalpha;
    case MethodId::Isspace: return BuiltinId::StrIsspace;
    case MethodId::Isdecimal: return BuiltinId::StrIsdecimal;
    case MethodId::Isalnum: return BuiltinId::StrIsalnum;
    case MethodId::Zfill: return BuiltinId::StrZfill;
    case MethodId::Center: return BuiltinId::StrCenter;
    case MethodId::Ljust: return BuiltinId::StrLjust;
    case MethodId::Rjust: return BuiltinId::StrRjust;
    case MethodId::Format: return BuiltinId::StrFormat;
    case MethodId::Rsplit: return BuiltinId::StrRsplit;
    case MethodId::Splitlines: return BuiltinId::StrSplitlines;
    case MethodId::Partition: return BuiltinId::StrPartition;
    case MethodId::Rpartition: return BuiltinId::StrRpartition;
    case MethodId::Expandtabs: return BuiltinId::StrExpandtabs;
    case MethodId::Title: return BuiltinId::StrTitle;
    case MethodId::Capitalize: return BuiltinId::StrCapitalize;
    case MethodId::Swapcase: return BuiltinId::StrSwapcase;
    case MethodId::Casefold: return BuiltinId::StrCasefold;
    case MethodId::Isupper: return BuiltinId::StrIsupper;
    case MethodId::Islower: return BuiltinId::StrIslower;
    case MethodId::Istitle: return BuiltinId::StrIstitle;
    case MethodId::Isnumeric: return BuiltinId::StrIsnumeric;
    case MethodId::Isprintable: return BuiltinId::StrIsprintable;
    case MethodId::Isascii: return BuiltinId::StrIsascii;
    case MethodId::Isidentifier: return BuiltinId::StrIsidentifier;
    case MethodId::Translate: return BuiltinId::StrTranslate;
    case MethodId::Removeprefix: return BuiltinId::StrRemoveprefix;
    case MethodId::Removesuffix: return BuiltinId::StrRemovesuffix;
    default: return BuiltinId::NumBuiltins;
  }
}

const BuiltinSignature *string_builtin_signature(BuiltinId id) {
  using S = BuiltinSignature;
  static const S self{{"self"}, 1, false};
  static const S object{{"object"}, 0, false};
  static const S format{{"value", "format_spec"}, 1, false};
  static const S split{{"self", "sep", "maxsplit"}, 1, false};
  static const S join{{"self", "iterable"}, 2, false};
  static const S strip{{"self", "chars"}, 1, false};
  static const S affix{{"self", "prefix", "start", "end"}, 2, false};
  static const S search{{"self", "sub", "start", "end"}, 2, false};
  static const S replace{{"self", "old", "new", "count"}, 3, false};
  static const S zfill{{"self", "width"}, 2, false};
  static const S pad{{"self", "width", "fillchar"}, 2, false};
  static const S varargs{{}, 0, true};
  static const S splitlines{{"self", "keepends"}, 1, false};
  static const S partition{{"self", "sep"}, 2, false};
  static const S expandtabs{{"self", "tabsize"}, 1, false};
  static const S translate{{"self", "table"}, 2, false};
  static const S maketrans{{"x", "y", "z"}, 1, false};
  static const S removeprefix{{"self", "prefix"}, 2, false};
  static const S removesuffix{{"self", "suffix"}, 2, false};
  switch (id) {
    case BuiltinId::Str: return &object;
    case BuiltinId::Format: return &format;
    case BuiltinId::StrSplit:
    case BuiltinId::StrRsplit: return &split;
    case BuiltinId::StrSplitlines: return &splitlines;
    case BuiltinId::StrPartition:
    case BuiltinId::StrRpartition: return &partition;
    case BuiltinId::StrExpandtabs: return &expandtabs;
    case BuiltinId::StrJoin: return &join;
    case BuiltinId::StrStrip:
    case BuiltinId::StrLstrip:
    case BuiltinId::StrRstrip: return &strip;
    case BuiltinId::StrStartswith:
    case BuiltinId::StrEndswith: return &affix;
    case BuiltinId::StrFind:
    case BuiltinId::StrRfind:
    case BuiltinId::StrIndex:
    case BuiltinId::StrRindex:
    case BuiltinId::StrCount: return &search;
    case BuiltinId::StrReplace: return &replace;
    case BuiltinId::StrUpper:
    case BuiltinId::StrLower:
    case BuiltinId::StrIsdigit:
    case BuiltinId::StrIsalpha:
    case BuiltinId::StrIsspace:
    case BuiltinId::StrIsdecimal:
    case BuiltinId::StrIsalnum:
    case BuiltinId::StrTitle:
    case BuiltinId::StrCapitalize:
    case BuiltinId::StrSwapcase:
    case BuiltinId::StrCasefold:
    case BuiltinId::StrIsupper:
    case BuiltinId::StrIslower:
    case BuiltinId::StrIstitle:
    case BuiltinId::StrIsnumeric:
    case BuiltinId::StrIsprintable:
    case BuiltinId::StrIsascii:
    case BuiltinId::StrIsidentifier: return &self;
    case BuiltinId::StrZfill: return &zfill;
    case BuiltinId::StrCenter:
    case BuiltinId::StrLjust:
    case BuiltinId::StrRjust: return &pad;
    case BuiltinId::StrFormat: return &varargs;
    case BuiltinId::StrTranslate: return &translate;
    case BuiltinId::StrMaketrans: return &maketrans;
    case BuiltinId::StrRemoveprefix: return &removeprefix;
    case BuiltinId::StrRemovesuffix: return &removesuffix;
    default: return nullptr;
  }
}

namespace {

bool int_like(const BuiltinCall &c, TypeId t) {
  return c.types.is_scalar(t) &&
         (is_integer(c.types.scalar_kind(t)) || c.types.scalar_kind(t) == ScalarKind::Bool);
}

/// What str() and f-strings can print: numbers (not complex) and strings.
bool printable(const BuiltinCall &c, TypeId t) {
  return c.types.is_string(t) || (c.types.is_scalar(t) && !is_complex(c.types.scalar_kind(t)));
}

void require_string(const BuiltinCall &c, size_t p, const char *what) {
  if (!c.types.is_string(c.param(p)))
    typing_error(c.cx.loc()) << c.name() << "(): " << what << " must be a str, not "
                             << c.types.to_string(c.param(p));
}

/// startswith / endswith: a str, or a tuple of str (any of them may match, as CPython's).
void require_affix(const BuiltinCall &c) {
  TypeId t = c.param(1);
  if (c.types.is_string(t)) return;
  if (c.types.kind(t) != TypeKind::Tuple)
    typing_error(c.cx.loc()) << c.name() << "(): the first argument must be str or a tuple of "
                             << "str, not " << c.types.to_string(t);
  for (TypeId e : c.types.get(t).elems)
    if (!c.types.is_string(e))
      typing_error(c.cx.loc()) << c.name() << "(): a tuple of affixes must only contain str, not "
                               << c.types.to_string(e);
}

void optional_int(const BuiltinCall &c, size_t p, const char *what) {
  if (c.given(p) && !int_like(c, c.param(p)))
    typing_error(c.cx.loc()) << c.name() << "(): " << what << " must be an integer or None, not "
                             << c.types.to_string(c.param(p));
}

/// str.join's argument: a list or tuple of strings, or a string (its characters).
void check_joinable(const BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId t = c.param(1);
  bool ok = false;
  switch (types.kind(t)) {
    case TypeKind::Str:
    case TypeKind::Unicode: ok = true; break;
    case TypeKind::List: {
      TypeId item = types.get(t).elems[0];
      ok = item.unknown() || types.is_string(item);  // [] (no item type yet) joins to ''
      break;
    }
    case TypeKind::Tuple:
      ok = true;
      for (TypeId e : types.get(t).elems) ok = ok && types.is_string(e);
      break;
    default: break;
  }
  if (!ok)
    typing_error(c.cx.loc()) << "str.join() takes a list or tuple of strings (or a string) in "
                                "compiled code, not a "
                             << types.to_string(t);
}

/// A translation table's value type: an integer (a code point), a string, None, or an Optional
/// of an integer or a string (CPython's tables map to int, str or None).
bool translation_value(const BuiltinCall &c, TypeId v) {
  TypeContext &types = c.types;
  if (types.kind(v) == TypeKind::Optional) v = types.get(v).elems[0];
  return int_like(c, v) || types.kind(v) == TypeKind::Unicode || types.kind(v) == TypeKind::None;
}

/// str.translate(table): a dict from integers (code points) to translation values.
void check_translate_table(const BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId t = c.param(1);
  if (types.kind(t) != TypeKind::Dict)
    unsupported(c.cx.loc()) << "str.translate() takes a dict in compiled code (as str.maketrans() "
                               "makes), not a "
                            << types.to_string(t);
  TypeId k = types.get(t).elems[0], v = types.get(t).elems[1];
  if (!int_like(c, k))
    typing_error(c.cx.loc()) << "str.translate(): the table's keys must be integers (code "
                                "points, as str.maketrans() makes them), not "
                             << types.to_string(k);
  if (!translation_value(c, v))
    typing_error(c.cx.loc()) << "str.translate(): the table's values must be integers, strings "
                                "or None, not "
                             << types.to_string(v);
}

/// str.maketrans(x, y[, z]) of strings, or str.maketrans(dict): a dict keyed by code point.
TypeId type_maketrans(const BuiltinCall &c) {
  TypeContext &types = c.types;
  if (c.given(1)) {
    require_string(c, 0, "the first argument");
    require_string(c, 1, "the second argument");
    if (!c.given(2)) return types.dict(types.int64(), types.int64());
    require_string(c, 2, "the third argument");
    return types.dict(types.int64(), types.optional(types.int64()));
  }
  if (c.given(2))
    typing_error(c.cx.loc()) << "str.maketrans(): the third argument needs the first two";
  TypeId t = c.param(0);
  if (types.kind(t) != TypeKind::Dict)
    typing_error(c.cx.loc()) << "str.maketrans(): if you give only one argument, it must be a "
                                "dict, not a "
                             << types.to_string(t);
  TypeId k = types.get(t).elems[0], v = types.get(t).elems[1];
  if (!int_like(c, k) && types.kind(k) != TypeKind::Unicode)
    typing_error(c.cx.loc()) << "str.maketrans(): keys in translate table must be strings or "
                                "integers, not "
                             << types.to_string(k);
  if (!translation_value(c, v))
    typing_error(c.cx.loc()) << "str.maketrans(): the values must be integers, strings or None, "
                                "not "
                             << types.to_string(v);
  return types.dict(types.int64(), v);
}

}  // namespace

TypeId type_string_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  switch (c.id) {
    case BuiltinId::Str:
      if (c.given(0) && types.kind(c.param(0)) == TypeKind::CaughtException)
        return types.unicode();  // str(e) of `except E as e`: formatted at run time
      if (c.given(0) && !printable(c, c.param(0)))
        unsupported(c.cx.loc()) << "str() of a " << types.to_string(c.param(0))
                                << " is not supported in compiled code (numbers and strings are)";
      return types.unicode();
    case BuiltinId::Repr:
      if (!types.is_scalar(c.param(0)) || is_complex(types.scalar_kind(c.param(0))))
        unsupported(c.cx.loc()) << "repr() of a " << types.to_string(c.param(0))
                                << " is not supported in compiled code (numbers are)";
      return types.unicode();
    case BuiltinId::Format:
      if (!printable(c, c.param(0)))
        unsupported(c.cx.loc()) << "format() of a " << types.to_string(c.param(0))
                                << " is not supported in compiled code (numbers and strings are)";
      if (c.given(1)) require_string(c, 1, "the format spec");
      return types.unicode();
    case BuiltinId::Ord: require_string(c, 0, "the argument"); return types.int64();
    case BuiltinId::Chr:
      if (!int_like(c, c.param(0))) c.bad_args();
      return types.unicode();
    case BuiltinId::Hash:
      if (types.is_string(c.param(0))) return types.int64();
      if (types.is_scalar(c.param(0)) && !is_complex(types.scalar_kind(c.param(0))))
        return types.int64();  // numbers: Python's hash (runtime/PyNumbers.cpp)
      unsupported(c.cx.loc())
          << "hash() of a " << types.to_string(c.param(0))
          << " is not supported in compiled code (strings and real numbers are)";
    case BuiltinId::StrSplit:
    case BuiltinId::StrRsplit:
      if (c.given(1)) require_string(c, 1, "the separator");
      optional_int(c, 2, "maxsplit");
      return types.list(types.unicode());
    case BuiltinId::StrSplitlines:
      if (c.given(1) && !int_like(c, c.param(1)))
        typing_error(c.cx.loc()) << c.name() << "(): keepends must be a bool, not "
                                 << types.to_string(c.param(1));
      return types.list(types.unicode());
    case BuiltinId::StrJoin: check_joinable(c); return types.unicode();
    case BuiltinId::StrPartition:
    case BuiltinId::StrRpartition:
      require_string(c, 1, "the separator");
      return types.tuple({types.unicode(), types.unicode(), types.unicode()});
    case BuiltinId::StrExpandtabs: optional_int(c, 1, "tabsize"); return types.unicode();
    case BuiltinId::StrTranslate: check_translate_table(c); return types.unicode();
    case BuiltinId::StrMaketrans: return type_maketrans(c);
    case BuiltinId::StrRemoveprefix: require_string(c, 1, "the prefix"); return types.unicode();
    case BuiltinId::StrRemovesuffix: require_string(c, 1, "the suffix"); return types.unicode();
    case BuiltinId::StrTitle:
    case BuiltinId::StrCapitalize:
    case BuiltinId::StrSwapcase:
    case BuiltinId::StrCasefold: return types.unicode();
    case BuiltinId::StrIsupper:
    case BuiltinId::StrIslower:
    case BuiltinId::StrIstitle:
    case BuiltinId::StrIsnumeric:
    case BuiltinId::StrIsprintable:
    case BuiltinId::StrIsascii:
    case BuiltinId::StrIsidentifier: return types.boolean();
    case BuiltinId::StrStrip:
    case BuiltinId::StrLstrip:
    case BuiltinId::StrRstrip:
      if (c.given(1)) require_string(c, 1, "chars");
      return types.unicode();
    case BuiltinId::StrStartswith:
    case BuiltinId::StrEndswith:
      require_affix(c);
      optional_int(c, 2, "start");
      optional_int(c, 3, "end");
      return types.boolean();
    case BuiltinId::StrFind:
    case BuiltinId::StrRfind:
    case BuiltinId::StrIndex:
    case BuiltinId::StrRindex:
    case BuiltinId::StrCount:
      require_string(c, 1, "the substring");
      optional_int(c, 2, "start");
      optional_int(c, 3, "end");
      return types.int64();
    case BuiltinId::StrReplace:
      require_string(c, 1, "old");
      require_string(c, 2, "new");
      optional_int(c, 3, "count");
      return types.unicode();
    case BuiltinId::StrUpper:
    case BuiltinId::StrLower: return types.unicode();
    case BuiltinId::StrIsdigit:
    case BuiltinId::StrIsalpha:
    case BuiltinId::StrIsspace:
    case BuiltinId::StrIsdecimal:
    case BuiltinId::StrIsalnum: return types.boolean();
    case BuiltinId::StrZfill:
    case BuiltinId::StrCenter:
    case BuiltinId::StrLjust:
    case BuiltinId::StrRjust:
      if (!int_like(c, c.param(1)))
        typing_error(c.cx.loc()) << c.name() << "(): the width must be an integer, not "
                                 << types.to_string(c.param(1));
      if (c.id != BuiltinId::StrZfill && c.given(2)) require_string(c, 2, "the fill character");
      return types.unicode();
    case BuiltinId::StrFormat: {
      // "...".format(a, b): the format string must be a literal (its fields are read at compile
      // time); positional fields only.
      if (types.kind(c.arg(0)) != TypeKind::Str)
        unsupported(c.cx.loc()) << "str.format() needs a literal format string in compiled code";
      std::vector<FormatPiece> pieces;
      std::string error;
      if (!parse_format_string(types.string(types.get(c.arg(0)).a), &pieces, &error))
        typing_error(c.cx.loc()) << "str.format(): " << error;
      for (const FormatPiece &p : pieces)
        if (p.arg >= 0 && static_cast<size_t>(p.arg) + 1 >= c.nargs())
          typing_error(c.cx.loc()) << "str.format(): the format string uses argument " << p.arg
                                   << " but " << c.nargs() - 1 << " were given";
      for (size_t i = 1; i < c.nargs(); ++i)
        if (!printable(c, c.arg(i)))
          unsupported(c.cx.loc()) << "str.format() of a " << types.to_string(c.arg(i))
                                  << " is not supported in compiled code (numbers and strings are)";
      return types.unicode();
    }
    default: return TypeId{};
  }
}

}  // namespace ember
