/* ember/vmath.h — ember's vector math library: exp log log2 log10 log1p expm1 sin cos tan asin
 * acos atan atan2 sinh cosh tanh pow cbrt hypot erf for float32 and float64 at SSE4.2 (128-bit),
 * AVX2 (256-bit) and AVX-512 (512-bit) widths, written with xsimd (Debian's libxsimd-dev).
 *
 * LLVM's loop vectorizer calls these through VecDesc entries (targets/cpu/CpuTarget.cpp): a loop
 * over `exp(x[i])` becomes calls of ember_vexp_f64x4 on <4 x double>.  Each function takes and
 * returns vectors by value in the vector registers of its ISA, so each family lives in a
 * translation unit compiled for that ISA, and the compiler registers only the families the
 * host CPU supports (ember_vmath_table lists them with the ISA they need).
 *
 * Names: ember_v<name>_<f32|f64>x<lanes>, e.g. ember_vsin_f32x8 (AVX2), ember_vpow_f64x8
 * (AVX-512).  Accuracy: within 4 ulp of the C library's scalar results.
 */
#ifndef EMBER_VMATH_H
#define EMBER_VMATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ember_isa { EMBER_ISA_SSE42 = 1, EMBER_ISA_AVX2 = 2, EMBER_ISA_AVX512 = 3 };

typedef struct ember_vmath_entry {
  const char *scalar; /* the libm name: "exp", "expf", "atan2", ... */
  const char *vector; /* "ember_vexp_f64x4" */
  void *address;
  int32_t lanes;
  int32_t args; /* 1 or 2 */
  int32_t isa;  /* enum ember_isa: the ISA the function needs */
} ember_vmath_entry;

/* Every vector function, ending with an entry whose scalar is NULL. */
const ember_vmath_entry *ember_vmath_table(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_VMATH_H */
