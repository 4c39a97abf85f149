package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminListener: with LANYARD_ADMIN_ADDR set, /metrics, /healthz and /readyz answer on that listener
// and /metrics leaves the public one, which keeps /healthz and /readyz; without it, the public listener serves both and
// no other listens.
func TestAdminListener(t *testing.T) {
	cfg := testConfig(t)
	cfg.AdminAddr = "127.0.0.1:0"
	ts := startServer(t, cfg)
	admin, public := "http://"+ts.AdminAddr(), "http://"+ts.HTTPAddr()
	if ts.AdminAddr() == "" {
		t.Fatal("no admin listener with LANYARD_ADMIN_ADDR set")
	}
	anonLogin(t, ts) // something for the metrics to count
	if code, body := httpDo(t, "GET", admin+"/metrics", ""); code != http.StatusOK || !strings.Contains(string(body), "grpc_server_handled_total") {
		t.Errorf("admin GET /metrics: %d %.200s", code, body)
	}
	for _, base := range []string{admin, public} {
		if code, body := httpDo(t, "GET", base+"/healthz", ""); code != http.StatusOK || string(body) != "ok\n" {
			t.Errorf("GET %s/healthz: %d %q", base, code, body)
		}
		if code, body := httpDo(t, "GET", base+"/readyz", ""); code != http.StatusOK || string(body) != "ready\n" {
			t.Errorf("GET %s/readyz: %d %q", base, code, body)
		}
	}
	if code, body := httpDo(t, "GET", public+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("the public listener serves /metrics with an admin listener set: %d %.200s", code, body)
	}
	// The admin listener serves nothing else: no API, no keys.
	for _, path := range []string{"/.well-known/jwks.json", "/api/client/v2.0/app/" + cfg.AppID + "/location"} {
		if code, _ := httpDo(t, "GET", admin+path, ""); code != http.StatusNotFound {
			t.Errorf("admin GET %s: %d, want 404", path, code)
		}
	}
	if code, _ := httpDo(t, "POST", admin+"/metrics", "{}"); code != http.StatusMethodNotAllowed {
		t.Errorf("admin POST /metrics: %d, want 405", code)
	}

	off := startServer(t, testConfig(t))
	if off.AdminAddr() != "" {
		t.Errorf("an admin listener at %s without LANYARD_ADMIN_ADDR", off.AdminAddr())
	}
	if code, body := httpDo(t, "GET", "http://"+off.HTTPAddr()+"/metrics", ""); code != http.StatusOK || !strings.Contains(string(body), "grpc_server_handled_total") {
		t.Errorf("public GET /metrics without an admin listener: %d %.200s", code, body)
	}
}
