# Lanyard's tasks. `make help` lists them. Every tool is pinned in tools/go.mod and run with `go tool`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
TOOL  := go tool -modfile=tools/go.mod
BUF   := $(TOOL) buf
GOTEST_FLAGS ?= -race -count=1 -timeout 30m
# The Go packages `lint` checks: all but the generated ones (gen/go), which are what their generators make
# them, not code to fix by hand.
LINT_PACKAGES = $(shell go list ./... | grep -v '^github.com/lanyardhq/lanyard/gen/')
# The API as last released, which `breaking` holds every proto change to.
RELEASED_API := proto/released.binpb

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the tasks
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# buf/validate/validate.proto, which Lanyard's protos import for their field rules (protovalidate). It is
# not committed: validate-proto copies it from the Go module of the protovalidate release whose generated Go
# package (buf.build/gen/go/bufbuild/protovalidate, the one protovalidate-go in go.mod depends on) was built
# from the same file, into .cache/protovalidate, which buf.yaml lists as a second module. Every buf task
# runs it first. Bump PROTOVALIDATE together with buf.build/go/protovalidate in go.mod.
PROTOVALIDATE := github.com/bufbuild/protovalidate@v1.2.2
VALIDATE_PROTO := .cache/protovalidate/buf/validate/validate.proto

.PHONY: validate-proto
validate-proto:
	@dir=$$(go mod download -json $(PROTOVALIDATE) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	if [ -z "$$dir" ]; then echo "validate-proto: go mod download $(PROTOVALIDATE) failed"; exit 1; fi; \
	if ! cmp -s "$$dir/proto/protovalidate/buf/validate/validate.proto" $(VALIDATE_PROTO); then \
		install -D -m 0644 "$$dir/proto/protovalidate/buf/validate/validate.proto" $(VALIDATE_PROTO); \
	fi

.PHONY: generate
generate: validate-proto ## Regenerate gen/ from proto/: gen/go always; gen/ts, gen/python, gen/java once interop/setup.sh ran
	$(BUF) generate
	@if bash interop/setup.sh --check; then \
		echo "$(BUF) generate --template buf.gen.clients.yaml"; \
		$(BUF) generate --template buf.gen.clients.yaml; \
	else \
		echo "generate: SKIPPED gen/ts, gen/python, gen/java (regenerated gen/go only): run 'make setup'"; \
	fi

.PHONY: setup
setup: ## Install what `make test` needs (Debian packages, npm packages, Go modules); `make test` runs it first
	bash tools/setup.sh

.PHONY: check-deploy
# The checker's packages come from deploy/check/package-lock.json, which `make setup` installs.
# Two checkers: the schemas (types, required fields, kinds) in Node, and Kubernetes' own strict decoding,
# which refuses the unknown fields the schemas let through, in deploy/strict_test.go with the settings tests.
# `test` runs only the Node part: its `go test` of every package includes ./deploy/.
check-deploy: check-deploy-schemas ## Validate deploy/kubernetes and deploy/compose against their schemas, and the settings they give Lanyard
	go test $(GOTEST_FLAGS) ./deploy/

.PHONY: check-deploy-schemas
check-deploy-schemas:
	@[ -d deploy/check/node_modules ] || { echo "check-deploy: deploy/check/node_modules is missing: run 'make setup'"; exit 1; }
	node --test deploy/check/check.test.mjs
	node deploy/check/check.mjs

.PHONY: check-generated
check-generated: generate ## Fail when gen/ differs from what proto/ generates
	@bash interop/setup.sh --check 2>/dev/null || { \
		echo "check-generated: gen/ts, gen/python and gen/java were not regenerated, so they cannot be checked: run 'make setup'"; exit 1; }
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "gen/ is stale: run 'make generate' and commit the result"; git status --short -- gen; exit 1; \
	fi

.PHONY: lint
lint: validate-proto ## buf format and lint, gofmt, go vet, staticcheck; not of the generated code in gen/
	$(BUF) format -d --exit-code proto
	$(BUF) lint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); \
		if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(LINT_PACKAGES)
	$(TOOL) staticcheck $(LINT_PACKAGES)
# The Go client example is a module of its own, which `go list ./...` leaves out.
	cd examples/clients/go && go vet ./... && go tool -modfile=../../../tools/go.mod staticcheck ./...

.PHONY: breaking
# proto/released.binpb is the API as last released (a buf image, committed): every change to proto/ must
# stay wire- and source-compatible with it (buf's FILE rules, buf.yaml). `make api-release` replaces it,
# and only a release should. Image is compared with image: buf 1.75 compares a workspace directory with
# an image as if every file had been deleted. The second check proves the first can fail: a copy of
# proto/ with one field renumbered must be refused.
breaking: validate-proto ## Check the API against the last released API (proto/released.binpb)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "$(BUF) breaking (proto/ against $(RELEASED_API))"; \
	$(BUF) build --exclude-source-info -o "$$tmp/now.binpb"; \
	$(BUF) breaking "$$tmp/now.binpb" --against $(RELEASED_API); \
	cp -r proto buf.yaml "$$tmp/"; mkdir -p "$$tmp/.cache"; cp -r .cache/protovalidate "$$tmp/.cache/"; \
	sed -i '0,/string user_id = 1;/s//string user_id = 99;/' "$$tmp/proto/lanyard/v1/metadata.proto"; \
	$(BUF) build "$$tmp" --exclude-source-info -o "$$tmp/broken.binpb"; \
	if $(BUF) breaking "$$tmp/broken.binpb" --against $(RELEASED_API) >/dev/null; then \
		echo "breaking: a renumbered field was not refused, so this check cannot fail"; exit 1; \
	fi

.PHONY: api-release
api-release: validate-proto ## Record proto/ as the released API that `breaking` compares against (at a release only)
	$(BUF) build --exclude-source-info -o $(RELEASED_API)

# What `lanyard version` prints: the nearest tag, the commits since and -dirty for uncommitted changes
# (the short commit before the first tag); "dev" outside a git checkout. The commit is passed too because Go
# records none itself in a git worktree or under GOFLAGS=-buildvcs=false. -buildvcs=auto overrides such a
# GOFLAGS so that Go records the commit and its modified flag wherever it can.
VERSION := $(shell v=$$(git describe --tags --always --dirty 2>/dev/null); echo "$${v:-dev}")
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
RELEASE_TARGETS := linux/amd64 linux/arm64 darwin/arm64 windows/amd64

.PHONY: build
build: ## Build bin/lanyard, stamped with its version and commit (lanyard version)
	go build -buildvcs=auto -trimpath -ldflags "$(LDFLAGS)" -o bin/lanyard .

.PHONY: release
# CGO_ENABLED=0: the SQLite of the embedded engine is pure Go (modernc.org/sqlite), so Linux and Windows
# binaries need no C library at all (macOS binaries always link the system's libSystem). -s -w leave out
# the symbol table and DWARF; panics still print file and line.
release: ## Cross-build static binaries into dist/ (lanyard-VERSION-OS-ARCH) with SHA256SUMS
	rm -rf dist
	mkdir -p dist
	@for target in $(RELEASE_TARGETS); do \
		os=$${target%/*}; arch=$${target#*/}; ext=; if [ "$$os" = windows ]; then ext=.exe; fi; \
		out=dist/lanyard-$(VERSION)-$$os-$$arch$$ext; echo "build $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -buildvcs=auto -trimpath -ldflags "-s -w $(LDFLAGS)" -o $$out .; \
	done
	cd dist && sha256sum lanyard-* > SHA256SUMS
	@cat dist/SHA256SUMS

.PHONY: test test-checks
# setup is test's one prerequisite, and the other steps run from a second make once it is done: they use
# what it installs (the deployment checker's npm packages, buf and the linters from tools/go.mod, the
# interop toolchains), and as prerequisites beside it, `make -j` would start them, and theirs
# (validate-proto, generate), at the same time as setup.
test: setup ## Everything CI runs: setup, deployment files, generated code, lint, API compatibility, go test -race, a short fuzz
	$(MAKE) test-checks
	go test $(GOTEST_FLAGS) $$(go list ./... | grep -v '/store/mongo$$')
# The conformance suite runs after the other packages, not beside them: beside them, FerretDB's
# PostgreSQL connections timed out under the combined load (TestCustomDataRawContention, "engine busy").
	@echo "store conformance, engine by engine (a skipped engine says so; full output in store-test.out):"
	go test $(GOTEST_FLAGS) -v ./store/mongo/ | tee store-test.out | grep -E '^\s*--- (PASS|FAIL|SKIP): Test[A-Za-z]+/(sqlite|postgresql|mongodb) |^(ok|FAIL|PASS)|storetest: SKIPPING'
# Fuzzed: hand-written code tokens rely on (their verification, the strict JWS parser with its JSON
# checker that every verifier shares, the renderer whose output is pasted into signed tokens, the writer
# that turns a token's document into WhoAmI's user_data), and the embedded engine's operator port, which
# reads every message any client sends.
	go test -run '^$$' -fuzz FuzzVerifyAccess -fuzztime 15s ./authn/
	go test -run '^$$' -fuzz FuzzParse -fuzztime 15s ./jws/
	go test -run '^$$' -fuzz FuzzEncodeDoc -fuzztime 15s ./store/mongo/
	go test -run '^$$' -fuzz FuzzAppendField -fuzztime 15s ./internal/structwire/
	go test -run '^$$' -fuzz FuzzClassify -fuzztime 15s ./store/embedded/

# The steps of test that need setup's packages (test runs them after setup, in a make of their own).
test-checks: check-deploy-schemas check-generated lint breaking

.PHONY: run
# The first build on a machine downloads Lanyard's modules and compiles them, which takes minutes: it is
# announced, so that a silent terminal is not mistaken for a hang. Later builds take seconds.
run: ## Build bin/lanyard and serve on the embedded store in ./lanyard-data
	@[ -x bin/lanyard ] || echo "run: building bin/lanyard; the first build downloads and compiles Lanyard's modules (minutes)"
	@$(MAKE) --no-print-directory build
	bin/lanyard serve

.PHONY: tools
tools: ## Build bin/grpcurl at the version pinned in tools/go.mod (once, instead of `go tool ... grpcurl` building it)
	go build -modfile=tools/go.mod -o bin/grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl

.PHONY: bench
bench: ## Run the benchmarks of BENCHMARKS.md (Go benchmarks, the process-level CPU and watch benchmarks, cost against 1,000 and 10,000 users, ghz)
	go test -run '^$$' -bench ServerCPU -benchtime 1000x -count 5 ./bench/ | tee bench.out
# 10,000 watch streams from outside, three times; LANYARD_BENCH_WATCH_BASELINE=<revision> measures that
# revision too, in alternation.
	go test -run '^$$' -bench WatchStreams -benchtime 1x -count 1 -timeout 60m ./bench/ | tee -a bench.out
	go test -run '^$$' -bench 'UnaryFromMemory|PasswordLogin|CustomDataPostgreSQL|Watch10000|WebRPC' -benchtime 2s -count 5 ./server/ | tee -a bench.out
	go test -run '^$$' -bench 'VerifyAccess|VerifyGoJose|RefreshToken|MintAccess' -count 5 ./authn/ | tee -a bench.out
	go test -run '^$$' -bench 'EncodeDoc' -count 5 ./store/mongo/ | tee -a bench.out
	python3 bench/medians.py bench.out
	$(MAKE) --no-print-directory bench-population
	bash bench/ghz.sh

.PHONY: bench-population
bench-population: ## Cost per call against 1,000 and 10,000 users, per engine (set LANYARD_BENCH_CACHE=dir to keep the populated stores)
	go test -run '^$$' -bench 'Population/.*/users=(1000|10000)$$' -benchtime 1x -timeout 3h ./bench/ | tee population.out
	python3 bench/population.py population.out

.PHONY: bench-population-100k
bench-population-100k: ## Cost per call at 100,000 users, per engine, with the slope from population.out when there is one (set LANYARD_BENCH_CACHE=dir to build the store once)
	go test -run '^$$' -bench 'Population/.*/users=100000$$' -benchtime 1x -timeout 8h ./bench/ | tee population-100k.out
	python3 bench/population.py $$(ls population.out 2>/dev/null) population-100k.out
