// Private to the runtime: fibers, the user-level threads the CPU path of GPU kernels runs a
// block's threads on when the kernel synchronizes (runtime/Kernel.cpp).  A fiber is a stack and
// a saved stack pointer; switching saves the callee-saved registers on the current stack and
// restores another's.  On x86-64 the switch is eight instructions of assembly (Fiber.cpp);
// elsewhere it is glibc's swapcontext, which also saves the signal mask with a system call
// (docs/design.md §10, "Kernels on the CPU").
#ifndef EMBER_RUNTIME_FIBER_H
#define EMBER_RUNTIME_FIBER_H

#include <cstddef>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace ember_fiber {

struct Context {
#if defined(__x86_64__)
  void *sp = nullptr;  // where the saved registers are, while the fiber is not running
#else
  ucontext_t uc;
#endif
  // What a fiber starts (prepare), and its stack, which AddressSanitizer builds announce at
  // each switch; a thread's own context (never prepared) has no stack recorded.
  void (*entry)(void *) = nullptr;
  void *arg = nullptr;
  const void *stack_bottom = nullptr;
  size_t stack_size = 0;
};

/// Saves the running context into *from and resumes *to.  Returns when something switches back
/// to *from.
void switch_to(Context *from, Context *to);

/// The last switch of a finished fiber, which is never resumed.
[[noreturn]] void exit_to(Context *from, Context *to);

/// Makes *c start entry(arg) on the stack [stack, stack + size) at the first switch to it.
/// entry must never return: it ends by switching away for good.
void prepare(Context *c, char *stack, size_t size, void (*entry)(void *), void *arg);

/// Which switch this build uses: "assembly" or "ucontext" (for the measurements).
const char *implementation();

}  // namespace ember_fiber

#endif  // EMBER_RUNTIME_FIBER_H
