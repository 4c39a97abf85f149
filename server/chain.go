package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"runtime/debug"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
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
//     unreachable. After authentication, so that an outage never tells an anonymous caller more than a
//     bad token would.
//  7. validation: checks request fields and answers INVALID_ARGUMENT with BadRequest details, so that
//     handlers only see well-formed requests. Last, because only authorized callers deserve the detail.
func (s *Server) interceptors(metrics *grpcprom.ServerMetrics) ([]grpc.UnaryServerInterceptor, []grpc.StreamServerInterceptor) {
	logOpts := []logging.Option{
		logging.WithLogOnEvents(logging.FinishCall),
		logging.WithFieldsFromContext(func(ctx context.Context) logging.Fields {
			f := logging.Fields{"request_id", requestIDFrom(ctx)}
			if p, ok := principalFrom(ctx); ok {
				f = append(f, "user_id", p.UserID)
			}
			return f
		}),
	}
	logger := slogAdapter(s.log)
	recoverOpt := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		s.log.ErrorContext(ctx, "panic in handler", "request_id", requestIDFrom(ctx), "panic", p, "stack", string(debug.Stack()))
		return errPanic
	})
	unary := []grpc.UnaryServerInterceptor{
		unaryRequestID,
		metrics.UnaryServerInterceptor(),
		logging.UnaryServerInterceptor(logger, logOpts...),
		s.unaryErrors,
		recovery.UnaryServerInterceptor(recoverOpt),
		s.unaryAuth,
		s.unaryAvailability,
		unaryValidate,
	}
	stream := []grpc.StreamServerInterceptor{
		streamRequestID,
		metrics.StreamServerInterceptor(),
		logging.StreamServerInterceptor(logger, logOpts...),
		s.streamErrors,
		recovery.StreamServerInterceptor(recoverOpt),
		s.streamAuth,
		s.streamAvailability,
		streamValidate,
	}
	return unary, stream
}

// errPanic is what a recovered panic becomes; the error mapper turns it into a masked INTERNAL.
var errPanic = panicError{}

type panicError struct{}

func (panicError) Error() string { return "panic in handler" }

// slogAdapter lets go-grpc-middleware's logging interceptor write through slog.
func slogAdapter(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}

func (s *Server) unaryErrors(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	resp, err := next(ctx, req)
	if err != nil {
		return nil, toStatus(ctx, s.log, err).Err()
	}
	return resp, nil
}

func (s *Server) streamErrors(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	if err := next(srv, ss); err != nil {
		return toStatus(ss.Context(), s.log, err).Err()
	}
	return nil
}

func (s *Server) unaryAvailability(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if err := s.checkStore(info.FullMethod); err != nil {
		return nil, err
	}
	return next(ctx, req)
}

func (s *Server) streamAvailability(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	if err := s.checkStore(info.FullMethod); err != nil {
		return err
	}
	return next(srv, ss)
}

func (s *Server) checkStore(method string) error {
	if policy[method].store && !s.store.Healthy() {
		return storeUnavailable
	}
	return nil
}

var storeUnavailable = newError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_STORE_UNAVAILABLE, "the store is unreachable; retry later")

// requestIDKey is the context key of the request id.
type requestIDKey struct{}

// requestIDFrom returns the id of the call in ctx, or "-" outside a call.
func requestIDFrom(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return id
	}
	return "-"
}

// withRequestID takes the caller's x-request-id when it is short and plain (so that ids can be followed
// across services), otherwise makes one, and echoes it in the response header.
func withRequestID(ctx context.Context) context.Context {
	id := ""
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("x-request-id"); len(v) == 1 && plainID(v[0]) {
			id = v[0]
		}
	}
	if id == "" {
		var b [10]byte
		_, _ = rand.Read(b[:])
		id = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", id))
	return context.WithValue(ctx, requestIDKey{}, id)
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
