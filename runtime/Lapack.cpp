// LAPACK for np.linalg in compiled code (ember/numeric.h): thin wrappers over Fortran LAPACK
// routines registered at run time by name (the front end passes SciPy's
// scipy.linalg.cython_lapack, as Numba does; ember links no LAPACK of its own).
//
// Every matrix is column-major and contiguous (the leading dimension is its row count); the
// compiled callers (ember/npapi/linalg.py) copy their operands into such buffers.  `kind` picks
// the precision: 0 float32 (s...), 1 float64 (d...).  Workspace sizes are queried and the
// workspace allocated here.  The result is LAPACK's INFO, or EMBER_LAPACK_MISSING when the
// routine was never registered, or EMBER_LAPACK_NO_MEMORY.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ember/numeric.h"

namespace {

enum Routine { kGetrf, kGesv, kPotrf, kGesdd, kSyevd, kGeev, kGelsd, kGeqrf, kOrgqr, kNumRoutines };
const char *const kNames[kNumRoutines] = {"getrf", "gesv",  "potrf", "gesdd", "syevd",
                                          "geev",  "gelsd", "geqrf", "orgqr"};

std::atomic<void *> g_fns[2][kNumRoutines];

template <class T>
struct Precision;
template <>
struct Precision<float> {
  static constexpr int index = 0;
};
template <>
struct Precision<double> {
  static constexpr int index = 1;
};

template <class T, class Fn>
Fn routine(Routine r) {
  return reinterpret_cast<Fn>(g_fns[Precision<T>::index][r].load(std::memory_order_acquire));
}

int to_int(int64_t v) { return static_cast<int>(v); }

template <class T>
int64_t getrf(T *a, int *ipiv, int64_t m64, int64_t n64) {
  using Fn = void (*)(int *, int *, T *, int *, int *, int *);
  Fn fn = routine<T, Fn>(kGetrf);
  if (!fn) return EMBER_LAPACK_MISSING;
  int m = to_int(m64), n = to_int(n64), lda = m > 1 ? m : 1, info = 0;
  fn(&m, &n, a, &lda, ipiv, &info);
  return info;
}

template <class T>
int64_t gesv(T *a, int *ipiv, T *b, int64_t n64, int64_t nrhs64) {
  using Fn = void (*)(int *, int *, T *, int *, int *, T *, int *, int *);
  Fn fn = routine<T, Fn>(kGesv);
  if (!fn) return EMBER_LAPACK_MISSING;
  int n = to_int(n64), nrhs = to_int(nrhs64), lda = n > 1 ? n : 1, info = 0;
  fn(&n, &nrhs, a, &lda, ipiv, b, &lda, &info);
  return info;
}

template <class T>
int64_t potrf(T *a, int64_t n64) {
  using Fn = void (*)(char *, int *, T *, int *, int *);
  Fn fn = routine<T, Fn>(kPotrf);
  if (!fn) return EMBER_LAPACK_MISSING;
  char uplo = 'L';
  int n = to_int(n64), lda = n > 1 ? n : 1, info = 0;
  fn(&uplo, &n, a, &lda, &info);
  return info;
}

template <class T>
int64_t gesdd(T *a, T *s, T *u, T *vt, int64_t m64, int64_t n64, int64_t jobz64, int64_t ldu64,
              int64_t ldvt64) {
  using Fn = void (*)(char *, int *, int *, T *, int *, T *, T *, int *, T *, int *, T *, int *,
                      int *, int *);
  Fn fn = routine<T, Fn>(kGesdd);
  if (!fn) return EMBER_LAPACK_MISSING;
  char jobz = jobz64 == 0 ? 'N' : jobz64 == 1 ? 'S' : 'A';
  int m = to_int(m64), n = to_int(n64), lda = m > 1 ? m : 1, ldu = to_int(ldu64),
      ldvt = to_int(ldvt64), info = 0, lwork = -1;
  int mn = m < n ? m : n;
  std::vector<int> iwork(static_cast<size_t>(8 * (mn > 0 ? mn : 1)));
  T query{};
  fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info);
  return info;
}

template <class T>
int64_t syevd(T *a, T *w, int64_t n64, int64_t jobz64) {
  using Fn = void (*)(char *, char *, int *, T *, int *, T *, T *, int *, int *, int *, int *);
  Fn fn = routine<T, Fn>(kSyevd);
  if (!fn) return EMBER_LAPACK_MISSING;
  char jobz = jobz64 ? 'V' : 'N', uplo = 'L';
  int n = to_int(n64), lda = n > 1 ? n : 1, info = 0, lwork = -1, liwork = -1, iquery = 0;
  T query{};
  fn(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  liwork = iquery > 1 ? iquery : 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  fn(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info);
  return info;
}

template <class T>
int64_t geev(T *a, T *wr, T *wi, T *vr, int64_t n64, int64_t jobvr64) {
  using Fn = void (*)(char *, char *, int *, T *, int *, T *, T *, T *, int *, T *, int *, T *,
                      int *, int *);
  Fn fn = routine<T, Fn>(kGeev);
  if (!fn) return EMBER_LAPACK_MISSING;
  char jobvl = 'N', jobvr = jobvr64 ? 'V' : 'N';
  int n = to_int(n64), lda = n > 1 ? n : 1, ldvl = 1, ldvr = jobvr64 ? lda : 1, info = 0,
      lwork = -1;
  T query{}, vl{};
  fn(&jobvl, &jobvr, &n, a, &lda, wr, wi, &vl, &ldvl, vr, &ldvr, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&jobvl, &jobvr, &n, a, &lda, wr, wi, &vl, &ldvl, vr, &ldvr, work.data(), &lwork, &info);
  return info;
}

template <class T>
int64_t gelsd(T *a, T *b, T *s, int64_t *rank_out, int64_t m64, int64_t n64, int64_t nrhs64,
              int64_t ldb64, double rcond64) {
  using Fn = void (*)(int *, int *, int *, T *, int *, T *, int *, T *, T *, int *, T *, int *,
                      int *, int *);
  Fn fn = routine<T, Fn>(kGelsd);
  if (!fn) return EMBER_LAPACK_MISSING;
  int m = to_int(m64), n = to_int(n64), nrhs = to_int(nrhs64), lda = m > 1 ? m : 1,
      ldb = to_int(ldb64), rank = 0, info = 0, lwork = -1, iquery = 0;
  T rcond = static_cast<T>(rcond64), query{};
  fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, &query, &lwork, &iquery, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(iquery > 1 ? iquery : 1));
  fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, work.data(), &lwork, iwork.data(), &info);
  *rank_out = rank;
  return info;
}

template <class T>
int64_t geqrf(T *a, T *tau, int64_t m64, int64_t n64) {
  using Fn = void (*)(int *, int *, T *, int *, T *, T *, int *, int *);
  Fn fn = routine<T, Fn>(kGeqrf);
  if (!fn) return EMBER_LAPACK_MISSING;
  int m = to_int(m64), n = to_int(n64), lda = m > 1 ? m : 1, info = 0, lwork = -1;
  T query{};
  fn(&m, &n, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

template <class T>
int64_t orgqr(T *a, T *tau, int64_t m64, int64_t n64, int64_t k64) {
  using Fn = void (*)(int *, int *, int *, T *, int *, T *, T *, int *, int *);
  Fn fn = routine<T, Fn>(kOrgqr);
  if (!fn) return EMBER_LAPACK_MISSING;
  int m = to_int(m64), n = to_int(n64), k = to_int(k64), lda = m > 1 ? m : 1, info = 0, lwork = -1;
  T query{};
  fn(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query) + 1;
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

}  // namespace

extern "C" {

int ember_set_lapack(const char *name, void *fn) {
  if (!name || (name[0] != 's' && name[0] != 'd')) return 0;
  int precision = name[0] == 's' ? 0 : 1;
  for (int r = 0; r < kNumRoutines; ++r) {
    if (std::strcmp(name + 1, kNames[r]) == 0) {
      g_fns[precision][r].store(fn, std::memory_order_release);
      return 1;
    }
  }
  return 0;
}

// The entries compiled code calls: the kind argument picks float32 (0) or float64 (1).
#define EMBER_LAPACK_DISPATCH(call_f, call_d) return kind == 0 ? (call_f) : (call_d)

int64_t ember_lapack_getrf(int64_t kind, void *a, void *ipiv, int64_t m, int64_t n) {
  auto *p = static_cast<int *>(ipiv);
  EMBER_LAPACK_DISPATCH(getrf(static_cast<float *>(a), p, m, n),
                        getrf(static_cast<double *>(a), p, m, n));
}

int64_t ember_lapack_gesv(int64_t kind, void *a, void *ipiv, void *b, int64_t n, int64_t nrhs) {
  auto *p = static_cast<int *>(ipiv);
  EMBER_LAPACK_DISPATCH(gesv(static_cast<float *>(a), p, static_cast<float *>(b), n, nrhs),
                        gesv(static_cast<double *>(a), p, static_cast<double *>(b), n, nrhs));
}

int64_t ember_lapack_potrf(int64_t kind, void *a, int64_t n) {
  EMBER_LAPACK_DISPATCH(potrf(static_cast<float *>(a), n), potrf(static_cast<double *>(a), n));
}

int64_t ember_lapack_gesdd(int64_t kind, void *a, void *s, void *u, void *vt, int64_t m, int64_t n,
                           int64_t jobz, int64_t ldu, int64_t ldvt) {
  EMBER_LAPACK_DISPATCH(
      gesdd(static_cast<float *>(a), static_cast<float *>(s), static_cast<float *>(u),
            static_cast<float *>(vt), m, n, jobz, ldu, ldvt),
      gesdd(static_cast<double *>(a), static_cast<double *>(s), static_cast<double *>(u),
            static_cast<double *>(vt), m, n, jobz, ldu, ldvt));
}

int64_t ember_lapack_syevd(int64_t kind, void *a, void *w, int64_t n, int64_t jobz) {
  EMBER_LAPACK_DISPATCH(syevd(static_cast<float *>(a), static_cast<float *>(w), n, jobz),
                        syevd(static_cast<double *>(a), static_cast<double *>(w), n, jobz));
}

int64_t ember_lapack_geev(int64_t kind, void *a, void *wr, void *wi, void *vr, int64_t n,
                          int64_t jobvr) {
  EMBER_LAPACK_DISPATCH(geev(static_cast<float *>(a), static_cast<float *>(wr),
                             static_cast<float *>(wi), static_cast<float *>(vr), n, jobvr),
                        geev(static_cast<double *>(a), static_cast<double *>(wr),
                             static_cast<double *>(wi), static_cast<double *>(vr), n, jobvr));
}

int64_t ember_lapack_gelsd(int64_t kind, void *a, void *b, void *s, void *rank, int64_t m,
                           int64_t n, int64_t nrhs, int64_t ldb, double rcond) {
  auto *r = static_cast<int64_t *>(rank);
  EMBER_LAPACK_DISPATCH(gelsd(static_cast<float *>(a), static_cast<float *>(b),
                              static_cast<float *>(s), r, m, n, nrhs, ldb, rcond),
                        gelsd(static_cast<double *>(a), static_cast<double *>(b),
                              static_cast<double *>(s), r, m, n, nrhs, ldb, rcond));
}

int64_t ember_lapack_geqrf(int64_t kind, void *a, void *tau, int64_t m, int64_t n) {
  EMBER_LAPACK_DISPATCH(geqrf(static_cast<float *>(a), static_cast<float *>(tau), m, n),
                        geqrf(static_cast<double *>(a), static_cast<double *>(tau), m, n));
}

int64_t ember_lapack_orgqr(int64_t kind, void *a, void *tau, int64_t m, int64_t n, int64_t k) {
  EMBER_LAPACK_DISPATCH(orgqr(static_cast<float *>(a), static_cast<float *>(tau), m, n, k),
                        orgqr(static_cast<double *>(a), static_cast<double *>(tau), m, n, k));
}

#undef EMBER_LAPACK_DISPATCH

}  // extern "C"
