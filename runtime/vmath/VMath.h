// runtime/vmath/VMath.h — private to runtime/vmath: the list of vector math functions, and the
// kernels that VMathSse42.cpp, VMathAvx2.cpp and VMathAvx512.cpp instantiate, each for its own
// ISA, to define the extern "C" entry points of ember/vmath.h.
//
// The kernels are xsimd's where xsimd is within 4 ulp of glibc, with the lanes it gets wrong
// (overflow edges, subnormals, huge arguments, signed zeros) recomputed by the scalar libm
// function or fixed up, and ember's own code where xsimd 8.1 is too inaccurate on ordinary
// inputs (sin/cos/tan and erf in float64, pow, hypot) or slow (exp in float64).  Everything
// below EMBER_VMATH_ISA_TU is only for the per-ISA files: the table (VMathTable.cpp) includes
// this header for the lists alone.
//
// One-definition hazard: a per-ISA file is compiled with -mavx2 (or -mavx512f), and any inline
// function it shares with another translation unit (xsimd's non-template helpers, like
// xsimd::detail::__ieee754_rem_pio2) could be the copy the linker keeps for everyone, so that
// plain SSE code would end up executing AVX instructions.  Hence every per-ISA file renames the
// xsimd namespace (EMBER_VMATH_XSIMD_NS) and keeps its own code in an anonymous namespace:
// only the ember_v* entry points are shared.
//
// The pow and erf kernels for float64 vectorize fdlibm's e_pow.c and s_erf.c, which carry:
//   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//   Developed at SunPro, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this software is freely granted, provided
//   that this notice is preserved.
#ifndef EMBER_RUNTIME_VMATH_VMATH_H
#define EMBER_RUNTIME_VMATH_VMATH_H

// Every function, as X(name, ...), the extra arguments passed along.  Each name is libm's
// float64 function; float32 adds an "f".
#define EMBER_VMATH_UNARY_FUNCTIONS(X, ...)                                                   \
  X(exp, __VA_ARGS__)                                                                         \
  X(log, __VA_ARGS__) X(log2, __VA_ARGS__) X(log10, __VA_ARGS__) X(log1p, __VA_ARGS__)        \
      X(expm1, __VA_ARGS__) X(sin, __VA_ARGS__) X(cos, __VA_ARGS__) X(tan, __VA_ARGS__)       \
          X(asin, __VA_ARGS__) X(acos, __VA_ARGS__) X(atan, __VA_ARGS__) X(sinh, __VA_ARGS__) \
              X(cosh, __VA_ARGS__) X(tanh, __VA_ARGS__) X(cbrt, __VA_ARGS__) X(erf, __VA_ARGS__)
#define EMBER_VMATH_BINARY_FUNCTIONS(X, ...) \
  X(atan2, __VA_ARGS__) X(pow, __VA_ARGS__) X(hypot, __VA_ARGS__)

#endif  // EMBER_RUNTIME_VMATH_VMATH_H

// ---- per-ISA kernels --------------------------------------------------------------------------
#if defined(EMBER_VMATH_ISA_TU) && !defined(EMBER_RUNTIME_VMATH_VMATH_KERNELS)
#define EMBER_RUNTIME_VMATH_VMATH_KERNELS

#if !defined(EMBER_VMATH_XSIMD_NS) || !defined(EMBER_VMATH_ARCH)
#error "define EMBER_VMATH_XSIMD_NS and EMBER_VMATH_ARCH before including VMath.h"
#endif
#if defined(__FAST_MATH__)
#error "the vector math kernels need IEEE semantics: do not build them with -ffast-math"
#endif

#include <immintrin.h>
#include <math.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ember/vmath.h"

#define xsimd EMBER_VMATH_XSIMD_NS
#include <xsimd/xsimd.hpp>

// xsimd 8.1 has no vector float64 -> int64 conversion before AVX512DQ (nor in its avx512f
// architecture), so to_int goes lane by lane through memory, and its exp, expm1, sinh, cosh
// and tanh in float64 spend most of their time there.  Found by argument-dependent lookup from
// xsimd's batch_cast.  Exact for |x| < 2^51, which covers the exponents those kernels convert;
// they select the result of larger arguments away.
namespace xsimd {
template <class A>
inline batch<int64_t, A> fast_cast(batch<double, A> const &x, batch<int64_t, A> const &,
                                   kernel::requires_arch<generic>) noexcept {
  const batch<double, A> magic(6755399441055744.0);  // 1.5 * 2^52: trunc(x) lands in its ulp
  return bitwise_cast<batch<int64_t, A>>(trunc(x) + magic) -
         batch<int64_t, A>(int64_t(0x4338000000000000));
}
}  // namespace xsimd

namespace {

template <class T>
using vbatch = xsimd::batch<T, EMBER_VMATH_ARCH>;

template <class T, class A>
using vbool = typename xsimd::batch<T, A>::batch_bool_type;

template <class A>
using u64batch = xsimd::batch<uint64_t, A>;

inline double from_bits(uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, 8);
  return x;
}

// ---- lanes recomputed by libm -----------------------------------------------------------------

// Out of line and cold: the common case (no bad lane) stays a compare, a movemask and a branch.
template <class T, class A>
[[gnu::noinline, gnu::cold]] xsimd::batch<T, A> libm_lanes(xsimd::batch<T, A> r, vbool<T, A> bad,
                                                           xsimd::batch<T, A> x, T (*f)(T)) {
  constexpr std::size_t n = xsimd::batch<T, A>::size;
  alignas(64) T xs[n];
  alignas(64) T rs[n];
  bool mask[n];
  x.store_aligned(xs);
  r.store_aligned(rs);
  bad.store_unaligned(mask);
  for (std::size_t i = 0; i < n; ++i)
    if (mask[i]) rs[i] = f(xs[i]);
  return xsimd::batch<T, A>::load_aligned(rs);
}

template <class T, class A>
[[gnu::noinline, gnu::cold]] xsimd::batch<T, A> libm_lanes(xsimd::batch<T, A> r, vbool<T, A> bad,
                                                           xsimd::batch<T, A> x,
                                                           xsimd::batch<T, A> y, T (*f)(T, T)) {
  constexpr std::size_t n = xsimd::batch<T, A>::size;
  alignas(64) T xs[n];
  alignas(64) T ys[n];
  alignas(64) T rs[n];
  bool mask[n];
  x.store_aligned(xs);
  y.store_aligned(ys);
  r.store_aligned(rs);
  bad.store_unaligned(mask);
  for (std::size_t i = 0; i < n; ++i)
    if (mask[i]) rs[i] = f(xs[i], ys[i]);
  return xsimd::batch<T, A>::load_aligned(rs);
}

template <class T, class A>
inline xsimd::batch<T, A> patch(xsimd::batch<T, A> r, vbool<T, A> bad, xsimd::batch<T, A> x,
                                T (*f)(T)) {
  if (__builtin_expect(xsimd::any(bad), 0)) return libm_lanes(r, bad, x, f);
  return r;
}

// patch() for a test of the good lanes: `!(x <= limit)` holds for NaN where `x > limit` does not.
template <class T, class A>
inline xsimd::batch<T, A> patch_unless(xsimd::batch<T, A> r, vbool<T, A> ok, xsimd::batch<T, A> x,
                                       T (*f)(T)) {
  if (__builtin_expect(!xsimd::all(ok), 0)) return libm_lanes(r, !ok, x, f);
  return r;
}

template <class T, class A>
inline xsimd::batch<T, A> patch(xsimd::batch<T, A> r, vbool<T, A> bad, xsimd::batch<T, A> x,
                                xsimd::batch<T, A> y, T (*f)(T, T)) {
  if (__builtin_expect(xsimd::any(bad), 0)) return libm_lanes(r, bad, x, y, f);
  return r;
}

// The libm functions by element type, for libm_lanes.
#define EMBER_VMATH_LIBM1(name, _)                          \
  inline double libm_##name(double x) { return ::name(x); } \
  inline float libm_##name(float x) { return ::name##f(x); }
#define EMBER_VMATH_LIBM2(name, _)                                       \
  inline double libm_##name(double x, double y) { return ::name(x, y); } \
  inline float libm_##name(float x, float y) { return ::name##f(x, y); }
EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_LIBM1, _)
EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_LIBM2, _)
#undef EMBER_VMATH_LIBM1
#undef EMBER_VMATH_LIBM2

template <class T>
constexpr T (*libm1(T (*f)(T)))(T) {
  return f;
}
template <class T>
constexpr T (*libm2(T (*f)(T, T)))(T, T) {
  return f;
}

template <class T>
constexpr bool is_f64 = std::is_same<T, double>::value;

// ---- float32 <-> float64 halves ---------------------------------------------------------------
// float32 pow, hypot, and sin/cos/tan of large arguments are computed in float64, where the
// plain formulas are accurate enough.

inline void widen(__m128 x, __m128d &lo, __m128d &hi) {
  lo = _mm_cvtps_pd(x);
  hi = _mm_cvtps_pd(_mm_movehl_ps(x, x));
}
inline __m128 narrow(__m128d lo, __m128d hi) {
  return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi));
}
#if defined(__AVX__)
inline void widen(__m256 x, __m256d &lo, __m256d &hi) {
  lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
  hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
}
inline __m256 narrow(__m256d lo, __m256d hi) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}
#endif
#if defined(__AVX512F__)
inline void widen(__m512 x, __m512d &lo, __m512d &hi) {
  lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
  hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
}
inline __m512 narrow(__m512d lo, __m512d hi) {
  __m256d l = _mm256_castps_pd(_mm512_cvtpd_ps(lo));
  __m256d h = _mm256_castps_pd(_mm512_cvtpd_ps(hi));
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(l), h, 1));
}
#endif

// Applies a float64 kernel to both halves of a float32 batch.
template <class A, class F>
inline xsimd::batch<float, A> via_f64(xsimd::batch<float, A> x, xsimd::batch<float, A> y, F f) {
  using bd = xsimd::batch<double, A>;
  typename bd::register_type xl, xh, yl, yh;
  widen(static_cast<typename xsimd::batch<float, A>::register_type>(x), xl, xh);
  widen(static_cast<typename xsimd::batch<float, A>::register_type>(y), yl, yh);
  bd rl = f(bd(xl), bd(yl));
  bd rh = f(bd(xh), bd(yh));
  return xsimd::batch<float, A>(narrow(rl, rh));
}

// ---- exp log log2 log10 log1p expm1 -----------------------------------------------------------

// 2^n for integral n in [-1022, 1023], built from its exponent bits: nf + 1.5*2^52 holds nf in
// its low bits.
template <class A>
inline xsimd::batch<double, A> exp2i(xsimd::batch<double, A> nf) {
  using U = u64batch<A>;
  const U bits = xsimd::bitwise_cast<U>(nf + xsimd::batch<double, A>(6755399441055744.0));
  return xsimd::bitwise_cast<xsimd::batch<double, A>>((bits + U(1023)) << 52);
}

// exp for |x| <= 708: x = k ln2 + r, |r| <= ln2/2, with k ln2 split (fdlibm's ln2_hi has 32
// bits, so k * ln2_hi is exact), and exp(r) = 1 + r + r^2 T(r), where T is a degree-9 minimax
// fit of (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2] (Lawson's algorithm in long double; its error
// reaches the result as at most 1.3e-17, a tenth of an ulp).  Unlike xsimd's it needs neither a
// division nor a float64 -> int64 conversion; the 2^k scaling requires the result to be normal,
// which the callers guarantee.
// T is evaluated by Estrin's scheme (pairs, then powers r^2, r^4, r^6): the loop vectorizer
// calls this one vector at a time, so its speed is the latency of the longest dependency chain,
// 3 FMAs past the pairs instead of Horner's 10 (VMath_test's AVX2 benchmark: 5.1 -> 3.6
// ns/element). 2^k (1 + (r + r^2 T(r))) keeps the roundings of the small terms below the last
// one's.
template <class A>
inline xsimd::batch<double, A> exp_core(xsimd::batch<double, A> x) {
  using B = xsimd::batch<double, A>;
  using U = u64batch<A>;
  // k = round(x / ln2) by the shifter 1.5*2^52, whose addition rounds and leaves k in the low
  // bits: 2^k comes from those bits with no rounding instruction or float -> int conversion.
  const B shifter(6755399441055744.0);
  const B kd = xsimd::fma(x, B(1.4426950408889634), shifter);
  const B k = kd - shifter;
  B r = xsimd::fnma(k, B(6.93147180369123816490e-01), x);
  r = xsimd::fnma(k, B(1.90821492927058770002e-10), r);
  const B r2 = r * r, r4 = r2 * r2, r6 = r2 * r4;
  // T(r) = c2 + c3 r + ... + c11 r^9, in pairs c_i + c_{i+1} r.
  const B q0 = xsimd::fma(B(0.16666666666666674), r, B(0.5000000000000001));
  const B q1 = xsimd::fma(B(0.00833333333332223), r, B(0.04166666666662416));
  const B q2 = xsimd::fma(B(0.0001984126988653766), r, B(0.0013888888917198425));
  const B q3 = xsimd::fma(B(2.755724238908733e-06), r, B(2.480152132028405e-05));
  const B q4 = xsimd::fma(B(2.5110031684932968e-08), r, B(2.762007670583683e-07));
  const B s0 = xsimd::fma(q1, r2, q0);
  const B s1 = xsimd::fma(q3, r2, q2);
  // r + r^2 T(r) = (r + r^2 s0) + r^6 (s1 + r^4 q4), two FMAs deep past the pairs.
  const B p = xsimd::fma(xsimd::fma(q4, r4, s1), r6, xsimd::fma(s0, r2, r));
  const B scale = xsimd::bitwise_cast<B>((xsimd::bitwise_cast<U>(kd) + U(1023)) << 52);
  return xsimd::fma(p, scale, scale);  // 2^k (1 + p), rounded once
}

// xsimd's exp overflows from 709.49 (float: 88.38) instead of 709.78 (88.72) and flushes
// subnormal results to zero: libm takes the lanes near either edge.
template <class T, class A>
inline xsimd::batch<T, A> vm_exp(xsimd::batch<T, A> x) {
  using B = xsimd::batch<T, A>;
  if constexpr (is_f64<T>) {
    // One test, false for NaN too, sends every lane exp_core cannot take to libm.
    return patch_unless(exp_core(x), xsimd::abs(x) <= B(708.0), x, libm1<T>(libm_exp));
  } else {
    return patch(xsimd::exp(x), (x > B(88.0f)) | (x < B(-87.0f)), x, libm1<T>(libm_exp));
  }
}

// xsimd's expm1 and log1p also turn -0 into +0.
template <class T, class A>
inline xsimd::batch<T, A> vm_expm1(xsimd::batch<T, A> x) {
  using B = xsimd::batch<T, A>;
  const B hi(is_f64<T> ? T(709.0) : T(88.0));
  const B r = xsimd::select(x == B(T(0)), x, xsimd::expm1(x));
  return patch(r, x > hi, x, libm1<T>(libm_expm1));
}

// xsimd's logarithms return garbage for float64 subnormals.
template <class T, class A>
inline vbool<T, A> positive_subnormal(xsimd::batch<T, A> x) {
  using B = xsimd::batch<T, A>;
  return (x > B(T(0))) & (x < B(std::numeric_limits<T>::min()));
}

template <class T, class A>
inline xsimd::batch<T, A> vm_log(xsimd::batch<T, A> x) {
  return patch(xsimd::log(x), positive_subnormal(x), x, libm1<T>(libm_log));
}
template <class T, class A>
inline xsimd::batch<T, A> vm_log2(xsimd::batch<T, A> x) {
  return patch(xsimd::log2(x), positive_subnormal(x), x, libm1<T>(libm_log2));
}
template <class T, class A>
inline xsimd::batch<T, A> vm_log10(xsimd::batch<T, A> x) {
  return patch(xsimd::log10(x), positive_subnormal(x), x, libm1<T>(libm_log10));
}
template <class T, class A>
inline xsimd::batch<T, A> vm_log1p(xsimd::batch<T, A> x) {
  using B = xsimd::batch<T, A>;
  return xsimd::select(x == B(T(0)), x, xsimd::log1p(x));
}

// ---- sin cos tan ------------------------------------------------------------------------------
// float64: xsimd reduces |x| <= 20*pi with a short Cody-Waite split of pi/2 that is off by up to
// 7 ulp next to multiples of pi/2 (sin(pi), cos(pi/2), tan near its poles).  Here every lane up
// to 2^18*pi goes through fdlibm's three-step reduction (pi/2 to 33+33+33+53 bits, products
// exact for n < 2^20), and libm takes larger arguments.  float32: see below.

template <class A>
inline xsimd::batch<double, A> reduce_pio2(xsimd::batch<double, A> ax,
                                           xsimd::batch<double, A> &xr) {
  using B = xsimd::batch<double, A>;
  namespace c = xsimd::constants;
  const B fn = xsimd::nearbyint(ax * c::twoopi<B>());
  B r = ax - fn * c::pio2_1<B>();
  B w = fn * c::pio2_2<B>();
  B t = r;
  r = t - w;
  w = fn * c::pio2_2t<B>() - ((t - r) - w);
  t = r;
  w = fn * c::pio2_3<B>();
  r = t - w;
  w = fn * c::pio2_3t<B>() - ((t - r) - w);
  xr = r - w;
  B a = fn * B(0.25);
  return (a - xsimd::floor(a)) * B(4.0);  // the quadrant, 0..3
}

template <class A>
inline vbool<double, A> trig_too_large(xsimd::batch<double, A> ax) {
  using B = xsimd::batch<double, A>;
  return ax > xsimd::constants::mediumpi<B>();  // also +inf; NaN flows through as NaN
}

template <class A>
inline xsimd::batch<double, A> vm_sin(xsimd::batch<double, A> x) {
  using B = xsimd::batch<double, A>;
  const B ax = xsimd::abs(x);
  B xr;
  const B n = reduce_pio2(ax, xr);
  const B tmp = xsimd::select(n >= B(2.0), B(1.0), B(0.0));
  const B swap_bit = n - B(2.0) * tmp;
  const B sign_bit =
      xsimd::bitofsign(x) ^ xsimd::select(tmp != B(0.0), xsimd::constants::signmask<B>(), B(0.0));
  const B z = xr * xr;
  const B se = xsimd::kernel::detail::sin_eval(z, xr);
  const B ce = xsimd::kernel::detail::cos_eval(z);
  const B r = xsimd::select(swap_bit == B(0.0), se, ce) ^ sign_bit;
  return patch(r, trig_too_large(ax), x, libm1<double>(libm_sin));
}

template <class A>
inline xsimd::batch<double, A> vm_cos(xsimd::batch<double, A> x) {
  using B = xsimd::batch<double, A>;
  const B ax = xsimd::abs(x);
  B xr;
  const B n = reduce_pio2(ax, xr);
  const B tmp = xsimd::select(n >= B(2.0), B(1.0), B(0.0));
  const B swap_bit = n - B(2.0) * tmp;
  const B sign_bit =
      xsimd::select((swap_bit ^ tmp) != B(0.0), xsimd::constants::signmask<B>(), B(0.0));
  const B z = xr * xr;
  const B se = xsimd::kernel::detail::sin_eval(z, xr);
  const B ce = xsimd::kernel::detail::cos_eval(z);
  const B r = xsimd::select(swap_bit != B(0.0), se, ce) ^ sign_bit;
  return patch(r, trig_too_large(ax), x, libm1<double>(libm_cos));
}

template <class A>
inline xsimd::batch<double, A> vm_tan(xsimd::batch<double, A> x) {
  using B = xsimd::batch<double, A>;
  const B ax = xsimd::abs(x);
  B xr;
  const B n = reduce_pio2(ax, xr);
  const B tmp = xsimd::select(n >= B(2.0), B(1.0), B(0.0));
  const B swap_bit = n - B(2.0) * tmp;
  const B r = xsimd::kernel::detail::tan_eval(xr, swap_bit == B(0.0)) ^ xsimd::bitofsign(x);
  return patch(r, trig_too_large(ax), x, libm1<double>(libm_tan));
}

// float32: xsimd is accurate, but above 201 its reduction goes lane by lane through fdlibm's
// scalar __ieee754_rem_pio2; there the float64 kernels are exact enough, and vector.
template <class A>
inline bool f32_trig_in_range(xsimd::batch<float, A> x) {
  return xsimd::all(xsimd::abs(x) <= xsimd::batch<float, A>(200.0f));
}

template <class A>
inline xsimd::batch<float, A> vm_sin(xsimd::batch<float, A> x) {
  if (f32_trig_in_range(x)) return xsimd::sin(x);
  return via_f64(x, x, [](auto a, auto) { return vm_sin(a); });
}
template <class A>
inline xsimd::batch<float, A> vm_cos(xsimd::batch<float, A> x) {
  if (f32_trig_in_range(x)) return xsimd::cos(x);
  return via_f64(x, x, [](auto a, auto) { return vm_cos(a); });
}
template <class A>
inline xsimd::batch<float, A> vm_tan(xsimd::batch<float, A> x) {
  if (f32_trig_in_range(x)) return xsimd::tan(x);
  return via_f64(x, x, [](auto a, auto) { return vm_tan(a); });
}

// ---- asin acos atan atan2 ---------------------------------------------------------------------

template <class T, class A>
inline xsimd::batch<T, A> vm_asin(xsimd::batch<T, A> x) {
  return xsimd::asin(x);
}
template <class T, class A>
inline xsimd::batch<T, A> vm_acos(xsimd::batch<T, A> x) {
  return xsimd::acos(x);
}
template <class T, class A>
inline xsimd::batch<T, A> vm_atan(xsimd::batch<T, A> x) {
  return xsimd::atan(x);
}

// xsimd's atan2 computes atan(|y/x|) and so returns NaN for 0/0 and inf/inf, where C99 gives
// multiples of pi/4 and signed zeros.
template <class T, class A>
inline xsimd::batch<T, A> vm_atan2(xsimd::batch<T, A> y, xsimd::batch<T, A> x) {
  using B = xsimd::batch<T, A>;
  const auto bad = ((y == B(T(0))) & (x == B(T(0)))) | (xsimd::isinf(y) & xsimd::isinf(x));
  return patch(xsimd::atan2(y, x), bad, y, x, libm2<T>(libm_atan2));
}

// ---- sinh cosh tanh cbrt ----------------------------------------------------------------------

template <class T, class A>
inline xsimd::batch<T, A> vm_sinh(xsimd::batch<T, A> x) {
  return xsimd::sinh(x);
}
template <class T, class A>
inline xsimd::batch<T, A> vm_cosh(xsimd::batch<T, A> x) {
  return xsimd::cosh(x);
}
template <class T, class A>
inline xsimd::batch<T, A> vm_tanh(xsimd::batch<T, A> x) {
  return xsimd::tanh(x);
}

// xsimd's cbrt is wrong for float64 subnormals.
template <class T, class A>
inline xsimd::batch<T, A> vm_cbrt(xsimd::batch<T, A> x) {
  return patch(xsimd::cbrt(x), positive_subnormal(xsimd::abs(x)), x, libm1<T>(libm_cbrt));
}

// ---- erf --------------------------------------------------------------------------------------
// xsimd's float64 erf is off by up to 70 ulp around |x| = 2.2 and gives NaN for huge |x|; this
// is fdlibm's, with its four ranges computed as needed and blended.  float32: xsimd is fine.

template <class A>
inline xsimd::batch<double, A> vm_erf(xsimd::batch<double, A> x) {
  using B = xsimd::batch<double, A>;
  const B one(1.0);
  const B ax = xsimd::abs(x);
  const B sign = xsimd::bitofsign(x);
  const auto in_small = ax < B(0.84375);
  const auto in_mid = (ax >= B(0.84375)) & (ax < B(1.25));
  const auto in_tail = (ax >= B(1.25)) & (ax < B(6.0));
  B r = one ^ sign;  // |x| >= 6: erf is +-1 to double precision
  if (xsimd::any(in_small)) {
    const B z = x * x;
    const B p =
        B(1.28379167095512558561e-01) +
        z * (B(-3.25042107247001499370e-01) +
             z * (B(-2.84817495755985104766e-02) +
                  z * (B(-5.77027029648944159157e-03) + z * B(-2.37630166566501626084e-05))));
    const B q =
        one +
        z * (B(3.97917223959155352819e-01) +
             z * (B(6.50222499887672944485e-02) +
                  z * (B(5.08130628187576562776e-03) +
                       z * (B(1.32494738004321644526e-04) + z * B(-3.96022827877536812320e-06)))));
    B small = x + x * (p / q);
    // Below 2^-28 only the linear term matters; fdlibm's form keeps subnormals exact.
    const B tiny = (B(8.0) * x + B(1.02703333676410069053e+00) * x) * B(0.125);
    small = xsimd::select(ax < B(3.7252902984e-09), tiny, small);
    r = xsimd::select(in_small, small, r);
  }
  if (xsimd::any(in_mid)) {
    const B s = ax - one;
    const B p = B(-2.36211856075265944077e-03) +
                s * (B(4.14856118683748331666e-01) +
                     s * (B(-3.72207876035701323847e-01) +
                          s * (B(3.18346619901161753674e-01) +
                               s * (B(-1.10894694282396677476e-01) +
                                    s * (B(3.54783043256182359371e-02) +
                                         s * B(-2.16637559486879084300e-03))))));
    const B q = one + s * (B(1.06420880400844228286e-01) +
                           s * (B(5.40397917702171048937e-01) +
                                s * (B(7.18286544141962662868e-02) +
                                     s * (B(1.26171219808761642112e-01) +
                                          s * (B(1.36370839120290507362e-02) +
                                               s * B(1.19844998467991074170e-02))))));
    const B mid = (B(8.45062911510467529297e-01) + p / q) ^ sign;
    r = xsimd::select(in_mid, mid, r);
  }
  if (xsimd::any(in_tail)) {
    const B s = one / (ax * ax);
    // fdlibm switches at the high word 0x4006DB6E, |x| ~ 1/0.35.
    const auto near = ax < B(from_bits(0x4006DB6E00000000ull));
    const B ra = B(-9.86494403484714822705e-03) +
                 s * (B(-6.93858572707181764372e-01) +
                      s * (B(-1.05586262253232909814e+01) +
                           s * (B(-6.23753324503260060396e+01) +
                                s * (B(-1.62396669462573470355e+02) +
                                     s * (B(-1.84605092906711035994e+02) +
                                          s * (B(-8.12874355063065934246e+01) +
                                               s * B(-9.81432934416914548592e+00)))))));
    const B sa = one + s * (B(1.96512716674392571292e+01) +
                            s * (B(1.37657754143519042600e+02) +
                                 s * (B(4.34565877475229228821e+02) +
                                      s * (B(6.45387271733267880336e+02) +
                                           s * (B(4.29008140027567833386e+02) +
                                                s * (B(1.08635005541779435134e+02) +
                                                     s * (B(6.57024977031928170135e+00) +
                                                          s * B(-6.04244152148580987438e-02))))))));
    const B rb = B(-9.86494292470009928597e-03) +
                 s * (B(-7.99283237680523006574e-01) +
                      s * (B(-1.77579549177547519889e+01) +
                           s * (B(-1.60636384855821916062e+02) +
                                s * (B(-6.37566443368389627722e+02) +
                                     s * (B(-1.02509513161107724954e+03) +
                                          s * B(-4.83519191608651397019e+02))))));
    const B sb = one + s * (B(3.03380607434824582924e+01) +
                            s * (B(3.25792512996573918826e+02) +
                                 s * (B(1.53672958608443695994e+03) +
                                      s * (B(3.19985821950859553908e+03) +
                                           s * (B(2.55305040643316442583e+03) +
                                                s * (B(4.74528541206955367215e+02) +
                                                     s * B(-2.24409524465858183362e+01)))))));
    const B rs = xsimd::select(near, ra / sa, rb / sb);
    // exp(-x*x) as exp(-z*z) * exp((z-x)(z+x)) with z = x cut to 21 bits, so that z*z is exact.
    const B z = ax & B(from_bits(0xFFFFFFFF00000000ull));
    const B e = exp_core(-z * z - B(0.5625)) * exp_core((z - ax) * (z + ax) + rs);
    const B tail = (one - e / ax) ^ sign;
    r = xsimd::select(in_tail, tail, r);
  }
  return xsimd::select(xsimd::isnan(x), x, r);
}

template <class A>
inline xsimd::batch<float, A> vm_erf(xsimd::batch<float, A> x) {
  return xsimd::erf(x);
}

// ---- pow --------------------------------------------------------------------------------------
// xsimd's pow is exp(y*log(x)) in working precision: hundreds of ulp off once |y*log(x)| is
// large.  float64: fdlibm's algorithm, log2(x) in about 64 bits as t1+t2 and 2^(y*(t1+t2)) with
// the product split, vectorized for finite nonzero normal x and finite y whose result is normal;
// libm takes the other lanes (zeros, infinities, NaNs, subnormals, over- and underflow).
// float32: exp(y*log|x|) in float64 is far more accurate than float32 needs.

template <class A>
inline xsimd::batch<double, A> pow_sign(xsimd::batch<double, A> x, xsimd::batch<double, A> y,
                                        xsimd::batch<double, A> r) {
  using B = xsimd::batch<double, A>;
  // Lanes with finite y only: a negative x needs y to be an integer, and flips r if y is odd.
  const auto integer = xsimd::nearbyint(y) == y;
  const B half = y * B(0.5);
  const auto odd = integer & (xsimd::nearbyint(half) != half);
  const auto negative = x < B(0.0);
  // The sign bit flipped by xor: xsimd's AVX-512 negation is 0 - r, which makes -(+0) +0 where
  // pow(-huge, -odd) must give -0 (found by the ulp tests on an AVX-512 machine).
  r = xsimd::select(negative & odd, r ^ B(-0.0), r);
  return xsimd::select(negative & !integer, xsimd::constants::nan<B>(), r);
}

template <class A>
inline xsimd::batch<double, A> vm_pow(xsimd::batch<double, A> x, xsimd::batch<double, A> y) {
  using B = xsimd::batch<double, A>;
  using U = u64batch<A>;
  const B one(1.0);
  const B hi_mask(from_bits(0xFFFFFFFF00000000ull));
  const B ax = xsimd::abs(x);

  // ax = 2^n * m, m in [1, 2); m in [sqrt(3), 2) becomes m/2 (fdlibm's intervals, split on
  // the high word).
  const U bits = xsimd::bitwise_cast<U>(ax);
  B n = xsimd::bitwise_cast<B>((bits >> 52) | U(0x4330000000000000ull)) - B(4503599627370496.0) -
        B(1023.0);
  B m = xsimd::bitwise_cast<B>((bits & U(0x000FFFFFFFFFFFFFull)) | U(0x3FF0000000000000ull));
  const auto big = m >= B(from_bits(0x3FFBB67A00000000ull));
  m = xsimd::select(big, m * B(0.5), m);
  n = xsimd::select(big, n + one, n);
  const auto k1 = m >= B(from_bits(0x3FF3988F00000000ull));
  const B bp = xsimd::select(k1, B(1.5), one);
  const B dp_h = xsimd::select(k1, B(5.84962487220764160156e-01), B(0.0));
  const B dp_l = xsimd::select(k1, B(1.35003920212974897128e-08), B(0.0));

  // ss = s_h + s_l = (m - bp) / (m + bp)
  B u = m - bp;
  B v = one / (m + bp);
  const B ss = u * v;
  const B s_h = ss & hi_mask;
  B t_h = (m + bp) & hi_mask;  // few bits, so that s_h * t_h is exact
  B t_l = m - (t_h - bp);
  const B s_l = v * ((u - s_h * t_h) - s_h * t_l);
  // log(m) = log(bp) + 2 atanh(ss)
  B s2 = ss * ss;
  B r = s2 * s2 *
        (B(5.99999999999994648725e-01) +
         s2 * (B(4.28571428578550184252e-01) +
               s2 * (B(3.33333329818377432918e-01) +
                     s2 * (B(2.72728123808534006489e-01) +
                           s2 * (B(2.30660745775561754067e-01) +
                                 s2 * B(2.06975017800338417784e-01))))));
  r = r + s_l * (s_h + ss);
  s2 = s_h * s_h;
  t_h = (B(3.0) + s2 + r) & hi_mask;
  t_l = r - ((t_h - B(3.0)) - s2);
  u = s_h * t_h;
  v = s_l * t_h + t_l * ss;
  // log2(ax) = n + dp_h + z_h + z_l = t1 + t2, with cp = 2/(3 ln 2)
  const B p_h0 = (u + v) & hi_mask;
  const B p_l0 = v - (p_h0 - u);
  const B z_h = B(9.61796700954437255859e-01) * p_h0;
  const B z_l = B(-7.02846165095275826516e-09) * p_h0 + p_l0 * B(9.61796693925975554329e-01) + dp_l;
  const B t1 = (((z_h + z_l) + dp_h) + n) & hi_mask;
  const B t2 = z_l - (((t1 - n) - dp_h) - z_h);

  // y * log2(ax) = p_h + p_l, with y split so that y1 * t1 is exact
  const B y1 = y & hi_mask;
  B p_l = (y - y1) * t1 + y * t2;
  B p_h = y1 * t1;
  const B zsum = p_l + p_h;

  // 2^(p_h + p_l) = 2^nf * 2^(remainder in [-1/2, 1/2])
  const B nf = xsimd::nearbyint(zsum);
  p_h = p_h - nf;
  const B t = (p_l + p_h) & hi_mask;
  u = t * B(6.93147182464599609375e-01);
  v = (p_l - (t - p_h)) * B(6.93147180559945286227e-01) + t * B(-1.90465429995776804525e-09);
  B z = u + v;
  const B w = v - (z - u);
  const B tt = z * z;
  const B c = z - tt * (B(1.66666666666666019037e-01) +
                        tt * (B(-2.77777777770155933842e-03) +
                              tt * (B(6.61375632143793436117e-05) +
                                    tt * (B(-1.65339022054652515390e-06) +
                                          tt * B(4.13813679705723846039e-08)))));
  r = (z * c) / (c - B(2.0)) - (w + z * w);
  z = one - (r - z);
  const B result = pow_sign(x, y, z * exp2i(nf));

  const auto regular = xsimd::isfinite(x) & xsimd::isfinite(y) &
                       (ax >= B(std::numeric_limits<double>::min())) &
                       (xsimd::abs(zsum) < B(1020.0));  // false for a NaN zsum too
  const auto bad = !regular;
  return patch(result, bad, x, y, libm2<double>(libm_pow));
}

template <class A>
inline xsimd::batch<double, A> pow_via_f64(xsimd::batch<double, A> x, xsimd::batch<double, A> y) {
  return pow_sign(x, y, xsimd::exp(y * xsimd::log(xsimd::abs(x))));
}

template <class A>
inline xsimd::batch<float, A> vm_pow(xsimd::batch<float, A> x, xsimd::batch<float, A> y) {
  using B = xsimd::batch<float, A>;
  const B r = via_f64(x, y, [](auto a, auto b) { return pow_via_f64(a, b); });
  const auto regular = xsimd::isfinite(x) & xsimd::isfinite(y) & (x != B(0.0f));
  const auto bad = !regular;
  return patch(r, bad, x, y, libm2<float>(libm_pow));
}

// ---- hypot ------------------------------------------------------------------------------------
// xsimd's hypot is sqrt(x*x + y*y), which overflows and underflows.  float64 scales by a power
// of two when the larger operand is outside [2^-500, 2^500]; float32 squares in float64.

template <class A>
inline xsimd::batch<double, A> vm_hypot(xsimd::batch<double, A> x, xsimd::batch<double, A> y) {
  using B = xsimd::batch<double, A>;
  const B ax = xsimd::abs(x);
  const B ay = xsimd::abs(y);
  const B big = xsimd::max(ax, ay);
  const auto down = big > B(0x1p500);
  const auto up = big < B(0x1p-500);
  const B s = xsimd::select(down, B(0x1p-600), xsimd::select(up, B(0x1p600), B(1.0)));
  const B inv = xsimd::select(down, B(0x1p600), xsimd::select(up, B(0x1p-600), B(1.0)));
  const B xs = ax * s;
  const B ys = ay * s;
  const B r = xsimd::sqrt(xs * xs + ys * ys) * inv;
  return xsimd::select(xsimd::isinf(x) | xsimd::isinf(y), xsimd::constants::infinity<B>(), r);
}

template <class A>
inline xsimd::batch<float, A> vm_hypot(xsimd::batch<float, A> x, xsimd::batch<float, A> y) {
  using B = xsimd::batch<float, A>;
  const B r = via_f64(x, y, [](auto a, auto b) { return xsimd::sqrt(a * a + b * b); });
  return xsimd::select(xsimd::isinf(x) | xsimd::isinf(y), xsimd::constants::infinity<B>(), r);
}

}  // namespace

// ---- entry points -----------------------------------------------------------------------------

#define EMBER_VMATH_UNARY_ENTRY(name, T, tag, VEC, lanes)           \
  extern "C" VEC ember_v##name##_##tag##x##lanes(VEC x) {           \
    static_assert(vbatch<T>::size == lanes, "lane count of " #VEC); \
    return vm_##name(vbatch<T>(x));                                 \
  }
#define EMBER_VMATH_BINARY_ENTRY(name, T, tag, VEC, lanes)          \
  extern "C" VEC ember_v##name##_##tag##x##lanes(VEC x, VEC y) {    \
    static_assert(vbatch<T>::size == lanes, "lane count of " #VEC); \
    return vm_##name(vbatch<T>(x), vbatch<T>(y));                   \
  }

// Defines every entry point of one ISA, e.g. EMBER_VMATH_DEFINE_ISA(__m256d, 4, __m256, 8).
#define EMBER_VMATH_DEFINE_ISA(F64VEC, f64lanes, F32VEC, f32lanes)                      \
  EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_UNARY_ENTRY, double, f64, F64VEC, f64lanes)   \
  EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_UNARY_ENTRY, float, f32, F32VEC, f32lanes)    \
  EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_BINARY_ENTRY, double, f64, F64VEC, f64lanes) \
  EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_BINARY_ENTRY, float, f32, F32VEC, f32lanes)

#endif  // EMBER_VMATH_ISA_TU
