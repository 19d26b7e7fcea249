/* ember/half.h — IEEE half-precision (float16) conversions, NumPy's bit for bit.
 *
 * Compiled code converts float16 with the CPU's instructions where it has them (x86 F16C,
 * AArch64), but LLVM turns some conversions into library calls (double -> half always on x86-64,
 * every conversion on an x86-64 without F16C) whose compiler-rt or libgcc definitions a Python
 * process need not have.  These functions are those definitions: the CPU target names which one
 * answers which library call (CpuTarget::half_libcall).  Rounding is to nearest, ties to even;
 * overflow gives an infinity; NaNs keep their sign and top payload bits as NumPy's conversions
 * do (a payload that would vanish becomes 1), and are not quieted.
 */
#ifndef EMBER_HALF_H
#define EMBER_HALF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bit-level conversions (the bindings box with them; tests call them through ctypes). */
uint16_t ember_half_from_float(float f);
uint16_t ember_half_from_double(double d);
float ember_half_to_float(uint16_t h);
double ember_half_to_double(uint16_t h);

/* The same conversions where a half travels in the low 16 bits of an SSE register, as LLVM 19
 * passes one to x86-64's __extendhfsf2, __truncsfhf2 and __truncdfhf2.  A float carries the
 * half's bits so that no compiler support for _Float16 is needed to build them. */
float ember_half_to_float_sse(float half_bits);
float ember_half_from_float_sse(float f);
float ember_half_from_double_sse(double d);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_HALF_H */
