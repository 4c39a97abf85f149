package embedded_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

func TestPersistsAcrossRestartSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir") // a space must survive FerretDB's file: URI
	testPersistsAcrossRestart(t, embedded.Config{DataDir: dir})

	fi, err := os.Stat(filepath.Join(dir, "ferretdb"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("SQLite dir has mode %v, want 0700", perm)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "ferretdb", "*.sqlite")); len(files) == 0 {
		t.Errorf("no SQLite files in %s", filepath.Join(dir, "ferretdb"))
	}
}

func TestPersistsAcrossRestartPostgreSQL(t *testing.T) {
	testPersistsAcrossRestart(t, embedded.Config{PostgreSQLURL: storetest.PostgreSQL(t)})
}

// testPersistsAcrossRestart writes through the engine's listen address, as an
// operator's tool would, stops the engine, starts a new one on the same
// storage and address, and reads the document back.
func testPersistsAcrossRestart(t *testing.T, cfg embedded.Config) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg.ListenAddr = storetest.FreeAddr(t)
	cfg.Logger = storetest.Logger(t)
	uri := "mongodb://" + cfg.ListenAddr + "/"
	want := bson.D{{Key: "_id", Value: "u1"}, {Key: "name", Value: "Ada"}, {Key: "n", Value: int32(7)}}

	e := start(t, ctx, cfg)
	if e.Addr() != cfg.ListenAddr {
		t.Fatalf("Addr() = %q, want %q", e.Addr(), cfg.ListenAddr)
	}
	withClient(t, ctx, uri, func(coll *mongodriver.Collection) {
		if _, err := coll.InsertOne(ctx, want); err != nil {
			t.Fatalf("insert: %v", err)
		}
	})
	if err := e.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	e = start(t, ctx, cfg)
	defer e.Close(ctx)
	withClient(t, ctx, uri, func(coll *mongodriver.Collection) {
		var got bson.D
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "u1"}}).Decode(&got); err != nil {
			t.Fatalf("find after restart: %v", err)
		}
		if !equalDocs(got, want) {
			t.Fatalf("after restart got %v, want %v", got, want)
		}
	})
}

// TestLogsHoldNoDocuments provokes the errors FerretDB logs with document
// contents (a duplicate key: on PostgreSQL, its failed INSERT with the
// document as argument) and checks that none of it reaches Lanyard's log.
// pgx cuts logged arguments to 64 bytes, which FerretDB's jsonb fills with
// the document's field names: the marker is therefore a field name.
func TestLogsHoldNoDocuments(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) embedded.Config
	}{
		{"sqlite", func(t *testing.T) embedded.Config { return embedded.Config{DataDir: t.TempDir()} }},
		{"postgresql", func(t *testing.T) embedded.Config { return embedded.Config{PostgreSQLURL: storetest.PostgreSQL(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var log lockedBuffer
			cfg := tc.cfg(t)
			cfg.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			e := start(t, ctx, cfg)
			withClient(t, ctx, e.URI(), func(coll *mongodriver.Collection) {
				doc := bson.D{{Key: "_id", Value: 1}, {Key: "pii_marker", Value: "ada@example.com"}}
				if _, err := coll.InsertOne(ctx, doc); err != nil {
					t.Fatal(err)
				}
				if _, err := coll.InsertOne(ctx, doc); !mongodriver.IsDuplicateKeyError(err) {
					t.Fatalf("second insert: %v, want a duplicate key error", err)
				}
			})
			if err := e.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if out := log.String(); strings.Contains(out, "pii_marker") || strings.Contains(out, "example.com") {
				t.Fatalf("document contents reached the log:\n%s", out)
			}
		})
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDefaultListenAddrIsLoopback(t *testing.T) {
	ctx := t.Context()
	e := start(t, ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	defer e.Close(ctx)

	host, port, err := net.SplitHostPort(e.Addr())
	if err != nil {
		t.Fatalf("Addr() = %q: %v", e.Addr(), err)
	}
	if host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q, want 127.0.0.1 and a real port", e.Addr())
	}
	if want := "mongodb://" + e.Addr() + "/"; e.OperatorURI() != want {
		t.Fatalf("OperatorURI() = %q, want %q", e.OperatorURI(), want)
	}
}

func TestStartFailsOnUnreachablePostgreSQL(t *testing.T) {
	addr := storetest.FreeAddr(t) // nobody listens there
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := embedded.Start(ctx, embedded.Config{
		PostgreSQLURL: "postgres://lanyard:hunter2@" + addr + "/lanyard",
		Logger:        storetest.Logger(t),
	})
	if err == nil {
		t.Fatal("Start succeeded without a PostgreSQL server")
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	if !strings.Contains(msg, addr) || strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q should name %s on one line without the password", msg, addr)
	}
}

func TestStartFailsOnTakenAddr(t *testing.T) {
	ctx := t.Context()
	e := start(t, ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	defer e.Close(ctx)
	_, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir(), ListenAddr: e.Addr(), Logger: storetest.Logger(t)})
	if err == nil {
		t.Fatalf("a second engine started on %s", e.Addr())
	}
	// FerretDB panics in a finalizer when an engine it built is dropped without being closed: a failed
	// start must not leave one behind for the collector to find.
	runFinalizers(t)
	runFinalizers(t)
}

// runFinalizers collects garbage and waits until the finalizer of an object dropped after everything
// else has run, so that finalizers queued before it have had their turn.
func runFinalizers(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) { close(done) })
	sentinel = nil
	runtime.GC()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("finalizers did not run within 10 s")
	}
}

func start(t *testing.T, ctx context.Context, cfg embedded.Config) *embedded.Engine {
	t.Helper()
	e, err := embedded.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return e
}

// withClient runs fn with a collection reached through uri, and disconnects
// before returning so that stopping the engine does not wait for the client.
func withClient(t *testing.T, ctx context.Context, uri string, fn func(*mongodriver.Collection)) {
	t.Helper()
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer func() {
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("disconnect: %v", err)
		}
	}()
	fn(client.Database("persist").Collection("docs"))
}

func equalDocs(a, b bson.D) bool {
	ab, err1 := bson.Marshal(a)
	bb, err2 := bson.Marshal(b)
	return err1 == nil && err2 == nil && string(ab) == string(bb)
}

// startWithClient starts an engine for the rest of t and connects a client to it as Lanyard does.
func startWithClient(t *testing.T, cfg embedded.Config) (*embedded.Engine, *mongodriver.Client) {
	t.Helper()
	cfg.Logger = storetest.Logger(t)
	e := startUntilCleanup(t, cfg)
	client, err := mongodriver.Connect(options.Client().ApplyURI(e.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return e, client
}

// TestDataDirNames starts the SQLite engine on data dirs named with the
// characters that FerretDB's file: URI of its directory cannot carry: Start
// refuses each on one line naming the data dir, and writes nothing anywhere;
// a plain dir keeps its data across a restart.
func TestDataDirNames(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	t.Run("plain", func(t *testing.T) {
		testPersistsAcrossRestart(t, embedded.Config{DataDir: filepath.Join(t.TempDir(), "data-1.2_x")})
	})
	unsafe := []string{"#", "?", "%", "%41", "*", "["}
	if filepath.Separator != '\\' {
		unsafe = append(unsafe, `\`)
	}
	for _, c := range unsafe {
		t.Run(c, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "data"+c+"1")
			e, err := embedded.Start(ctx, embedded.Config{DataDir: dir, Logger: storetest.Logger(t)})
			if err == nil {
				_ = e.Close(ctx)
				t.Fatalf("Start on %q succeeded", dir)
			}
			msg := err.Error()
			if !strings.Contains(msg, strconv.Quote(dir)) || strings.Contains(msg, "\n") {
				t.Errorf("error %q should name %q on one line", msg, dir)
			}
			if left, _ := os.ReadDir(parent); len(left) > 0 {
				t.Errorf("a refused start left %v in %s", left, parent)
			}
		})
	}
}
