// ptxas, the CUDA toolkit's PTX assembler, for the tests of targets/cuda: it is the check that
// the PTX ember emits is PTX a driver accepts, short of a GPU.  Test code only.  Found on PATH,
// or in /usr/local/cuda*/bin (the last in name order); tests skip, saying so, where it is absent.
#pragma once

#include <glob.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ember::test {

inline std::string find_ptxas() {
  if (const char *path = std::getenv("PATH")) {
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/ptxas";
      if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  // Toolkits install as /usr/local/cuda-<version>, often with a /usr/local/cuda link.
  glob_t found;
  std::string best;
  if (glob("/usr/local/cuda*/bin/ptxas", 0, nullptr, &found) == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i)
      if (access(found.gl_pathv[i], X_OK) == 0) best = found.gl_pathv[i];  // sorted: the last
    globfree(&found);
  }
  return best;
}

struct PtxasResult {
  int status = -1;     ///< ptxas's exit status (0: accepted)
  std::string output;  ///< what it printed (errors, or -v's register counts)
};

/// Assembles `ptx` for `arch` ("sm_80"); `compile_only` for PTX without a kernel (device
/// functions), which ptxas links only with -c.
inline PtxasResult run_ptxas(const std::string &ptxas, const std::string &ptx,
                             const std::string &arch, bool compile_only = false) {
  char dir[] = "/tmp/ember-ptxas-XXXXXX";
  PtxasResult r;
  if (!mkdtemp(dir)) return r;
  std::string base = dir;
  std::ofstream(base + "/k.ptx") << ptx;
  std::string cmd = ptxas + " -arch=" + arch + (compile_only ? " -c" : "") + " -v " + base +
                    "/k.ptx -o " + base + "/k.cubin 2>&1";
  if (FILE *p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::remove((base + "/k.ptx").c_str());
  std::remove((base + "/k.cubin").c_str());
  rmdir(dir);
  return r;
}

}  // namespace ember::test
