package embedded_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

const inUseText = "is already in use by another lanyard process (one process per embedded store; run replicas on MongoDB)"

// wantInUse checks that a second engine on a store was refused, saying so about where.
func wantInUse(t *testing.T, e *embedded.Engine, err error, where string) {
	t.Helper()
	if err == nil {
		_ = e.Close(context.Background())
		t.Fatalf("a second engine started on %s", where)
	}
	if !errors.Is(err, embedded.ErrInUse) {
		t.Fatalf("second engine on %s: %v, want ErrInUse", where, err)
	}
	if msg := err.Error(); !strings.Contains(msg, where) || !strings.Contains(msg, inUseText) || strings.Contains(msg, "\n") {
		t.Errorf("error %q should name %s and say it %s, on one line", msg, where, inUseText)
	}
}

// TestOneEnginePerDataDir: while an engine runs on a data dir, another is refused; once it stops, the
// next one starts.
func TestOneEnginePerDataDir(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "data")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := embedded.Config{DataDir: dir, Logger: storetest.Logger(t)}
	first := start(t, ctx, cfg)

	second, err := embedded.Start(ctx, cfg)
	wantInUse(t, second, err, abs)
	other := start(t, ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	if err := other.Close(ctx); err != nil {
		t.Fatal(err)
	}

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	next := start(t, ctx, cfg)
	if err := next.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestOneEnginePerPostgreSQLDatabase: while an engine runs on a database, another is refused, while one
// on another database of the same server runs; once the first stops, its lock connection is gone and
// the next one starts.
func TestOneEnginePerPostgreSQLDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	dbA, dbB := storetest.PostgreSQL(t), storetest.PostgreSQL(t)
	u, err := url.Parse(dbA)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	cfgA := embedded.Config{PostgreSQLURL: dbA, Logger: storetest.Logger(t)}
	first := start(t, ctx, cfgA)

	second, err := embedded.Start(ctx, cfgA)
	wantInUse(t, second, err, "PostgreSQL database "+u.Host+"/"+name)

	// Another database of the same server is another store.
	other := start(t, ctx, embedded.Config{PostgreSQLURL: dbB, Logger: storetest.Logger(t)})
	withClient(t, ctx, other.URI(), func(coll *mongodriver.Collection) {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "b"}}); err != nil {
			t.Fatalf("insert into the engine on the other database: %v", err)
		}
	})
	if err := other.Close(ctx); err != nil {
		t.Fatal(err)
	}

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sessionsOn(t, ctx, dbB, name); n != 0 {
		t.Errorf("%d sessions still on %s after the engine stopped (a leaked lock connection?)", n, name)
	}
	next := start(t, ctx, cfgA)
	if err := next.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// sessionsOn counts the server's sessions on database name, asked through another database's URL.
func sessionsOn(t *testing.T, ctx context.Context, viaURL, name string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, viaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
