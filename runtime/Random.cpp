// Random numbers for np.random.* in compiled code (ember/numeric.h): one xoshiro256** generator
// per thread, like Numba's per-thread state.
//
// The state is a constant-initialized thread_local (no TLS constructor or guard on the fast path,
// so no initialization call is needed and threads created by anyone work).  A thread that never
// called ember_random_seed draws its seed from the OS on first use.  A forked child inherits the
// parent's state and so may repeat its stream, which is acceptable for these functions.
#include <cmath>
#include <cstring>
#include <ctime>

#if defined(__linux__)
#include <sys/random.h>
#endif

#include "ember/numeric.h"

namespace {

struct rng_state {
  uint64_t s[4];
  bool seeded;
  bool has_gauss;  // Marsaglia's polar method makes normals in pairs; the second waits here
  double gauss;
};

thread_local rng_state t_rng = {};

uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void seed_state(rng_state &st, uint64_t seed) {
  // splitmix64 spreads any seed (0 included) over the state; xoshiro must not start all-zero,
  // and splitmix64 never yields four zeros in a row.
  for (uint64_t &w : st.s) w = splitmix64(seed);
  st.seeded = true;
  st.has_gauss = false;
  st.gauss = 0.0;
}

uint64_t os_seed() {
  uint64_t seed = 0;
#if defined(__linux__)
  if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == ssize_t(sizeof(seed))) return seed;
#endif
  // No entropy source (old kernel, seccomp): mix the clock with addresses unique to the thread so
  // that threads started together still differ.
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  seed = uint64_t(ts.tv_sec) * 1000000007ull ^ uint64_t(ts.tv_nsec);
  seed ^= reinterpret_cast<uintptr_t>(&t_rng) * 0x9e3779b97f4a7c15ull;
  return seed;
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

inline uint64_t next_u64() {
  rng_state &st = t_rng;
  if (__builtin_expect(!st.seeded, 0)) seed_state(st, os_seed());
  uint64_t *s = st.s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

inline double next_double() { return double(next_u64() >> 11) * 0x1.0p-53; }

}  // namespace

extern "C" {

void ember_random_seed(uint64_t seed) { seed_state(t_rng, seed); }

double ember_random_uniform(void) { return next_double(); }

double ember_random_standard_normal(void) {
  rng_state &st = t_rng;
  if (st.has_gauss) {
    st.has_gauss = false;
    return st.gauss;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * next_double() - 1.0;
    x2 = 2.0 * next_double() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  double f = std::sqrt(-2.0 * std::log(r2) / r2);
  st.gauss = f * x1;
  st.has_gauss = true;
  return f * x2;
}

int64_t ember_random_integer(int64_t low, int64_t high) {
  if (high <= low) return low;  // the header requires high > low; do not loop or divide by 0
  // The width as unsigned: up to 2^64 - 1 for the full int64 range.
  uint64_t range = uint64_t(high) - uint64_t(low);
  // Lemire's multiply-and-reject: the high half of x * range is uniform once the low half is
  // outside the [0, 2^64 mod range) sliver that would bias it.
  unsigned __int128 m = (unsigned __int128)next_u64() * range;
  uint64_t lo = uint64_t(m);
  if (lo < range) {
    uint64_t threshold = (0 - range) % range;
    while (lo < threshold) {
      m = (unsigned __int128)next_u64() * range;
      lo = uint64_t(m);
    }
  }
  return int64_t(uint64_t(low) + uint64_t(m >> 64));
}

}  // extern "C"
