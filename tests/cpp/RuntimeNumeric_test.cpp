// Tests of the runtime's numeric kernels (ember/numeric.h): sort/argsort against std::stable_sort,
// the random generators' reproducibility and distributions, and gemm against a naive triple
// loop, both with the fallback kernel and through a fake Fortran BLAS that checks the mapping
// of strided row-major operands onto column-major conventions.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ember/numeric.h"
#include "ember/runtime.h"

namespace {

TEST(RuntimeNumericSymbols, TableListsEveryFunction) {
  auto address = [](const std::string &name) -> void * {
    for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s)
      if (name == s->name) return s->address;
    return nullptr;
  };
  EXPECT_EQ(address("ember_sort_f64"), reinterpret_cast<void *>(&ember_sort_f64));
  EXPECT_EQ(address("ember_gemm_f32"), reinterpret_cast<void *>(&ember_gemm_f32));
  for (std::string f :
       {"sort_b", "sort_i8", "sort_i16", "sort_i32", "sort_i64", "sort_u8", "sort_u16", "sort_u32",
        "sort_u64", "sort_f32", "random_seed", "random_uniform", "random_standard_normal",
        "random_integer", "gemm_f64", "set_blas"})
    EXPECT_NE(address("ember_" + f), nullptr) << f;
}

// ---- sorting ----------------------------------------------------------------------------------

#define EMBER_SORT_CASE(T, ctype)                                                \
  struct sort_##T {                                                              \
    using type = ctype;                                                          \
    static constexpr bool is_bool = std::string_view(#T) == "b";                 \
    static void sort(void *d, int64_t n, int64_t s) { ember_sort_##T(d, n, s); } \
    static void argsort(const void *d, int64_t n, int64_t s, int64_t *o) {       \
      ember_argsort_##T(d, n, s, o);                                             \
    }                                                                            \
  };
EMBER_SORT_CASE(b, uint8_t)
EMBER_SORT_CASE(i8, int8_t)
EMBER_SORT_CASE(i16, int16_t)
EMBER_SORT_CASE(i32, int32_t)
EMBER_SORT_CASE(i64, int64_t)
EMBER_SORT_CASE(u8, uint8_t)
EMBER_SORT_CASE(u16, uint16_t)
EMBER_SORT_CASE(u32, uint32_t)
EMBER_SORT_CASE(u64, uint64_t)
EMBER_SORT_CASE(f32, float)
EMBER_SORT_CASE(f64, double)
#undef EMBER_SORT_CASE

template <class T>
bool is_nan(T v) {
  return v != v;
}
// Equal for a sort's purposes: NumPy puts -0.0 and 0.0 in either order and NaNs in any order.
template <class T>
bool same_value(T a, T b) {
  return a == b || (is_nan(a) && is_nan(b));
}
template <class T>
bool nan_last_less(T a, T b) {
  return a < b || (!is_nan(a) && is_nan(b));
}

template <class T>
T from_bits(uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof(T));
  return v;
}

template <class Case>
std::vector<typename Case::type> sort_input(int64_t n, std::mt19937_64 &rng) {
  using T = typename Case::type;
  std::vector<T> v(static_cast<size_t>(n));
  int mode = int(rng() % 3);  // 0: full range, 1: many duplicates, 2: special values
  for (T &x : v) {
    uint64_t r = rng();
    if constexpr (Case::is_bool) {
      x = T(r & 1);
    } else if constexpr (std::is_floating_point_v<T>) {
      using L = std::numeric_limits<T>;
      // Zeros of both signs, NaNs of both signs and with a payload, infinities, denormals.
      const T payload_nan = from_bits<T>(sizeof(T) == 8 ? 0xfff0000000000123u : 0xff800123u);
      const T special[] = {T(0),           -T(0),           L::infinity(),
                           -L::infinity(), L::quiet_NaN(),  -L::quiet_NaN(),
                           payload_nan,    L::denorm_min(), T(-1)};
      if (mode == 2 && r % 2 == 0) {
        x = special[(r >> 8) % 9];
      } else if (mode == 1) {
        x = T(int(r % 7) - 3);
      } else {
        x = T(std::ldexp(double(int64_t(r >> 11)) - double(int64_t(1) << 52), int(r % 64) - 80));
      }
    } else {
      x = mode == 1 ? T(r % 5) : from_bits<T>(r);
      if (mode == 2 && r % 4 == 0)
        x = (r & 8) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
    }
  }
  if (rng() % 4 == 0) std::sort(v.begin(), v.end(), nan_last_less<T>);  // sorted input too
  return v;
}

template <class Case>
class RuntimeNumericSort : public ::testing::Test {};
using SortCases = ::testing::Types<sort_b, sort_i8, sort_i16, sort_i32, sort_i64, sort_u8, sort_u16,
                                   sort_u32, sort_u64, sort_f32, sort_f64>;
TYPED_TEST_SUITE(RuntimeNumericSort, SortCases);

TYPED_TEST(RuntimeNumericSort, MatchesStableSortForEveryStride) {
  using T = typename TypeParam::type;
  std::mt19937_64 rng(1234);
  const int64_t e = int64_t(sizeof(T));
  for (int64_t n : {0, 1, 2, 3, 17, 100, 1023, 1024, 1025, 5000, 20000}) {
    // Steps in elements; 0 stands for a contiguous but misaligned view.
    for (int64_t step : {1, 2, 3, -1, -2, 0}) {
      std::vector<T> values = sort_input<TypeParam>(n, rng);
      std::vector<T> ref = values;
      std::stable_sort(ref.begin(), ref.end(), nan_last_less<T>);
      // The view lives in a byte buffer filled with a sentinel that must survive.
      int64_t span = std::max<int64_t>(std::abs(step), 1) * std::max<int64_t>(n, 1) + 2;
      std::vector<unsigned char> buf(size_t(span * e), 0xA5);
      int64_t stride = step == 0 ? e : step * e;
      char *base = reinterpret_cast<char *>(buf.data()) + (step == 0 ? 1 : e);
      if (step < 0) base += (n - 1) * -stride;
      for (int64_t i = 0; i < n; ++i) std::memcpy(base + i * stride, &values[size_t(i)], e);
      std::vector<unsigned char> before = buf;

      std::vector<int64_t> idx(size_t(n), -1);
      TypeParam::argsort(base, n, stride, idx.data());
      ASSERT_EQ(buf, before) << "argsort wrote to its input";
      std::vector<int64_t> perm = idx;
      std::sort(perm.begin(), perm.end());
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(perm[size_t(i)], i) << "not a permutation";
      for (int64_t i = 0; i < n; ++i)
        ASSERT_TRUE(same_value(values[size_t(idx[size_t(i)])], ref[size_t(i)]))
            << "argsort n=" << n << " step=" << step << " at " << i;

      TypeParam::sort(base, n, stride);
      std::vector<T> got(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) std::memcpy(&got[size_t(i)], base + i * stride, e);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_TRUE(same_value(got[size_t(i)], ref[size_t(i)]))
            << "sort n=" << n << " step=" << step << " at " << i;
      // Same bit patterns as before (NaN payloads and the signs of zeros are kept) ...
      auto bits = [&](std::vector<T> v) {
        std::vector<uint64_t> out;
        for (T x : v) out.push_back(0), std::memcpy(&out.back(), &x, e);
        std::sort(out.begin(), out.end());
        return out;
      };
      ASSERT_EQ(bits(got), bits(values));
      // ... and nothing outside the view was written.
      for (int64_t i = 0; i < n; ++i) std::memcpy(base + i * stride, &values[size_t(i)], e);
      ASSERT_EQ(buf, before);
    }
  }
}

// ---- random numbers ---------------------------------------------------------------------------

std::vector<double> draw_stream(int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(ember_random_uniform());
    out.push_back(ember_random_standard_normal());
    out.push_back(double(ember_random_integer(-1000, 1000)));
  }
  return out;
}

TEST(RuntimeNumericRandom, SameSeedSameStreamOnEveryThread) {
  ember_random_seed(42);
  std::vector<double> first = draw_stream(1000);
  ember_random_seed(42);
  EXPECT_EQ(draw_stream(1000), first);
  ember_random_standard_normal();  // leaves the pair's second normal cached: seeding drops it
  ember_random_seed(42);
  EXPECT_EQ(draw_stream(1000), first);
  ember_random_seed(43);
  EXPECT_NE(draw_stream(1000), first);
  std::vector<double> t1, t2;
  auto seeded = [](std::vector<double> *out) {
    ember_random_seed(42);
    *out = draw_stream(1000);
  };
  std::thread a(seeded, &t1), b(seeded, &t2);
  a.join();
  b.join();
  EXPECT_EQ(t1, first);
  EXPECT_EQ(t2, first);
}

TEST(RuntimeNumericRandom, UnseededThreadsDifferAndNeedNoSetup) {
  std::vector<double> t1, t2;
  std::thread a([&] { t1 = draw_stream(100); });
  std::thread b([&] { t2 = draw_stream(100); });
  a.join();
  b.join();
  EXPECT_NE(t1, t2);
  for (size_t i = 0; i < t1.size(); i += 3) EXPECT_TRUE(t1[i] >= 0.0 && t1[i] < 1.0);
}

constexpr int kDraws = 1000000;

TEST(RuntimeNumericRandom, UniformMeanAndVariance) {
  ember_random_seed(7);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < kDraws; ++i) {
    double x = ember_random_uniform();
    ASSERT_TRUE(x >= 0.0 && x < 1.0);
    sum += x;
    sum2 += (x - 0.5) * (x - 0.5);
  }
  double mean = sum / kDraws, var = sum2 / kDraws;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / kDraws));
  // Var((X - 1/2)^2) = 1/80 - 1/144 = 1/180 for the uniform distribution.
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / kDraws));
}

TEST(RuntimeNumericRandom, StandardNormalMomentsAndQuantiles) {
  ember_random_seed(8);
  std::vector<double> xs(kDraws);
  double sum = 0, sum2 = 0;
  for (double &x : xs) {
    x = ember_random_standard_normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sum2 += x * x;
  }
  EXPECT_NEAR(sum / kDraws, 0.0, 5 / std::sqrt(double(kDraws)));
  EXPECT_NEAR(sum2 / kDraws, 1.0, 5 * std::sqrt(2.0 / kDraws));  // Var(X^2) = 2
  std::sort(xs.begin(), xs.end());
  for (double z : {-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0}) {
    double p = 0.5 * std::erfc(-z / std::sqrt(2.0));
    double frac = double(std::lower_bound(xs.begin(), xs.end(), z) - xs.begin()) / kDraws;
    EXPECT_NEAR(frac, p, 5 * std::sqrt(p * (1 - p) / kDraws)) << "at z=" << z;
  }
}

// Pearson's chi-square of counts that should all equal total / bins.
double chi_square(const std::vector<int64_t> &counts, int64_t total) {
  double expected = double(total) / double(counts.size()), chi2 = 0;
  for (int64_t c : counts) chi2 += (double(c) - expected) * (double(c) - expected) / expected;
  return chi2;
}

TEST(RuntimeNumericRandom, IntegerBoundsAndUniformity) {
  ember_random_seed(9);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(ember_random_integer(5, 6), 5);
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  bool saw_negative = false, saw_positive = false;
  for (int i = 0; i < 1000; ++i) {
    int64_t x = ember_random_integer(kMin, kMax);
    EXPECT_LT(x, kMax);
    (x < 0 ? saw_negative : saw_positive) = true;
  }
  EXPECT_TRUE(saw_negative && saw_positive);
  // Ten bins: chi-square with 9 degrees of freedom is above 45 with probability < 1e-6.
  std::vector<int64_t> counts(10);
  for (int i = 0; i < kDraws; ++i) {
    int64_t x = ember_random_integer(-3, 7);
    ASSERT_TRUE(x >= -3 && x < 7);
    ++counts[size_t(x + 3)];
  }
  EXPECT_LT(chi_square(counts, kDraws), 45.0);
  // A width of 3 * 2^62: taking x mod width would make the lowest third twice as likely as the
  // others.
  const uint64_t third = uint64_t(1) << 62;
  std::vector<int64_t> thirds(3);
  for (int i = 0; i < kDraws; ++i) {
    int64_t x = ember_random_integer(kMin, int64_t(uint64_t(kMin) + 3 * third));
    ++thirds[size_t((uint64_t(x) - uint64_t(kMin)) / third)];
  }
  EXPECT_LT(chi_square(thirds, kDraws), 28.0);  // 2 degrees of freedom, p < 1e-6
}

// ---- matrix products --------------------------------------------------------------------------

// Contiguous, padded, strided, reversed and broadcast (stride 0, inputs only) layouts.
enum layout {
  kRowMajor,
  kColMajor,
  kRowPad,
  kColPad,
  kStrided,
  kRevRows,
  kRevCols,
  kRevBoth,
  kBcast
};
constexpr int kLayouts = kBcast + 1;

// A rows x cols view into a buffer of its own; elements outside the view are sentinels.
template <class T>
struct view {
  std::vector<T> buf;
  std::vector<bool> inside;
  T *base;
  int64_t rs, cs;  // bytes
  T &at(int64_t i, int64_t j) {
    return *reinterpret_cast<T *>(reinterpret_cast<char *>(base) + i * rs + j * cs);
  }
};

template <class T>
view<T> make_view(int64_t rows, int64_t cols, int kind, T fill) {
  const int64_t steps[kLayouts][2] = {{cols, 1},     {1, rows},         {cols + 3, 1},
                                      {1, rows + 3}, {2 * cols + 1, 2}, {-cols, 1},
                                      {1, -rows},    {-2 * cols, -2},   {1, 0}};
  int64_t r = steps[kind][0], c = steps[kind][1], lo = 0, hi = 0;
  for (int64_t ext : {rows > 0 ? r * (rows - 1) : 0, cols > 0 ? c * (cols - 1) : 0})
    (ext < 0 ? lo : hi) += ext;
  view<T> v;
  v.buf.assign(size_t(hi - lo + 3), fill);
  v.inside.assign(v.buf.size(), false);
  v.base = v.buf.data() + 1 - lo;
  v.rs = r * int64_t(sizeof(T));
  v.cs = c * int64_t(sizeof(T));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v.inside[size_t(&v.at(i, j) - v.buf.data())] = true;
  return v;
}

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, view<T> &a, view<T> &b, view<T> &c) {
  if constexpr (std::is_same_v<T, double>)
    ember_gemm_f64(m, n, k, a.base, a.rs, a.cs, b.base, b.rs, b.cs, c.base, c.rs, c.cs);
  else
    ember_gemm_f32(m, n, k, a.base, a.rs, a.cs, b.base, b.rs, b.cs, c.base, c.rs, c.cs);
}

template <class T>
void check_gemm(int64_t m, int64_t n, int64_t k, int ka, int kb, int kc, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> uni(-1, 1);
  view<T> a = make_view<T>(m, k, ka, T(0)), b = make_view<T>(k, n, kb, T(0));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) a.at(i, p) = T(uni(rng));
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < n; ++j) b.at(p, j) = T(uni(rng));
  // C starts as NaN: it must be overwritten, never accumulated into.
  view<T> c = make_view<T>(m, n, kc, std::numeric_limits<T>::quiet_NaN());
  gemm(m, n, k, a, b, c);
  SCOPED_TRACE(::testing::Message()
               << "m=" << m << " n=" << n << " k=" << k << " layouts " << ka << kb << kc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double ref = 0, bound = 0;
      for (int64_t p = 0; p < k; ++p) {
        ref += double(a.at(i, p)) * double(b.at(p, j));
        bound += std::abs(double(a.at(i, p)) * double(b.at(p, j)));
      }
      double tol = 2.0 * double(k + 2) * std::numeric_limits<T>::epsilon() * bound;
      ASSERT_NEAR(double(c.at(i, j)), ref, tol) << "at " << i << "," << j;
    }
  }
  for (size_t x = 0; x < c.buf.size(); ++x)
    ASSERT_TRUE(c.inside[x] || std::isnan(c.buf[x])) << "wrote outside C";
}

template <class T>
void check_all_shapes(std::mt19937_64 &rng) {
  for (auto [m, n, k] : std::vector<std::array<int64_t, 3>>{
           {3, 5, 7}, {1, 1, 1}, {0, 4, 3}, {4, 0, 3}, {4, 3, 0}, {1, 9, 1}, {7, 1, 13}})
    for (int ka = 0; ka < kLayouts; ++ka)
      for (int kb = 0; kb < kLayouts; ++kb)
        for (int kc = 0; kc < kBcast; ++kc) check_gemm<T>(m, n, k, ka, kb, kc, rng);
  for (int t = 0; t < 60; ++t)
    check_gemm<T>(int64_t(rng() % 70), int64_t(rng() % 70), int64_t(rng() % 70),
                  int(rng() % kLayouts), int(rng() % kLayouts), int(rng() % kBcast), rng);
  // Several MC, KC and NC blocks of the fallback kernel.
  check_gemm<T>(130, 50, 300, kRowMajor, kColMajor, kRowMajor, rng);
  check_gemm<T>(257, 129, 65, kStrided, kRevBoth, kColPad, rng);
  check_gemm<T>(5, 2100, 3, kRowMajor, kRowMajor, kRevRows, rng);
}

TEST(RuntimeNumericGemm, FallbackMatchesNaiveLoop) {
  ember_set_blas(nullptr, nullptr);
  std::mt19937_64 rng(11);
  check_all_shapes<double>(rng);
  check_all_shapes<float>(rng);
}

TEST(RuntimeNumericGemm, EmptyShapesTouchNoMemory) {
  ember_set_blas(nullptr, nullptr);
  ember_gemm_f64(0, 5, 5, nullptr, 40, 8, nullptr, 40, 8, nullptr, 40, 8);
  ember_gemm_f32(5, 0, 5, nullptr, 20, 4, nullptr, 20, 4, nullptr, 20, 4);
  double c[6] = {1, 2, 3, 4, 5, 6};
  ember_gemm_f64(2, 3, 0, nullptr, 0, 0, nullptr, 0, 0, c, 24, 8);
  for (double x : c) EXPECT_EQ(x, 0.0);
}

// A naive column-major BLAS that also checks the arguments against the reference BLAS rules.
struct blas_log {
  int calls = 0;
  const void *a = nullptr, *b = nullptr, *c = nullptr;
} g_blas;

template <class T>
void fake_gemm(const char *transa, const char *transb, const int *m, const int *n, const int *k,
               const T *alpha, const T *a, const int *lda, const T *b, const int *ldb,
               const T *beta, T *c, const int *ldc) {
  g_blas = {g_blas.calls + 1, a, b, c};
  bool na = *transa == 'N', nb = *transb == 'N';
  EXPECT_TRUE(na || *transa == 'T');
  EXPECT_TRUE(nb || *transb == 'T');
  EXPECT_GE(*lda, std::max(1, na ? *m : *k));
  EXPECT_GE(*ldb, std::max(1, nb ? *k : *n));
  EXPECT_GE(*ldc, std::max(1, *m));
  int64_t la = *lda, lb = *ldb, lc = *ldc;
  for (int64_t j = 0; j < *n; ++j) {
    for (int64_t i = 0; i < *m; ++i) {
      T sum = 0;
      for (int64_t p = 0; p < *k; ++p)
        sum += (na ? a[i + p * la] : a[p + i * la]) * (nb ? b[p + j * lb] : b[j + p * lb]);
      T &cij = c[i + j * lc];
      cij = *beta == T(0) ? *alpha * sum : *alpha * sum + *beta * cij;
    }
  }
}

template <class T>
void check_no_copies(std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> uni(-1, 1);
  for (int kind : {kRowMajor, kColMajor, kRowPad, kColPad}) {
    view<T> a = make_view<T>(6, 4, kind, T(1)), b = make_view<T>(4, 5, kind, T(2));
    view<T> c = make_view<T>(6, 5, kind, T(0));
    gemm(6, 5, 4, a, b, c);
    bool row_major = kind == kRowMajor || kind == kRowPad;
    // A row-major C is computed as C^T = B^T A^T, so A and B trade places.
    EXPECT_EQ(g_blas.a, row_major ? b.base : a.base) << "layout " << kind;
    EXPECT_EQ(g_blas.b, row_major ? a.base : b.base) << "layout " << kind;
    EXPECT_EQ(g_blas.c, c.base) << "layout " << kind;
    EXPECT_EQ(c.at(5, 4), T(8));
  }
}

TEST(RuntimeNumericGemm, BlasMappingMatchesNaiveLoop) {
  ember_set_blas(reinterpret_cast<void *>(&fake_gemm<double>),
                 reinterpret_cast<void *>(&fake_gemm<float>));
  std::mt19937_64 rng(12);
  g_blas.calls = 0;
  check_all_shapes<double>(rng);
  EXPECT_GT(g_blas.calls, 1000);
  check_all_shapes<float>(rng);
  check_no_copies<double>(rng);
  check_no_copies<float>(rng);
  ember_set_blas(nullptr, nullptr);
}

}  // namespace
