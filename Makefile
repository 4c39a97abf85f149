# Lanyard's tasks. `make help` lists them. Every tool is pinned in tools/go.mod and run with `go tool`.

TOOL  := go tool -modfile=tools/go.mod
BUF   := $(TOOL) buf
GOTEST_FLAGS ?= -race -count=1 -timeout 30m
# The latest release tag; `breaking` joins `test` once one exists.
RELEASE := $(shell git describe --tags --abbrev=0 --match 'v*' 2>/dev/null)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the tasks
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: generate
generate: ## Regenerate gen/ from proto/ (wipes gen/go first)
	$(BUF) generate

.PHONY: check-generated
check-generated: generate ## Fail when gen/ differs from what proto/ generates
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "gen/ is stale: run 'make generate' and commit the result"; git status --short -- gen; exit 1; \
	fi

.PHONY: lint
lint: ## buf format and lint, go vet, staticcheck
	$(BUF) format -d --exit-code
	$(BUF) lint
	go vet ./...
	$(TOOL) staticcheck ./...

.PHONY: breaking
breaking: ## Check the API against the latest release tag
	@if [ -z "$(RELEASE)" ]; then echo "breaking: no release tag yet, nothing to compare"; \
	else $(BUF) breaking --against '.git#tag=$(RELEASE)'; fi

.PHONY: build
build: ## Build bin/lanyard
	go build -o bin/lanyard .

.PHONY: test
test: check-generated lint breaking ## Everything CI runs: generated code, lint, API compatibility, go test -race
	go test $(GOTEST_FLAGS) ./...

.PHONY: run
run: ## Serve on the embedded store in ./lanyard-data
	go run . serve

.PHONY: bench
bench: ## Run the Go benchmarks (see BENCHMARKS.md)
	go test -run '^$$' -bench . -benchmem -count 6 ./...
