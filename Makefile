# Herald: `make demo` and `make test` do all the set-up on a fresh Debian machine with Swift.
SWIFT ?= swift
HERALD = .build/debug/herald

.PHONY: deps build test demo bench clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	$(HERALD) check --config samples/herald.yaml
	$(HERALD) test --config samples/herald.yaml samples/events/*.json samples/events/*.jsonl

bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

clean:
	rm -rf .build
