// Package telemetry is what Lanyard tells operators about itself besides its answers: traces, exported
// through the OpenTelemetry SDK as the standard OTEL_* environment variables say, and the form its log
// lines give values (durations as "1.234ms", not nanoseconds).
//
// Tracing is off unless asked for: with no OTEL_TRACES_EXPORTER and no OTLP endpoint set, Setup builds no
// SDK, so that a server nobody collects traces from neither dials a collector nor pays for spans.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// ServiceName is the service.name of every span unless OTEL_SERVICE_NAME (or service.name in
// OTEL_RESOURCE_ATTRIBUTES) says otherwise.
const ServiceName = "lanyard"

// Options configure Setup.
type Options struct {
	// Version becomes the resource's service.version.
	Version string
	// Logger receives the SDK's own errors (a collector out of reach, a full queue). Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Tracing is the tracer provider and propagator of one server. The zero value, and what Setup returns
// when tracing is off, traces nothing.
type Tracing struct {
	sdk      *sdktrace.TracerProvider // nil when off
	provider namedOnly
}

// Setup reads the OTEL_* environment and, when it asks for traces, builds an SDK tracer provider that
// exports them through the exporter it names (autoexport: otlp over http/protobuf or grpc, console),
// with a resource naming Lanyard and its version, and installs it and the W3C trace context
// propagator as OpenTelemetry's globals. The caller must Shutdown what it returns, which flushes the
// spans not yet exported.
//
// Traces are asked for by OTEL_TRACES_EXPORTER (anything but "none"), or by an OTLP endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) without it; OTEL_SDK_DISABLED=true
// turns them off. autoexport alone would export to localhost:4317 when nothing is set.
func Setup(ctx context.Context, opts Options) (*Tracing, error) {
	exporter, on := wanted(os.Getenv)
	if !on {
		return &Tracing{}, nil
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("traces: OTEL_TRACES_EXPORTER=%s: %v", exporter, err)
	}
	res, err := resource.New(ctx,
		// Ours first: the detectors after it override, so that OTEL_SERVICE_NAME and
		// OTEL_RESOURCE_ATTRIBUTES win.
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithAttributes(semconv.ServiceName(ServiceName), semconv.ServiceVersion(opts.Version)),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithFromEnv(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %v", err)
	}
	// The batcher reads OTEL_BSP_*, the provider OTEL_TRACES_SAMPLER (default: parent-based, always on).
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	tp := namedOnly{sdk: sdk}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("telemetry: exporting traces failed", "error", err.Error())
	}))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator())
	log.Info("telemetry: exporting traces", "exporter", exporter)
	return &Tracing{sdk: sdk, provider: tp}, nil
}

// wanted says whether the environment asks for traces, and through which exporter (as named for
// messages: "otlp" when only an endpoint is set).
func wanted(getenv func(string) string) (string, bool) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return "", false
	}
	switch exporter := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); exporter {
	case "":
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
			return "otlp", true
		}
		return "", false
	case "none":
		return "", false
	default:
		return exporter, true
	}
}

// Propagator is the W3C trace context alone: nothing in Lanyard reads baggage, so parsing it would be
// work spent on what a client sends for nothing.
func Propagator() propagation.TextMapPropagator {
	return propagation.TraceContext{}
}

// Enabled says whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t != nil && t.sdk != nil }

// TracerProvider is the SDK's provider, or a no-op one when tracing is off.
func (t *Tracing) TracerProvider() trace.TracerProvider {
	if !t.Enabled() {
		return noop.NewTracerProvider()
	}
	return t.provider
}

// Shutdown exports the spans still queued, within ctx, and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}

// namedOnly is the SDK's provider for named tracers and a no-op one for unnamed tracers. The embedded
// FerretDB engine traces through the global provider with an unnamed tracer: a root span for each
// command it serves, and more inside, with no link to the Lanyard call that sent the command (whose own
// span already times that round trip). They would outnumber Lanyard's spans many times over, and cost
// the engine the recording.
type namedOnly struct {
	embedded.TracerProvider
	sdk *sdktrace.TracerProvider
}

func (p namedOnly) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	if name == "" {
		return noop.NewTracerProvider().Tracer(name)
	}
	return p.sdk.Tracer(name, opts...)
}
