// What a @cfunc's C entry calls when the compiled function raised (lowering/CFuncEntry.cpp):
// the runtime has no Python, so the bindings register the function that reports the exception
// (bindings/CFuncReport.cpp: under the GIL, as an unraisable exception naming the cfunc, as
// Numba does); without one (the C++ tests) the exception's message goes to stderr.
#include <cstdio>

#include "ember/runtime.h"

namespace {
ember_cfunc_reporter g_reporter = nullptr;
}  // namespace

extern "C" {

void ember_set_cfunc_reporter(ember_cfunc_reporter reporter) { g_reporter = reporter; }

void ember_cfunc_report(const ember_error *err, const char *name) {
  if (g_reporter) {
    g_reporter(err, name);
    return;
  }
  std::fprintf(stderr, "exception ignored in cfunc %s: %s\n", name,
               err->msg ? err->msg : "(no message)");
}

}  // extern "C"
