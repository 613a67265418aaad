# Thin wrapper over CMake. `make demo` and `make test` work on a fresh Debian 12 machine.
#   make demo      builds only the crmsync binary, then runs the offline demo
#   make test      builds everything (tests, benchmarks) and runs every test
#   make install   installs crmsync, its man page, shell completions and example config
#                  (PREFIX=/usr/local by default; DESTDIR is honoured for staged installs)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_FLAGS ?=
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps configure tool build asan test unit-asan demo install bench clean

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

test: build unit-asan
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: tool
	@./$(BUILD)/crmsync demo

install: tool
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

bench: build
	@scripts/run-bench $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
