# Thin wrapper over CMake. `make demo` and `make test` work on a fresh Debian 12 machine.
#   make demo      builds only the crmsync binary, then runs the offline demo
#   make test      builds everything (tests, benchmarks) and runs every test
#   make install   installs crmsync, its man page, shell completions and example config
#                  (PREFIX=/usr/local by default; DESTDIR is honoured for staged installs)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= 2
CMAKE_FLAGS ?=
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps configure tool build asan test unit-asan fuzz-build fuzz-smoke fuzz demo install bench clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

# The crmsync binary alone: what the demo and an installation need.
tool: configure
	@cmake --build $(BUILD) -j$(JOBS) --target crmsync

# Everything: the binary, the unit and integration tests, the benchmarks.
build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCRMSYNC_SANITIZE=ON -DCRMSYNC_UNIT_TESTS_ONLY=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

unit-asan: asan
	@cd $(ASAN_BUILD) && ctest -L unit --output-on-failure -j$(JOBS)

# The libFuzzer targets (fuzz/), built with clang, ASan and UBSan in $(FUZZ_BUILD)/.
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DCRMSYNC_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)

# Each target for a fixed number of inputs from a fixed seed (part of `make test`).
fuzz-smoke: fuzz-build
	@cd $(FUZZ_BUILD) && ctest -L fuzz --output-on-failure -j$(JOBS)

# Fuzzing for as long as asked: `FUZZ_SECONDS=600 make fuzz` (each target), `make fuzz TARGET=soql SECONDS=300`.
# New corpus entries go to fuzz/corpus-local/ (git-ignored), crashing inputs to fuzz/crashes/.
fuzz: fuzz-build
	@scripts/run-fuzz --build $(FUZZ_BUILD) --seconds $(or $(SECONDS),$(FUZZ_SECONDS)) $(TARGET)

test: build unit-asan fuzz-smoke
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: tool
	@./$(BUILD)/crmsync demo

# An already configured $(BUILD) is reused as it is (its build type and options kept, only crmsync
# rebuilt when stale): `make install` after `make test` or `make demo` builds nothing more.
install:
	@[ -f $(BUILD)/CMakeCache.txt ] || $(MAKE) --no-print-directory configure
	@cmake --build $(BUILD) -j$(JOBS) --target crmsync
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

bench: build
	@scripts/run-bench $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
