# ember: `make run` builds and runs the quickstart, `make test` builds and runs every test.
# Both install what is missing first (Debian packages, a .venv from the machine's python3, pip
# packages) and are quick when nothing changed.
PYTHON  ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
BUILD   := build
STAMPS  := .stamps
JOBS    ?= $(shell nproc)

.PHONY: all run test build deps test-cpp test-python test-pythons test-py313-core test-gpu cases bench bench-containers asan ubsan \
        fuzz fuzz-ci bench-gpu sanitize clean format lint numpy-support

all: build

$(STAMPS)/apt: tools/install-deps.sh
	@mkdir -p $(STAMPS)
	./tools/install-deps.sh
	@touch $@

$(VPY):
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/pip: $(VPY) requirements-dev.txt | $(STAMPS)/apt
	@mkdir -p $(STAMPS)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt
	@touch $@

deps: $(STAMPS)/apt $(STAMPS)/pip

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(abspath $(VPY))

# Always runs the (incremental) CMake build; pip installs the package into .venv once.
build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	@$(MAKE) --no-print-directory $(STAMPS)/install

$(STAMPS)/install: setup.py pyproject.toml
	$(VPY) -m pip install -q --no-build-isolation --no-deps -e .
	@touch $@

run: build
	$(VPY) examples/quickstart.py

# The shared corpus is checked when it is beside the checkout, for the tags ember supports.
CASES     := ../shared/cases/run_cases.py
CASE_TAGS ?= core,recursion,arrays,alloc,numpy,random,parallel,ufunc,gufunc,cuda,containers,linalg,numpy_api,strings,functions

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	EMBER_CUDA_CPU=1 $(VPY) -m pytest tests/python -q -m "not gpu"
	$(VPY) -m pytest tests/python -q -m gpu -rs
	@if [ -f $(CASES) ]; then $(VPY) $(CASES) --impl ember --tags $(CASE_TAGS); \
	 else echo "($(CASES) not found: corpus not run)"; fi

# docs/numpy_support.md from the tests and the compiler (tests/python/test_numpy_support.py fails
# when it is stale): run after adding or testing a NumPy name.
numpy-support:
	$(VPY) tools/numpy_support.py

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The kernel tests check the CPU path (EMBER_CUDA_CPU=1, even where a GPU is found); the tests
# marked `gpu` run apart, on the device when there is one.
test-python: build
	EMBER_CUDA_CPU=1 $(VPY) -m pytest tests/python -q -m "not gpu"
	$(VPY) -m pytest tests/python -q -m gpu -rs

# Only the tests marked `gpu` (they skip, saying why, where no CUDA device is found; `make test`
# runs them too and needs no GPU).  -s shows what they print (the launch overhead).
test-gpu: build
	$(VPY) -m pytest tests/python -m gpu -q -rs -s

# pytest under every other installed CPython (pyenv's 3.12, 3.13), each with ember's modules
# built for it: `make test-pythons` (all of tests/python), or PYTEST_ARGS="..." for a subset.
PYTEST_ARGS ?= tests/python -q

test-pythons: build
	JOBS=$(JOBS) ./tools/test-pythons.sh $(PYTEST_ARGS)

# The core and array tests (and the sub-interpreter ones, which need 3.12+) under pyenv's 3.13,
# with only what they need installed (requirements-core.txt): what CI runs beside `make test`.
PY313_CORE_TESTS := tests/python/test_scalars.py tests/python/test_control_flow.py \
  tests/python/test_calls.py tests/python/test_dispatcher.py tests/python/test_errors.py \
  tests/python/test_exceptions.py tests/python/test_tuples_optional.py \
  tests/python/test_arrays_core.py tests/python/test_numpy_arrays.py \
  tests/python/test_numpy_reductions.py tests/python/test_cfunc.py \
  tests/python/test_subinterpreters.py

test-py313-core: build
	EMBER_PYTHONS=13 EMBER_REQUIREMENTS=requirements-core.txt JOBS=$(JOBS) \
	  ./tools/test-pythons.sh $(PY313_CORE_TESTS) -q -m "not gpu"

# AddressSanitizer: the compiler, runtime and bindings instrumented in build-asan/, the C++ tests,
# then the array tests with ember's native modules taken from that build (EMBER_NATIVE_DIR).
# The interpreter is not instrumented, so the ASan runtime (and libstdc++, whose __cxa_throw it
# intercepts) is preloaded; Python's own allocations are not leak-checked.
ASAN_BUILD := build-asan
ASAN_TESTS := tests/python/test_arrays_core.py tests/python/test_numpy_arrays.py \
              tests/python/test_numpy_reductions.py tests/python/test_memory.py \
              tests/python/test_stress.py tests/python/test_cuda_shared.py \
              tests/python/test_cuda_errors.py tests/python/test_cuda_warp.py

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_ASAN=ON \
	  -DEMBER_MODULE_DIR=$(abspath $(ASAN_BUILD))/native -DPython_EXECUTABLE=$(abspath $(VPY))
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libstdc++.so)" \
	  ASAN_OPTIONS=detect_leaks=0 EMBER_NATIVE_DIR=$(abspath $(ASAN_BUILD))/native \
	  $(VPY) -m pytest $(ASAN_TESTS) -q -p no:cacheprovider -k "not resident_memory"

# UndefinedBehaviorSanitizer, beside ASan: the same C++ and array tests against modules built in
# build-ubsan/.  Every finding is fatal and prints its stack; libubsan comes with the modules, so
# nothing needs preloading.  Line tables (-g1) are all a report's stack needs.
UBSAN_BUILD       := build-ubsan
UBSAN_RUN_OPTIONS := print_stacktrace=1:halt_on_error=1

ubsan: deps
	cmake -S . -B $(UBSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_UBSAN=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
	  -DEMBER_MODULE_DIR=$(abspath $(UBSAN_BUILD))/native -DPython_EXECUTABLE=$(abspath $(VPY))
	cmake --build $(UBSAN_BUILD) -j $(JOBS)
	cd $(UBSAN_BUILD) && UBSAN_OPTIONS=$(UBSAN_RUN_OPTIONS) ctest --output-on-failure -j $(JOBS)
	UBSAN_OPTIONS=$(UBSAN_RUN_OPTIONS) EMBER_NATIVE_DIR=$(abspath $(UBSAN_BUILD))/native \
	  $(VPY) -m pytest $(ASAN_TESTS) -q -p no:cacheprovider

# Both sanitizers in one instrumented build (build-san/): what CI runs, one full build instead of
# two.  ASan's runtime is preloaded as for `make asan`; UBSan's findings stay fatal.
SAN_BUILD := build-san

sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_ASAN=ON -DEMBER_UBSAN=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
	  -DEMBER_MODULE_DIR=$(abspath $(SAN_BUILD))/native -DPython_EXECUTABLE=$(abspath $(VPY))
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=$(UBSAN_RUN_OPTIONS) \
	  ctest --output-on-failure -j $(JOBS)
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libstdc++.so)" \
	  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=$(UBSAN_RUN_OPTIONS) \
	  EMBER_NATIVE_DIR=$(abspath $(SAN_BUILD))/native \
	  $(VPY) -m pytest $(ASAN_TESTS) -q -p no:cacheprovider -k "not resident_memory"

# The differential fuzzer (tests/fuzz, docs/reliability.md): N generated programs compiled and
# interpreted, compared; reproducers of what fails go to build/fuzz-found/.  fuzz-ci is the
# fixed-seed batch CI runs.
N         ?= 2000
SEED      ?= 1
FUZZ_ARGS ?=

fuzz: build
	$(VPY) tests/fuzz/run.py --n $(N) --seed $(SEED) --jobs $(JOBS) $(FUZZ_ARGS)

fuzz-ci: build
	$(VPY) tests/fuzz/run.py --n 2000 --seed 1 --jobs $(JOBS) --out $(BUILD)/fuzz-ci \
	  --minimize 1 --minimize-seconds 30 $(FUZZ_ARGS)

bench: build
	$(VPY) benchmarks/vs_numba.py

# Only the sections of issues 11 and 12 (also part of `make bench`): lists, dicts, sets,
# typed.List, str; functions as values, generators, try/except.
bench-containers: build
	$(VPY) benchmarks/vs_numba.py --sections containers,functions

# GPU kernels against numba-cuda (installed by the script when missing), on the CPU path where
# there is no GPU: the "GPU kernels" section of docs/performance.md.
bench-gpu: build
	$(VPY) benchmarks/gpu.py

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

lint:
	$(VPY) -m ruff check ember tests benchmarks examples

clean:
	rm -rf $(BUILD) $(STAMPS) ember/*.so
