// Package otlptest is an OTLP trace receiver for tests: a real gRPC server implementing the collector's
// TraceService on a loopback port, keeping every span it is sent, so that tests see what an exporter
// configured by OTEL_* really sends over the wire.
package otlptest

import (
	"context"
	"encoding/hex"
	"net"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
)

// Receiver is a running OTLP/gRPC trace receiver.
type Receiver struct {
	collectortrace.UnimplementedTraceServiceServer

	addr string

	mu       sync.Mutex
	spans    []Span
	requests int
}

// Span is one received span with the resource it was sent under.
type Span struct {
	*tracepb.Span
	Resource map[string]string // the resource's string attributes
	Scope    string            // the name of the instrumentation scope (the tracer) that made it
}

// Start starts a receiver on a free loopback port for the duration of t.
func Start(t testing.TB) *Receiver {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("otlptest: listen: %v", err)
	}
	r := &Receiver{addr: lis.Addr().String()}
	srv := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(srv, r)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return r
}

// Endpoint is the receiver's URL, for OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=grpc).
func (r *Receiver) Endpoint() string { return "http://" + r.addr }

// Export keeps the spans of one request.
func (r *Receiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	for _, rs := range req.GetResourceSpans() {
		res := map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			res[kv.GetKey()] = kv.GetValue().GetStringValue()
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, Span{Span: s, Resource: res, Scope: ss.GetScope().GetName()})
			}
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// Spans are the spans received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Requests is how many export requests arrived.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// ID is a span or trace id as hex, for messages and maps.
func ID(b []byte) string { return hex.EncodeToString(b) }

// Attr is the string form of the span attribute key, and whether the span has it.
func (s Span) Attr(key string) (string, bool) {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			return valueString(kv.GetValue()), true
		}
	}
	return "", false
}

// Strings are every string the span carries in attributes, events, links and status, for tests that
// look for what must never leave the process.
func (s Span) Strings() []string {
	out := []string{s.GetName(), s.GetStatus().GetMessage()}
	add := func(kvs []*commonpb.KeyValue) {
		for _, kv := range kvs {
			out = append(out, kv.GetKey(), valueString(kv.GetValue()))
		}
	}
	add(s.GetAttributes())
	for _, e := range s.GetEvents() {
		out = append(out, e.GetName())
		add(e.GetAttributes())
	}
	for _, l := range s.GetLinks() {
		add(l.GetAttributes())
	}
	for k, v := range s.Resource {
		out = append(out, k, v)
	}
	return out
}

func valueString(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_ArrayValue:
		s := ""
		for _, e := range x.ArrayValue.GetValues() {
			s += valueString(e) + " "
		}
		return s
	case *commonpb.AnyValue_KvlistValue:
		s := ""
		for _, kv := range x.KvlistValue.GetValues() {
			s += kv.GetKey() + "=" + valueString(kv.GetValue()) + " "
		}
		return s
	case *commonpb.AnyValue_BytesValue:
		return string(x.BytesValue)
	default:
		return v.String()
	}
}
