// Tests of ember's vector math library (ember/vmath.h): that ember_vmath_table lists every
// function at every width, and that each entry whose ISA this CPU has agrees with the scalar
// libm function within 4 ulp: on random bit patterns (log-uniform over the whole range,
// subnormals included), on uniform samples of each function's interesting range, next to its
// special points (0, +-1, multiples of pi/2, overflow and underflow edges), on huge arguments,
// and on +-0, +-inf, NaN, subnormals and the extremes, where NaN must meet NaN, infinities and
// zeros must match exactly (sign included).  Entries for an ISA the CPU lacks (AVX-512 on most
// build machines) are skipped.  A micro benchmark of exp and sin prints ns/element, asserting
// nothing.
//
// The entry points take vectors by value in their ISA's registers, so each is called from a
// helper compiled for that ISA with __attribute__((target)).
#include <gtest/gtest.h>
#include <immintrin.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <time.h>

#include "ember/vmath.h"

// Test names and ctest's listing show the entry's symbol, not the struct's bytes (found by
// argument-dependent lookup, so at global scope like the struct).
void PrintTo(const ember_vmath_entry &e, std::ostream *os) { *os << e.vector; }

namespace {

constexpr double k_max_ulp = 4.0;
constexpr size_t k_points = 100000;

// ---- calling an entry point -------------------------------------------------------------------

using apply1_fn = void (*)(void *f, const void *x, void *out, size_t n);
using apply2_fn = void (*)(void *f, const void *x, const void *y, void *out, size_t n);

#define EMBER_APPLY(name, features, VEC, T, lanes, load, store)                                  \
  __attribute__((target(features))) void name##_1(void *f, const void *x, void *out, size_t n) { \
    auto fn = reinterpret_cast<VEC (*)(VEC)>(f);                                                 \
    const T *xs = static_cast<const T *>(x);                                                     \
    T *os = static_cast<T *>(out);                                                               \
    for (size_t i = 0; i < n; i += lanes) store(os + i, fn(load(xs + i)));                       \
  }                                                                                              \
  __attribute__((target(features))) void name##_2(void *f, const void *x, const void *y,         \
                                                  void *out, size_t n) {                         \
    auto fn = reinterpret_cast<VEC (*)(VEC, VEC)>(f);                                            \
    const T *xs = static_cast<const T *>(x);                                                     \
    const T *ys = static_cast<const T *>(y);                                                     \
    T *os = static_cast<T *>(out);                                                               \
    for (size_t i = 0; i < n; i += lanes) store(os + i, fn(load(xs + i), load(ys + i)));         \
  }

EMBER_APPLY(sse42_f64, "sse4.2", __m128d, double, 2, _mm_loadu_pd, _mm_storeu_pd)
EMBER_APPLY(sse42_f32, "sse4.2", __m128, float, 4, _mm_loadu_ps, _mm_storeu_ps)
EMBER_APPLY(avx2_f64, "avx2,fma", __m256d, double, 4, _mm256_loadu_pd, _mm256_storeu_pd)
EMBER_APPLY(avx2_f32, "avx2,fma", __m256, float, 8, _mm256_loadu_ps, _mm256_storeu_ps)
EMBER_APPLY(avx512_f64, "avx512f,avx512dq", __m512d, double, 8, _mm512_loadu_pd, _mm512_storeu_pd)
EMBER_APPLY(avx512_f32, "avx512f,avx512dq", __m512, float, 16, _mm512_loadu_ps, _mm512_storeu_ps)

struct applier {
  apply1_fn unary;
  apply2_fn binary;
};

applier applier_for(int isa, bool f64) {
  switch (isa) {
    case EMBER_ISA_SSE42:
      return f64 ? applier{sse42_f64_1, sse42_f64_2} : applier{sse42_f32_1, sse42_f32_2};
    case EMBER_ISA_AVX2:
      return f64 ? applier{avx2_f64_1, avx2_f64_2} : applier{avx2_f32_1, avx2_f32_2};
    case EMBER_ISA_AVX512:
      return f64 ? applier{avx512_f64_1, avx512_f64_2} : applier{avx512_f32_1, avx512_f32_2};
  }
  return {nullptr, nullptr};
}

bool cpu_has(int isa) {
  __builtin_cpu_init();
  switch (isa) {
    case EMBER_ISA_SSE42: return __builtin_cpu_supports("sse4.2");
    case EMBER_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case EMBER_ISA_AVX512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }
  return false;
}

const char *isa_name(int isa) {
  switch (isa) {
    case EMBER_ISA_SSE42: return "SSE4.2";
    case EMBER_ISA_AVX2: return "AVX2+FMA";
    case EMBER_ISA_AVX512: return "AVX-512F+DQ";
  }
  return "?";
}

// ---- the scalar references --------------------------------------------------------------------

struct libm_fn {
  double (*f64_1)(double);
  float (*f32_1)(float);
  double (*f64_2)(double, double);
  float (*f32_2)(float, float);
};

#define EMBER_LIBM1(name)                                                                        \
  {                                                                                              \
#name, {                                                                                     \
      [](double x) { return ::name(x); }, [](float x) { return ::name##f(x); }, nullptr, nullptr \
    }                                                                                            \
  }
#define EMBER_LIBM2(name)                                                \
  {                                                                      \
#name, {                                                             \
      nullptr, nullptr, [](double x, double y) { return ::name(x, y); }, \
          [](float x, float y) { return ::name##f(x, y); }               \
    }                                                                    \
  }

const std::map<std::string, libm_fn> &libm_functions() {
  static const std::map<std::string, libm_fn> table = {
      EMBER_LIBM1(exp),   EMBER_LIBM1(log),   EMBER_LIBM1(log2), EMBER_LIBM1(log10),
      EMBER_LIBM1(log1p), EMBER_LIBM1(expm1), EMBER_LIBM1(sin),  EMBER_LIBM1(cos),
      EMBER_LIBM1(tan),   EMBER_LIBM1(asin),  EMBER_LIBM1(acos), EMBER_LIBM1(atan),
      EMBER_LIBM1(sinh),  EMBER_LIBM1(cosh),  EMBER_LIBM1(tanh), EMBER_LIBM1(cbrt),
      EMBER_LIBM1(erf),   EMBER_LIBM2(atan2), EMBER_LIBM2(pow),  EMBER_LIBM2(hypot),
  };
  return table;
}

// ---- ulp distance -----------------------------------------------------------------------------

// The position of x among the floats of its type, with -0 and +0 both at 0, so that the
// distance of two finite values is the number of floats between them (plus one).
int64_t ordinal(double x) {
  int64_t i;
  std::memcpy(&i, &x, 8);
  return i < 0 ? std::numeric_limits<int64_t>::min() - i : i;
}
int64_t ordinal(float x) {
  int32_t i;
  std::memcpy(&i, &x, 4);
  return i < 0 ? int64_t(std::numeric_limits<int32_t>::min()) - i : i;
}

constexpr double k_mismatch = std::numeric_limits<double>::infinity();

// ulp distance, or k_mismatch where NaN meets a number, infinities differ, or an exact zero or
// infinity of libm's is not matched bit for bit.
template <class T>
double ulp_distance(T got, T want) {
  if (std::isnan(got) || std::isnan(want))
    return std::isnan(got) && std::isnan(want) ? 0 : k_mismatch;
  if (std::isinf(got) || std::isinf(want)) return got == want ? 0 : k_mismatch;
  if (want == 0 && (got != 0 || std::signbit(got) != std::signbit(want))) return k_mismatch;
  int64_t a = ordinal(got), b = ordinal(want);
  // The int64 difference can overflow for float64 values of opposite signs.
  return a > b ? double(uint64_t(a) - uint64_t(b)) : double(uint64_t(b) - uint64_t(a));
}

// ---- inputs -----------------------------------------------------------------------------------

template <class T>
struct input_set {
  std::string name;
  std::vector<T> x, y;  // y empty for a unary function
};

template <class T>
class inputs {
 public:
  explicit inputs(uint64_t seed) : rng_(seed) {}

  // Random finite bit patterns: log-uniform over the whole range, both signs, subnormals too.
  std::vector<T> bits(size_t n) {
    std::vector<T> r;
    r.reserve(n);
    while (r.size() < n) {
      T x;
      if constexpr (sizeof(T) == 8) {
        uint64_t b = rng_();
        std::memcpy(&x, &b, 8);
      } else {
        uint32_t b = uint32_t(rng_());
        std::memcpy(&x, &b, 4);
      }
      if (std::isfinite(x)) r.push_back(x);
    }
    return r;
  }
  std::vector<T> positive_bits(size_t n) {
    std::vector<T> r = bits(n);
    for (T &x : r) x = std::fabs(x);
    return r;
  }
  std::vector<T> uniform(size_t n, double lo, double hi) {
    std::uniform_real_distribution<double> d(lo, hi);
    std::vector<T> r(n);
    for (T &x : r) x = T(d(rng_));
    return r;
  }
  // |x| log-uniform in [lo, hi], random sign unless positive.
  std::vector<T> log_uniform(size_t n, double lo, double hi, bool positive = false) {
    std::uniform_real_distribution<double> d(std::log(lo), std::log(hi));
    std::vector<T> r(n);
    for (T &x : r) {
      x = T(std::exp(d(rng_)));
      if (!positive && (rng_() & 1)) x = -x;
    }
    return r;
  }
  // Within a few thousand ulp of each point.
  std::vector<T> around(size_t n, std::vector<T> points) {
    std::uniform_int_distribution<int> d(-3000, 3000);
    std::vector<T> r(n);
    for (size_t i = 0; i < n; ++i) {
      T x = points[i % points.size()];
      int k = d(rng_);
      for (int j = 0; j < std::abs(k) % 64; ++j)
        x = std::nextafter(
            x, k < 0 ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity());
      if (std::abs(k) >= 64) x = x + T(k) * std::numeric_limits<T>::epsilon() * std::fabs(x);
      r[i] = x;
    }
    return r;
  }
  // The floats nearest to k*pi/2, and their neighbours, for k up to kmax.
  std::vector<T> near_pio2_multiples(size_t n, double kmax) {
    std::uniform_real_distribution<double> d(-kmax, kmax);
    std::uniform_int_distribution<int> step(-2, 2);
    const long double pio2 = 1.570796326794896619231321691639751442L;
    std::vector<T> r(n);
    for (T &x : r) {
      long double k = std::nearbyint((long double)d(rng_));
      x = T(k * pio2);
      for (int s = step(rng_); s != 0; s += s < 0 ? 1 : -1)
        x = std::nextafter(x, s < 0 ? T(-INFINITY) : T(INFINITY));
    }
    return r;
  }
  std::vector<T> integers(size_t n, int lo, int hi) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<T> r(n);
    for (T &x : r) x = T(d(rng_));
    return r;
  }

 private:
  std::mt19937_64 rng_;
};

template <class T>
std::vector<T> special_values() {
  using lim = std::numeric_limits<T>;
  const T mx = lim::max(), mn = lim::min(), dn = lim::denorm_min();
  std::vector<T> v = {T(0),
                      -T(0),
                      lim::infinity(),
                      -lim::infinity(),
                      lim::quiet_NaN(),
                      -lim::quiet_NaN(),
                      dn,
                      -dn,
                      T(mn - dn),
                      -T(mn - dn),
                      mn,
                      -mn,
                      mx,
                      -mx,
                      T(1),
                      T(-1),
                      T(0.5),
                      T(-0.5),
                      T(2),
                      T(-2),
                      T(3),
                      T(-3),
                      T(0.75),
                      T(M_PI_2),
                      T(-M_PI_2),
                      T(M_PI),
                      T(-M_PI),
                      T(M_PI_4),
                      T(10),
                      T(-10),
                      T(1e-10),
                      T(-1e-10),
                      T(100),
                      T(-100),
                      T(1e10),
                      T(-1e10)};
  if constexpr (sizeof(T) == 8) {
    // the double nearest to a multiple of pi/2 (Kahan / Muller): sin needs 60+ bits of pi
    v.push_back(std::ldexp(6381956970095103.0, 797));
    v.push_back(1e22);
    v.push_back(1e300);
  }
  return v;
}

template <class T>
std::vector<input_set<T>> unary_inputs(const std::string &fn) {
  const bool f64 = sizeof(T) == 8;
  inputs<T> g(std::hash<std::string>()(fn) ^ sizeof(T));
  const size_t n = k_points;
  std::vector<input_set<T>> s;
  s.push_back({"bits", g.bits(n), {}});
  s.push_back({"special", special_values<T>(), {}});
  s.push_back({"uniform[-1,1]", g.uniform(n, -1, 1), {}});
  s.push_back({"uniform[-10,10]", g.uniform(n, -10, 10), {}});
  s.push_back({"tiny", g.log_uniform(n, f64 ? 1e-300 : 1e-37, 1e-4), {}});
  s.push_back(
      {"subnormal",
       g.log_uniform(n / 10, std::numeric_limits<T>::denorm_min(), std::numeric_limits<T>::min()),
       {}});
  s.push_back({"near+-1", g.around(n, {T(1), T(-1)}), {}});
  const double emax = f64 ? 709.78 : 88.72;   // log(max)
  const double emin = f64 ? 745.13 : 103.97;  // -log(denorm_min)
  if (fn == "exp" || fn == "expm1" || fn == "sinh" || fn == "cosh") {
    s.push_back({"uniform[-emin,emax]", g.uniform(n, -emin - 5, emax + 5), {}});
    s.push_back({"overflow edge", g.uniform(n, emax - 8, emax + 2), {}});
    s.push_back({"underflow edge", g.uniform(n, -emin - 2, -emin + 40), {}});
  }
  if (fn == "log" || fn == "log2" || fn == "log10" || fn == "log1p" || fn == "cbrt") {
    s.push_back({"positive bits", g.positive_bits(n), {}});
    s.push_back({"uniform[0,4]", g.uniform(n, 0, 4), {}});
  }
  if (fn == "log1p") s.push_back({"near -1", g.uniform(n, -1, -0.99), {}});
  if (fn == "sin" || fn == "cos" || fn == "tan") {
    s.push_back({"uniform[-1e3,1e3]", g.uniform(n, -1e3, 1e3), {}});
    s.push_back({"near k*pi/2, k<1e4", g.near_pio2_multiples(n, 1e4), {}});
    s.push_back({"near k*pi/2, k<1e6", g.near_pio2_multiples(n, 1e6), {}});
    s.push_back({"large", g.log_uniform(n, f64 ? 1e5 : 1e2, f64 ? 1e22 : 1e10), {}});
  }
  if (fn == "asin" || fn == "acos") {
    s.push_back({"uniform[-1.1,1.1]", g.uniform(n, -1.1, 1.1), {}});
    s.push_back({"near +-0.5", g.around(n, {T(0.5), T(-0.5)}), {}});
  }
  if (fn == "tanh" || fn == "erf" || fn == "atan") {
    s.push_back({"uniform[-30,30]", g.uniform(n, -30, 30), {}});
  }
  if (fn == "erf") {
    s.push_back({"erf ranges", g.uniform(n, 0.8, 6.1), {}});
    s.push_back({"erf range edges", g.around(n, {T(0.84375), T(1.25), T(2.857142857), T(6)}), {}});
  }
  return s;
}

template <class T>
std::vector<input_set<T>> binary_inputs(const std::string &fn) {
  const bool f64 = sizeof(T) == 8;
  inputs<T> g(std::hash<std::string>()(fn) ^ sizeof(T));
  const size_t n = k_points;
  std::vector<input_set<T>> s;
  s.push_back({"bits x bits", g.bits(n), g.bits(n)});
  {
    std::vector<T> sp = special_values<T>(), x, y;
    for (T a : sp)
      for (T b : sp) {
        x.push_back(a);
        y.push_back(b);
      }
    s.push_back({"special x special", x, y});
  }
  s.push_back({"uniform[-10,10]^2", g.uniform(n, -10, 10), g.uniform(n, -10, 10)});
  s.push_back({"tiny x tiny", g.log_uniform(n, f64 ? 1e-300 : 1e-37, 1e-4),
               g.log_uniform(n, f64 ? 1e-300 : 1e-37, 1e-4)});
  if (fn == "pow") {
    const double big = f64 ? 1e300 : 1e37;
    s.push_back({"(0,10] x [-50,50]", g.uniform(n, 1e-9, 10), g.uniform(n, -50, 50)});
    s.push_back({"near 1 x [-1e4,1e4]", g.uniform(n, 0.9, 1.1), g.uniform(n, -1e4, 1e4)});
    s.push_back({"very near 1 x huge", g.around(n, {T(1)}), g.log_uniform(n, 1e3, 1e15)});
    s.push_back({"positive x [-3,3]", g.log_uniform(n, 1 / big, big, true), g.uniform(n, -3, 3)});
    s.push_back({"negative x integer", g.uniform(n, -10, 10), g.integers(n, -40, 40)});
    s.push_back({"x x [0.5,1.5]", g.uniform(n, 0, 3), g.uniform(n, 0.5, 1.5)});
    const double lim = f64 ? 1075 : 150;
    s.push_back({"2^y at the edges", std::vector<T>(n, T(2)), g.uniform(n, -lim - 5, lim)});
    s.push_back({"[0.5,4] x [-1100,1100]", g.uniform(n, 0.5, 4), g.uniform(n, -lim, lim)});
  }
  if (fn == "hypot") {
    const double big = f64 ? 1e307 : 1e37;
    s.push_back({"huge x huge", g.log_uniform(n, big / 1e10, big * 17),
                 g.log_uniform(n, big / 1e10, big * 17)});
    s.push_back({"huge x small", g.log_uniform(n, big / 1e10, big * 17), g.uniform(n, -10, 10)});
    const double dn = std::numeric_limits<T>::denorm_min(), mn = std::numeric_limits<T>::min();
    s.push_back(
        {"subnormal x subnormal", g.log_uniform(n, dn, 1e3 * mn), g.log_uniform(n, dn, 1e3 * mn)});
  }
  if (fn == "atan2") {
    const double big = f64 ? 1e300 : 1e37;
    s.push_back({"huge x tiny", g.log_uniform(n, big / 1e5, big), g.log_uniform(n, 1 / big, 1e-5)});
    s.push_back({"tiny x huge", g.log_uniform(n, 1 / big, 1e-5), g.log_uniform(n, big / 1e5, big)});
    s.push_back({"near the diagonals", g.uniform(n, -10, 10), g.uniform(n, -10, 10)});
    // y = +-x to within 3 ulp: results near +-pi/4 and +-3pi/4
    const T eps = std::numeric_limits<T>::epsilon();
    for (size_t i = 0; i < n; ++i)
      s.back().y[i] = s.back().x[i] * T(i % 4 < 2 ? 1 : -1) * (1 + T(int(i % 7) - 3) * eps);
  }
  return s;
}

// Pads a sample to whole vectors with a harmless 1.
template <class T>
void pad(std::vector<T> &v, size_t lanes) {
  while (v.size() % lanes) v.push_back(T(1));
}

// ---- the accuracy test ------------------------------------------------------------------------

struct worst {
  double ulp = 0;
  std::string where;
};

template <class T>
worst check_entry(const ember_vmath_entry &e, std::string base, std::vector<std::string> &errors) {
  const libm_fn &ref = libm_functions().at(base);
  applier ap = applier_for(e.isa, sizeof(T) == 8);
  worst w;
  auto sets = e.args == 1 ? unary_inputs<T>(base) : binary_inputs<T>(base);
  for (input_set<T> &s : sets) {
    pad(s.x, e.lanes);
    if (e.args == 2) pad(s.y, e.lanes);
    std::vector<T> got(s.x.size());
    if (e.args == 1)
      ap.unary(e.address, s.x.data(), got.data(), s.x.size());
    else
      ap.binary(e.address, s.x.data(), s.y.data(), got.data(), s.x.size());
    int reported = 0;
    for (size_t i = 0; i < s.x.size(); ++i) {
      T want;
      if constexpr (sizeof(T) == 8)
        want = e.args == 1 ? ref.f64_1(s.x[i]) : ref.f64_2(s.x[i], s.y[i]);
      else
        want = e.args == 1 ? ref.f32_1(s.x[i]) : ref.f32_2(s.x[i], s.y[i]);
      double u = ulp_distance(got[i], want);
      char buf[256];
      if (u > w.ulp || (u > k_max_ulp && reported < 5)) {
        if (e.args == 1)
          std::snprintf(buf, sizeof buf, "%s: x=%.17g got %.17g, libm %.17g", s.name.c_str(),
                        double(s.x[i]), double(got[i]), double(want));
        else
          std::snprintf(buf, sizeof buf, "%s: x=%.17g y=%.17g got %.17g, libm %.17g",
                        s.name.c_str(), double(s.x[i]), double(s.y[i]), double(got[i]),
                        double(want));
        if (u > w.ulp) {
          w.ulp = u;
          w.where = buf;
        }
        if (u > k_max_ulp && reported < 5) {
          errors.push_back(std::string(u == k_mismatch ? "mismatch" : std::to_string(u) + " ulp") +
                           " in " + buf);
          ++reported;
        }
      }
    }
  }
  return w;
}

class VMathAccuracy : public testing::TestWithParam<ember_vmath_entry> {};

TEST_P(VMathAccuracy, MatchesLibm) {
  const ember_vmath_entry &e = GetParam();
  if (!cpu_has(e.isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(e.isa);
  std::string scalar = e.scalar;
  const bool f64 = std::string(e.vector).find("_f64x") != std::string::npos;
  std::string base = f64 ? scalar : scalar.substr(0, scalar.size() - 1);
  std::vector<std::string> errors;
  worst w = f64 ? check_entry<double>(e, base, errors) : check_entry<float>(e, base, errors);
  std::printf("[   ulp    ] %-22s max %s ulp%s%s\n", e.vector,
              w.ulp == k_mismatch ? "mismatch" : std::to_string(int64_t(w.ulp)).c_str(),
              w.ulp > 0 ? "  at " : "", w.ulp > 0 ? w.where.c_str() : "");
  RecordProperty("max_ulp", std::to_string(w.ulp));
  for (const std::string &m : errors) ADD_FAILURE() << e.vector << ": " << m;
}

std::vector<ember_vmath_entry> table_entries() {
  std::vector<ember_vmath_entry> v;
  for (const ember_vmath_entry *e = ember_vmath_table(); e->scalar; ++e) v.push_back(*e);
  return v;
}

INSTANTIATE_TEST_SUITE_P(VMath, VMathAccuracy, testing::ValuesIn(table_entries()),
                         [](const testing::TestParamInfo<ember_vmath_entry> &info) {
                           return std::string(info.param.vector);
                         });

// ---- the table --------------------------------------------------------------------------------

TEST(VMathTable, ListsEveryFunctionAtEveryWidth) {
  std::set<std::string> seen;
  for (const ember_vmath_entry *e = ember_vmath_table(); e->scalar; ++e) {
    EXPECT_TRUE(seen.insert(e->vector).second) << "duplicate " << e->vector;
    EXPECT_NE(e->address, nullptr) << e->vector;
  }
  EXPECT_EQ(seen.size(), 120u);
  struct width {
    int isa, f64, f32;
  };
  for (width w :
       {width{EMBER_ISA_SSE42, 2, 4}, width{EMBER_ISA_AVX2, 4, 8}, width{EMBER_ISA_AVX512, 8, 16}})
    for (const auto &[name, fn] : libm_functions())
      for (bool f64 : {true, false}) {
        int lanes = f64 ? w.f64 : w.f32;
        std::string vector = "ember_v" + name + (f64 ? "_f64x" : "_f32x") + std::to_string(lanes);
        const ember_vmath_entry *found = nullptr;
        for (const ember_vmath_entry *e = ember_vmath_table(); e->scalar; ++e)
          if (vector == e->vector) found = e;
        ASSERT_NE(found, nullptr) << vector;
        EXPECT_EQ(std::string(found->scalar), f64 ? name : name + "f");
        EXPECT_EQ(found->lanes, lanes);
        EXPECT_EQ(found->args, fn.f64_1 ? 1 : 2) << vector;
        EXPECT_EQ(found->isa, w.isa) << vector;
      }
}

// ---- micro benchmark --------------------------------------------------------------------------

const ember_vmath_entry *find_entry(const char *vector) {
  for (const ember_vmath_entry *e = ember_vmath_table(); e->scalar; ++e)
    if (std::strcmp(e->vector, vector) == 0) return e;
  return nullptr;
}

// Thread CPU time, best of 5: the build machines are shared, and wall time there mostly
// measures the neighbours.
template <class F>
double best_ns_per_element(size_t n, F run) {
  auto now = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
  };
  double best = 1e300;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now();
    run();
    best = std::min(best, (now() - t0) / double(n));
  }
  return best;
}

template <class T>
void bench(const char *vector, T (*scalar)(T), const char *scalar_name) {
  const ember_vmath_entry *e = find_entry(vector);
  ASSERT_NE(e, nullptr);
  const size_t n = 1000000;
  inputs<T> g(7);
  std::vector<T> x = g.uniform(n, -10, 10), out(n), ref(n);
  applier ap = applier_for(e->isa, sizeof(T) == 8);
  double vec = best_ns_per_element(n, [&] { ap.unary(e->address, x.data(), out.data(), n); });
  double sca = best_ns_per_element(n, [&] {
    for (size_t i = 0; i < n; ++i) ref[i] = scalar(x[i]);
  });
  std::printf("[  bench   ] %-18s %6.3f ns/element   libm %-5s %6.3f ns/element   (%.1fx)\n",
              vector, vec, scalar_name, sca, sca / vec);
}

TEST(VMathBenchmark, ExpSinAvx2) {
  if (!cpu_has(EMBER_ISA_AVX2)) GTEST_SKIP() << "this CPU lacks AVX2";
  std::printf("[  bench   ] 10^6 elements uniform in [-10, 10], thread CPU time, best of 5\n");
  bench<double>(
      "ember_vexp_f64x4", [](double x) { return std::exp(x); }, "exp");
  bench<double>(
      "ember_vsin_f64x4", [](double x) { return std::sin(x); }, "sin");
  bench<float>(
      "ember_vexp_f32x8", [](float x) { return std::exp(x); }, "expf");
  bench<float>(
      "ember_vsin_f32x8", [](float x) { return std::sin(x); }, "sinf");
}

}  // namespace
