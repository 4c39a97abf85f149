package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/otlptest"
	"github.com/lanyardhq/lanyard/server"
)

// clearOTEL empties every OTEL_* variable for the duration of t, so that the machine's own settings
// cannot decide what the test sees.
func clearOTEL(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OTEL_") {
			t.Setenv(name, "")
		}
	}
}

// exportTo points the OTLP exporter at the receiver, over gRPC.
func exportTo(t *testing.T, rcv *otlptest.Receiver, exporter string) {
	t.Helper()
	clearOTEL(t)
	t.Setenv("OTEL_TRACES_EXPORTER", exporter)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.Endpoint())
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
}

// TestTracesReachAnOTLPCollector: with the OTLP exporter configured by OTEL_* variables, a real collector
// (an OTLP/gRPC receiver) gets the server span of a gRPC call and of HTTP routes, named after the method
// and the route pattern, each with the spans of the store commands it sent as descendants, under a
// resource naming Lanyard and its version; no span carries a token or a password, and probes make none.
func TestTracesReachAnOTLPCollector(t *testing.T) {
	rcv := otlptest.Start(t)
	exportTo(t, rcv, "otlp")
	cfg := testConfig(t)
	cfg.Version = "v0.0.0-tracetest"
	ts := startServer(t, cfg)
	if !ts.TracingEnabled() {
		t.Fatal("tracing is off with OTEL_TRACES_EXPORTER=otlp")
	}
	ctx := context.Background()

	anon := anonLogin(t, ts)
	creds := &lanyardv1.EmailPasswordCredentials{Email: "traced@example.com", Password: "pw-never-in-a-span"}
	if _, err := ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: creds.Email, Password: creds.Password}); err != nil {
		t.Fatal(err)
	}
	userpass, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: creds}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := healthpb.NewHealthClient(ts.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	base := "http://" + ts.HTTPAddr()
	if code, body := httpDo(t, "GET", base+"/.well-known/jwks.json", ""); code != http.StatusOK {
		t.Fatalf("GET jwks: %d %s", code, body)
	}
	if code, body := httpDo(t, "GET", base+"/healthz", ""); code != http.StatusOK {
		t.Fatalf("GET /healthz: %d %s", code, body)
	}
	code, body := httpDo(t, "POST", base+"/api/client/v2.0/app/"+cfg.AppID+"/auth/providers/anon-user/login", "{}")
	if code != http.StatusOK {
		t.Fatalf("App Services anonymous login: %d %s", code, body)
	}
	var httpLogin struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(body, &httpLogin); err != nil || httpLogin.AccessToken == "" {
		t.Fatalf("App Services login answer %s: %v", body, err)
	}
	stopNow(t, ts)

	spans := rcv.Spans()
	byID := map[string]otlptest.Span{}
	for _, s := range spans {
		byID[otlptest.ID(s.GetSpanId())] = s
	}
	var names []string
	for _, s := range spans {
		names = append(names, s.GetName())
	}
	t.Logf("%d spans: %q", len(spans), names)
	find := func(name string) otlptest.Span {
		t.Helper()
		for _, s := range spans {
			if s.GetName() == name {
				return s
			}
		}
		t.Fatalf("no span %q among %q", name, names)
		return otlptest.Span{}
	}
	// storeDescendants are the store command spans under root, each checked for its trace and shape.
	storeDescendants := func(root otlptest.Span) []otlptest.Span {
		t.Helper()
		var out []otlptest.Span
		for _, s := range spans {
			if sys, _ := s.Attr("db.system"); sys != "mongodb" {
				continue
			}
			under := false
			for p := s; len(p.GetParentSpanId()) > 0; {
				parent, ok := byID[otlptest.ID(p.GetParentSpanId())]
				if !ok {
					break
				}
				if otlptest.ID(parent.GetSpanId()) == otlptest.ID(root.GetSpanId()) {
					under = true
					break
				}
				p = parent
			}
			if !under {
				continue
			}
			if otlptest.ID(s.GetTraceId()) != otlptest.ID(root.GetTraceId()) {
				t.Errorf("store span %q is under %q but in another trace", s.GetName(), root.GetName())
			}
			if s.GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
				t.Errorf("store span %q has kind %v, want client", s.GetName(), s.GetKind())
			}
			op, _ := s.Attr("db.operation")
			want := op
			if coll, ok := s.Attr("db.mongodb.collection"); ok {
				want += " " + coll
			}
			if db, _ := s.Attr("db.name"); op == "" || db == "" || s.GetName() != want {
				t.Errorf("store span %q: db.operation %q, db.name %q, want the name %q", s.GetName(), op, db, want)
			}
			out = append(out, s)
		}
		return out
	}

	login := find(lanyardv1.AuthService_ServiceDesc.ServiceName + "/Login")
	if login.GetKind() != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("Login span kind %v, want server", login.GetKind())
	}
	if got := login.Resource["service.name"]; got != "lanyard" {
		t.Errorf("service.name %q, want lanyard", got)
	}
	if got := login.Resource["service.version"]; got != cfg.Version {
		t.Errorf("service.version %q, want %q", got, cfg.Version)
	}
	// Every Login span has its own store spans; at least one of them must show them.
	withStore := 0
	for _, s := range spans {
		if s.GetName() == login.GetName() && len(storeDescendants(s)) > 0 {
			withStore++
		}
	}
	if withStore < 2 {
		t.Errorf("%d Login spans have store command spans under them, want both logins'", withStore)
	}
	find("GET /.well-known/jwks.json")
	appLogin := find("POST /api/client/v2.0/app/{app}/auth/providers/{provider}/login")
	if appLogin.GetKind() != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("App Services login span kind %v, want server", appLogin.GetKind())
	}
	if len(storeDescendants(appLogin)) == 0 {
		t.Errorf("the App Services login has no store command spans under it; spans: %q", names)
	}
	// The path holds user data: no span records it, only the route pattern.
	for _, s := range spans {
		if p, ok := s.Attr("url.path"); ok {
			t.Errorf("span %q records the path %q", s.GetName(), p)
		}
		if all := strings.Join(s.Strings(), "\n"); strings.Contains(all, "/providers/anon-user") {
			t.Errorf("span %q carries the App Services login's path", s.GetName())
		}
	}
	for _, n := range names {
		if strings.Contains(n, "Health") || strings.Contains(n, "healthz") {
			t.Errorf("a probe made the span %q", n)
		}
	}
	// Lanyard's instrumentation only: the embedded engine's own tracing (unnamed tracers) is left out.
	for _, s := range spans {
		switch s.Scope {
		case "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
			"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
			"github.com/lanyardhq/lanyard/store/mongo":
		default:
			t.Errorf("span %q comes from the tracer %q", s.GetName(), s.Scope)
		}
	}

	secrets := []string{anon.GetAccessToken(), anon.GetRefreshToken(), userpass.GetAccessToken(), userpass.GetRefreshToken(),
		creds.Password, httpLogin.AccessToken, httpLogin.RefreshToken}
	for _, s := range spans {
		all := strings.Join(s.Strings(), "\n")
		for _, secret := range secrets {
			if secret != "" && strings.Contains(all, secret) {
				t.Errorf("span %q carries a token or password", s.GetName())
			}
		}
		if m := secretPatterns.FindString(all); m != "" {
			t.Errorf("span %q carries %q", s.GetName(), m)
		}
	}
}

// TestNoTracesUnlessAsked: OTEL_TRACES_EXPORTER=none exports nothing even with an endpoint set, and with
// no OTEL_* variable at all the server builds no SDK (nothing to dial localhost:4317 with).
func TestNoTracesUnlessAsked(t *testing.T) {
	rcv := otlptest.Start(t)
	exportTo(t, rcv, "none")
	ts := startServer(t, testConfig(t))
	if ts.TracingEnabled() {
		t.Error("tracing is on with OTEL_TRACES_EXPORTER=none")
	}
	anonLogin(t, ts)
	if code, body := httpDo(t, "GET", "http://"+ts.HTTPAddr()+"/.well-known/jwks.json", ""); code != http.StatusOK {
		t.Fatalf("GET jwks: %d %s", code, body)
	}
	stopNow(t, ts)
	if n := rcv.Requests(); n != 0 {
		t.Errorf("the receiver got %d export requests with OTEL_TRACES_EXPORTER=none", n)
	}

	clearOTEL(t)
	if startServer(t, testConfig(t)).TracingEnabled() {
		t.Error("tracing is on with no OTEL_* variable set")
	}
}

// TestUnknownTraceExporterRefused: a misspelt exporter stops the start with a message naming the
// variable, as a misspelt setting does.
func TestUnknownTraceExporterRefused(t *testing.T) {
	clearOTEL(t)
	t.Setenv("OTEL_TRACES_EXPORTER", "otlpp")
	srv, err := server.New(context.Background(), testConfig(t), quietLog())
	if err == nil {
		srv.Close()
		t.Fatal("the server started with OTEL_TRACES_EXPORTER=otlpp")
	}
	if !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
		t.Errorf("error %q does not name OTEL_TRACES_EXPORTER", err)
	}
}

// TestCallerTraceContextIsOnlyLinked: a client's traceparent never becomes the parent of Lanyard's server
// span, on gRPC or HTTP: the span starts a trace of its own, links the client's span, and is sampled by
// Lanyard's sampler, whatever the client's flag says.
func TestCallerTraceContextIsOnlyLinked(t *testing.T) {
	rcv := otlptest.Start(t)
	exportTo(t, rcv, "otlp")
	ts := startServer(t, testConfig(t))
	const (
		clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
		sampledSpan = "00f067aa0ba902b7"
		droppedSpan = "00f067aa0ba902b8"
	)
	traceparent := func(span, flags string) string { return "00-" + clientTrace + "-" + span + "-" + flags }

	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", traceparent(sampledSpan, "01"))
	if _, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}); err != nil {
		t.Fatal(err)
	}
	for _, flags := range []string{"01", "00"} {
		span := sampledSpan
		if flags == "00" {
			span = droppedSpan
		}
		req, err := http.NewRequest("GET", "http://"+ts.HTTPAddr()+"/.well-known/jwks.json", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("traceparent", traceparent(span, flags))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET jwks: %d", resp.StatusCode)
		}
	}
	stopNow(t, ts)

	check := func(name, clientSpan string) {
		t.Helper()
		var found bool
		for _, s := range rcv.Spans() {
			if s.GetName() != name || len(s.GetLinks()) == 0 || otlptest.ID(s.GetLinks()[0].GetSpanId()) != clientSpan {
				continue
			}
			found = true
			if otlptest.ID(s.GetTraceId()) == clientTrace || otlptest.ID(s.GetParentSpanId()) == clientSpan {
				t.Errorf("span %q joined the client's trace: trace %s, parent %s", name, otlptest.ID(s.GetTraceId()), otlptest.ID(s.GetParentSpanId()))
			}
			if len(s.GetParentSpanId()) != 0 {
				t.Errorf("span %q has a parent %s, want a root span", name, otlptest.ID(s.GetParentSpanId()))
			}
			if l := s.GetLinks()[0]; otlptest.ID(l.GetTraceId()) != clientTrace {
				t.Errorf("span %q links trace %s, want the client's %s", name, otlptest.ID(l.GetTraceId()), clientTrace)
			}
		}
		if !found {
			var names []string
			for _, s := range rcv.Spans() {
				names = append(names, s.GetName())
			}
			t.Errorf("no span %q linking the client's span %s among %q", name, clientSpan, names)
		}
	}
	check(lanyardv1.AuthService_ServiceDesc.ServiceName+"/Login", sampledSpan)
	check("GET /.well-known/jwks.json", sampledSpan)
	// The client asked not to sample; Lanyard's sampler (always on here) decides.
	check("GET /.well-known/jwks.json", droppedSpan)
}
