package server_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// TestWatchSendsOnlyChanges: streams opened all at once, many more than are read at a time, each get
// their user's document first; wake-ups that find nothing new (the poller wakes every stream whose user
// it sees for the first time) send nothing, so that the next message is the next change.
func TestWatchSendsOnlyChanges(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataPollInterval = 50 * time.Millisecond
	ts := startServer(t, cfg)
	const streams = 100
	type watching struct {
		token  string
		stream lanyardv1.CustomDataService_WatchCustomDataClient
	}
	var all []watching
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range streams {
		u := anonLogin(t, ts)
		if i%2 == 0 {
			// Half the users have a document from the start.
			if _, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"n": 0}`)}); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, watching{token: u.GetAccessToken()})
	}
	for i := range all {
		st, err := ts.data.WatchCustomData(withBearer(ctx, all[i].token), &lanyardv1.WatchCustomDataRequest{})
		if err != nil {
			t.Fatal(err)
		}
		all[i].stream = st
	}
	for i, w := range all {
		first, err := w.stream.Recv()
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if n, has := first.GetData().GetFields()["n"]; has != (i%2 == 0) || n.GetNumberValue() != 0 {
			t.Fatalf("stream %d starts with %v", i, first.GetData())
		}
	}
	// Let the poller see every user, and wake every stream, twice.
	for polls := ts.WatchPolls(); ts.WatchPolls() < polls+2; {
		select {
		case <-ctx.Done():
			t.Fatal("the poller did not poll twice")
		case <-time.After(10 * time.Millisecond):
		}
	}
	for i, w := range all {
		if _, err := ts.data.UpdateCustomData(bearer(w.token), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"n": 1}`)}); err != nil {
			t.Fatal(err)
		}
		next, err := w.stream.Recv()
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if n := next.GetData().GetFields()["n"].GetNumberValue(); n != 1 {
			t.Fatalf("stream %d: the message after the first has n = %v, want the change (1)", i, n)
		}
	}
}

// withBearer is bearer on a context of the caller's.
func withBearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}
