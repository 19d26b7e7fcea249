// runtime/vmath/VMathAvx2.cpp — ember's vector math entry points for AVX2 with FMA: f64x4 on
// __m256d and f32x8 on __m256 (ember/vmath.h).  Compiled with -mavx2 -mfma (see CMakeLists.txt),
// so nothing else may live here: the code only runs once the caller has checked the CPU.
#define EMBER_VMATH_ISA_TU
#define EMBER_VMATH_XSIMD_NS ember_xsimd_avx2
#define EMBER_VMATH_ARCH xsimd::fma3<xsimd::avx2>
#include "VMath.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "VMathAvx2.cpp must be compiled with -mavx2 -mfma"
#endif

EMBER_VMATH_DEFINE_ISA(__m256d, 4, __m256, 8)
