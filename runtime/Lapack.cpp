// LAPACK for np.linalg in compiled code (ember/numeric.h): thin wrappers over Fortran LAPACK
// routines registered at run time by name (the front end passes SciPy's
// scipy.linalg.cython_lapack, as Numba does; ember links no LAPACK of its own).
//
// Every matrix is column-major and contiguous (the leading dimension is its row count); the
// compiled callers (ember/npapi/linalg.py) copy their operands into such buffers.  `kind` picks
// the precision: 0 float32 (s...), 1 float64 (d...), 2 complex64 (c...), 3 complex128 (z...).
// The complex routines take their singular values and Hermitian eigenvalues as real buffers
// and need a real workspace (rwork) besides; cheevd/zheevd and cungqr/zungqr fill the syevd
// and orgqr slots.  Workspace sizes are queried and the workspace allocated here.  The result
// is LAPACK's INFO, or EMBER_LAPACK_MISSING when the routine was never registered.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "ember/numeric.h"

namespace {

enum Routine { kGetrf, kGesv, kPotrf, kGesdd, kSyevd, kGeev, kGelsd, kGeqrf, kOrgqr, kNumRoutines };
const char *const kRealNames[kNumRoutines] = {"getrf", "gesv",  "potrf", "gesdd", "syevd",
                                              "geev",  "gelsd", "geqrf", "orgqr"};
const char *const kComplexNames[kNumRoutines] = {"getrf", "gesv",  "potrf", "gesdd", "heevd",
                                                 "geev",  "gelsd", "geqrf", "ungqr"};
constexpr int kNumKinds = 4;

std::atomic<void *> g_fns[kNumKinds][kNumRoutines];

using c64 = std::complex<float>;
using c128 = std::complex<double>;

/// index: the kind; R: the real type of the same precision.
template <class T>
struct Precision;
template <>
struct Precision<float> {
  static constexpr int index = 0;
  using R = float;
};
template <>
struct Precision<double> {
  static constexpr int index = 1;
  using R = double;
};
template <>
struct Precision<c64> {
  static constexpr int index = 2;
  using R = float;
};
template <>
struct Precision<c128> {
  static constexpr int index = 3;
  using R = double;
};
template <class T>
using Real = typename Precision<T>::R;
template <class T>
constexpr bool kIsComplex = Precision<T>::index >= 2;

template <class T, class Fn>
Fn routine(Routine r) {
  return reinterpret_cast<Fn>(g_fns[Precision<T>::index][r].load(std::memory_order_acquire));
}

int to_int(int64_t v) { return static_cast<int>(v); }

/// The workspace length a size query returned (LAPACK writes it into the first element).
template <class T>
int query_size(T q) {
  return static_cast<int>(std::real(q)) + 1;
}

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
int64_t gesdd(T *a, Real<T> *s, T *u, T *vt, int64_t m64, int64_t n64, int64_t jobz64,
              int64_t ldu64, int64_t ldvt64) {
  char jobz = jobz64 == 0 ? 'N' : jobz64 == 1 ? 'S' : 'A';
  int m = to_int(m64), n = to_int(n64), lda = m > 1 ? m : 1, ldu = to_int(ldu64),
      ldvt = to_int(ldvt64), info = 0, lwork = -1;
  int mn = std::max(std::min(m, n), 1), mx = std::max(m, n);
  std::vector<int> iwork(static_cast<size_t>(8 * mn));
  T query{};
  if constexpr (kIsComplex<T>) {
    using Fn = void (*)(char *, int *, int *, T *, int *, Real<T> *, T *, int *, T *, int *, T *,
                        int *, Real<T> *, int *, int *);
    Fn fn = routine<T, Fn>(kGesdd);
    if (!fn) return EMBER_LAPACK_MISSING;
    // LAPACK's documented minimum for rwork (the 'N' case grew from 5 to 7 per value in 3.7).
    size_t lrwork = jobz == 'N'
                        ? static_cast<size_t>(7 * mn)
                        : static_cast<size_t>(mn) * std::max(5 * mn + 7, 2 * mx + 2 * mn + 1);
    std::vector<Real<T>> rwork(lrwork);
    fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, rwork.data(), iwork.data(),
       &info);
    if (info != 0) return info;
    lwork = query_size(query);
    std::vector<T> work(static_cast<size_t>(lwork));
    fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, rwork.data(),
       iwork.data(), &info);
  } else {
    using Fn = void (*)(char *, int *, int *, T *, int *, T *, T *, int *, T *, int *, T *, int *,
                        int *, int *);
    Fn fn = routine<T, Fn>(kGesdd);
    if (!fn) return EMBER_LAPACK_MISSING;
    fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork.data(), &info);
    if (info != 0) return info;
    lwork = query_size(query);
    std::vector<T> work(static_cast<size_t>(lwork));
    fn(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work.data(), &lwork, iwork.data(), &info);
  }
  return info;
}

template <class T>
int64_t syevd(T *a, Real<T> *w, int64_t n64, int64_t jobz64) {
  char jobz = jobz64 ? 'V' : 'N', uplo = 'L';
  int n = to_int(n64), lda = n > 1 ? n : 1, info = 0, lwork = -1, liwork = -1, iquery = 0;
  T query{};
  if constexpr (kIsComplex<T>) {  // cheevd / zheevd
    using Fn = void (*)(char *, char *, int *, T *, int *, Real<T> *, T *, int *, Real<T> *, int *,
                        int *, int *, int *);
    Fn fn = routine<T, Fn>(kSyevd);
    if (!fn) return EMBER_LAPACK_MISSING;
    int lrwork = -1;
    Real<T> rquery{};
    fn(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &rquery, &lrwork, &iquery, &liwork, &info);
    if (info != 0) return info;
    lwork = query_size(query);
    lrwork = query_size(rquery);
    liwork = iquery > 1 ? iquery : 1;
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<Real<T>> rwork(static_cast<size_t>(lrwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    fn(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, rwork.data(), &lrwork, iwork.data(),
       &liwork, &info);
  } else {
    using Fn = void (*)(char *, char *, int *, T *, int *, T *, T *, int *, int *, int *, int *);
    Fn fn = routine<T, Fn>(kSyevd);
    if (!fn) return EMBER_LAPACK_MISSING;
    fn(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info);
    if (info != 0) return info;
    lwork = query_size(query);
    liwork = iquery > 1 ? iquery : 1;
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    fn(&jobz, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info);
  }
  return info;
}

/// Real kinds: eigenvalues in wr + i wi.  Complex kinds: eigenvalues in wr, wi unused.
template <class T>
int64_t geev(T *a, T *wr, T *wi, T *vr, int64_t n64, int64_t jobvr64) {
  char jobvl = 'N', jobvr = jobvr64 ? 'V' : 'N';
  int n = to_int(n64), lda = n > 1 ? n : 1, ldvl = 1, ldvr = jobvr64 ? lda : 1, info = 0,
      lwork = -1;
  T query{}, vl{};
  if constexpr (kIsComplex<T>) {
    (void)wi;
    using Fn = void (*)(char *, char *, int *, T *, int *, T *, T *, int *, T *, int *, T *, int *,
                        Real<T> *, int *);
    Fn fn = routine<T, Fn>(kGeev);
    if (!fn) return EMBER_LAPACK_MISSING;
    std::vector<Real<T>> rwork(static_cast<size_t>(2 * lda));
    fn(&jobvl, &jobvr, &n, a, &lda, wr, &vl, &ldvl, vr, &ldvr, &query, &lwork, rwork.data(), &info);
    if (info != 0) return info;
    lwork = query_size(query);
    std::vector<T> work(static_cast<size_t>(lwork));
    fn(&jobvl, &jobvr, &n, a, &lda, wr, &vl, &ldvl, vr, &ldvr, work.data(), &lwork, rwork.data(),
       &info);
  } else {
    using Fn = void (*)(char *, char *, int *, T *, int *, T *, T *, T *, int *, T *, int *, T *,
                        int *, int *);
    Fn fn = routine<T, Fn>(kGeev);
    if (!fn) return EMBER_LAPACK_MISSING;
    fn(&jobvl, &jobvr, &n, a, &lda, wr, wi, &vl, &ldvl, vr, &ldvr, &query, &lwork, &info);
    if (info != 0) return info;
    lwork = query_size(query);
    std::vector<T> work(static_cast<size_t>(lwork));
    fn(&jobvl, &jobvr, &n, a, &lda, wr, wi, &vl, &ldvl, vr, &ldvr, work.data(), &lwork, &info);
  }
  return info;
}

/// cgelsd/zgelsd's real workspace: LAPACK's documented minimum (the size query's answer is
/// taken when larger).
int gelsd_lrwork(int m, int n, int nrhs) {
  const int smlsiz = 25;
  int mn = std::max(std::min(m, n), 1);
  int nlvl = std::max(0, static_cast<int>(std::log2(static_cast<double>(mn) / (smlsiz + 1))) + 1);
  int tail = std::max((smlsiz + 1) * (smlsiz + 1), n * (1 + nrhs) + 2 * nrhs);
  return 10 * mn + 2 * mn * smlsiz + 8 * mn * nlvl + 3 * smlsiz * nrhs + tail;
}

template <class T>
int64_t gelsd(T *a, T *b, Real<T> *s, int64_t *rank_out, int64_t m64, int64_t n64, int64_t nrhs64,
              int64_t ldb64, double rcond64) {
  int m = to_int(m64), n = to_int(n64), nrhs = to_int(nrhs64), lda = m > 1 ? m : 1,
      ldb = to_int(ldb64), rank = 0, info = 0, lwork = -1, iquery = 0;
  Real<T> rcond = static_cast<Real<T>>(rcond64);
  T query{};
  if constexpr (kIsComplex<T>) {
    using Fn = void (*)(int *, int *, int *, T *, int *, T *, int *, Real<T> *, Real<T> *, int *,
                        T *, int *, Real<T> *, int *, int *);
    Fn fn = routine<T, Fn>(kGelsd);
    if (!fn) return EMBER_LAPACK_MISSING;
    Real<T> rquery{};
    fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, &query, &lwork, &rquery, &iquery, &info);
    if (info != 0) return info;
    lwork = query_size(query);
    int lrwork = std::max(query_size(rquery), gelsd_lrwork(m, n, nrhs));
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<Real<T>> rwork(static_cast<size_t>(lrwork));
    std::vector<int> iwork(static_cast<size_t>(iquery > 1 ? iquery : 1));
    fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, work.data(), &lwork, rwork.data(),
       iwork.data(), &info);
  } else {
    using Fn = void (*)(int *, int *, int *, T *, int *, T *, int *, T *, T *, int *, T *, int *,
                        int *, int *);
    Fn fn = routine<T, Fn>(kGelsd);
    if (!fn) return EMBER_LAPACK_MISSING;
    fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, &query, &lwork, &iquery, &info);
    if (info != 0) return info;
    lwork = query_size(query);
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(iquery > 1 ? iquery : 1));
    fn(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, work.data(), &lwork, iwork.data(), &info);
  }
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
  lwork = query_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&m, &n, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

/// orgqr for real kinds, ungqr for complex ones (the same arguments).
template <class T>
int64_t orgqr(T *a, T *tau, int64_t m64, int64_t n64, int64_t k64) {
  using Fn = void (*)(int *, int *, int *, T *, int *, T *, T *, int *, int *);
  Fn fn = routine<T, Fn>(kOrgqr);
  if (!fn) return EMBER_LAPACK_MISSING;
  int m = to_int(m64), n = to_int(n64), k = to_int(k64), lda = m > 1 ? m : 1, info = 0, lwork = -1;
  T query{};
  fn(&m, &n, &k, a, &lda, tau, &query, &lwork, &info);
  if (info != 0) return info;
  lwork = query_size(query);
  std::vector<T> work(static_cast<size_t>(lwork));
  fn(&m, &n, &k, a, &lda, tau, work.data(), &lwork, &info);
  return info;
}

/// Calls body with a null pointer of the element type `kind` names (the overload picker).
template <class Body>
int64_t by_kind(int64_t kind, Body body) {
  switch (kind) {
    case 0: return body(static_cast<float *>(nullptr));
    case 1: return body(static_cast<double *>(nullptr));
    case 2: return body(static_cast<c64 *>(nullptr));
    case 3: return body(static_cast<c128 *>(nullptr));
    default: return EMBER_LAPACK_MISSING;
  }
}

template <class T>
T *as(void *p) {
  return static_cast<T *>(p);
}

}  // namespace

extern "C" {

int ember_set_lapack(const char *name, void *fn) {
  if (!name) return 0;
  const char *prefixes = "sdcz";
  const char *found = std::strchr(prefixes, name[0]);
  if (!found || name[0] == '\0') return 0;
  int kind = static_cast<int>(found - prefixes);
  const char *const *names = kind >= 2 ? kComplexNames : kRealNames;
  for (int r = 0; r < kNumRoutines; ++r) {
    if (std::strcmp(name + 1, names[r]) == 0) {
      g_fns[kind][r].store(fn, std::memory_order_release);
      return 1;
    }
  }
  return 0;
}

// The entries compiled code calls: the kind argument picks the element type.
int64_t ember_lapack_getrf(int64_t kind, void *a, void *ipiv, int64_t m, int64_t n) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return getrf(as<T>(a), static_cast<int *>(ipiv), m, n);
  });
}

int64_t ember_lapack_gesv(int64_t kind, void *a, void *ipiv, void *b, int64_t n, int64_t nrhs) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return gesv(as<T>(a), static_cast<int *>(ipiv), as<T>(b), n, nrhs);
  });
}

int64_t ember_lapack_potrf(int64_t kind, void *a, int64_t n) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return potrf(as<T>(a), n);
  });
}

int64_t ember_lapack_gesdd(int64_t kind, void *a, void *s, void *u, void *vt, int64_t m, int64_t n,
                           int64_t jobz, int64_t ldu, int64_t ldvt) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return gesdd(as<T>(a), as<Real<T>>(s), as<T>(u), as<T>(vt), m, n, jobz, ldu, ldvt);
  });
}

int64_t ember_lapack_syevd(int64_t kind, void *a, void *w, int64_t n, int64_t jobz) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return syevd(as<T>(a), as<Real<T>>(w), n, jobz);
  });
}

int64_t ember_lapack_geev(int64_t kind, void *a, void *wr, void *wi, void *vr, int64_t n,
                          int64_t jobvr) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return geev(as<T>(a), as<T>(wr), as<T>(wi), as<T>(vr), n, jobvr);
  });
}

int64_t ember_lapack_gelsd(int64_t kind, void *a, void *b, void *s, void *rank, int64_t m,
                           int64_t n, int64_t nrhs, int64_t ldb, double rcond) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return gelsd(as<T>(a), as<T>(b), as<Real<T>>(s), static_cast<int64_t *>(rank), m, n, nrhs, ldb,
                 rcond);
  });
}

int64_t ember_lapack_geqrf(int64_t kind, void *a, void *tau, int64_t m, int64_t n) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return geqrf(as<T>(a), as<T>(tau), m, n);
  });
}

int64_t ember_lapack_orgqr(int64_t kind, void *a, void *tau, int64_t m, int64_t n, int64_t k) {
  return by_kind(kind, [&](auto *t) {
    using T = std::remove_pointer_t<decltype(t)>;
    return orgqr(as<T>(a), as<T>(tau), m, n, k);
  });
}

}  // extern "C"
