package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// interceptors builds the one interceptor chain of the gRPC server, outermost first. The order matters:
//
//  1. request id: first, so that every later step (and every log line) can name the call.
//  2. metrics and logging: before anything can refuse the call, so that refusals (bad tokens, store
//     outages, panics) are counted and logged with their final code.
//  3. error mapping: turns whatever the inner steps return into the status the client sees, with an
//     ErrorInfo, masking internals; it sits inside logging so the log shows the mapped code and outside
//     recovery so that a recovered panic is masked like any other internal error.
//  4. recovery: a panic in authentication, validation or a handler becomes an INTERNAL error, never a
//     crashed process.
//  5. authentication and access policy: checks the bearer token against the policy table and puts the
//     principal in the context. Methods missing from the table are refused.
//  6. store availability: answers UNAVAILABLE at once for methods that need the store while it is
//     unreachable, and ends a unary call that is still waiting for the store when it becomes unreachable
//     (see enterStore). After authentication, so that an outage never tells an anonymous caller more
//     than a bad token would.
//  7. validation: checks request fields and answers INVALID_ARGUMENT with BadRequest details, so that
//     handlers only see well-formed requests. Last, because only authorized callers deserve the detail.
func (s *Server) interceptors(metrics *grpcprom.ServerMetrics) ([]grpc.UnaryServerInterceptor, []grpc.StreamServerInterceptor) {
	recoverOpt := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		s.logPanic(ctx, p)
		return errPanic
	})
	unary := []grpc.UnaryServerInterceptor{
		unaryRequestID,
		metrics.UnaryServerInterceptor(),
		s.unaryLog,
		s.unaryErrors,
		recovery.UnaryServerInterceptor(recoverOpt),
		s.unaryAuth,
		s.unaryAvailability,
		unaryValidate,
	}
	stream := []grpc.StreamServerInterceptor{
		streamRequestID,
		metrics.StreamServerInterceptor(),
		s.streamLog,
		s.streamErrors,
		recovery.StreamServerInterceptor(recoverOpt),
		s.streamAuth,
		s.streamAvailability,
		streamValidate,
	}
	return unary, stream
}

// deep runs fn on a goroutine of its own and waits for it to return. A goroutine keeps the largest stack
// it ever grew to until the garbage collector finds it using less than a quarter of it, which a stream's
// goroutine, waiting below the whole interceptor chain (some 6 KB), never does once its stack has grown
// past 8 KB. Work that needs more (a signature to verify, a store read through the driver, a document to
// render) runs here, on a goroutine that ends with it, so that each open stream holds an 8 KB stack
// rather than 16 or 32. A panic in fn is recovered and logged as the chain's recovery step would, which
// only sees the caller's goroutine.
func (s *Server) deep(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		var err error = errPanic
		defer func() {
			if p := recover(); p != nil {
				s.logPanic(ctx, p)
			}
			done <- err
		}()
		err = fn()
	}()
	return <-done
}

// logPanic logs a recovered panic with the stack of the goroutine that panicked: it must be called from
// the deferred function that recovered it.
func (s *Server) logPanic(ctx context.Context, p any) {
	s.log.ErrorContext(ctx, "panic in handler", "request_id", rpc.RequestID(ctx), "panic", p, "stack", string(debug.Stack()))
}

// errPanic is what a recovered panic becomes; the error mapper turns it into a masked INTERNAL.
var errPanic = panicError{}

type panicError struct{}

func (panicError) Error() string { return "panic in handler" }

func (s *Server) unaryErrors(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	resp, err := next(ctx, req)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, err).Err()
	}
	return resp, nil
}

func (s *Server) streamErrors(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	if err := next(srv, ss); err != nil {
		return rpc.Status(ss.Context(), s.log, err).Err()
	}
	return nil
}

func (s *Server) unaryAvailability(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if !s.policy[info.FullMethod].store {
		return next(ctx, req)
	}
	ctx, done, err := s.enterStore(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := next(ctx, req)
	return resp, done(err)
}

// streamAvailability only refuses streams while the store is unreachable: a stream outlives outages
// and reports the store's failures on its own.
func (s *Server) streamAvailability(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	if s.policy[info.FullMethod].store && !s.store.Healthy() {
		return storeUnavailable
	}
	return next(srv, ss)
}

// enterStore admits a call that needs the store (a unary gRPC call, or one of the App Services HTTP
// API): refused at once while the store is unreachable,
// otherwise given a context that also ends, with store.ErrUnavailable as its cause, when the store
// becomes unreachable during the call. The store lets a request wait for the engine as long as its
// caller allows (a request queued behind others on a busy engine is served if it waits), so a call
// that is waiting when the engine goes away is ended here, as soon as the store notices, rather than
// when the driver gives up. done maps the error of a call so ended to UNAVAILABLE.
func (s *Server) enterStore(ctx context.Context) (_ context.Context, done func(error) error, _ error) {
	outage := s.storeOutage.current()
	if outage.Err() != nil || !s.store.Healthy() {
		return nil, nil, storeUnavailable
	}
	callCtx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(outage, func() { cancel(context.Cause(outage)) })
	return callCtx, func(err error) error {
		stop()
		ended := err != nil && ctx.Err() == nil && callCtx.Err() != nil
		cancel(nil)
		if ended {
			return storeUnavailable
		}
		return err
	}, nil
}

var storeUnavailable = rpc.NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_STORE_UNAVAILABLE, "the store is unreachable; retry later")

// storeOutage is a context that is canceled, with cause store.ErrUnavailable, when the store turns
// unhealthy, and replaced by a live one when it is healthy again: calls that need the store end with it
// (see enterStore). The server's health watcher keeps it in step with the store.
type storeOutage struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func (o *storeOutage) set(healthy bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !healthy {
		if o.cancel != nil {
			o.cancel(store.ErrUnavailable)
		}
		return
	}
	if o.ctx == nil || o.ctx.Err() != nil {
		o.ctx, o.cancel = context.WithCancelCause(context.Background())
	}
}

func (o *storeOutage) current() context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ctx == nil {
		// Healthy until told otherwise, as the store starts.
		o.ctx, o.cancel = context.WithCancelCause(context.Background())
	}
	return o.ctx
}

// requestID takes the caller's one request id when it is short and plain (so that ids can be followed
// across services), otherwise makes one.
func requestID(given []string) string {
	if len(given) == 1 && plainID(given[0]) {
		return given[0]
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// withRequestID starts the record of a gRPC call, under the caller's x-request-id or a new one, and
// echoes the id in the response header.
func withRequestID(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	id := requestID(md.Get("x-request-id"))
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", id))
	return rpc.WithCall(ctx, id)
}

func plainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func unaryRequestID(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	return next(withRequestID(ctx), req)
}

func streamRequestID(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	return next(srv, &contextStream{ServerStream: ss, ctx: withRequestID(ss.Context())})
}

// contextStream is a ServerStream with a replaced context.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

func (s *Server) unaryLog(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := next(ctx, req)
	s.logCall(ctx, info.FullMethod, start, err)
	return resp, err
}

func (s *Server) streamLog(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	start := time.Now()
	err := next(srv, ss)
	s.logCall(ss.Context(), info.FullMethod, start, err)
	return err
}

// logCall writes the one line of a finished call, at go-grpc-middleware's level for its code (INFO for
// OK and the caller's own mistakes, WARN for refusals and outages, ERROR for faults). It asks the
// logger first, so that a line below the configured level costs nothing.
func (s *Server) logCall(ctx context.Context, method string, start time.Time, err error) {
	code := status.Code(err)
	level := slog.Level(logging.DefaultServerCodeToLevel(code))
	if !s.log.Enabled(ctx, level) {
		return
	}
	service, name, _ := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("grpc.service", service),
		slog.String("grpc.method", name),
		slog.String("grpc.code", code.String()),
		slog.Duration("grpc.duration", time.Since(start)),
	)
	if c := rpc.CallFrom(ctx); c != nil {
		attrs = append(attrs, slog.String("request_id", c.RequestID))
		if c.UserID != "" {
			attrs = append(attrs, slog.String("user_id", c.UserID))
		}
	}
	if p, ok := peer.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("peer.address", p.Addr.String()))
	}
	if err != nil {
		// The error as the client sees it: mapped and masked by the step inside this one.
		attrs = append(attrs, slog.String("grpc.error", status.Convert(err).Message()))
	}
	s.log.LogAttrs(ctx, level, "finished call", attrs...)
}
