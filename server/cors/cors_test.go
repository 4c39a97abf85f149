package cors

import (
	"net/http/httptest"
	"testing"
)

func TestApply(t *testing.T) {
	p := New([]string{"https://app.example"})
	p.AllowMethods, p.AllowHeaders, p.ExposeHeaders = "POST", "Content-Type", "Grpc-Status"
	anyOrigin := New([]string{"*"})
	anyOrigin.AllowMethods = "POST"
	cases := []struct {
		name                string
		policy              *Policy
		method, origin, acr string // acr: Access-Control-Request-Method
		preflight, allowed  bool
		allowOrigin         string
	}{
		{"call from a listed origin", p, "POST", "https://app.example", "", false, true, "https://app.example"},
		{"call from another origin", p, "POST", "https://evil.example", "", false, false, ""},
		{"call without an origin", p, "POST", "", "", false, false, ""},
		{"preflight from a listed origin", p, "OPTIONS", "https://app.example", "POST", true, true, "https://app.example"},
		{"preflight from another origin", p, "OPTIONS", "https://evil.example", "POST", true, false, ""},
		{"OPTIONS that is no preflight", p, "OPTIONS", "https://app.example", "", false, true, "https://app.example"},
		{"any origin", anyOrigin, "OPTIONS", "https://whoever.example", "POST", true, true, "https://whoever.example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "/x", nil)
			if c.origin != "" {
				r.Header.Set("Origin", c.origin)
			}
			if c.acr != "" {
				r.Header.Set("Access-Control-Request-Method", c.acr)
			}
			w := httptest.NewRecorder()
			preflight, allowed := c.policy.Apply(w, r)
			if preflight != c.preflight || allowed != c.allowed {
				t.Fatalf("preflight %v allowed %v, want %v %v", preflight, allowed, c.preflight, c.allowed)
			}
			h := w.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != c.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, c.allowOrigin)
			}
			wantMethods := ""
			if c.preflight && c.allowed {
				wantMethods = c.policy.AllowMethods
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != wantMethods {
				t.Errorf("Access-Control-Allow-Methods %q, want %q", got, wantMethods)
			}
			if !c.allowed && (h.Get("Access-Control-Expose-Headers") != "" || h.Get("Access-Control-Allow-Headers") != "") {
				t.Errorf("CORS headers for an origin not allowed: %v", h)
			}
			if h.Values("Vary")[0] != "Origin" {
				t.Errorf("Vary %v", h.Values("Vary"))
			}
		})
	}
}
