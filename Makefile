# Expunge — the two commands of the quick start are `make demo` and `make test`.
# Each first checks the Debian packages it needs and installs the missing ones (as root).

SWIFT ?= swift
RELEASE_BIN = .build/release/expunge
DEMO_DIR ?= runs/demo

.PHONY: setup build test example stress check-report demo bench lint format clean

setup:
	@bash scripts/setup-debian.sh

build: setup
	$(SWIFT) build -c release --product expunge

# Tests run on the release build: training loops in a debug build are 10–50× slower.
# Every test is a Swift Testing test: --disable-xctest skips the empty XCTest pass that
# would open the output with "Executed 0 tests".
SWIFT_TEST = $(SWIFT) test -c release --disable-xctest

test: setup
	$(SWIFT) build -c release --product expunge
	$(SWIFT_TEST)
	@$(MAKE) --no-print-directory example
	@$(MAKE) --no-print-directory lint

# docs/swift.md's example: a package depending on this one by path, built and run as a
# Swift user's would be. A debug build: it compiles the library again in its own .build, in
# half the time of a release build (about 1 min instead of 2 on two cores), and the example
# runs in a second either way.
example: setup
	$(SWIFT) build --package-path Examples/LibraryUser
	Examples/LibraryUser/.build/debug/LibraryUser

# The crash test with 500 kill points instead of 50.
stress: setup
	$(SWIFT) build -c release --product expunge
	EXPUNGE_CRASH_POINTS=500 $(SWIFT_TEST) --filter CrashSafetyTests

# The audit's HTML report rendered in headless Chromium: the screenshot must show the page
# and its curves, the DOM every chart. Not in `make test`: the browser is ~350 MB installed.
check-report: setup
	@bash scripts/setup-debian.sh chromium
	EXPUNGE_CHECK_REPORT=1 $(SWIFT_TEST) --filter ReportRenderTests

demo: build
	@bash scripts/demo.sh $(RELEASE_BIN) $(DEMO_DIR)

bench: setup
	@bash Benchmarks/run.sh

lint:
	@$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks/Sources Examples Package.swift && echo "lint: clean"

format:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks/Sources Examples Package.swift

clean:
	rm -rf .build Benchmarks/.build Examples/LibraryUser/.build
