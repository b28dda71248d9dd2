# contingencia — `make help` lists the targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help build test bench lint demo fuzz

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## Build ./contingencia (static, no cgo)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o contingencia ./cmd/contingencia

test: ## Run the test suite as CI does (PostgreSQL included)
	./scripts/test

bench: ## Run the benchmarks of the README's performance table
	./scripts/bench

lint: ## gofmt, go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

fuzz: ## Fuzz the plan loader and the command parser for 30 s each
	$(GO) test ./plan -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./bot -run '^$$' -fuzz FuzzParseCommand -fuzztime 30s

demo: ## Walk the whole Quipux plan in the terminal, no configuration
	$(GO) run ./cmd/contingencia demo --auto
