package server_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// TestWatchSendsOnlyChanges: streams opened all at once, many more than are read at a time, each get
// their user's document first; polls that find nothing new send nothing, so that the next message is the
// next change.
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
	// Let the poller see every user twice.
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

// TestWatchPollWakesOnlyChangedStreams: a poll wakes the streams of the users whose documents another
// writer changed since the streams read them, the first poll included, and no other stream: each would
// read its document again for nothing.
func TestWatchPollWakesOnlyChangedStreams(t *testing.T) {
	cfg := testConfig(t)
	// The test polls when it means to (PollWatchers); the hub's own ticker does not fire during it.
	cfg.CustomDataPollInterval = time.Hour
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type watching struct {
		userID string
		stream lanyardv1.CustomDataService_WatchCustomDataClient
	}
	var all []watching
	for i := range 4 {
		u := anonLogin(t, ts)
		if i%2 == 0 {
			if _, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"n": 0}`)}); err != nil {
				t.Fatal(err)
			}
		}
		st, err := ts.data.WatchCustomData(withBearer(ctx, u.GetAccessToken()), &lanyardv1.WatchCustomDataRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Recv(); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		all = append(all, watching{userID: u.GetUserId(), stream: st})
	}
	poll := func() int64 {
		before := ts.WatchWakes()
		ts.PollWatchers(ctx)
		return ts.WatchWakes() - before
	}
	// Another writer changes user 0's document and gives user 1 one, after the streams read them and
	// before the hub's first poll.
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "user_id", Value: all[0].userID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InsertOne(ctx, bson.D{{Key: "user_id", Value: all[1].userID}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	if n := poll(); n != 2 {
		t.Fatalf("the first poll after two users' documents changed woke the streams of %d users", n)
	}
	for i, w := range all[:2] {
		next, err := w.stream.Recv()
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if n := next.GetData().GetFields()["n"].GetNumberValue(); n != 1 {
			t.Fatalf("stream %d sent n = %v after the change, want 1", i, n)
		}
	}
	if n := poll(); n != 0 {
		t.Fatalf("a poll that found no document changed woke the streams of %d users", n)
	}
}

// withBearer is bearer on a context of the caller's.
func withBearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}
