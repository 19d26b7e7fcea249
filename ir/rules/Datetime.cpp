#include "ir/rules/Datetime.h"

#include "ir/Error.h"
#include "ir/rules/Elementwise.h"

namespace ember {

namespace {

bool linear(TimeUnit u) { return u >= TimeUnit::W && u <= TimeUnit::as; }
bool yearly(TimeUnit u) { return u == TimeUnit::Y || u == TimeUnit::M; }

/// How many of the next finer unit one unit holds (W .. fs; Y: 12 months).
int64_t step(TimeUnit u) {
  switch (u) {
    case TimeUnit::Y: return 12;
    case TimeUnit::W: return 7;
    case TimeUnit::D: return 24;
    case TimeUnit::h:
    case TimeUnit::m: return 60;
    case TimeUnit::s:
    case TimeUnit::ms:
    case TimeUnit::us:
    case TimeUnit::ns:
    case TimeUnit::ps:
    case TimeUnit::fs: return 1000;
    case TimeUnit::M:
    case TimeUnit::as:
    case TimeUnit::Generic: return 1;
  }
  return 1;
}

bool int_like(ScalarKind k) { return k == ScalarKind::Bool || is_integer(k); }

[[noreturn]] void no_loop(const char *what, ScalarKind a, ScalarKind b, SourceLoc loc) {
  typing_error(loc) << "unsupported operand types for " << what << ": " << scalar_name(a) << " and "
                    << scalar_name(b) << " (NumPy has no loop for them: its UFuncTypeError)";
}

/// The common unit of two time kinds, raising when there is none.
TimeUnit common(ScalarKind a, ScalarKind b, SourceLoc loc) {
  TimeUnit u;
  bool datetime = is_datetime(a) || is_datetime(b);
  if (!common_time_unit(time_unit(a), time_unit(b), datetime, &u))
    typing_error(loc) << "cannot mix " << scalar_name(a) << " and " << scalar_name(b)
                      << ": NumPy has no common unit for a timedelta in years or months and "
                         "one in weeks or finer (incompatible nonlinear base time units)";
  auto overflows = [&](ScalarKind k) {
    return !calendar_conversion(time_unit(k), u) && time_unit_factor(time_unit(k), u) == 0;
  };
  if (overflows(a) || overflows(b))
    unsupported(loc) << "converting " << scalar_name(a) << " and " << scalar_name(b)
                     << " to a common unit overflows int64";
  return u;
}

}  // namespace

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;  // H. Hinnant's algorithm: years start in March
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool parse_time_unit(const std::string &text, TimeUnit *out) {
  for (int u = 0; u < kNumTimeUnits - 1; ++u)
    if (text == time_unit_name(static_cast<TimeUnit>(u))) {
      *out = static_cast<TimeUnit>(u);
      return true;
    }
  return false;
}

bool time_unit_has_multiple(const std::string &unit) {
  size_t digits = 0;
  while (digits < unit.size() && unit[digits] >= '0' && unit[digits] <= '9') ++digits;
  TimeUnit u;
  return digits > 0 && parse_time_unit(unit.substr(digits), &u);
}

bool time_dtype_has_multiple(const std::string &dtype) {
  for (const char *family : {"datetime64[", "M8[", "timedelta64[", "m8["}) {
    std::string f = family;
    if (dtype.size() > f.size() && dtype.compare(0, f.size(), f) == 0 && dtype.back() == ']')
      return time_unit_has_multiple(dtype.substr(f.size(), dtype.size() - f.size() - 1));
  }
  return false;
}

bool parse_datetime(const std::string &text, TimeUnit *unit, int64_t *value) {
  if (text == "NaT" || text == "nat" || text == "NAT") {
    *value = kNaT;
    return true;
  }
  size_t pos = 0;
  auto number = [&](size_t digits, int64_t *out) {
    if (pos + digits > text.size()) return false;
    int64_t v = 0;
    for (size_t k = 0; k < digits; ++k) {
      char c = text[pos + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos += digits;
    *out = v;
    return true;
  };
  auto sep = [&](char c) {
    if (pos < text.size() && (text[pos] == c || (c == 'T' && text[pos] == ' '))) {
      ++pos;
      return true;
    }
    return false;
  };
  int64_t y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, frac = 0;
  int frac_digits = 0;
  TimeUnit own = TimeUnit::Y;
  if (!number(4, &y)) return false;
  if (sep('-')) {
    if (!number(2, &mo) || mo < 1 || mo > 12) return false;
    own = TimeUnit::M;
    if (sep('-')) {
      static const int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      if (!number(2, &d) || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return false;
      own = TimeUnit::D;
      if (sep('T')) {
        if (!number(2, &h) || h > 23) return false;
        own = TimeUnit::h;
        if (sep(':')) {
          if (!number(2, &mi) || mi > 59) return false;
          own = TimeUnit::m;
          if (sep(':')) {
            if (!number(2, &s) || s > 59) return false;
            own = TimeUnit::s;
            if (sep('.')) {
              while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' &&
                     frac_digits < 18) {
                frac = frac * 10 + (text[pos++] - '0');
                ++frac_digits;
              }
              if (frac_digits == 0) return false;
              own = static_cast<TimeUnit>(static_cast<int>(TimeUnit::s) + (frac_digits + 2) / 3);
            }
          }
        }
      }
    }
  }
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  if (pos != text.size()) return false;
  TimeUnit u = *unit == TimeUnit::Generic ? own : *unit;
  *unit = u;
  int64_t days = days_from_civil(y, mo, d);
  auto floordiv = [](int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  switch (u) {
    case TimeUnit::Y: *value = y - 1970; return true;
    case TimeUnit::M: *value = (y - 1970) * 12 + mo - 1; return true;
    case TimeUnit::W: *value = floordiv(days, 7); return true;
    case TimeUnit::Generic: return false;
    default: break;
  }
  // Seconds and the fraction (as 10^-18 s), then the unit.
  __int128 as = static_cast<__int128>(((days * 24 + h) * 60 + mi) * 60 + s) * 1000000000000000000;
  __int128 f = frac;
  for (int k = frac_digits; k < 18; ++k) f *= 10;
  as += f;
  __int128 per = 1;  // attoseconds in one unit
  for (int k = static_cast<int>(TimeUnit::as); k > static_cast<int>(u); --k)
    per *= step(static_cast<TimeUnit>(k - 1));
  __int128 q = as / per - ((as % per != 0) && (as < 0));
  if (q < INT64_MIN + 1 || q > INT64_MAX) return false;
  *value = static_cast<int64_t>(q);
  return true;
}

bool calendar_conversion(TimeUnit from, TimeUnit to) {
  return (yearly(from) && linear(to)) || (linear(from) && yearly(to));
}

bool common_time_unit(TimeUnit a, TimeUnit b, bool datetime, TimeUnit *out) {
  if (a == TimeUnit::Generic) {
    *out = b;
    return true;
  }
  if (b == TimeUnit::Generic || a == b) {
    *out = a;
    return true;
  }
  if (calendar_conversion(a, b) && !datetime) return false;
  *out = a > b ? a : b;  // the finer unit
  return true;
}

int64_t time_unit_factor(TimeUnit from, TimeUnit to) {
  if (from == TimeUnit::Generic || from == to) return 1;
  if (calendar_conversion(from, to) || to == TimeUnit::Generic || from > to) return 0;
  int64_t f = 1;
  for (int u = static_cast<int>(from); u < static_cast<int>(to); ++u)
    if (__builtin_mul_overflow(f, step(static_cast<TimeUnit>(u)), &f)) return 0;
  return f;
}

bool type_time_binop(BinOpKind kind, ScalarKind a, ScalarKind b, SourceLoc loc, TimeOp *out) {
  if (!is_time(a) && !is_time(b)) return false;
  const char *sym = binop_symbol(kind);
  auto td = [](ScalarKind k) { return is_timedelta(k); };
  auto dt = [](ScalarKind k) { return is_datetime(k); };
  switch (kind) {
    case BinOpKind::Add:
    case BinOpKind::Sub: {
      bool sub = kind == BinOpKind::Sub;
      // An integer is a timedelta of the other operand's unit.
      if (int_like(a) && !(sub && dt(b))) a = timedelta_kind(time_unit(b));
      if (int_like(b)) b = timedelta_kind(time_unit(a));
      if (!is_time(a) || !is_time(b) || (dt(a) && dt(b) && !sub) || (td(a) && dt(b) && sub))
        no_loop(sym, a, b, loc);
      TimeUnit u = common(a, b, loc);
      out->lhs = dt(a) ? datetime_kind(u) : timedelta_kind(u);
      out->rhs = dt(b) ? datetime_kind(u) : timedelta_kind(u);
      out->result = (dt(a) && dt(b)) || !(dt(a) || dt(b)) ? timedelta_kind(u) : datetime_kind(u);
      return true;
    }
    case BinOpKind::Mul: {  // td * number, number * td
      bool left = td(a);
      ScalarKind t = left ? a : b, n = left ? b : a;
      if (!td(t) || !(int_like(n) || is_float(n))) no_loop(sym, a, b, loc);
      ScalarKind num = is_float(n) ? ScalarKind::Float64 : ScalarKind::Int64;
      out->lhs = left ? t : num;
      out->rhs = left ? num : t;
      out->result = t;
      return true;
    }
    case BinOpKind::TrueDiv:
    case BinOpKind::FloorDiv:
    case BinOpKind::Mod: {
      if (td(a) && td(b)) {
        TimeUnit u = common(a, b, loc);
        out->lhs = out->rhs = timedelta_kind(u);
        out->result = kind == BinOpKind::TrueDiv    ? ScalarKind::Float64
                      : kind == BinOpKind::FloorDiv ? ScalarKind::Int64
                                                    : timedelta_kind(u);
        return true;
      }
      if (kind != BinOpKind::Mod && td(a) && (int_like(b) || is_float(b))) {
        out->lhs = out->result = a;
        out->rhs = is_float(b) ? ScalarKind::Float64 : ScalarKind::Int64;
        return true;
      }
      no_loop(sym, a, b, loc);
    }
    case BinOpKind::Pow:
    case BinOpKind::LShift:
    case BinOpKind::RShift:
    case BinOpKind::And:
    case BinOpKind::Or:
    case BinOpKind::Xor:
    case BinOpKind::MatMul: no_loop(sym, a, b, loc);
  }
  no_loop(sym, a, b, loc);
}

bool type_time_compare(CmpKind kind, ScalarKind a, ScalarKind b, SourceLoc loc, TimeOp *out) {
  if (!is_time(a) && !is_time(b)) return false;
  // An integer compares as a timedelta of the other's unit (np.timedelta64(5, 's') > 3).
  if (int_like(a) && is_timedelta(b)) a = b;
  if (int_like(b) && is_timedelta(a)) b = a;
  if (!is_time(a) || !is_time(b) || is_datetime(a) != is_datetime(b))
    typing_error(loc) << "cannot compare " << scalar_name(a) << " " << cmp_symbol(kind) << " "
                      << scalar_name(b);
  TimeUnit u = common(a, b, loc);
  out->lhs = out->rhs = is_datetime(a) ? datetime_kind(u) : timedelta_kind(u);
  out->result = ScalarKind::Bool;
  return true;
}

ScalarKind type_time_unary(UnaryKind kind, ScalarKind a, SourceLoc loc) {
  if (kind == UnaryKind::Not) return ScalarKind::Bool;
  if (is_datetime(a) || kind == UnaryKind::Invert)
    typing_error(loc) << "bad operand type for unary " << unary_symbol(kind) << ": "
                      << scalar_name(a);
  return a;
}

}  // namespace ember

namespace ember {

bool type_time_elementwise(TypeContext &types, const Function &f, const InstData &d,
                           BuiltinId ufunc, size_t first, int ndim, ElementwiseTyping *out) {
  auto kind = [&](size_t k) {
    TypeId t = unwrap_optional(types, f.type(d.operands[k]));
    return types.is_array(t) ? types.dtype(t) : types.scalar_kind(t);
  };
  ScalarKind result = ScalarKind::Bool;
  switch (d.op) {
    case Op::BinOp: {
      auto op = static_cast<BinOpKind>(d.imm);
      TimeOp t;
      type_time_binop(op, kind(0), kind(1), d.loc, &t);
      result = t.result;
      TypeId lhs = f.type(d.operands[0]);
      if (d.imm2 && types.is_array(lhs)) {  // a op= b: into a's dtype (NumPy's same_kind)
        ScalarKind lk = types.dtype(lhs);
        if (is_time(result) != is_time(lk) || is_datetime(result) != is_datetime(lk))
          typing_error(d.loc) << "cannot cast the result of " << binop_symbol(op) << "= from "
                              << scalar_name(result) << " to the array's " << scalar_name(lk)
                              << " (NumPy's same_kind casting)";
        if (types.readonly(lhs)) typing_error(d.loc) << "cannot update a read-only array in place";
        result = lk;
        ndim = types.ndim(lhs);
      }
      break;
    }
    case Op::Compare: {
      TimeOp t;
      type_time_compare(static_cast<CmpKind>(d.imm), kind(0), kind(1), d.loc, &t);
      break;
    }
    case Op::Unary:
      if (static_cast<UnaryKind>(d.imm) == UnaryKind::Not)
        typing_error(d.loc) << "the truth value of an array is ambiguous; use ~mask or "
                               "np.logical_not";
      result = type_time_unary(static_cast<UnaryKind>(d.imm), kind(0), d.loc);
      break;
    case Op::Call: {
      size_t n = d.operands.size() - first;
      switch (ufunc) {
        case BuiltinId::NpIsnat:
        case BuiltinId::NpIsnan:
        case BuiltinId::NpIsinf:
        case BuiltinId::NpIsfinite:
          if (!is_time(kind(first))) break;
          result = ScalarKind::Bool;
          out->compute = out->result = result;
          out->ndim = ndim;
          return true;
        case BuiltinId::Abs:
        case BuiltinId::NpAbsolute:
          result = type_time_unary(UnaryKind::Neg, kind(first), d.loc);
          out->compute = out->result = result;
          out->ndim = ndim;
          return true;
        case BuiltinId::NpMinimum:
        case BuiltinId::NpMaximum:
        case BuiltinId::NpWhere:
        case BuiltinId::NpClip: {  // the operands' common kind (clip: of all three)
          size_t a = ufunc == BuiltinId::NpWhere ? first + 1 : first;
          if (n < 2 || a + 1 >= d.operands.size()) break;
          TimeOp t;
          type_time_compare(CmpKind::Lt, kind(a), kind(a + 1), d.loc, &t);
          if (ufunc == BuiltinId::NpClip && a + 2 < d.operands.size())
            type_time_compare(CmpKind::Lt, t.lhs, kind(a + 2), d.loc, &t);
          out->compute = out->result = t.lhs;
          out->ndim = ndim;
          return true;
        }
        default: break;
      }
      typing_error(d.loc) << builtin_display_name(ufunc) << "() is not defined for "
                          << scalar_name(kind(first)) << " values (NumPy has no loop for them)";
    }
    default: break;
  }
  out->compute = out->result = result;
  out->ndim = ndim;
  return true;
}

}  // namespace ember
