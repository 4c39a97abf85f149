package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// Reconnection backoff of Watch: doubling from watchBackoffMin to watchBackoffMax, each wait drawn
// between half and all of the step so that many clients cut off by one server restart do not all
// come back in the same instant.
const (
	watchBackoffMin = 250 * time.Millisecond
	watchBackoffMax = 30 * time.Second
)

// Watch follows a user's custom data document through WatchCustomData, calling fn with the document
// (nil when there is none) and its version: first the current state, then after every change. userID
// is empty for the session's own user; another user's id needs a server principal.
//
// When the stream breaks with UNAVAILABLE (the server restarting, the store lost, the network down) or
// ends unexpectedly, Watch reconnects with backoff; the state sent on reconnecting is passed to fn
// only if it differs from the last one fn saw. Expired access tokens are refreshed by the session.
// Watch returns when ctx is done (ctx's error), when fn returns an error (that error), or on any other
// failure (PERMISSION_DENIED, a revoked session: the gRPC error).
func Watch(ctx context.Context, s *Session, userID string, fn func(data json.RawMessage, version int64) error) error {
	var (
		seen     bool
		lastData json.RawMessage
		lastVer  int64
		backoff  = watchBackoffMin
	)
	// receive runs one stream until it breaks; its context ends the stream whatever way receive returns.
	receive := func() error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := s.c.data.WatchCustomData(ctx, &lanyardv1.WatchCustomDataRequest{UserId: userID}, s.CallOption())
		if err != nil {
			return err
		}
		for {
			msg, err := stream.Recv()
			if err != nil {
				return err
			}
			backoff = watchBackoffMin // the connection works again
			data, err := structJSON(msg.GetData())
			if err != nil {
				return stop{err}
			}
			if seen && msg.GetVersion() == lastVer && bytes.Equal(data, lastData) {
				continue // the state every (re)connection starts with, already delivered
			}
			seen, lastData, lastVer = true, data, msg.GetVersion()
			if err := fn(data, msg.GetVersion()); err != nil {
				return stop{err}
			}
		}
	}
	for {
		err := receive()
		if st, ok := err.(stop); ok {
			return st.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !errors.Is(err, io.EOF) && status.Code(err) != codes.Unavailable {
			return err
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(backoff*2, watchBackoffMax)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// stop carries an error that ends Watch as it is, without reconnecting.
type stop struct{ err error }

func (s stop) Error() string { return s.err.Error() }
