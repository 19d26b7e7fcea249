/** \file Datetime.h
 * NumPy's datetime64 and timedelta64 rules, shared by typing (scalar operators, element-wise
 * array expressions, calls) and lowering so the two agree.  A value is an int64 count of its
 * unit (since 1970-01-01 for a datetime), NaT = INT64_MIN.  Mixing units converts both operands
 * to the finer unit, as NumPy does; a Generic (unit-less) value takes the other's unit.  The
 * linear units (W .. as) convert by a factor, Y to M by 12; a datetime in Y or M converts to a
 * linear unit through the calendar (lowering/CodeGenDatetime.cpp), a timedelta cannot (NumPy:
 * "incompatible nonlinear base time units").  An integer next to a datetime or timedelta is a
 * timedelta of its unit (np.datetime64('2020-01-01') + 1 is the next day).
 */
#pragma once

#include <string>

#include "ir/IR.h"

namespace ember {

/// NaT: the int64 value of Not-a-Time.
constexpr int64_t kNaT = INT64_MIN;

/// The unit both of a and b convert to (the finer; Generic takes the other's); false when
/// they have none (a timedelta in Y or M against one in W .. as: datetime says so).
bool common_time_unit(TimeUnit a, TimeUnit b, bool datetime, TimeUnit *out);
/// How many `to` units one `from` unit holds, for `from` no finer than `to` and both linear
/// (or both Y/M, or from Generic); 0 when the product overflows int64.
int64_t time_unit_factor(TimeUnit from, TimeUnit to);
/// Whether converting between the two units goes through the calendar (Y/M against W .. as).
bool calendar_conversion(TimeUnit from, TimeUnit to);

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), and back.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d);
/// np.datetime64's ISO 8601 strings ("2020", "2020-01", "2020-01-02T03:04:05.678", "NaT"):
/// the value in `unit`, or in the string's own precision when unit is Generic (then *unit is
/// set to it).  False for a string NumPy would refuse or ember does not parse ("today").
bool parse_datetime(const std::string &text, TimeUnit *unit, int64_t *value);
/// NumPy's unit names ("D", "ms", ...) -> the unit; false for other text.
bool parse_time_unit(const std::string &text, TimeUnit *out);
/// Whether NumPy would read `unit` as a unit with a multiple ("10s", "2D"), or `dtype` as a
/// datetime64/timedelta64 dtype in one ("m8[15m]"), which ember does not compile: callers
/// raise an UnsupportedError naming it where they would otherwise refuse the text.
bool time_unit_has_multiple(const std::string &unit);
bool time_dtype_has_multiple(const std::string &dtype);

/// An operation on datetimes or timedeltas: the kinds the two operands convert to before the
/// int64 arithmetic (a datetime or timedelta kind in the common unit, Int64, or Float64 for
/// `td * float`) and the result's kind.
struct TimeOp {
  ScalarKind lhs = ScalarKind::Int64, rhs = ScalarKind::Int64;
  ScalarKind result = ScalarKind::Int64;
};

/// `a op b` where a or b is a datetime or timedelta kind (false when neither is).  Raises a
/// TypingError where NumPy has no loop (datetime + datetime, td * td: NumPy's UFuncTypeError).
bool type_time_binop(BinOpKind kind, ScalarKind a, ScalarKind b, SourceLoc loc, TimeOp *out);
/// `a cmp b` (result Bool); false when neither is a datetime or timedelta kind.
bool type_time_compare(CmpKind kind, ScalarKind a, ScalarKind b, SourceLoc loc, TimeOp *out);
/// -td, +td (a TypingError for datetimes and ~).
ScalarKind type_time_unary(UnaryKind kind, ScalarKind a, SourceLoc loc);

struct ElementwiseTyping;
/// type_elementwise() for an operation with a datetime or timedelta operand (an array's
/// dtype or a scalar): operators and the ufuncs NumPy defines on them (abs, np.minimum /
/// maximum, np.isnat / isnan / isinf / isfinite, np.where); `first` is the first data operand.
bool type_time_elementwise(TypeContext &types, const Function &f, const InstData &d,
                           BuiltinId ufunc, size_t first, int ndim, ElementwiseTyping *out);

}  // namespace ember
