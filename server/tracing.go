package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/lanyardhq/lanyard/server/appservices"
	"github.com/lanyardhq/lanyard/telemetry"
)

// storeTracerProvider is what the store makes its command spans with: nothing when tracing is off, so
// that its command monitor does no work for spans.
func (s *Server) storeTracerProvider() trace.TracerProvider {
	if !s.tracing.Enabled() {
		return nil
	}
	return s.tracing.TracerProvider()
}

// shutdownTracing exports the spans still queued. A collector out of reach must not hold up the stop
// for long.
func (s *Server) shutdownTracing(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.tracing.Shutdown(ctx); err != nil {
		s.log.Warn("telemetry: flushing traces", "error", err.Error())
	}
}

// traceHTTP gives every HTTP call a server span, named after its route, when tracing is on. /healthz, /readyz and
// /metrics make none (nor the gRPC-Web and Connect routes, whose calls the gRPC server spans): probes and scrapes every few seconds would bury the calls. As on gRPC, a caller's
// trace context becomes a link of a new root span, never its parent: any client may send one.
//
// The span records no path: otelhttp would record the raw path (url.path), which holds user data (ids,
// provider names, anything a client sends), so the request it sees has its path emptied, and the
// handler gets it back. The route pattern, in the span's name, says which endpoint was called.
func (s *Server) traceHTTP(h http.Handler) http.Handler {
	if !s.tracing.Enabled() {
		return h
	}
	traced := otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routed := r.WithContext(r.Context())
		routed.URL = r.Context().Value(hiddenURLKey{}).(*url.URL)
		h.ServeHTTP(w, routed)
		// otelhttp names the span after the pattern of the request it passed on, once served.
		r.Pattern = routed.Pattern
	}), "HTTP",
		otelhttp.WithTracerProvider(s.tracing.TracerProvider()),
		otelhttp.WithPropagators(telemetry.Propagator()),
		otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
		otelhttp.WithSpanNameFormatter(s.httpSpanName),
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// gRPC-Web and Connect calls are spanned by the gRPC server's stats handler, like native calls:
		// one span per call, named after its method, with the caller's trace context only linked.
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" || isWebRPCPath(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		hidden := *r.URL
		hidden.Path, hidden.RawPath = "", ""
		r = r.WithContext(context.WithValue(appservices.WithRouteNote(r.Context()), hiddenURLKey{}, r.URL))
		r.URL = &hidden
		traced.ServeHTTP(w, r)
	})
}

// hiddenURLKey holds, in the context of a traced request, the URL it came with.
type hiddenURLKey struct{}

// httpSpanName names an HTTP call's span after the pattern of its route ("GET /.well-known/jwks.json",
// "POST /api/client/v2.0/app/{app}/auth/providers/{provider}/login"), never after its path, which holds
// user data (ids, provider names, anything a client sends); under the App Services prefix, after the
// route the App Services handler noted. otelhttp asks before routing, when there is no pattern yet, and
// again after it.
func (s *Server) httpSpanName(_ string, r *http.Request) string {
	method := spanMethod(r.Method)
	pattern := r.Pattern
	if pattern == appservices.Prefix {
		if p := appservices.MatchedRoute(r.Context()); p != "" {
			pattern = p
		}
	}
	switch {
	case pattern == "":
		return method
	case strings.Contains(pattern, " "):
		return pattern // it names its method
	default:
		return method + " " + pattern
	}
}

// spanMethod is a request's method as a span name may hold it: a client may send any token as one.
func spanMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "HTTP"
}
