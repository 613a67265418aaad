# Thin wrapper over CMake. `make demo` and `make test` work on a fresh Debian 12 machine.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build asan test unit-asan demo bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCRMSYNC_SANITIZE=ON -DCRMSYNC_UNIT_TESTS_ONLY=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

unit-asan: asan
	@cd $(ASAN_BUILD) && ctest -L unit --output-on-failure -j$(JOBS)

test: build unit-asan
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@./$(BUILD)/crmsync demo

bench: build
	@scripts/run-bench $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
