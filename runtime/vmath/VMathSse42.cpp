// runtime/vmath/VMathSse42.cpp — ember's vector math entry points for SSE4.2: f64x2 on __m128d
// and f32x4 on __m128 (ember/vmath.h).  Compiled with -msse4.2 (see CMakeLists.txt); no FMA,
// which xsimd emulates with a separate multiply and add.
#define EMBER_VMATH_ISA_TU
#define EMBER_VMATH_XSIMD_NS ember_xsimd_sse42
#define EMBER_VMATH_ARCH xsimd::sse4_2
#include "VMath.h"

#if !defined(__SSE4_2__)
#error "VMathSse42.cpp must be compiled with -msse4.2"
#endif

EMBER_VMATH_DEFINE_ISA(__m128d, 2, __m128, 4)
