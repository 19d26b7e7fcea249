// runtime/vmath/VMathTable.cpp — ember_vmath_table (ember/vmath.h): every vector math entry
// point with its libm name, lanes, arguments and the ISA it needs, for the compiler to register
// with LLVM's loop vectorizer the families the host CPU supports.
//
// Compiled for the baseline ISA like the rest of the runtime: it only takes the addresses of the
// per-ISA entry points, never calls them.
#include <immintrin.h>

#include "VMath.h"
#include "ember/vmath.h"

#define EMBER_VMATH_DECLARE1(name, tag, VEC, lanes) \
  extern "C" VEC ember_v##name##_##tag##x##lanes(VEC);
#define EMBER_VMATH_DECLARE2(name, tag, VEC, lanes) \
  extern "C" VEC ember_v##name##_##tag##x##lanes(VEC, VEC);
#define EMBER_VMATH_DECLARE_ISA(F64VEC, f64lanes, F32VEC, f32lanes)         \
  EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_DECLARE1, f64, F64VEC, f64lanes)  \
  EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_DECLARE1, f32, F32VEC, f32lanes)  \
  EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_DECLARE2, f64, F64VEC, f64lanes) \
  EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_DECLARE2, f32, F32VEC, f32lanes)

EMBER_VMATH_DECLARE_ISA(__m128d, 2, __m128, 4)
EMBER_VMATH_DECLARE_ISA(__m256d, 4, __m256, 8)
EMBER_VMATH_DECLARE_ISA(__m512d, 8, __m512, 16)

namespace {

#define EMBER_VMATH_ENTRY(name, args, isa, f64lanes, f32lanes)    \
  {#name,                                                         \
   "ember_v" #name "_f64x" #f64lanes,                             \
   reinterpret_cast<void *>(&ember_v##name##_f64x##f64lanes),     \
   f64lanes,                                                      \
   args,                                                          \
   isa},                                                          \
      {#name "f",                                                 \
       "ember_v" #name "_f32x" #f32lanes,                         \
       reinterpret_cast<void *>(&ember_v##name##_f32x##f32lanes), \
       f32lanes,                                                  \
       args,                                                      \
       isa},
#define EMBER_VMATH_ENTRY1(name, isa, f64lanes, f32lanes) \
  EMBER_VMATH_ENTRY(name, 1, isa, f64lanes, f32lanes)
#define EMBER_VMATH_ENTRY2(name, isa, f64lanes, f32lanes) \
  EMBER_VMATH_ENTRY(name, 2, isa, f64lanes, f32lanes)
#define EMBER_VMATH_ENTRIES(isa, f64lanes, f32lanes)                       \
  EMBER_VMATH_UNARY_FUNCTIONS(EMBER_VMATH_ENTRY1, isa, f64lanes, f32lanes) \
  EMBER_VMATH_BINARY_FUNCTIONS(EMBER_VMATH_ENTRY2, isa, f64lanes, f32lanes)

const ember_vmath_entry k_table[] = {
    EMBER_VMATH_ENTRIES(EMBER_ISA_SSE42, 2, 4) EMBER_VMATH_ENTRIES(EMBER_ISA_AVX2, 4, 8)
        EMBER_VMATH_ENTRIES(EMBER_ISA_AVX512, 8, 16){nullptr, nullptr, nullptr, 0, 0, 0},
};

}  // namespace

extern "C" const ember_vmath_entry *ember_vmath_table(void) { return k_table; }
