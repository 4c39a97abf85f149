package client

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The retry interceptors need to know which session's token a failed call carried, and which
// generation of it: the session may be attached per call or to the whole connection, and only the
// session itself sees it being used. So the interceptor puts a sentToken in the call's context and the
// session's GetRequestMetadata (which gRPC calls with that context) fills it in.
type sentKey struct{}

type sentToken struct {
	mu      sync.Mutex
	session *Session
	gen     uint64
}

func (t *sentToken) record(s *Session, gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.session, t.gen = s, gen
}

// retryWith returns the session to refresh before retrying a call that failed with err, or nil when
// the call must not be retried: it did not carry a session token, or the server did not reject that
// token as expired or invalid. SESSION_REVOKED and the like are final: a refresh cannot fix them.
func (t *sentToken) retryWith(err error) (*Session, uint64) {
	t.mu.Lock()
	s, gen := t.session, t.gen
	t.mu.Unlock()
	if s == nil || !tokenRejected(err) {
		return nil, 0
	}
	return s, gen
}

func tokenRejected(err error) bool {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unauthenticated {
		return false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			return info.GetReason() == reasonTokenExpired || info.GetReason() == reasonTokenInvalid
		}
	}
	return false
}

// retryUnary retries a unary call once, after a refresh, when the server rejected the session token it
// carried. The retry carries no sentToken, so it is never retried again. Retrying is safe for any
// method: a rejected token stops the call in the server's authentication step, before the handler.
func retryUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	sent := &sentToken{}
	err := invoker(context.WithValue(ctx, sentKey{}, sent), method, req, reply, cc, opts...)
	if err == nil {
		return nil
	}
	s, gen := sent.retryWith(err)
	if s == nil {
		return err
	}
	if rerr := s.refreshAfter(ctx, gen); rerr != nil {
		return rerr
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// retryStream does the same for server-streaming calls (the only streams in Lanyard's API): the token
// is checked when the stream opens, and the rejection arrives with the first RecvMsg. The stream is
// then reopened with the request it was sent, once, provided no message had been received.
// Client-streaming and bidirectional calls are passed through untouched.
func retryStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if desc.ClientStreams || !desc.ServerStreams {
		return streamer(ctx, desc, cc, method, opts...)
	}
	sent := &sentToken{}
	cs, err := streamer(context.WithValue(ctx, sentKey{}, sent), desc, cc, method, opts...)
	if err != nil {
		return nil, err
	}
	return &retryingStream{ClientStream: cs, sent: sent, ctx: ctx, desc: desc, cc: cc, method: method, streamer: streamer, opts: opts}, nil
}

// retryingStream wraps a server-streaming call. Like any grpc.ClientStream, it must not be used by
// several goroutines for the same direction at once.
type retryingStream struct {
	grpc.ClientStream
	sent     *sentToken
	ctx      context.Context
	desc     *grpc.StreamDesc
	cc       *grpc.ClientConn
	method   string
	streamer grpc.Streamer
	opts     []grpc.CallOption

	req       any  // the request message, to send again on the new stream
	closeSent bool // CloseSend was called, to call again on the new stream
	received  bool // a message arrived: the call is under way and is never retried
	retried   bool
}

func (r *retryingStream) SendMsg(m any) error {
	r.req = m
	return r.ClientStream.SendMsg(m)
}

func (r *retryingStream) CloseSend() error {
	r.closeSent = true
	return r.ClientStream.CloseSend()
}

func (r *retryingStream) RecvMsg(m any) error {
	err := r.ClientStream.RecvMsg(m)
	if err == nil {
		r.received = true
		return nil
	}
	if r.received || r.retried || r.req == nil {
		return err
	}
	s, gen := r.sent.retryWith(err)
	if s == nil {
		return err
	}
	r.retried = true
	if rerr := s.refreshAfter(r.ctx, gen); rerr != nil {
		return rerr
	}
	cs, err := r.streamer(r.ctx, r.desc, r.cc, r.method, r.opts...)
	if err != nil {
		return err
	}
	r.ClientStream = cs
	// io.EOF from SendMsg means the stream already ended; RecvMsg returns its status.
	if err := cs.SendMsg(r.req); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if r.closeSent {
		if err := cs.CloseSend(); err != nil {
			return err
		}
	}
	return r.RecvMsg(m)
}
