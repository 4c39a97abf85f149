package embedded_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/feed"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// recorder is a feed subscriber that keeps what it hears.
type recorder struct {
	mu      sync.Mutex
	changes []feed.Change
}

func (r *recorder) record(c feed.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
}

// take returns what was heard since the last take.
func (r *recorder) take() []feed.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.changes
	r.changes = nil
	return c
}

// describeChanges renders changes as "docs=[id→owner ...] users=[...]" or
// "all", joined by "; ".
func describeChanges(cs []feed.Change) string {
	var out []string
	for _, c := range cs {
		var parts []string
		if c.All {
			parts = append(parts, "all")
		}
		if c.Settled {
			parts = append(parts, "settled")
		}
		if len(c.Docs) > 0 {
			var docs []string
			for _, d := range c.Docs {
				docs = append(docs, rawString(d.ID)+"→"+rawString(d.Owner))
			}
			parts = append(parts, "docs=["+strings.Join(docs, " ")+"]")
		}
		if len(c.Users) > 0 {
			parts = append(parts, "users=["+strings.Join(c.Users, " ")+"]")
		}
		out = append(out, strings.Join(parts, " "))
	}
	return strings.Join(out, "; ")
}

func rawString(v bson.RawValue) string {
	if v.Type == 0 {
		return "∅"
	}
	return v.String()
}

func connect(t testing.TB, uri string) *mongodriver.Client {
	t.Helper()
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connect %s: %v", uri, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx)
	})
	return client
}

// TestOperatorWritesArePublished writes through the operator address as
// an operator's tool would and checks, as soon as each call returns, that
// the subscriber has heard exactly what the write may have done to owners.
func TestOperatorWritesArePublished(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	f := feed.New()
	var rec recorder
	defer f.Subscribe("app", "custom", "user_id", rec.record)()
	e := startUntilCleanup(t, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t), Feed: f})
	if e.Feed() != f {
		t.Fatal("Feed() is not Config.Feed")
	}

	client := connect(t, e.OperatorURI())
	custom := client.Database("app").Collection("custom")
	// Each write is published before it is passed on and again once FerretDB has answered it, both
	// before the client has the answer (TestProxyPublishesBeforeAnswering holds the proxy at each
	// point to see it).
	expect := func(what, want string) {
		t.Helper()
		if want != "" && !strings.HasSuffix(want, "settled") {
			want += "; " + want
		}
		if got := describeChanges(rec.take()); got != want {
			t.Errorf("%s: published %q, want %q", what, got, want)
		}
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	must(custom.InsertOne(ctx, bson.D{{Key: "_id", Value: "d1"}, {Key: "user_id", Value: "alice"}}))
	expect("insertOne", `docs=["d1"→"alice"]`)

	res, err := custom.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "d2"}, {Key: "user_id", Value: "bob"}},
		bson.D{{Key: "user_id", Value: "carol"}}, // the driver gives it an ObjectId
	})
	if err != nil {
		t.Fatal(err)
	}
	oid := res.InsertedIDs[1].(bson.ObjectID)
	expect("insertMany", fmt.Sprintf(`docs=["d2"→"bob" {"$oid":"%s"}→"carol"]`, oid.Hex()))

	must(custom.UpdateOne(ctx, bson.D{{Key: "_id", Value: "d1"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "user_id", Value: "dave"}}}}))
	expect("updateOne $set by _id", `docs=["d1"→"dave"]`)

	must(custom.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "d2"}}, bson.D{{Key: "user_id", Value: "erin"}, {Key: "n", Value: 1}}))
	expect("replaceOne by _id", `docs=["d2"→"erin"]`)

	must(custom.ReplaceOne(ctx, bson.D{{Key: "user_id", Value: "erin"}}, bson.D{{Key: "user_id", Value: "frank"}}))
	expect("replaceOne by owner", `users=[frank]`)

	must(custom.UpdateOne(ctx, bson.D{{Key: "user_id", Value: "gina"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 1}}}},
		options.UpdateOne().SetUpsert(true)))
	expect("upsert by user_id", `users=[gina]`)

	// FerretDB v1 refuses pipeline updates; reported all the same.
	_, _ = custom.UpdateMany(ctx, bson.D{}, mongodriver.Pipeline{{{Key: "$set", Value: bson.D{{Key: "user_id", Value: "x"}}}}})
	// The answer (FerretDB's refusal) settles it before the client has it.
	expect("updateMany with a pipeline", `all; settled`)

	var after bson.M
	if err := custom.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "d1"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "user_id", Value: "hank"}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after); err != nil {
		t.Fatal(err)
	}
	if after["user_id"] != "hank" {
		t.Fatalf("findOneAndUpdate returned %v", after)
	}
	expect("findOneAndUpdate", `docs=["d1"→"hank"]`)

	must(custom.DeleteOne(ctx, bson.D{{Key: "_id", Value: "d2"}}))
	expect("deleteOne", ``)
	must(client.Database("app").Collection("other").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "user_id", Value: "ivy"}}))
	must(client.Database("other").Collection("custom").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "user_id", Value: "ivy"}}))
	must(custom.Find(ctx, bson.D{{Key: "user_id", Value: "hank"}}))
	expect("writes elsewhere and reads", ``)

	// The upserted document is there, owned by gina, for whoever looks.
	var up bson.M
	if err := connect(t, e.URI()).Database("app").Collection("custom").FindOne(ctx, bson.D{{Key: "user_id", Value: "gina"}}).Decode(&up); err != nil {
		t.Fatalf("the upserted document: %v", err)
	}
}

// TestBothAddressesSeeTheSameData writes through each address and reads
// through the other; only the operator address reports.
func TestBothAddressesSeeTheSameData(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	e := startUntilCleanup(t, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	var rec recorder
	defer e.Feed().Subscribe("app", "custom", "user_id", rec.record)()

	op := connect(t, e.OperatorURI()).Database("app").Collection("custom")
	own := connect(t, e.URI()).Database("app").Collection("custom")
	if _, err := op.InsertOne(ctx, bson.D{{Key: "_id", Value: "via-operator"}, {Key: "user_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := own.InsertOne(ctx, bson.D{{Key: "_id", Value: "via-socket"}, {Key: "user_id", Value: "b"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		coll *mongodriver.Collection
		id   string
	}{{own, "via-operator"}, {op, "via-socket"}} {
		if err := c.coll.FindOne(ctx, bson.D{{Key: "_id", Value: c.id}}).Err(); err != nil {
			t.Errorf("reading %s through the other address: %v", c.id, err)
		}
	}
	if got := describeChanges(rec.take()); got != `docs=["via-operator"→"a"]; docs=["via-operator"→"a"]` {
		t.Errorf("published %q; want the operator's insert only, before and after it ran", got)
	}

	if !strings.HasPrefix(e.URI(), "mongodb://%2F") || !strings.HasSuffix(e.URI(), ".sock/") {
		t.Errorf("URI() = %q, want a Unix socket", e.URI())
	}
	dir := socketDir(t, e)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket directory %s has mode %v, want 0700", dir, perm)
	}
}

// socketDir returns the private directory of the engine's socket.
func socketDir(t *testing.T, e *embedded.Engine) string {
	t.Helper()
	host := strings.TrimSuffix(strings.TrimPrefix(e.URI(), "mongodb://"), "/")
	path, err := url.QueryUnescape(host)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(path)
}

// startUntilCleanup starts an engine that stops when t's cleanups run, after
// the clients that connect and register theirs later have disconnected
// (else FerretDB waits ~3 s for them).
func startUntilCleanup(t *testing.T, cfg embedded.Config) *embedded.Engine {
	t.Helper()
	e := start(t, t.Context(), cfg)
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return e
}

// TestLargeInsert sends an insert of several MB, which the driver puts in
// one message with a kind-1 section.
func TestLargeInsert(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	e := startUntilCleanup(t, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	var rec recorder
	defer e.Feed().Subscribe("app", "custom", "user_id", rec.record)()

	const n, size = 24, 512 << 10 // 12 MB
	pad := strings.Repeat("x", size)
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: int32(i)}, {Key: "user_id", Value: fmt.Sprint("u", i)}, {Key: "pad", Value: pad}}
	}
	if _, err := connect(t, e.OperatorURI()).Database("app").Collection("custom").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	var named int
	for _, c := range rec.take() {
		if c.All {
			t.Fatalf("All published for a plain insert")
		}
		named += len(c.Docs)
	}
	if named != 2*n { // before each message is passed on, and again once answered
		t.Errorf("%d documents published, want %d", named, 2*n)
	}
	count, err := connect(t, e.URI()).Database("app").Collection("custom").CountDocuments(ctx, bson.D{})
	if err != nil || count != n {
		t.Fatalf("count through URI() = %d, %v; want %d", count, err, n)
	}
}

// TestOperatorRefusesBadLengths checks that a message length below the
// header or above 48,000,000 bytes ends the connection, and that a good
// message gets its answer.
func TestOperatorRefusesBadLengths(t *testing.T) {
	e := startUntilCleanup(t, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})

	ping, err := bson.Marshal(bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 16, 64)
	msg = append(msg, 0, 0, 0, 0, 0) // flagBits, section kind 0
	msg = append(msg, ping...)
	binary.LittleEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:], 7)     // requestID
	binary.LittleEndian.PutUint32(msg[12:], 2013) // OP_MSG

	for _, tc := range []struct {
		name   string
		length uint32
		closed bool
	}{
		{"ping", uint32(len(msg)), false},
		{"short", 15, true},
		{"negative", 0xffffffff, true},
		{"too long", 48_000_001, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			m := bytes.Clone(msg)
			binary.LittleEndian.PutUint32(m, tc.length)
			if _, err := conn.Write(m); err != nil {
				t.Fatal(err)
			}
			var hdr [16]byte
			_, err = io.ReadFull(conn, hdr[:])
			if tc.closed {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
					t.Fatalf("read after a bad length: %v, want the connection closed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			if got := binary.LittleEndian.Uint32(hdr[8:]); got != 7 {
				t.Fatalf("answer to request %d, want 7", got)
			}
		})
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// TestCloseStopsEverything leaves an operator's client connected and checks
// that Close cuts it off without FerretDB's grace period, stops the operator
// address, removes the private socket and leaves no goroutine behind.
func TestCloseStopsEverything(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg := embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)}
	// A first engine, so that what FerretDB starts once per process exists
	// before counting.
	if err := start(t, ctx, cfg).Close(ctx); err != nil {
		t.Fatal(err)
	}
	before := engineGoroutines()

	e := start(t, ctx, cfg)
	var rec recorder
	defer e.Feed().Subscribe("app", "custom", "user_id", rec.record)()
	own, err := mongodriver.Connect(options.Client().ApplyURI(e.URI()))
	if err != nil {
		t.Fatal(err)
	}
	operator, err := mongodriver.Connect(options.Client().ApplyURI(e.OperatorURI()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*mongodriver.Client{own, operator} {
		if _, err := c.Database("app").Collection("custom").InsertOne(ctx, bson.D{{Key: "user_id", Value: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := own.Disconnect(ctx); err != nil { // Lanyard's stores close first
		t.Fatal(err)
	}
	dir := socketDir(t, e)

	began := time.Now()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("Close took %v with an operator connected: its connection was not cut", took)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s after Close: %v", dir, err)
	}
	if conn, err := net.DialTimeout("tcp", e.Addr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("operator address %s still accepts after Close", e.Addr())
	}
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	_ = operator.Disconnect(dctx)
	dcancel()

	// Close has waited for them, but the last one signals Close as its final act and may not have
	// returned yet: give it until a generous deadline to be gone.
	after := engineGoroutines()
	for deadline := time.Now().Add(10 * time.Second); len(after) > len(before) && time.Now().Before(deadline); after = engineGoroutines() {
		time.Sleep(10 * time.Millisecond)
	}
	if len(after) > len(before) {
		t.Fatalf("%d goroutines of the engine after Close, %d before:\n%s", len(after), len(before), strings.Join(after, "\n\n"))
	}
}

// engineGoroutines returns the stacks of the goroutines running the
// engine's code or FerretDB's, at one instant (a count of all goroutines
// would include the driver's, which end in their own time).
func engineGoroutines() []string {
	buf := make([]byte, 1<<22)
	var out []string
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "lanyard/store/embedded.") || strings.Contains(g, "FerretDB/FerretDB/") {
			out = append(out, g)
		}
	}
	return out
}

// TestRestartKeepsTheSocket checks that an engine started again on the same
// store serves the same URI, so that Lanyard's driver client reconnects.
func TestRestartKeepsTheSocket(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg := embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)}
	e := start(t, ctx, cfg)
	uri := e.URI()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	e = startUntilCleanup(t, cfg)
	if e.URI() != uri {
		t.Fatalf("URI() after a restart = %q, was %q", e.URI(), uri)
	}
	if err := connect(t, uri).Ping(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
