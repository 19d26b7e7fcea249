// Fibers for the CPU path of GPU kernels (Fiber.h).  On x86-64 (System V) the switch pushes the
// six callee-saved integer registers, swaps stack pointers and pops the other fiber's: the
// floating-point control words are callee-saved too, but compiled kernels never change them, so
// they are left alone.  A new fiber's stack is laid out as if it had switched away at the start
// of ember_fiber_start, which moves its argument into place and calls its entry.
#include "Fiber.h"

#include <cstdint>

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

void switch_to(Context *from, Context *to) { ember_fiber_switch(&from->sp, to->sp); }

void prepare(Context *c, char *stack, size_t size, void (*entry)(void *), void *arg) {
  // The top is 16-byte aligned; after the six pops and the `ret` into ember_fiber_start the
  // stack pointer is the top, so its call enters `entry` with the alignment the ABI wants.
  auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t{15};
  auto *sp = reinterpret_cast<uint64_t *>(top) - 7;
  sp[0] = 0;                                               // r15
  sp[1] = 0;                                               // r14
  sp[2] = 0;                                               // r13
  sp[3] = reinterpret_cast<uint64_t>(arg);                 // r12: the argument
  sp[4] = reinterpret_cast<uint64_t>(entry);               // rbx: the entry
  sp[5] = 0;                                               // rbp
  sp[6] = reinterpret_cast<uint64_t>(&ember_fiber_start);  // where `ret` goes
  c->sp = sp;
}

const char *implementation() { return "assembly"; }

}  // namespace ember_fiber

#else  // glibc's ucontext

namespace ember_fiber {

namespace {
void trampoline(unsigned hi, unsigned lo, unsigned ehi, unsigned elo) {
  auto arg = reinterpret_cast<void *>((uint64_t{hi} << 32) | lo);
  auto entry = reinterpret_cast<void (*)(void *)>((uint64_t{ehi} << 32) | elo);
  entry(arg);
}
}  // namespace

void switch_to(Context *from, Context *to) { swapcontext(&from->uc, &to->uc); }

void prepare(Context *c, char *stack, size_t size, void (*entry)(void *), void *arg) {
  getcontext(&c->uc);
  c->uc.uc_stack.ss_sp = stack;
  c->uc.uc_stack.ss_size = size;
  c->uc.uc_link = nullptr;
  auto a = reinterpret_cast<uint64_t>(arg), e = reinterpret_cast<uint64_t>(entry);
  makecontext(&c->uc, reinterpret_cast<void (*)()>(&trampoline), 4, unsigned(a >> 32), unsigned(a),
              unsigned(e >> 32), unsigned(e));
}

const char *implementation() { return "ucontext"; }

}  // namespace ember_fiber

#endif
