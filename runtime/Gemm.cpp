// Matrix products for @ / np.dot in compiled code (ember/numeric.h): C = A @ B on arrays of any
// layout, strides in bytes.
//
// With a Fortran BLAS registered (the bindings pass SciPy's cython_blas, as Numba does), each
// operand is handed over in place when it is unit-stride in one dimension: a row-major matrix is
// the transpose of a column-major one, so it travels with 'T', and a row-major C is computed as
// C^T = B^T A^T.  Anything else (negative or zero strides, no unit stride) is copied first.
//
// Without BLAS a GotoBLAS/BLIS-style kernel runs: operands are packed into MR-row and NR-column
// slivers of KC-deep blocks, and a register-blocked micro-kernel (GCC vector extensions,
// accumulators in registers) computes each MR x NR tile.  On x86-64 the micro-kernel is also
// built for AVX2 + FMA and picked at run time, since the default target is SSE2.
#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "ember/numeric.h"

namespace {

// ---- the Fortran BLAS ------------------------------------------------------------------------

template <class T>
using fortran_gemm = void (*)(const char *transa, const char *transb, const int *m, const int *n,
                              const int *k, const T *alpha, const T *a, const int *lda, const T *b,
                              const int *ldb, const T *beta, T *c, const int *ldc);

std::atomic<void *> g_dgemm{nullptr};
std::atomic<void *> g_sgemm{nullptr};

struct free_deleter {
  void operator()(void *p) const { std::free(p); }
};
template <class T>
using buffer = std::unique_ptr<T[], free_deleter>;

// 64-byte aligned, so packed slivers start on cache lines.  Null when out of memory: the C ABI has
// no way to raise, so callers fall back to a kernel that needs no memory instead.
template <class T>
buffer<T> alloc_buffer(int64_t count) {
  size_t bytes = (size_t(std::max<int64_t>(count, 1)) * sizeof(T) + 63) / 64 * 64;
  return buffer<T>(static_cast<T *>(std::aligned_alloc(64, bytes)));
}

template <class T>
const T *at(const T *p, int64_t i, int64_t j, int64_t rs, int64_t cs) {
  return reinterpret_cast<const T *>(reinterpret_cast<const char *>(p) + i * rs + j * cs);
}
template <class T>
T *at(T *p, int64_t i, int64_t j, int64_t rs, int64_t cs) {
  return reinterpret_cast<T *>(reinterpret_cast<char *>(p) + i * rs + j * cs);
}

// A rows x cols operand as BLAS sees it: a column-major array, transposed or not.
template <class T>
struct fortran_operand {
  const T *data;
  char trans;
  int ld;
  buffer<T> copy;  // owns data when the operand had to be copied
};

// Describes the matrix in place when one of its strides is the element size; a dimension of
// length 1 accepts any stride, and BLAS wants ld >= max(1, leading dimension).
template <class T>
bool view_in_place(int64_t rows, int64_t cols, int64_t rs, int64_t cs, char &trans, int &ld) {
  const int64_t e = int64_t(sizeof(T));
  auto leading = [&](int64_t stride, int64_t inner, int64_t outer) -> int64_t {
    if (outer <= 1) return std::max<int64_t>(inner, 1);
    if (stride % e != 0 || stride / e < std::max<int64_t>(inner, 1)) return -1;
    return stride / e;
  };
  int64_t l;
  if ((rs == e || rows <= 1) && (l = leading(cs, rows, cols)) > 0 && l <= INT_MAX) {
    trans = 'N';
  } else if ((cs == e || cols <= 1) && (l = leading(rs, cols, rows)) > 0 && l <= INT_MAX) {
    trans = 'T';
  } else {
    return false;
  }
  ld = int(l);
  return true;
}

// op.data is null when a copy was needed and memory ran out.
template <class T>
fortran_operand<T> make_operand(int64_t rows, int64_t cols, const T *p, int64_t rs, int64_t cs) {
  fortran_operand<T> op{p, 'N', 1, nullptr};
  if (view_in_place<T>(rows, cols, rs, cs, op.trans, op.ld)) return op;
  op.copy = alloc_buffer<T>(rows * cols);
  op.data = nullptr;
  if (!op.copy) return op;
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t i = 0; i < rows; ++i) op.copy[j * rows + i] = *at(p, i, j, rs, cs);
  op.data = op.copy.get();
  op.trans = 'N';
  op.ld = int(std::max<int64_t>(rows, 1));
  return op;
}

// C (m x n, column-major with leading dimension ldc) = A @ B; false when out of memory.
template <class T>
bool blas_colmajor_c(fortran_gemm<T> gemm, int64_t m, int64_t n, int64_t k, const T *a,
                     int64_t a_rs, int64_t a_cs, const T *b, int64_t b_rs, int64_t b_cs, T *c,
                     int ldc) {
  fortran_operand<T> fa = make_operand(m, k, a, a_rs, a_cs);
  fortran_operand<T> fb = make_operand(k, n, b, b_rs, b_cs);
  if (!fa.data || !fb.data) return false;
  int im = int(m), in = int(n), ik = int(k);
  T one = 1, zero = 0;
  gemm(&fa.trans, &fb.trans, &im, &in, &ik, &one, fa.data, &fa.ld, fb.data, &fb.ld, &zero, c, &ldc);
  return true;
}

template <class T>
bool blas_gemm(fortran_gemm<T> gemm, int64_t m, int64_t n, int64_t k, const T *a, int64_t a_rs,
               int64_t a_cs, const T *b, int64_t b_rs, int64_t b_cs, T *c, int64_t c_rs,
               int64_t c_cs) {
  char trans;
  int ldc;
  if (view_in_place<T>(m, n, c_rs, c_cs, trans, ldc) && trans == 'N') {
    return blas_colmajor_c(gemm, m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc);
  } else if (view_in_place<T>(n, m, c_cs, c_rs, trans, ldc) && trans == 'N') {
    // C is row-major: C^T (n x m, column-major) = B^T A^T, the transposes being stride swaps.
    return blas_colmajor_c(gemm, n, m, k, b, b_cs, b_rs, a, a_cs, a_rs, c, ldc);
  }
  buffer<T> tmp = alloc_buffer<T>(m * n);
  if (!tmp || !blas_colmajor_c(gemm, m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, tmp.get(), int(m)))
    return false;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) *at(c, i, j, c_rs, c_cs) = tmp[j * m + i];
  return true;
}

// ---- the fallback kernel ---------------------------------------------------------------------

// Block sizes: an MC x KC block of A stays in L2, a KC x NR sliver of B in L1.  MC is a
// multiple of every kernel's MR.
constexpr int64_t kKC = 256;
template <class T>
constexpr int64_t kMC = sizeof(T) == 8 ? 120 : 240;
constexpr int64_t kNC = 2048;
constexpr int kMaxTile = 6 * 64;  // MR x NR of the largest kernel, in elements

// tile (MR x NR, row-major) = sum over p < kc of ap[p] (MR values) x bp[p] (NV vectors of VB
// bytes).  Inlined into kernels built for a given target, which pick MR, NV and VB so that the
// MR x NV accumulators, NV B vectors and one broadcast fit the registers.
template <class T, int MR, int NV, int VB>
inline __attribute__((always_inline)) void kernel_body(int64_t kc, const T *__restrict ap,
                                                       const T *__restrict bp, T *__restrict tile) {
  typedef T V __attribute__((vector_size(VB)));
  constexpr int kLanes = VB / int(sizeof(T));
  V acc[MR][NV] = {};
  for (int64_t p = 0; p < kc; ++p) {
    V b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) std::memcpy(&b[v], bp + (p * NV + v) * kLanes, sizeof(V));
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      T a = ap[p * MR + r];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += a * b[v];
    }
  }
  std::memcpy(tile, acc, sizeof(acc));
}

template <class T>
struct micro_kernel {
  int mr, nr;
  void (*fn)(int64_t kc, const T *ap, const T *bp, T *tile);
};

// 16-byte vectors, 4 x 2 of them: SSE2 and NEON have 16 or more such registers.
template <class T>
void kernel_generic(int64_t kc, const T *ap, const T *bp, T *tile) {
  kernel_body<T, 4, 2, 16>(kc, ap, bp, tile);
}

#if defined(__x86_64__) && defined(__GNUC__)
// AVX2 + FMA, 6 x 2 vectors of 32 bytes (BLIS's Haswell shape).  The default x86-64 target is
// SSE2, so this one is built separately and chosen at run time.
template <class T>
__attribute__((target("avx2,fma"))) void kernel_avx2(int64_t kc, const T *ap, const T *bp,
                                                     T *tile) {
  kernel_body<T, 6, 2, 32>(kc, ap, bp, tile);
}
#endif

template <class T>
micro_kernel<T> pick_kernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) return {6, 2 * 32 / int(sizeof(T)), &kernel_avx2<T>};
#endif
  return {4, 2 * 16 / int(sizeof(T)), &kernel_generic<T>};
}

// Packs A[i0:i0+mc, p0:p0+kc] as MR-row slivers, each kc deep; short slivers are zero-padded so
// the micro-kernel never branches.
template <class T>
void pack_a(const T *a, int64_t a_rs, int64_t a_cs, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
            int64_t mr, T *dst) {
  for (int64_t s = 0; s < mc; s += mr) {
    int64_t rows = std::min(mr, mc - s);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t r = 0; r < rows; ++r) dst[p * mr + r] = *at(a, i0 + s + r, p0 + p, a_rs, a_cs);
      for (int64_t r = rows; r < mr; ++r) dst[p * mr + r] = T(0);
    }
    dst += kc * mr;
  }
}

// Packs B[p0:p0+kc, j0:j0+nc] as NR-column slivers, each kc deep, zero-padded.
template <class T>
void pack_b(const T *b, int64_t b_rs, int64_t b_cs, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
            int64_t nr, T *dst) {
  for (int64_t s = 0; s < nc; s += nr) {
    int64_t cols = std::min(nr, nc - s);
    for (int64_t p = 0; p < kc; ++p) {
      const T *row = at(b, p0 + p, j0 + s, b_rs, b_cs);
      T *out = dst + p * nr;
      if (b_cs == int64_t(sizeof(T))) {
        std::memcpy(out, row, size_t(cols) * sizeof(T));
      } else {
        for (int64_t j = 0; j < cols; ++j) out[j] = *at(row, 0, j, 0, b_cs);
      }
      for (int64_t j = cols; j < nr; ++j) out[j] = T(0);
    }
    dst += kc * nr;
  }
}

// False (with C untouched) when the packing buffers cannot be allocated.
template <class T>
bool blocked_gemm(int64_t m, int64_t n, int64_t k, const T *a, int64_t a_rs, int64_t a_cs,
                  const T *b, int64_t b_rs, int64_t b_cs, T *c, int64_t c_rs, int64_t c_cs) {
  const micro_kernel<T> kernel = pick_kernel<T>();
  const int64_t mr = kernel.mr, nr = kernel.nr;
  const int64_t mc_max = std::min(kMC<T>, (m + mr - 1) / mr * mr);
  const int64_t nc_max = std::min(kNC, (n + nr - 1) / nr * nr);
  const int64_t kc_max = std::min(kKC, k);
  buffer<T> ap = alloc_buffer<T>(mc_max * kc_max);
  buffer<T> bp = alloc_buffer<T>(kc_max * nc_max);
  if (!ap || !bp) return false;
  alignas(64) T tile[kMaxTile];
  for (int64_t j0 = 0; j0 < n; j0 += kNC) {
    int64_t nc = std::min(kNC, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKC) {
      int64_t kc = std::min(kKC, k - p0);
      bool first = p0 == 0;  // the first KC block overwrites C, the later ones add to it
      pack_b(b, b_rs, b_cs, p0, kc, j0, nc, nr, bp.get());
      for (int64_t i0 = 0; i0 < m; i0 += kMC<T>) {
        int64_t mc = std::min(kMC<T>, m - i0);
        pack_a(a, a_rs, a_cs, i0, mc, p0, kc, mr, ap.get());
        for (int64_t js = 0; js < nc; js += nr) {
          int64_t cols = std::min(nr, nc - js);
          for (int64_t is = 0; is < mc; is += mr) {
            int64_t rows = std::min(mr, mc - is);
            kernel.fn(kc, ap.get() + is * kc, bp.get() + js * kc, tile);
            for (int64_t r = 0; r < rows; ++r) {
              T *crow = at(c, i0 + is + r, j0 + js, c_rs, c_cs);
              const T *t = tile + r * nr;
              if (c_cs == int64_t(sizeof(T))) {
                if (first) {
                  std::memcpy(crow, t, size_t(cols) * sizeof(T));
                } else {
                  for (int64_t j = 0; j < cols; ++j) crow[j] += t[j];
                }
              } else {
                for (int64_t j = 0; j < cols; ++j) {
                  T *cij = at(crow, 0, j, 0, c_cs);
                  *cij = first ? t[j] : *cij + t[j];
                }
              }
            }
          }
        }
      }
    }
  }
  return true;
}

// The last resort when memory ran out: slow, but C still gets its values.
template <class T>
void naive_gemm(int64_t m, int64_t n, int64_t k, const T *a, int64_t a_rs, int64_t a_cs, const T *b,
                int64_t b_rs, int64_t b_cs, T *c, int64_t c_rs, int64_t c_cs) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T sum = 0;
      for (int64_t p = 0; p < k; ++p) sum += *at(a, i, p, a_rs, a_cs) * *at(b, p, j, b_rs, b_cs);
      *at(c, i, j, c_rs, c_cs) = sum;
    }
  }
}

template <class T>
void gemm(void *blas, int64_t m, int64_t n, int64_t k, const T *a, int64_t a_rs, int64_t a_cs,
          const T *b, int64_t b_rs, int64_t b_cs, T *c, int64_t c_rs, int64_t c_cs) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) *at(c, i, j, c_rs, c_cs) = T(0);
    return;
  }
  if (blas && m <= INT_MAX && n <= INT_MAX && k <= INT_MAX &&
      blas_gemm(reinterpret_cast<fortran_gemm<T>>(blas), m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c,
                c_rs, c_cs))
    return;
  if (blocked_gemm(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, c_rs, c_cs)) return;
  naive_gemm(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, c_rs, c_cs);
}

}  // namespace

extern "C" {

void ember_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs, int64_t a_cs,
                    const double *b, int64_t b_rs, int64_t b_cs, double *c, int64_t c_rs,
                    int64_t c_cs) {
  gemm<double>(g_dgemm.load(std::memory_order_acquire), m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c,
               c_rs, c_cs);
}

void ember_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                    const float *b, int64_t b_rs, int64_t b_cs, float *c, int64_t c_rs,
                    int64_t c_cs) {
  gemm<float>(g_sgemm.load(std::memory_order_acquire), m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c,
              c_rs, c_cs);
}

void ember_set_blas(void *dgemm, void *sgemm) {
  g_dgemm.store(dgemm, std::memory_order_release);
  g_sgemm.store(sgemm, std::memory_order_release);
}

}  // extern "C"
