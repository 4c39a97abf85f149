// Package clients_test runs the client examples in examples/clients the way their READMEs tell a user to:
// each is copied out of the repository into a temporary folder, the one reference to a Lanyard checkout that
// its README says to change is pointed at a checkout (by an edit, or by the npm command the TypeScript README
// gives), it is installed as its README says (the variant with no package index, where there is one) and run
// against a real `lanyard serve` process, built from this checkout. Each must print the id of an anonymous user the server knows and the code and reason with which
// an AdminService call was refused: PERMISSION_DENIED, SERVER_PRINCIPAL_REQUIRED.
//
// The toolchains are those the interop tests use, which `make setup` installs; without one, a test fails
// when CI is set and is skipped, loudly, otherwise.
package clients_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"

	"github.com/lanyardhq/lanyard/internal/testrun"
)

// exampleTimeout bounds one example's test, installing it (Maven compiles all of gen/java) and running it,
// and the build of lanyard.
const exampleTimeout = 8 * time.Minute

var (
	// Every example prints these two lines; Lanyard's user ids are 24 lowercase hex digits.
	userIDLine  = regexp.MustCompile(`(?m)^user id: ([0-9a-f]{24})$`)
	refusalLine = regexp.MustCompile(`(?m)^ListUsers: (\S+) (\S*)$`)
	// Maven writes terminal colour resets even in batch mode, at the start of a line of the program's.
	ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

func TestExamples(t *testing.T) {
	root := repoRoot(t)
	l := startLanyard(t, root)
	// setuptools and Maven build inside the package folder, where the interop tests build the same packages
	// at the same time: the examples install from a checkout of their own.
	checkout := t.TempDir()
	for _, dir := range []string{"gen/ts", "gen/python", "gen/java"} {
		copyTree(t, filepath.Join(root, filepath.FromSlash(dir)), filepath.Join(checkout, filepath.FromSlash(dir)))
	}

	examples := []struct {
		name, dir string
		run       func(t *testing.T, ctx context.Context, dir string, env []string) string
	}{
		{"Go", "go", func(t *testing.T, ctx context.Context, dir string, env []string) string {
			// go build does not write into a module it builds from, so Go uses this checkout.
			rewrite(t, filepath.Join(dir, "go.mod"), "=> ../../..", "=> "+root)
			return run(t, ctx, dir, append(env, "GOWORK=off"), "go", "run", ".")
		}},
		{"TypeScript", "ts", func(t *testing.T, ctx context.Context, dir string, env []string) string {
			for _, tool := range []string{"node", "npm"} {
				if _, err := exec.LookPath(tool); err != nil {
					missing(t, "TypeScript", "Node.js and npm are not installed ("+tool+" not found)")
				}
			}
			// npm changes the path in package.json and in package-lock.json, which must agree: with the old path
			// left in the lockfile, npm install would look for the package there.
			run(t, ctx, dir, nil, "npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error",
				filepath.Join(checkout, "gen", "ts"))
			if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err != nil || strings.Contains(string(b), "../../../gen/ts") {
				t.Fatalf("package.json still takes the client package from ../../../gen/ts (%v):\n%s", err, b)
			}
			run(t, ctx, dir, nil, "npm", "run", "--silent", "typecheck")
			return run(t, ctx, dir, env, "npm", "start", "--silent")
		}},
		{"Python", "python", func(t *testing.T, ctx context.Context, dir string, env []string) string {
			// Debian's interpreter, whatever python3 comes first on PATH: python3-grpcio and python3-protobuf
			// are installed for it.
			const python = "/usr/bin/python3"
			const probe = "import grpc, google.protobuf, importlib.util, sys\n" +
				"absent = [m for m in ('pip', 'setuptools', 'venv') if importlib.util.find_spec(m) is None]\n" +
				"sys.exit('no module ' + ', '.join(absent) if absent else 0)"
			if out, err := exec.Command(python, "-c", probe).CombinedOutput(); err != nil {
				missing(t, "Python", fmt.Sprintf("%s cannot install and run the example (Debian packages python3-grpcio, "+
					"python3-protobuf, python3-pip, python3-setuptools): %v %s", python, err, strings.TrimSpace(string(out))))
			}
			rewrite(t, filepath.Join(dir, "requirements.txt"), "\n../../../gen/python\n",
				"\n"+filepath.Join(checkout, "gen", "python")+"\n")
			pyEnv := []string{"PYTHONDONTWRITEBYTECODE=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_ROOT_USER_ACTION=ignore"}
			run(t, ctx, dir, pyEnv, python, "-m", "venv", "--system-site-packages", "--without-pip", ".venv")
			venvPython := filepath.Join(dir, ".venv", "bin", "python")
			run(t, ctx, dir, pyEnv, venvPython, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation",
				"-r", "requirements.txt")
			return run(t, ctx, dir, append(pyEnv, env...), venvPython, "main.py")
		}},
		{"Java", "java", func(t *testing.T, ctx context.Context, dir string, env []string) string {
			for _, tool := range []string{"java", "javac", "mvn"} {
				if _, err := exec.LookPath(tool); err != nil {
					missing(t, "Java", "a JDK and Maven are not installed ("+tool+" not found)")
				}
			}
			for _, p := range mavenNeeds {
				if _, err := os.Stat(filepath.Join(debianMavenRepo, filepath.FromSlash(p))); err != nil {
					missing(t, "Java", fmt.Sprintf("%s is not in %s (Debian packages %s)", p, debianMavenRepo, mavenPackages))
				}
			}
			// A local repository of its own: the test neither uses nor fills the user's ~/.m2.
			mvn := []string{"--batch-mode", "--quiet", "-s", "debian-settings.xml", "-Dmaven.repo.local=" + t.TempDir()}
			run(t, ctx, dir, nil, "mvn", slices.Concat(mvn, []string{"install", "-f", filepath.Join(checkout, "gen", "java")})...)
			return run(t, ctx, dir, env, "mvn", slices.Concat(mvn, []string{"compile", "exec:java"})...)
		}},
	}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "example")
			copyTree(t, filepath.Join(root, "examples", "clients", ex.dir), dir)
			ctx, cancel := context.WithTimeout(context.Background(), exampleTimeout)
			defer cancel()
			out := ex.run(t, ctx, dir, []string{"LANYARD_GRPC_ADDR=" + l.grpcAddr})
			l.checkOutput(t, out)
		})
	}
}

// checkOutput asserts what every example prints: the id of an anonymous user that exists on the server,
// and the refusal of its AdminService call.
func (l *lanyard) checkOutput(t *testing.T, out string) {
	t.Helper()
	out = ansiEscape.ReplaceAllString(out, "")
	m := userIDLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line %q in the output", userIDLine)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+l.serverToken)
	got, err := lanyardv1.NewAdminServiceClient(l.conn).GetUser(ctx, &lanyardv1.GetUserRequest{UserId: m[1]})
	if err != nil {
		t.Fatalf("GetUser(%s), the user the example printed: %v", m[1], err)
	}
	if ids := got.GetUser().GetIdentities(); len(ids) != 1 || ids[0].GetProviderType() != "anon-user" {
		t.Errorf("user %s: identities %v, want one anon-user", m[1], ids)
	}
	r := refusalLine.FindStringSubmatch(out)
	if r == nil {
		t.Fatalf("no line %q in the output", refusalLine)
	}
	// Each language spells the code its own way: PERMISSION_DENIED, PermissionDenied.
	if code := strings.ToUpper(strings.ReplaceAll(r[1], "_", "")); code != "PERMISSIONDENIED" || r[2] != "SERVER_PRINCIPAL_REQUIRED" {
		t.Errorf("the AdminService call ended with %s %q, want PERMISSION_DENIED SERVER_PRINCIPAL_REQUIRED", r[1], r[2])
	}
}

// repoRoot is the module root: go test runs in the package directory, examples/clients.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "buf.gen.clients.yaml")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// missing fails the test when CI is set and otherwise skips it, loudly: an example that is not tested must
// not look like one that passed.
func missing(t *testing.T, example, what string) {
	t.Helper()
	msg := fmt.Sprintf("%s CLIENT EXAMPLE NOT RUN: %s. Install what it needs with `make setup`.", strings.ToUpper(example), what)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " CI is set, so this is a failure.")
	}
	fmt.Fprintf(os.Stderr, "\n%s\n!!! SKIPPED: %s\n%s\n\n", strings.Repeat("!", 100), msg, strings.Repeat("!", 100))
	t.Skip("!!! SKIPPED: " + msg)
}

// debianMavenRepo is where Debian's Java packages install their jars; mavenNeeds are the plugins the Java
// example's build runs from there (its pom.xml and gen/java's pin their versions) and the dependencies of
// grpc-java that only Maven resolves, from mavenPackages.
const (
	debianMavenRepo = "/usr/share/maven-repo"
	mavenPackages   = "maven libmaven-resources-plugin-java libmaven-compiler-plugin-java libsurefire-java " +
		"libmaven-jar-plugin-java libmaven-install-plugin-java libexec-maven-plugin-java libgrpc-java " +
		"libgoogle-gson-java libanimal-sniffer-java"
)

var mavenNeeds = []string{
	"org/apache/maven/plugins/maven-resources-plugin/3.3.0", "org/apache/maven/plugins/maven-compiler-plugin/3.10.1",
	"org/apache/maven/plugins/maven-surefire-plugin/2.22.3", "org/apache/maven/plugins/maven-jar-plugin/3.3.0",
	"org/apache/maven/plugins/maven-install-plugin/3.1.0", "org/codehaus/mojo/exec-maven-plugin/3.1.0",
	"io/grpc/grpc-netty/1.41.3", "com/google/code/gson/gson/debian", "org/codehaus/mojo/animal-sniffer-annotations/debian",
}

// run is testrun.Run.
func run(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	return testrun.Run(t, ctx, dir, env, name, args...)
}

// copyTree copies the regular files of a source folder, leaving out what installing or building leaves in
// it (and any symbolic link).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	// At the top only: gen/java has a Java package named build.
	skip := map[string]bool{"node_modules": true, "target": true, "build": true, ".venv": true}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (skip[rel] || d.Name() == "__pycache__" || strings.HasSuffix(d.Name(), ".egg-info")):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// rewrite replaces old, which must occur exactly once, with new in a file: the one change an example's README
// asks for when it is copied out of the repository.
func rewrite(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", file, old, n)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lanyard is a `lanyard serve` process, with a connection to it and the access token of a server principal.
type lanyard struct {
	grpcAddr    string
	conn        *grpc.ClientConn
	serverToken string
}

// startLanyard builds the lanyard command of the checkout, creates a server API key on a new data dir and
// serves that data dir on free loopback ports, as `make run` does; the process is stopped at the end of the
// test. Its environment holds none of the test process's LANYARD_* settings.
func startLanyard(t *testing.T, root string) *lanyard {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exampleTimeout)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "lanyard")
	run(t, ctx, root, nil, "go", "build", "-o", bin, ".")
	data := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}

	// Before serve: the embedded store is opened by one process at a time.
	keyCmd := exec.CommandContext(ctx, bin, "apikey", "create", "--server", "examples", "--data-dir", data)
	keyCmd.Env = env
	var keyOut, keyErr bytes.Buffer
	keyCmd.Stdout, keyCmd.Stderr = &keyOut, &keyErr
	if err := keyCmd.Run(); err != nil {
		t.Fatalf("lanyard apikey create: %v\n%s", err, &keyErr)
	}
	var key string
	for line := range strings.Lines(keyOut.String()) {
		if v, ok := strings.CutPrefix(line, "key:"); ok {
			key = strings.TrimSpace(v)
		}
	}
	if key == "" {
		t.Fatalf("lanyard apikey create printed no key:\n%s", &keyOut)
	}

	cmd := exec.Command(bin, "serve", "--data-dir", data, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
		"--shutdown-grace", "5s")
	cmd.Dir = data
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start lanyard serve: %v", err)
	}
	var (
		logMu   sync.Mutex
		logs    strings.Builder
		serving = make(chan string, 1)
		exited  = make(chan struct{})
	)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			logMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			var rec struct {
				Msg  string `json:"msg"`
				GRPC string `json:"grpc"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "lanyard serving" {
				select {
				case serving <- rec.GRPC:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr) // a line too long for the scanner must not block the process
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if code := cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("lanyard serve exited with %s after SIGTERM, want 0", cmd.ProcessState)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("lanyard serve still running 30 s after SIGTERM; killed")
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			logMu.Lock()
			defer logMu.Unlock()
			t.Logf("lanyard serve's log:\n%s", logs.String())
		}
	})

	l := &lanyard{}
	select {
	case l.grpcAddr = <-serving:
	case <-exited:
		t.Fatalf("lanyard serve exited (%s) before serving", cmd.ProcessState)
	case <-time.After(2 * time.Minute):
		t.Fatalf("lanyard serve did not log \"lanyard serving\" within 2 minutes")
	}
	if l.conn, err = grpc.NewClient(l.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.conn.Close() })
	lctx, lcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer lcancel()
	login, err := lanyardv1.NewAuthServiceClient(l.conn).Login(lctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: key}}})
	if err != nil {
		t.Fatalf("login with the server API key: %v", err)
	}
	l.serverToken = login.GetAccessToken()
	return l
}
