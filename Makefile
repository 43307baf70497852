# Herald: `make demo` and `make test` do all the set-up on a fresh Debian machine with Swift.
SWIFT ?= swift
HERALD = .build/debug/herald

.PHONY: deps build test check-schemas demo bench clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

test: deps check-schemas
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The editor schemas in docs/ must accept the samples and reject the usual mistakes.
check-schemas:
	@python3 -c 'import jsonschema, yaml' 2>/dev/null || python3 -m pip install -q jsonschema pyyaml
	python3 scripts/check-schemas.py
	python3 scripts/check-openapi.py

demo: build
	$(HERALD) check --config samples/herald.yaml
	$(HERALD) test --config samples/herald.yaml samples/events/*.json samples/events/*.jsonl
	HERALD=$(HERALD) scripts/demo-serve

bench: deps
	SWIFT=$(SWIFT) scripts/bench

clean:
	rm -rf .build
