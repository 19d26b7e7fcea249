// Fibers for the CPU path of GPU kernels (Fiber.h).  On x86-64 (System V) the switch pushes the
// six callee-saved integer registers, swaps stack pointers and pops the other fiber's: the
// floating-point control words are callee-saved too, but compiled kernels never change them, so
// they are left alone.  A new fiber's stack is laid out as if it had switched away at the start
// of ember_fiber_start, which moves its argument into place and calls its entry.
#include "Fiber.h"

#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define EMBER_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_FIBER_ASAN 1
#endif
#endif
#if defined(EMBER_FIBER_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

namespace ember_fiber {
namespace {

// AddressSanitizer keeps its own idea of the running stack: every switch announces the stack
// it goes to (start) and confirms the arrival (finish), or ASan reports false errors on
// fiber stacks.  The thread's own stack is learned when a fiber first starts.
#if defined(EMBER_FIBER_ASAN)
thread_local const void *t_home_bottom = nullptr;
thread_local size_t t_home_size = 0;

void announce(void **fake_stack, const Context *to) {
  const void *bottom = to->stack_bottom ? to->stack_bottom : t_home_bottom;
  size_t size = to->stack_bottom ? to->stack_size : t_home_size;
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
}
void arrived(void *fake_stack) { __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr); }
void first_arrival() { __sanitizer_finish_switch_fiber(nullptr, &t_home_bottom, &t_home_size); }
#else
void announce(void **, const Context *) {}
void arrived(void *) {}
void first_arrival() {}
#endif

/// Where every fiber starts, on its own stack.
[[noreturn]] void start(Context *c) {
  first_arrival();
  c->entry(c->arg);
  __builtin_trap();  // entry ends with exit_to
}

}  // namespace
}  // namespace ember_fiber

#if defined(__x86_64__)

extern "C" {
void ember_fiber_switch(void **save_sp, void *load_sp);
void ember_fiber_start();
}

// clang-format off
asm(R"(
  .text
  .p2align 4
  .globl ember_fiber_switch
  .hidden ember_fiber_switch
  .type ember_fiber_switch, @function
ember_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size ember_fiber_switch, .-ember_fiber_switch

  .p2align 4
  .globl ember_fiber_start
  .hidden ember_fiber_start
  .type ember_fiber_start, @function
ember_fiber_start:
  movq %r12, %rdi
  callq *%rbx
  ud2
  .size ember_fiber_start, .-ember_fiber_start
)");
// clang-format on

namespace ember_fiber {

void switch_to(Context *from, Context *to) {
  void *fake_stack = nullptr;
  announce(&fake_stack, to);
  ember_fiber_switch(&from->sp, to->sp);
  arrived(fake_stack);
}

void exit_to(Context *from, Context *to) {
  announce(nullptr, to);
  ember_fiber_switch(&from->sp, to->sp);
  __builtin_trap();
}

void prepare(Context *c, char *stack, size_t size, void (*entry)(void *), void *arg) {
  c->entry = entry;
  c->arg = arg;
  c->stack_bottom = stack;
  c->stack_size = size;
  // The top is 16-byte aligned; after the six pops and the `ret` into ember_fiber_start the
  // stack pointer is the top, so its call enters `entry` with the alignment the ABI wants.
  auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t{15};
  auto *sp = reinterpret_cast<uint64_t *>(top) - 7;
  sp[0] = 0;                                               // r15
  sp[1] = 0;                                               // r14
  sp[2] = 0;                                               // r13
  sp[3] = reinterpret_cast<uint64_t>(c);                   // r12: the argument
  sp[4] = reinterpret_cast<uint64_t>(&start);              // rbx: the entry
  sp[5] = 0;                                               // rbp
  sp[6] = reinterpret_cast<uint64_t>(&ember_fiber_start);  // where `ret` goes
  c->sp = sp;
}

const char *implementation() { return "assembly"; }

}  // namespace ember_fiber

#else  // glibc's ucontext

namespace ember_fiber {

namespace {
void trampoline(unsigned hi, unsigned lo) {
  start(reinterpret_cast<Context *>((uint64_t{hi} << 32) | lo));
}
}  // namespace

void switch_to(Context *from, Context *to) {
  void *fake_stack = nullptr;
  announce(&fake_stack, to);
  swapcontext(&from->uc, &to->uc);
  arrived(fake_stack);
}

void exit_to(Context *from, Context *to) {
  announce(nullptr, to);
  swapcontext(&from->uc, &to->uc);
  __builtin_trap();
}

void prepare(Context *c, char *stack, size_t size, void (*entry)(void *), void *arg) {
  c->entry = entry;
  c->arg = arg;
  c->stack_bottom = stack;
  c->stack_size = size;
  getcontext(&c->uc);
  c->uc.uc_stack.ss_sp = stack;
  c->uc.uc_stack.ss_size = size;
  c->uc.uc_link = nullptr;
  auto a = reinterpret_cast<uint64_t>(c);
  makecontext(&c->uc, reinterpret_cast<void (*)()>(&trampoline), 2, unsigned(a >> 32), unsigned(a));
}

const char *implementation() { return "ucontext"; }

}  // namespace ember_fiber

#endif
