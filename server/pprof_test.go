package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPprofOnItsOwnListener: with LANYARD_PPROF_ADDR set, the runtime profiles answer there, and never on
// the public HTTP listener; without it, nothing listens for them.
func TestPprofOnItsOwnListener(t *testing.T) {
	get := func(url string) (int, string) {
		t.Helper()
		r, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode, string(body)
	}

	cfg := testConfig(t)
	cfg.PprofAddr = "127.0.0.1:0"
	ts := startServer(t, cfg)
	if ts.PprofAddr() == "" {
		t.Fatal("no profiles listener with LANYARD_PPROF_ADDR set")
	}
	code, body := get("http://" + ts.PprofAddr() + "/debug/pprof/goroutine?debug=1")
	if code != http.StatusOK || !strings.Contains(body, "goroutine profile: total") {
		t.Errorf("goroutine profile: %d %.80q", code, body)
	}
	if code, _ := get("http://" + ts.PprofAddr() + "/debug/pprof/heap"); code != http.StatusOK {
		t.Errorf("heap profile: %d", code)
	}
	if code, _ := get("http://" + ts.HTTPAddr() + "/debug/pprof/goroutine?debug=1"); code == http.StatusOK {
		t.Errorf("the public HTTP listener serves profiles")
	}

	if off := startServer(t, testConfig(t)); off.PprofAddr() != "" {
		t.Errorf("a profiles listener at %s without LANYARD_PPROF_ADDR", off.PprofAddr())
	}
}
