#!/usr/bin/env bash
# Makes a Debian 12 machine ready for `make test`; `make test` runs it first. Idempotent: when everything is
# in place it installs nothing and takes a few seconds.
#
#   1. starts the local PostgreSQL when it is installed but stopped (the FerretDB-PostgreSQL engine's tests)
#   2. Chromium, for the browser tests: the App Services API (realm-web from another origin) and gRPC-Web
#      and Connect (the generated TypeScript client over connect-web)
#   3. realm-web, the App Services web SDK, for the end-to-end tests of the compatibility API; connect-web,
#      esbuild and gen/ts for the browser test of gRPC-Web and Connect (interop/web); and the schema
#      checkers of the deployment files (deploy/check)
#   4. the TypeScript/Python/Java generators and client runtimes (interop/setup.sh)
#   5. the Go modules of the project and of its tools, so that no test waits on a download
#
# Debian packages are installed as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

# 1. PostgreSQL: only started here, never installed; without it the PostgreSQL engine's tests say SKIPPING.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ -d /etc/postgresql ]; then
	echo "setup: starting PostgreSQL"
	"${sudo[@]}" pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
	for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# 2. Chromium.
if ! command -v chromium >/dev/null; then
	echo "setup: installing Debian chromium (about a minute)"
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# npm_ci DIR runs `npm ci` in DIR again only when its lockfile changed since the last install.
npm_ci() {
	local stamp=$1/node_modules/.lanyard-setup-lock-sha256 hash
	hash=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
	if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
		echo "setup: npm ci in $1"
		npm ci --prefix "$1" --no-audit --no-fund --loglevel=error
		echo "$hash" >"$stamp"
	fi
}

# 3. realm-web, the schema checker of the deployment files (make check-deploy), and interop/web.
npm_ci interop/realmweb
npm_ci deploy/check
# interop/web installs a copy of gen/ts (.npmrc: install-links): again whenever gen/ts changed since.
web_client=interop/web/node_modules/@lanyardhq/lanyard-client
if ! cmp -s gen/ts/package.json "$web_client/package.json" || ! diff -r -q gen/ts/src "$web_client/src" >/dev/null 2>&1; then
	rm -f interop/web/node_modules/.lanyard-setup-lock-sha256
fi
npm_ci interop/web

# 4. The other languages' generators and runtimes.
bash interop/setup.sh

# 5. Go modules (a no-op when the module cache has them).
go mod download
go mod download -modfile=tools/go.mod
echo "setup: done"
