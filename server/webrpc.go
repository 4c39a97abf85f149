package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"connectrpc.com/vanguard/vanguardgrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server/cors"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// webServices are the services that browsers reach over gRPC-Web and Connect on the HTTP listener. Not
// health (load balancers probe /readyz) nor reflection (bidirectional streaming, which browsers cannot
// do).
var webServices = []string{
	lanyardv1.AuthService_ServiceDesc.ServiceName,
	lanyardv1.CustomDataService_ServiceDesc.ServiceName,
	lanyardv1.MetadataService_ServiceDesc.ServiceName,
	lanyardv1.AdminService_ServiceDesc.ServiceName,
}

// CORS answers of the gRPC-Web and Connect routes: what connect-web's two transports send and read.
// Connect-Timeout-Ms and Grpc-Timeout carry deadlines, X-Grpc-Web and X-User-Agent come with every
// gRPC-Web call, and the Grpc-Status family carries gRPC-Web's errors when they come in the headers
// (a call refused before any message).
const (
	webCORSAllowMethods = "GET, POST, OPTIONS"
	webCORSAllowHeaders = "Authorization, Content-Type, Accept, X-Request-Id, Connect-Protocol-Version, " +
		"Connect-Timeout-Ms, Connect-Accept-Encoding, Connect-Content-Encoding, Grpc-Timeout, " +
		"Grpc-Accept-Encoding, X-Grpc-Web, X-User-Agent, Traceparent, Tracestate"
	webCORSExposeHeaders = "X-Request-Id, Grpc-Status, Grpc-Message, Grpc-Status-Details-Bin, " +
		"Grpc-Encoding, Grpc-Accept-Encoding, Connect-Content-Encoding, Connect-Accept-Encoding"
)

// maxWebBody caps the body of a gRPC-Web or Connect request on the wire: a message the gRPC listener
// accepts, in JSON or base64 (gRPC-Web text) form, which is larger than its binary encoding.
const maxWebBody = 2 * maxRecvMsgSize

// mountWebRPC serves Lanyard's gRPC services to browsers in the gRPC-Web and Connect protocols
// (connect-web's createGrpcWebTransport and createConnectTransport), at the paths native gRPC uses
// (/lanyard.v1.AuthService/Login). Vanguard turns each call into a gRPC call on the very grpc.Server of
// the gRPC listener, so the interceptor chain, the access policy, the field rules, the limits and the
// error mapping are the same ones; errors keep their code, message and details (ErrorInfo), which
// Vanguard renders as Connect error details or grpc-status-details-bin.
func (s *Server) mountWebRPC(handle func(pattern string, h http.Handler)) error {
	transcoder, err := vanguardgrpc.NewTranscoder(s.grpc,
		vanguard.WithCodec(func(res vanguard.TypeResolver) vanguard.Codec { return webJSONCodec{vanguard.NewJSONCodec(res)} }),
		vanguard.WithDefaultServiceOptions(
			// Bounds the decoded (and decompressed) message as grpc.MaxRecvMsgSize does natively.
			vanguard.WithMaxMessageBufferBytes(maxRecvMsgSize),
		))
	if err != nil {
		return fmt.Errorf("gRPC-Web and Connect routes: %w", err)
	}
	policy := cors.New(s.cfg.CORSOrigins)
	policy.AllowMethods, policy.AllowHeaders, policy.ExposeHeaders = webCORSAllowMethods, webCORSAllowHeaders, webCORSExposeHeaders

	streaming := map[string]bool{}
	info := s.grpc.GetServiceInfo()
	for _, svc := range webServices {
		for _, m := range info[svc].Methods {
			if m.IsServerStream || m.IsClientStream {
				streaming["/"+svc+"/"+m.Name] = true
			}
		}
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		preflight, allowed := policy.Apply(w, r)
		if preflight {
			if !allowed {
				http.Error(w, "origin not allowed (LANYARD_CORS_ORIGINS)", http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if streaming[r.URL.Path] {
			// The listener's read and write timeouts bound ordinary calls; a watch stream lasts as long as
			// its client stays, like a native one (the keepalive of the gRPC listener has no HTTP/1.1
			// equivalent: a vanished client is noticed on the next write).
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
		}
		if !streaming[r.URL.Path] {
			s.webCalls.enter()
			defer s.webCalls.leave()
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxWebBody)
		transcoder.ServeHTTP(w, r)
	})
	for _, svc := range webServices {
		handle("/"+svc+"/", h)
	}
	return nil
}

// isWebRPCPath reports whether path is one of the gRPC-Web and Connect routes, whose calls get their span
// from the gRPC server's stats handler, named after the method as on the gRPC listener.
func isWebRPCPath(path string) bool {
	for _, svc := range webServices {
		if strings.HasPrefix(path, "/"+svc+"/") {
			return true
		}
	}
	return false
}

// webJSONCodec is Vanguard's JSON codec (unknown fields ignored, as protobuf's binary decoding keeps
// them without effect), except that a request that does not decode is INVALID_ARGUMENT with Lanyard's
// ErrorInfo, as a malformed binary request is (codec.go), where Vanguard would answer UNKNOWN, an HTTP
// 500. Vanguard decodes JSON before the call reaches the grpc.Server, so such a refusal passes no
// interceptor: like grpc-go's own refusals of malformed messages, it is neither logged nor counted.
type webJSONCodec struct{ *vanguard.JSONCodec }

func (c webJSONCodec) Unmarshal(data []byte, msg proto.Message) error {
	err := c.JSONCodec.Unmarshal(data, msg)
	if err == nil {
		return nil
	}
	st := rpc.NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT,
		"the request is not a valid JSON message of this method's type: "+err.Error()).GRPCStatus()
	ce := connect.NewError(connect.CodeInvalidArgument, errors.New(st.Message()))
	for _, d := range st.Details() {
		if m, ok := d.(proto.Message); ok {
			if detail, err := connect.NewErrorDetail(m); err == nil {
				ce.AddDetail(detail)
			}
		}
	}
	return ce
}

// callCount counts calls in flight, and lets a stop wait until none is.
type callCount struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0
}

func (c *callCount) enter() {
	c.mu.Lock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
	c.mu.Unlock()
}

func (c *callCount) leave() {
	c.mu.Lock()
	c.n--
	if c.n == 0 {
		close(c.idle)
	}
	c.mu.Unlock()
}

// wait returns once no call is in flight, or when ctx ends.
func (c *callCount) wait(ctx context.Context) {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
	case <-ctx.Done():
	}
}
