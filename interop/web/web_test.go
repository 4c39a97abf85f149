// Package web drives a live Lanyard from headless Chromium with the generated TypeScript client (gen/ts)
// over connect-web's two transports, Connect and gRPC-Web, on a page of another origin (page.ts, bundled
// by esbuild).
//
// Setup: `bash tools/setup.sh` (npm ci in interop/web, Debian's Chromium). Without node_modules the test
// fails; without Chromium it fails when CI is set and is skipped, loudly, otherwise.
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/interop/internal/headless"
	"github.com/lanyardhq/lanyard/interop/internal/live"
	"github.com/lanyardhq/lanyard/server"
)

// bundle builds page.ts for the browser with the pinned esbuild of node_modules.
func bundle(t *testing.T) []byte {
	t.Helper()
	esbuild := filepath.Join("node_modules", ".bin", "esbuild")
	for _, p := range []string{esbuild, filepath.Join("node_modules", "@connectrpc", "connect-web", "package.json"),
		filepath.Join("node_modules", "@lanyardhq", "lanyard-client", "package.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("interop/web is not installed: run `bash tools/setup.sh` (or npm ci --prefix interop/web) first (%v)", err)
		}
	}
	out := filepath.Join(t.TempDir(), "page.js")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, esbuild, "page.ts", "--bundle", "--format=iife", "--target=chrome100",
		"--log-level=warning", "--outfile="+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild: %v\n%s", err, msg)
	}
	js, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// startLanyard starts Lanyard in-process on loopback ports in its development configuration, allowing
// the browser origin given, and returns its HTTP URL.
func startLanyard(t *testing.T, corsOrigin string) string {
	t.Helper()
	args := []string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--public-url", "http://lanyard.test", "--shutdown-grace", "5s", "--cors-origins", corsOrigin}
	cfg, err := server.LoadConfig(args, func(string) string { return "" }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := live.Start(t, cfg)
	return "http://" + srv.HTTPAddr()
}

// servePage serves page.html, its bundle and its configuration (where Lanyard is) on lis, or on a new
// loopback port when lis is nil.
func servePage(t *testing.T, lis net.Listener, js []byte, lanyardURL string) string {
	t.Helper()
	page, err := os.ReadFile("page.html")
	if err != nil {
		t.Fatal(err)
	}
	config, _ := json.Marshal(map[string]string{"url": lanyardURL})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /config.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "window.LANYARD = %s;\n", config)
	})
	mux.HandleFunc("GET /page.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(js)
	})
	srv := httptest.NewUnstartedServer(mux)
	if lis != nil {
		_ = srv.Listener.Close()
		srv.Listener = lis
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// outcome is what page.ts reports for one transport.
type outcome struct {
	UserID      string `json:"user_id"`
	Watched     string `json:"watched"`
	ErrorCode   string `json:"error_code"`
	ErrorReason string `json:"error_reason"`
}

// TestConnectWebBrowser: from a page of an origin that LANYARD_CORS_ORIGINS allows, the generated client
// logs in, watches its custom data, updates it and sees the change arrive on the stream, and reads the
// ErrorInfo reason of a refused call, over createConnectTransport and createGrpcWebTransport alike. The
// same page from an origin that is not allowed cannot reach Lanyard.
func TestConnectWebBrowser(t *testing.T) {
	js := bundle(t)
	chromium := headless.FindChromium(t)
	// The allowed origin must be configured before Lanyard starts: bind the page's port first.
	pageLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pageOrigin := "http://" + pageLis.Addr().String()
	lanyardURL := startLanyard(t, pageOrigin)
	allowed := servePage(t, pageLis, js, lanyardURL)
	refused := servePage(t, nil, js, lanyardURL)

	got := headless.OpenLive(t, chromium, allowed, 90*time.Second)
	if !strings.HasPrefix(got, "OK ") {
		t.Fatalf("page from the allowed origin %s: %s", pageOrigin, got)
	}
	var res map[string]outcome
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got, "OK ")), &res); err != nil {
		t.Fatalf("page result %q: %v", got, err)
	}
	for _, transport := range []string{"connect", "grpcweb"} {
		o, ok := res[transport]
		if !ok {
			t.Errorf("%s: no outcome in %s", transport, got)
			continue
		}
		if len(o.UserID) != 24 || o.Watched != transport || o.ErrorCode != "Unauthenticated" || o.ErrorReason != "TOKEN_INVALID/lanyard" {
			t.Errorf("%s: %+v", transport, o)
		}
	}
	if res["connect"].UserID == res["grpcweb"].UserID {
		t.Errorf("both transports logged in as %s", res["connect"].UserID)
	}

	got = headless.OpenLive(t, chromium, refused, 90*time.Second)
	if !strings.HasPrefix(got, "ERROR ") {
		t.Fatalf("page from an origin that is not allowed reached Lanyard: %s", got)
	}
	t.Logf("page from a refused origin: %s", got)
}

// TestReadmeBrowserSnippet keeps the README's browser snippet (its one `typescript` block) an excerpt of
// page.ts, which TestConnectWebBrowser runs: every line of it is a line of page.ts, but for indentation,
// in page.ts's order.
func TestReadmeBrowserSnippet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("page.ts")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n```typescript\n")
	if !ok {
		t.Fatal("README.md has no ```typescript block")
	}
	snippet, _, _ := strings.Cut(rest, "\n```")
	if strings.Contains(rest, "\n```typescript\n") {
		t.Error("README.md has more than one ```typescript block")
	}
	check := func(snippet string) (string, bool) {
		lines := strings.Split(string(page), "\n")
		at := 0
		for _, want := range strings.Split(snippet, "\n") {
			want = strings.TrimSpace(want)
			if want == "" {
				continue
			}
			for at < len(lines) && strings.TrimSpace(lines[at]) != want {
				at++
			}
			if at == len(lines) {
				return want, false
			}
			at++
		}
		return "", true
	}
	if line, ok := check(snippet); !ok {
		t.Errorf("README.md's browser snippet is not an excerpt of interop/web/page.ts: %q is not there, or not after the line before it", line)
	}
	if _, ok := check(snippet + "\nnot a line of page.ts"); ok {
		t.Error("a snippet with a line page.ts lacks still counts as an excerpt")
	}
}
