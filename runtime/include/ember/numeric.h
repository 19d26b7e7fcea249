/* ember/numeric.h — numeric kernels of the runtime that compiled code calls for NumPy functions
 * too large to emit inline: sorting, random numbers and matrix products.  C ABI, no LLVM, no
 * Python; every function is listed in ember_runtime_symbols() so the JIT can reach it.
 *
 * Element types are spelled in function names: b (bool, 1 byte), i8 i16 i32 i64, u8 u16 u32
 * u64, f32 f64.  Strides are in BYTES, like the array struct's.  Arrays given to these
 * functions may be views with any (also negative) stride.
 */
#ifndef EMBER_NUMERIC_H
#define EMBER_NUMERIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sorting ------------------------------------------------------------------------------
 * ember_sort_T sorts n elements in place, ascending, NaNs last (NumPy's order).
 * ember_argsort_T writes to out (contiguous int64) the indices that would sort the data (same
 * order; ties in any order, as NumPy's default quicksort). */
#define EMBER_SORT_DECLARE(T, ctype)                          \
  void ember_sort_##T(void *data, int64_t n, int64_t stride); \
  void ember_argsort_##T(const void *data, int64_t n, int64_t stride, int64_t *out);
EMBER_SORT_DECLARE(b, uint8_t)
EMBER_SORT_DECLARE(i8, int8_t)
EMBER_SORT_DECLARE(i16, int16_t)
EMBER_SORT_DECLARE(i32, int32_t)
EMBER_SORT_DECLARE(i64, int64_t)
EMBER_SORT_DECLARE(u8, uint8_t)
EMBER_SORT_DECLARE(u16, uint16_t)
EMBER_SORT_DECLARE(u32, uint32_t)
EMBER_SORT_DECLARE(u64, uint64_t)
EMBER_SORT_DECLARE(f32, float)
EMBER_SORT_DECLARE(f64, double)
#undef EMBER_SORT_DECLARE

/* ---- random numbers -----------------------------------------------------------------------
 * One generator per thread (xoshiro256**), seeded from the OS on first use unless the thread
 * called ember_random_seed; ember_random_seed(k) makes the thread's stream reproducible.
 * The distributions are NumPy's, not bit-for-bit NumPy's streams. */
void ember_random_seed(uint64_t seed);
double ember_random_uniform(void);                       /* [0, 1), 53 random bits */
double ember_random_standard_normal(void);               /* mean 0, variance 1 */
int64_t ember_random_integer(int64_t low, int64_t high); /* [low, high), unbiased; high > low */

/* ---- linear algebra -----------------------------------------------------------------------
 * C[m, n] = A[m, k] @ B[k, n] (C is overwritten).  Row and column strides in bytes for each
 * matrix.  Uses the BLAS registered with ember_set_blas when there is one (as Numba does with
 * SciPy's cython_blas), else a blocked, vectorizable kernel. */
void ember_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs, int64_t a_cs,
                    const double *b, int64_t b_rs, int64_t b_cs, double *c, int64_t c_rs,
                    int64_t c_cs);
void ember_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                    const float *b, int64_t b_rs, int64_t b_cs, float *c, int64_t c_rs,
                    int64_t c_cs);
/* Registers Fortran BLAS routines (dgemm_, sgemm_ signatures), or NULL to use the fallback. */
void ember_set_blas(void *dgemm, void *sgemm);

/* LAPACK for np.linalg (runtime/Lapack.cpp): column-major contiguous matrices, kind 0 float32,
 * 1 float64, 2 complex64, 3 complex128 (s and w of gesdd, syevd and gelsd are then real); the
 * result is LAPACK's INFO or one of these codes. */
#define EMBER_LAPACK_MISSING (-1000000)
/* Registers a Fortran LAPACK routine by its name ("dgesv", "sgetrf", "zheevd", "cungqr", ...); 0 if unknown. */
int ember_set_lapack(const char *name, void *fn);
int64_t ember_lapack_getrf(int64_t kind, void *a, void *ipiv, int64_t m, int64_t n);
int64_t ember_lapack_gesv(int64_t kind, void *a, void *ipiv, void *b, int64_t n, int64_t nrhs);
int64_t ember_lapack_potrf(int64_t kind, void *a, int64_t n);
int64_t ember_lapack_gesdd(int64_t kind, void *a, void *s, void *u, void *vt, int64_t m, int64_t n,
                           int64_t jobz, int64_t ldu, int64_t ldvt);
int64_t ember_lapack_syevd(int64_t kind, void *a, void *w, int64_t n, int64_t jobz);
int64_t ember_lapack_geev(int64_t kind, void *a, void *wr, void *wi, void *vr, int64_t n,
                          int64_t jobvr);
int64_t ember_lapack_gelsd(int64_t kind, void *a, void *b, void *s, void *rank, int64_t m,
                           int64_t n, int64_t nrhs, int64_t ldb, double rcond);
int64_t ember_lapack_geqrf(int64_t kind, void *a, void *tau, int64_t m, int64_t n);
int64_t ember_lapack_orgqr(int64_t kind, void *a, void *tau, int64_t m, int64_t n, int64_t k);

/* ---- complex functions (runtime/ComplexMath.cpp) -------------------------------------------
 * NumPy's complex ufuncs: out[0] + out[1]j = f(re + im j), through C99's complex functions (as
 * NumPy's npy_cexp, npy_csqrt, ... are), so branch cuts and signed zeros follow C99 Annex G.
 * complex64 computes in double and rounds. */
enum ember_complex_fn_code {
  EMBER_CFN_SQRT, EMBER_CFN_EXP, EMBER_CFN_LOG, EMBER_CFN_LOG2, EMBER_CFN_LOG10,
  EMBER_CFN_LOG1P, EMBER_CFN_EXPM1, EMBER_CFN_SIN, EMBER_CFN_COS, EMBER_CFN_TAN,
  EMBER_CFN_ARCSIN, EMBER_CFN_ARCCOS, EMBER_CFN_ARCTAN, EMBER_CFN_SINH, EMBER_CFN_COSH,
  EMBER_CFN_TANH
};
void ember_complex_fn(int32_t fn, double re, double im, double *out);

/* ---- bytes (runtime/Bytes.cpp) ---------------------------------------------------------------
 * Python's comparison of two byte strings (bytes, bytearray, a strided slice of one): -1, 0 or
 * 1, lexicographic by unsigned byte, a prefix first. */
int32_t ember_bytes_compare(const uint8_t *a, int64_t a_stride, int64_t a_len, const uint8_t *b,
                            int64_t b_stride, int64_t b_len);
/* The length of a record's fixed-size char field of n units of `unit` bytes (1: 'S', 4: 'U')
 * without its trailing NULs, as NumPy reads it. */
int64_t ember_chars_length(const void *field, int64_t n, int32_t unit);
/* Stores len units of src (stride bytes apart; 1-byte units for 'S', UCS4 for 'U' where `unit`
 * is 4 and src holds code points of src_kind bytes) into a char field of n units, truncated or
 * padded with NULs as NumPy does. */
void ember_chars_store(void *field, int64_t n, int32_t unit, const void *src, int64_t stride,
                       int64_t len, int32_t src_kind);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_NUMERIC_H */
