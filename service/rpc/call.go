package rpc

import "context"

// callKey is the context key of the call's *Call.
type callKey struct{}

// Call is what the log line of a call names besides its method and code. The request id step makes it;
// authentication, further in, fills in the user, which the logging step, further out, could not see in
// a context of its own.
type Call struct {
	RequestID string
	UserID    string
}

// CallFrom is the record of the call in ctx, nil outside a call.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// RequestID returns the id of the call in ctx, or "-" outside a call.
func RequestID(ctx context.Context) string {
	if c := CallFrom(ctx); c != nil {
		return c.RequestID
	}
	return "-"
}

// WithCall starts the record of a call whose request id is id.
func WithCall(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, callKey{}, &Call{RequestID: id})
}
