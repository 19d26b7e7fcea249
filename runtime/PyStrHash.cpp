// hash() of a string as CPython computes it (Python/pyhash.c, Objects/unicodeobject.c), so that
// a compiled hash(s) equals Python's in the same process, as Numba's does: SipHash-1-3 over the
// string's PEP 393 buffer in its narrowest kind, keyed by the interpreter's _Py_HashSecret
// (random per process unless PYTHONHASHSEED fixes it).  Outside a Python process (the C++ tests)
// the key is zero, which is what PYTHONHASHSEED=0 gives.
#include <dlfcn.h>

#include <cstdint>
#include <cstring>

#include "ember/str.h"

namespace {

inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline void half_round(uint64_t &a, uint64_t &b, uint64_t &c, uint64_t &d, int s, int t) {
  a += b;
  c += d;
  b = rotl(b, s) ^ a;
  d = rotl(d, t) ^ c;
  a = rotl(a, 32);
}

inline void sip_round(uint64_t &v0, uint64_t &v1, uint64_t &v2, uint64_t &v3) {
  half_round(v0, v1, v2, v3, 13, 16);
  half_round(v2, v1, v0, v3, 17, 21);
}

/// CPython's siphash13 (little-endian hosts: the words are read as stored).
uint64_t siphash13(uint64_t k0, uint64_t k1, const uint8_t *in, uint64_t n) {
  uint64_t b = n << 56;
  uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
  for (; n >= 8; n -= 8, in += 8) {
    uint64_t m;
    std::memcpy(&m, in, 8);
    v3 ^= m;
    sip_round(v0, v1, v2, v3);
    v0 ^= m;
  }
  uint64_t t = 0;
  std::memcpy(&t, in, n);
  b |= t;
  v3 ^= b;
  sip_round(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  sip_round(v0, v1, v2, v3);
  sip_round(v0, v1, v2, v3);
  sip_round(v0, v1, v2, v3);
  return (v0 ^ v1) ^ (v2 ^ v3);
}

struct Key {
  uint64_t k0 = 0, k1 = 0;
};

/// _Py_HashSecret's siphash member (k0, k1) sits at the start of the union.
Key load_key() {
  Key key;
  if (const void *secret = dlsym(RTLD_DEFAULT, "_Py_HashSecret")) {
    std::memcpy(&key.k0, secret, 8);
    std::memcpy(&key.k1, static_cast<const uint8_t *>(secret) + 8, 8);
  }
  return key;
}

}  // namespace

extern "C" int64_t ember_py_hash_bytes(const void *data, int64_t nbytes) {
  if (nbytes == 0) return 0;
  static const Key key = load_key();
  auto h = static_cast<int64_t>(
      siphash13(key.k0, key.k1, static_cast<const uint8_t *>(data), static_cast<uint64_t>(nbytes)));
  return h == -1 ? -2 : h;
}
