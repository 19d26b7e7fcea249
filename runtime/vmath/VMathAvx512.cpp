// runtime/vmath/VMathAvx512.cpp — ember's vector math entry points for AVX-512: f64x8 on __m512d
// and f32x16 on __m512 (ember/vmath.h).  Compiled with -mavx512f -mavx512dq -mfma (see
// CMakeLists.txt): xsimd 8.1's avx512f kernels use AVX512DQ's 64-bit multiply, and its avx512dq
// architecture does not compile for double, so the architecture is avx512f and the CPU needs
// both F and DQ (every AVX-512 CPU but the Xeon Phis).  Nothing else may live here.
// GCC 12 warns that its own _mm512_undefined_* placeholders are used uninitialized (GCC bug
// 105593) wherever xsimd's kernels inline them.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define EMBER_VMATH_ISA_TU
#define EMBER_VMATH_XSIMD_NS ember_xsimd_avx512
#define EMBER_VMATH_ARCH xsimd::avx512f
#include "VMath.h"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "VMathAvx512.cpp must be compiled with -mavx512f -mavx512dq"
#endif

EMBER_VMATH_DEFINE_ISA(__m512d, 8, __m512, 16)
