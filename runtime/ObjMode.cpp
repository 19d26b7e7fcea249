// `with objmode(...)` blocks: compiled code calls ember_objmode_call, which forwards to the hook
// the Python bindings install at import (bindings/ObjMode.cpp): the runtime itself never links
// Python.  Without the bindings (the C++ tests) a block cannot run: the call reports failure.
#include <atomic>

#include "ember/runtime.h"

namespace {
std::atomic<ember_objmode_hook> g_hook{nullptr};
}  // namespace

extern "C" void ember_set_objmode_hook(ember_objmode_hook hook) {
  g_hook.store(hook, std::memory_order_release);
}

extern "C" int32_t ember_objmode_call(int64_t block, const int64_t *in_code, void *in,
                                      const int64_t *out_code, void *out) {
  ember_objmode_hook hook = g_hook.load(std::memory_order_acquire);
  return hook ? hook(block, in_code, in, out_code, out) : 1;
}
