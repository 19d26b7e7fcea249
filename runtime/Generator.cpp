// Generators made in compiled code (lowering/CodeGenGenerator.cpp).  A generator is a MemInfo
// whose data is a header the compiled code lays out ({frame pointer, status, error record, the
// value yielded}) followed by the coroutine frame LLVM's coroutine lowering (switch-resumed)
// built for the generator function.  Such a frame starts with two function pointers, resume
// and destroy; destroy releases what the frame holds at the point where it is suspended.  The
// MemInfo's destructor calls it, so a generator dropped before it is exhausted leaks nothing.
#include "ember/runtime.h"

namespace {

using CoroFn = void (*)(void *frame);

void generator_dtor(void *data, int64_t, void *) {
  void *frame = *static_cast<void **>(data);
  if (!frame) return;  // the ramp failed before it made the frame
  CoroFn destroy = static_cast<CoroFn *>(frame)[1];
  destroy(frame);
}

}  // namespace

extern "C" ember_meminfo *ember_generator_new(int64_t nbytes) {
  ember_meminfo *mi = ember_meminfo_alloc(nbytes);
  if (!mi) return nullptr;
  *static_cast<void **>(mi->data) = nullptr;
  mi->dtor = generator_dtor;
  return mi;
}
