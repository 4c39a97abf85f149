// Package interop_test runs Lanyard's generated non-Go clients end to end, each against a live in-process
// Lanyard and each installed from its folder in gen/ as the package it is, the way an application would:
//   - interop/ts: gen/ts, the npm package that `npm ci` in interop/ts installs (protoc-gen-es with Connect-ES
//     over gRPC), run with tsx;
//   - interop/python: gen/python, pip-installed into a temporary folder (protoc's Python output with grpcio),
//     run with Debian's /usr/bin/python3;
//   - interop/java: gen/java, the jar Maven builds from it offline against Debian's repository (protoc's Java
//     output with grpc-java), with which javac compiles the program against Debian's jars.
//
// Each program logs in anonymously, calls WhoAmI, updates and reads its custom data, refreshes its session
// (the refresh token must rotate), watches its custom data through one change of its own, and calls an
// AdminService RPC as a normal user (PERMISSION_DENIED with ErrorInfo reason SERVER_PRINCIPAL_REQUIRED,
// decoded from the grpc-status-details-bin trailer) and as the server principal of a server API key. A
// program prints every check and exits non-zero at the first failure.
//
// Setup: `bash interop/setup.sh` (Debian packages, `npm ci` in interop/ts, again whenever gen/ts changed).
// Without it a client test fails when CI is set and is skipped, loudly, otherwise.
package interop_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/interop/internal/live"
	"github.com/lanyardhq/lanyard/server"

	"github.com/lanyardhq/lanyard/internal/testrun"
)

// programTimeout bounds one client's test: installing its package (Maven compiles all of gen/java), building
// the program and running it.
const programTimeout = 6 * time.Minute

// repoRoot is the module root: go test runs in the package directory, interop/.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "buf.gen.clients.yaml")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// missing fails the test when CI is set and otherwise skips it, loudly: a client that is not tested
// must not look like one that passed.
func missing(t *testing.T, client, what string) {
	t.Helper()
	msg := fmt.Sprintf("%s CLIENT TEST NOT RUN: %s. Install what the client tests need with `make setup` "+
		"(Debian packages and `npm ci` in interop/ts).", strings.ToUpper(client), what)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " CI is set, so this is a failure.")
	}
	fmt.Fprintf(os.Stderr, "\n%s\n!!! SKIPPED: %s\n%s\n\n", strings.Repeat("!", 100), msg, strings.Repeat("!", 100))
	t.Skip("!!! SKIPPED: " + msg)
}

// startLanyard starts Lanyard in-process on loopback ports with the development defaults and a short
// custom data poll interval, and creates a server API key. It returns the environment the client programs
// read: LANYARD_GRPC_ADDR and LANYARD_SERVER_API_KEY.
func startLanyard(t *testing.T) []string {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.GRPCAddr = "127.0.0.1:0"
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.PublicURL = "http://lanyard.test"
	cfg.DataDir = t.TempDir()
	cfg.StoreConnectTimeout = 20 * time.Second
	cfg.CustomDataPollInterval = 200 * time.Millisecond
	cfg.RevocationInterval = 200 * time.Millisecond
	cfg.ShutdownGrace = 5 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	srv, _ := live.Start(t, cfg)
	kctx, kcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer kcancel()
	_, key, err := srv.CreateServerAPIKey(kctx, "interop-clients")
	if err != nil {
		t.Fatalf("CreateServerAPIKey: %v", err)
	}
	return []string{"LANYARD_GRPC_ADDR=" + srv.GRPCAddr(), "LANYARD_SERVER_API_KEY=" + key}
}

// run is testrun.Run.
func run(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) {
	t.Helper()
	testrun.Run(t, ctx, dir, env, name, args...)
}

func TestClients(t *testing.T) {
	root := repoRoot(t)
	env := startLanyard(t)

	t.Run("TypeScript", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(root, "interop", "ts")
		if _, err := exec.LookPath("npx"); err != nil {
			missing(t, "TypeScript", "Node.js and npm (npx) are not installed")
		}
		for _, f := range []string{"node_modules/.bin/tsx", "node_modules/.bin/tsc", "node_modules/@connectrpc/connect-node/package.json", tsClient + "/package.json"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				missing(t, "TypeScript", fmt.Sprintf("interop/ts/%s is missing (npm ci has not run in interop/ts)", f))
			}
		}
		// npm installs a copy of gen/ts, so a copy made before gen/ts was last generated would test old code.
		if diff := sameFiles(filepath.Join(root, "gen", "ts"), filepath.Join(dir, tsClient), "package.json", "src"); diff != "" {
			missing(t, "TypeScript", fmt.Sprintf("interop/ts/%s is not the current gen/ts (%s), so it must be installed again", tsClient, diff))
		}
		ctx, cancel := context.WithTimeout(context.Background(), programTimeout)
		defer cancel()
		// Type-check the program against the package's declarations, then run it.
		run(t, ctx, dir, nil, "npx", "--no", "--", "tsc", "-p", ".")
		run(t, ctx, dir, env, "npx", "--no", "--", "tsx", "client.ts")
	})

	t.Run("Python", func(t *testing.T) {
		t.Parallel()
		// Debian's interpreter, whatever python3 comes first on PATH: python3-grpcio and python3-protobuf are
		// installed for it.
		const python = "/usr/bin/python3"
		if _, err := os.Stat(python); err != nil {
			missing(t, "Python", python+" is not installed")
		}
		// pip, setuptools and wheel are only looked for: imported in one process they can fail (setuptools refuses
		// to load once the standard library's distutils is).
		const probe = "import grpc, google.protobuf, importlib.util, sys\n" +
			"absent = [m for m in ('pip', 'setuptools', 'wheel') if importlib.util.find_spec(m) is None]\n" +
			"sys.exit('no module ' + ', '.join(absent) if absent else 0)"
		if out, err := exec.Command(python, "-c", probe).CombinedOutput(); err != nil {
			missing(t, "Python", fmt.Sprintf("%s cannot install and run the package (Debian packages python3-grpcio, python3-protobuf, python3-pip, python3-setuptools, python3-wheel): %s", python, strings.TrimSpace(string(out))))
		}
		ctx, cancel := context.WithTimeout(context.Background(), programTimeout)
		defer cancel()
		// setuptools builds in gen/python/build and gen/python/src/*.egg-info and never empties them: a file
		// listed there by an earlier build would be installed too.
		leftovers, _ := filepath.Glob(filepath.Join(root, "gen", "python", "src", "*.egg-info"))
		for _, dir := range append(leftovers, filepath.Join(root, "gen", "python", "build")) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}
		// Install the package offline, against the protobuf and grpcio Debian installed, into a folder of its own.
		site := t.TempDir()
		pyEnv := []string{"PYTHONDONTWRITEBYTECODE=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_ROOT_USER_ACTION=ignore"}
		run(t, ctx, root, pyEnv, python, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation", "--no-deps",
			"--target", site, "."+string(filepath.Separator)+filepath.Join("gen", "python"))
		run(t, ctx, root, append([]string{"PYTHONPATH=" + site}, env...), python, "-B", filepath.Join("interop", "python", "client.py"))
	})

	t.Run("Java", func(t *testing.T) {
		t.Parallel()
		var tools []string
		for _, tool := range []string{"javac", "java", "mvn"} {
			p, err := exec.LookPath(tool)
			if err != nil {
				missing(t, "Java", "a JDK and Maven are not installed ("+tool+" not found)")
			}
			tools = append(tools, p)
		}
		cp, err := javaClasspath()
		if err != nil {
			missing(t, "Java", err.Error())
		}
		for _, p := range mavenPlugins {
			if _, err := os.Stat(filepath.Join(debianMavenRepo, "org", "apache", "maven", "plugins", p)); err != nil {
				missing(t, "Java", fmt.Sprintf("Maven's %s is not in %s (Debian packages %s)", p, debianMavenRepo, strings.Join(mavenPackages, " ")))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), programTimeout)
		defer cancel()
		// Build the jar of gen/java offline, its dependencies and plugins read from Debian's repository (which
		// `package` does not write to). An old version's jar would stay in target/ beside the new one.
		target := filepath.Join(root, "gen", "java", "target")
		if err := os.RemoveAll(target); err != nil {
			t.Fatal(err)
		}
		run(t, ctx, root, nil, tools[2], "--offline", "--batch-mode", "--quiet", "-Dmaven.repo.local="+debianMavenRepo,
			"--file", filepath.Join("gen", "java", "pom.xml"), "package")
		jars, err := filepath.Glob(filepath.Join(target, "lanyard-client-*.jar"))
		if err != nil || len(jars) != 1 {
			t.Fatalf("Maven built %v in %s, want one lanyard-client jar (%v)", jars, target, err)
		}
		cp = jars[0] + string(os.PathListSeparator) + cp
		classes := t.TempDir()
		run(t, ctx, root, nil, tools[0], "-encoding", "UTF-8", "-d", classes, "-cp", cp, filepath.Join("interop", "java", "LanyardClient.java"))
		run(t, ctx, root, env, tools[1], "-cp", classes+string(os.PathListSeparator)+cp, "LanyardClient")
	})
}

// tsClient is where `npm ci` installs gen/ts, in interop/ts.
const tsClient = "node_modules/@lanyardhq/lanyard-client"

// sameFiles compares the named files and folders of two trees: it names a file that differs, or returns "".
func sameFiles(a, b string, names ...string) string {
	for _, name := range names {
		files := map[string]bool{}
		for _, root := range []string{a, b} {
			err := filepath.WalkDir(filepath.Join(root, name), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(root, p)
					files[rel] = true
				}
				return err
			})
			if err != nil {
				return err.Error()
			}
		}
		for f := range files {
			x, errA := os.ReadFile(filepath.Join(a, f))
			y, errB := os.ReadFile(filepath.Join(b, f))
			if errA != nil || errB != nil || !bytes.Equal(x, y) {
				return f + " differs"
			}
		}
	}
	return ""
}

// debianMavenRepo is the Maven repository Debian's Java packages install into; mavenPlugins are the plugins
// that `mvn package` of gen/java runs (their versions are pinned in gen/java/pom.xml), from mavenPackages.
const debianMavenRepo = "/usr/share/maven-repo"

var (
	mavenPlugins  = []string{"maven-resources-plugin/3.3.0", "maven-compiler-plugin/3.10.1", "maven-surefire-plugin/2.22.3", "maven-jar-plugin/3.3.0"}
	mavenPackages = []string{"maven", "libmaven-resources-plugin-java", "libmaven-compiler-plugin-java", "libsurefire-java", "libmaven-jar-plugin-java"}
)

// javaJars are the Debian jars (in /usr/share/java) the Java client compiles and runs with, besides the jar
// of gen/java: grpc-java (libgrpc-java), protobuf-java (libprotobuf-java), Netty (libnetty-java), Guava
// (libguava-java) and PerfMark (libperfmark-java).
var javaJars = []string{
	"grpc-api", "grpc-context", "grpc-core", "grpc-netty", "grpc-protobuf", "grpc-protobuf-lite", "grpc-stub",
	"protobuf",
	"netty-buffer", "netty-codec", "netty-codec-http", "netty-codec-http2", "netty-common", "netty-handler",
	"netty-resolver", "netty-transport",
	"guava", "perfmark-api",
}

func javaClasspath() (string, error) {
	var cp []string
	for _, j := range javaJars {
		p := filepath.Join("/usr/share/java", j+".jar")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s is missing (Debian packages libgrpc-java libprotobuf-java libnetty-java libguava-java libperfmark-java)", p)
		}
		cp = append(cp, p)
	}
	return strings.Join(cp, string(os.PathListSeparator)), nil
}
