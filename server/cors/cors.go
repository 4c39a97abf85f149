// Package cors is the one CORS policy of Lanyard's HTTP listener: the App Services API and the gRPC-Web
// and Connect routes answer the origins of LANYARD_CORS_ORIGINS alike, each with the methods and headers
// its clients send.
package cors

import "net/http"

// Policy answers CORS for a list of origins.
type Policy struct {
	origins map[string]bool
	any     bool
	// AllowMethods, AllowHeaders and ExposeHeaders are the values of the Access-Control-* headers.
	AllowMethods, AllowHeaders, ExposeHeaders string
	// MaxAge is how long browsers may cache a preflight, in seconds (Chromium caps it at 7200).
	MaxAge string
}

// New is the policy for origins: exact matches, or "*" for any.
func New(origins []string) *Policy {
	p := &Policy{origins: make(map[string]bool, len(origins)), MaxAge: "3600"}
	for _, o := range origins {
		if o == "*" {
			p.any = true
		}
		p.origins[o] = true
	}
	return p
}

// Allowed reports whether a page of origin may call.
func (p *Policy) Allowed(origin string) bool {
	return origin != "" && (p.any || p.origins[origin])
}

// Apply sets the CORS headers of the answer to r. A preflight of an allowed origin gets its Allow
// headers but no status: the caller writes it (or its refusal) in its own format. An origin outside the
// list gets no CORS headers at all, so that browsers neither show it the answer nor send it the real
// request after a preflight.
func (p *Policy) Apply(w http.ResponseWriter, r *http.Request) (preflight, allowed bool) {
	hdr := w.Header()
	hdr.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed = p.Allowed(origin)
	if allowed {
		hdr.Set("Access-Control-Allow-Origin", origin)
		hdr.Set("Access-Control-Expose-Headers", p.ExposeHeaders)
	}
	if r.Method != http.MethodOptions || origin == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false, allowed
	}
	hdr.Add("Vary", "Access-Control-Request-Method")
	hdr.Add("Vary", "Access-Control-Request-Headers")
	if allowed {
		hdr.Set("Access-Control-Allow-Methods", p.AllowMethods)
		hdr.Set("Access-Control-Allow-Headers", p.AllowHeaders)
		hdr.Set("Access-Control-Max-Age", p.MaxAge)
	}
	return true, allowed
}
