// The loading half of the on-disk cache (ember/cache.py), in _ember so that a process that only
// loads cached code never maps the compiler or LLVM: dlopen of an entry's shared object
// (targets/cpu/SharedObject.h), its import slots filled with the runtime's addresses, its entry
// points looked up; and what the cache key needs to know about this machine without LLVM.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace py = pybind11;

namespace ember::py_cache {

namespace {

/// dlopen(path); fills the import slots with `imports` (addresses, in slot order); returns the
/// addresses of `exports`.  OSError with the loader's message when anything is missing (the
/// front end treats the entry as corrupt).  A loaded entry is never unloaded: dispatcher entries
/// and other compiled code may point into it for the life of the process.
std::vector<uint64_t> load_shared_object(const std::string &path,
                                         const std::vector<std::string> &exports,
                                         const std::vector<uint64_t> &imports) {
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *err = dlerror();
    throw py::value_error(std::string("cannot load ") + path + ": " + (err ? err : "?"));
  }
  auto fail = [&](const std::string &what) {
    dlclose(h);
    throw py::value_error(path + ": " + what);
  };
  auto *slots = static_cast<uint64_t *>(dlsym(h, "__ember_import_slots"));
  if (!slots) fail("no import slots");
  for (size_t i = 0; i < imports.size(); ++i) {
    if (!imports[i]) fail("an import has no address");
    slots[i] = imports[i];
  }
  std::vector<uint64_t> out;
  for (const std::string &name : exports) {
    void *p = dlsym(h, name.c_str());
    if (!p) fail("no symbol " + name);
    out.push_back(reinterpret_cast<uint64_t>(p));
  }
  return out;
}

/// What identifies this CPU for compiled code: on x86-64 the vendor, family/model/stepping and
/// every feature word LLVM's host detection reads (CPUID leaves 1, 7, 0x80000001, XCR0); code
/// compiled for one such identity runs on it.  Elsewhere "" (the front end reads /proc/cpuinfo).
std::string host_cpu_id() {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  std::string out;
  auto word = [&](unsigned v) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "%08x.", v);
    out += buf;
  };
  __cpuid(0, a, b, c, d);
  unsigned max_leaf = a;
  word(b), word(d), word(c);
  __cpuid(1, a, b, c, d);
  word(a), word(c), word(d);
  bool osxsave = (c >> 27) & 1;
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    word(b), word(c), word(d);
    __cpuid_count(7, 1, a, b, c, d);
    word(a);
  }
  __cpuid(0x80000000, a, b, c, d);
  if (a >= 0x80000001) {
    __cpuid(0x80000001, a, b, c, d);
    word(c), word(d);
  }
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    word(lo);
  }
  return out;
#else
  return "";
#endif
}

}  // namespace

void init_cache_loader(pybind11::module_ &m) {
  m.def("load_shared_object", &load_shared_object, py::arg("path"), py::arg("exports"),
        py::arg("imports"),
        "Loads an on-disk cache entry: fills its import slots, returns its exports' addresses.");
  m.def("host_cpu_id", &host_cpu_id, "This CPU's identity for the cache key (x86-64 CPUID).");
  m.def(
      "has_library",
      [](const std::string &soname) {
        void *h = dlopen(soname.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (h) dlclose(h);
        return h != nullptr;
      },
      "Whether the dynamic loader finds this library (the cache key notes libmvec).");
  m.attr("LLVM_VERSION") = EMBER_LLVM_VERSION;
}

}  // namespace ember::py_cache
