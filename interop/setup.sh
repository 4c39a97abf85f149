#!/usr/bin/env bash
# Installs, on a Debian 12 machine, what Lanyard's TypeScript, Python and Java clients need: the code
# generators that `buf generate --template buf.gen.clients.yaml` runs (gen/ts, gen/python, gen/java) and the
# runtimes of their end-to-end tests (interop/clients_test.go), which install each client as a package:
# gen/ts with npm, gen/python with pip, gen/java with Maven. Idempotent: a second run installs nothing and
# takes about a second.
#
#   bash interop/setup.sh          install: Debian packages (as root, or through sudo), `npm ci` in
#                                  interop/ts (which installs a copy of gen/ts: again whenever gen/ts
#                                  changed), and google/rpc/{status,error_details}.proto copied from npm
#                                  google-proto-files into .cache/googleapis (ignored; never committed)
#   bash interop/setup.sh --check  install nothing: exit 0 when buf.gen.clients.yaml can run here with the
#                                  pinned generators; otherwise say what is missing, on stderr, and exit 1
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. The generated code is only reproducible with these versions (bookworm): protoc 3.21.12
# (python, pyi and java are protoc built-ins), grpc_python_plugin 1.51.1, grpc_java_plugin 1.41.3. The
# Python runtime (python3-protobuf 4.21.12) and the Java runtime (libprotobuf-java 3.21.12) match protoc.
# pip, setuptools and wheel install gen/python with no package index. Maven builds gen/java offline: its
# dependencies and the plugins gen/java/pom.xml pins come from Debian's /usr/share/maven-repo.
APT_PACKAGES=(
	protobuf-compiler protobuf-compiler-grpc protobuf-compiler-grpc-java-plugin
	python3-grpcio python3-protobuf python3-pip python3-setuptools python3-wheel
	libgrpc-java libprotobuf-java libnetty-java libguava-java libperfmark-java
	libgeronimo-annotation-1.3-spec-java
	maven libmaven-resources-plugin-java libmaven-compiler-plugin-java libsurefire-java libmaven-jar-plugin-java
	# The Java client example (examples/clients/java) installs gen/java and runs itself with Maven, which
	# resolves all of grpc-java's dependencies, gson and animal-sniffer-annotations too.
	libmaven-install-plugin-java libexec-maven-plugin-java libgoogle-gson-java libanimal-sniffer-java
)
PROTOC=/usr/bin/protoc
PROTOC_VERSION="libprotoc 3.21.12"
TS=interop/ts
# `npm ci` leaves the hash of the lockfile it installed here, so that a second run can skip it.
NPM_STAMP=$TS/node_modules/.lanyard-setup-lock-sha256
# Where `npm ci` installs its copy of gen/ts.
TS_CLIENT=$TS/node_modules/@lanyardhq/lanyard-client
GOOGLEAPIS=.cache/googleapis
GOOGLE_PROTOS=(google/rpc/status.proto google/rpc/error_details.proto)

lock_hash() { sha256sum "$TS/package-lock.json" | cut -d' ' -f1; }

# ts_client_current says whether the copy of gen/ts in interop/ts/node_modules is gen/ts as it is now.
ts_client_current() {
	cmp -s gen/ts/package.json "$TS_CLIENT/package.json" && diff -r -q gen/ts/src "$TS_CLIENT/src" >/dev/null 2>&1
}

# check prints what buf.gen.clients.yaml lacks here, one line each; it prints nothing when all is there.
check() {
	if [ ! -x "$PROTOC" ]; then
		echo "missing: $PROTOC (Debian protobuf-compiler)"
	elif [ "$("$PROTOC" --version)" != "$PROTOC_VERSION" ]; then
		echo "wrong version: $PROTOC is '$("$PROTOC" --version)', the committed code is from '$PROTOC_VERSION'"
	fi
	command -v grpc_python_plugin >/dev/null || echo "missing: grpc_python_plugin (Debian protobuf-compiler-grpc)"
	command -v grpc_java_plugin >/dev/null || echo "missing: grpc_java_plugin (Debian protobuf-compiler-grpc-java-plugin)"
	if [ ! -x "$TS/node_modules/.bin/protoc-gen-es" ]; then
		echo "missing: $TS/node_modules/.bin/protoc-gen-es (npm ci in $TS)"
	elif [ "$(cat "$NPM_STAMP" 2>/dev/null)" != "$(lock_hash)" ]; then
		echo "stale: $TS/node_modules does not match $TS/package-lock.json (npm ci in $TS)"
	fi
	for p in "${GOOGLE_PROTOS[@]}"; do
		if ! cmp -s "$TS/node_modules/google-proto-files/$p" "$GOOGLEAPIS/$p"; then
			echo "missing or stale: $GOOGLEAPIS/$p (copied from npm google-proto-files)"
		fi
	done
}

if [ "${1:-}" = "--check" ]; then
	problems=$(check)
	if [ -n "$problems" ]; then
		printf '%s\n' "$problems" >&2
		echo "the TypeScript/Python/Java generators are not ready: run 'bash interop/setup.sh'" >&2
		exit 1
	fi
	exit 0
elif [ $# -gt 0 ]; then
	echo "usage: bash interop/setup.sh [--check]" >&2
	exit 2
fi

# 1. Debian packages, only when some are missing.
want=("${APT_PACKAGES[@]}")
command -v javac >/dev/null && command -v java >/dev/null || want+=(default-jdk-headless)
missing=()
for p in "${want[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing Debian packages: ${missing[*]}"
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "setup: Debian packages already installed"
fi

# 2. npm packages of interop/ts (protoc-gen-es, Connect, tsx, google-proto-files, and gen/ts), only when the
# lockfile changed since the last install or gen/ts differs from the copy installed.
if ! command -v npm >/dev/null; then
	echo "setup: npm is missing: install Node.js 20 or later with npm" >&2
	exit 1
fi
if [ "$(cat "$NPM_STAMP" 2>/dev/null)" != "$(lock_hash)" ] || ! ts_client_current; then
	echo "setup: npm ci in $TS"
	(cd "$TS" && npm ci --no-audit --no-fund --loglevel=error)
	lock_hash >"$NPM_STAMP"
else
	echo "setup: $TS/node_modules up to date"
fi

# 3. The google/rpc protos that the clients decode error details with, into an ignored folder.
for p in "${GOOGLE_PROTOS[@]}"; do
	if ! cmp -s "$TS/node_modules/google-proto-files/$p" "$GOOGLEAPIS/$p"; then
		install -D -m 0644 "$TS/node_modules/google-proto-files/$p" "$GOOGLEAPIS/$p"
	fi
done

problems=$(check)
if [ -n "$problems" ]; then
	printf 'setup: still missing after install:\n%s\n' "$problems" >&2
	exit 1
fi
echo "setup: ready: $("$PROTOC" --version), grpc_python_plugin $(dpkg-query -W -f='${Version}' protobuf-compiler-grpc)," \
	"grpc_java_plugin $(dpkg-query -W -f='${Version}' protobuf-compiler-grpc-java-plugin)," \
	"$("$TS/node_modules/.bin/protoc-gen-es" --version), python3-protobuf $(dpkg-query -W -f='${Version}' python3-protobuf)," \
	"libprotobuf-java $(dpkg-query -W -f='${Version}' libprotobuf-java), libgrpc-java $(dpkg-query -W -f='${Version}' libgrpc-java)"
