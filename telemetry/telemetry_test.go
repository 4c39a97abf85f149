package telemetry_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/lanyardhq/lanyard/internal/otlptest"
	"github.com/lanyardhq/lanyard/telemetry"
)

// clearOTEL empties every OTEL_* variable for the duration of t.
func clearOTEL(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OTEL_") {
			t.Setenv(name, "")
		}
	}
}

// TestWhenTracesAreExported: only an exporter or an OTLP endpoint turns tracing on; "none" and
// OTEL_SDK_DISABLED turn it off; off, the provider records nothing.
func TestWhenTracesAreExported(t *testing.T) {
	rcv := otlptest.Start(t)
	for _, c := range []struct {
		name string
		env  map[string]string
		on   bool
	}{
		{"nothing set", nil, false},
		{"protocol alone", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.Endpoint(), "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": rcv.Endpoint(), "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, true},
		{"otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": rcv.Endpoint(), "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true},
		{"console", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, true},
		{"none with an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": rcv.Endpoint()}, false},
		{"SDK disabled", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": rcv.Endpoint()}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTEL(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			tr, err := telemetry.Setup(t.Context(), telemetry.Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := tr.Shutdown(context.Background()); err != nil {
					t.Errorf("Shutdown: %v", err)
				}
			}()
			if tr.Enabled() != c.on {
				t.Fatalf("Enabled() = %v, want %v", tr.Enabled(), c.on)
			}
			if c.env["OTEL_TRACES_EXPORTER"] == "console" {
				return // its spans would go to the test's stdout
			}
			// Ended before the deferred Shutdown, which sends it when tracing is on.
			_, span := tr.TracerProvider().Tracer("test").Start(t.Context(), "probe")
			defer span.End()
			if span.IsRecording() != c.on || span.SpanContext().IsValid() != c.on {
				t.Errorf("span recording %v, valid %v; want both %v", span.IsRecording(), span.SpanContext().IsValid(), c.on)
			}
		})
	}
	// One span from each case that exports over OTLP, none from the others.
	if spans := rcv.Spans(); len(spans) != 3 {
		t.Errorf("the receiver got %d spans, want 3 (endpoint, traces endpoint, otlp)", len(spans))
	}
}

// TestExportedResource: spans reach an OTLP receiver under a resource naming Lanyard and its version,
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override and add to it, Shutdown flushes what is
// queued, and the provider and the W3C propagators are the globals.
func TestExportedResource(t *testing.T) {
	for _, c := range []struct {
		name, serviceName string
		env               map[string]string
	}{
		{"defaults", "lanyard", nil},
		{"environment", "auth-eu", map[string]string{"OTEL_SERVICE_NAME": "auth-eu", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rcv := otlptest.Start(t)
			clearOTEL(t)
			t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.Endpoint())
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			tr, err := telemetry.Setup(t.Context(), telemetry.Options{Version: "v1.2.3"})
			if err != nil {
				t.Fatal(err)
			}
			if otel.GetTracerProvider() != tr.TracerProvider() {
				t.Error("the SDK provider is not the global one")
			}
			if fields := otel.GetTextMapPropagator().Fields(); !slices.Contains(fields, "traceparent") || slices.Contains(fields, "baggage") {
				t.Errorf("global propagator fields %q, want traceparent and no baggage", fields)
			}
			_, span := otel.Tracer("test").Start(t.Context(), "unit of work")
			span.End()
			// The embedded engine's unnamed tracer records nothing.
			if _, unnamed := otel.Tracer("").Start(t.Context(), "engine command"); unnamed.IsRecording() {
				t.Error("an unnamed tracer records spans")
			}
			if err := tr.Shutdown(t.Context()); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			spans := rcv.Spans()
			if len(spans) != 1 || spans[0].GetName() != "unit of work" {
				t.Fatalf("received %d spans: %v", len(spans), spans)
			}
			res := spans[0].Resource
			if res["service.name"] != c.serviceName || res["service.version"] != "v1.2.3" {
				t.Errorf("resource %v: want service.name %q and service.version v1.2.3", res, c.serviceName)
			}
			if c.env != nil && res["deployment.environment"] != "test" {
				t.Errorf("resource %v lacks OTEL_RESOURCE_ATTRIBUTES", res)
			}
		})
	}
}

// TestUnknownExporterRefused: a misspelt exporter is an error naming the variable, not a silent default.
func TestUnknownExporterRefused(t *testing.T) {
	clearOTEL(t)
	t.Setenv("OTEL_TRACES_EXPORTER", "jaegerr")
	tr, err := telemetry.Setup(t.Context(), telemetry.Options{})
	if err == nil {
		_ = tr.Shutdown(context.Background())
		t.Fatal("Setup accepted OTEL_TRACES_EXPORTER=jaegerr")
	}
	if !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
		t.Errorf("error %q does not name OTEL_TRACES_EXPORTER", err)
	}
}
