package server_test

import (
	"context"
	"os"
	"strings"
	"testing"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/otlptest"
)

// BenchmarkTracing measures what exporting traces adds to a call: an anonymous Login (a gRPC span and
// five store command spans) and WhoAmI (a gRPC span alone), with no OTEL_* variable set beside the same
// calls exported over OTLP/gRPC to a receiver in this process (whose CPU counts against the calls).
func BenchmarkTracing(b *testing.B) {
	for _, mode := range []string{"off", "otlp"} {
		b.Run(mode, func(b *testing.B) {
			for _, kv := range os.Environ() {
				if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OTEL_") {
					b.Setenv(name, "")
				}
			}
			if mode == "otlp" {
				rcv := otlptest.Start(b)
				b.Setenv("OTEL_TRACES_EXPORTER", "otlp")
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.Endpoint())
				b.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
			}
			ts := startServer(b, testConfig(b))
			if ts.TracingEnabled() != (mode == "otlp") {
				b.Fatalf("tracing enabled %v in mode %s", ts.TracingEnabled(), mode)
			}
			login := anonLogin(b, ts)
			b.Run("Login_anonymous", func(b *testing.B) {
				req := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
				for b.Loop() {
					if _, err := ts.auth.Login(context.Background(), req); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("WhoAmI", func(b *testing.B) {
				ctx := bearer(login.GetAccessToken())
				for b.Loop() {
					if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
