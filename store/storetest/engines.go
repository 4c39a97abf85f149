package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/feed"
)

// Environment of the engine matrix.
const (
	// EnvMongoDBURI names a MongoDB to run against as well. Each test uses
	// fresh databases on it (see DatabaseName), dropped afterwards.
	EnvMongoDBURI = "LANYARD_TEST_MONGODB_URI"

	// EnvRequirePostgreSQL=1 (CI sets it) turns an unreachable PostgreSQL
	// from a skip into a failure, so the PostgreSQL engine cannot drop out
	// of CI unnoticed.
	EnvRequirePostgreSQL = "LANYARD_TEST_REQUIRE_POSTGRES"

	// EnvPostgreSQLURL overrides the PostgreSQL server the tests create
	// their databases on (a postgres:// URL of an existing database the
	// user may connect to, with the right to create databases).
	EnvPostgreSQLURL = "LANYARD_TEST_POSTGRES_URL"

	// DefaultPostgreSQLURL is the server of the development machines and CI:
	// trust authentication on loopback.
	DefaultPostgreSQLURL = "postgres://postgres@127.0.0.1:5432/postgres"
)

// Engine is one engine of the matrix, running.
type Engine struct {
	Name string // sqlite, postgresql or mongodb: the subtest name
	URI  string // mongodb:// URI for the driver: what Lanyard's stores use
	// OperatorURI is where other tools (an operator's mongosh or backend) connect. On the embedded
	// engines their writes are reported on Feed, so tests that write "as another tool" use it.
	OperatorURI string
	// Feed reports the writes made through OperatorURI (nil on MongoDB, where nothing reports them):
	// stores given it keep the owner index of the custom data collection.
	Feed *feed.Feed
}

// engineKind knows how to start one engine for the duration of t. start
// fails t on errors; it returns a non-nil reason when the engine is not
// available here.
type engineKind struct {
	name  string
	start func(t *testing.T) (Engine, error)
}

var engineKinds = []engineKind{
	{"sqlite", startSQLite},
	{"postgresql", startPostgreSQL},
	{"mongodb", startMongoDB},
}

// ForEachEngine runs fn in one subtest per engine (named sqlite, postgresql,
// mongodb). Each engine runs for its subtest only. Engines that are not
// available here are skipped loudly: on stderr and in the test log.
func ForEachEngine(t *testing.T, fn func(t *testing.T, uri string)) {
	ForEach(t, func(t *testing.T, e Engine) { fn(t, e.URI) })
}

// ForEach is ForEachEngine for tests that need more of the engine than its URI.
func ForEach(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, k := range engineKinds {
		t.Run(k.name, func(t *testing.T) {
			e, unavailable := k.start(t)
			if unavailable != nil {
				skipEngine(t, k.name, unavailable)
			}
			fn(t, e)
		})
	}
}

// Engines starts every available engine for the duration of t and returns
// them; unavailable ones are reported as in ForEachEngine, without skipping
// t itself.
func Engines(t *testing.T) []Engine {
	var engines []Engine
	for _, k := range engineKinds {
		e, unavailable := k.start(t)
		if unavailable != nil {
			reportSkip(t, k.name, unavailable)
			continue
		}
		engines = append(engines, e)
	}
	return engines
}

// skipEngine reports the engine as skipped and skips t.
func skipEngine(t testing.TB, name string, reason error) {
	t.Helper()
	reportSkip(t, name, reason)
	t.SkipNow()
}

var reported sync.Map // engine name → struct{}: one stderr line per process

// reportSkip says loudly that an engine does not run, or fails t when CI
// requires it.
func reportSkip(t testing.TB, name string, reason error) {
	t.Helper()
	if name == "postgresql" && os.Getenv(EnvRequirePostgreSQL) == "1" {
		t.Fatalf("storetest: FerretDB-PostgreSQL is required (%s=1): %v", EnvRequirePostgreSQL, reason)
	}
	line := fmt.Sprintf("storetest: SKIPPING %s: %v", engineTitle(name), reason)
	t.Log(line)
	if _, done := reported.LoadOrStore(name, struct{}{}); !done {
		fmt.Fprintln(os.Stderr, line)
	}
}

func engineTitle(name string) string {
	switch name {
	case "sqlite":
		return "FerretDB-SQLite"
	case "postgresql":
		return "FerretDB-PostgreSQL"
	default:
		return "MongoDB"
	}
}

func startSQLite(t *testing.T) (Engine, error) {
	return startEmbedded(t, "sqlite", embedded.Config{DataDir: t.TempDir()}), nil
}

func startPostgreSQL(t *testing.T) (Engine, error) {
	pgURL, err := freshPostgreSQLDatabase(t)
	if err != nil {
		return Engine{}, err
	}
	return startEmbedded(t, "postgresql", embedded.Config{PostgreSQLURL: pgURL}), nil
}

func startMongoDB(t *testing.T) (Engine, error) {
	uri := os.Getenv(EnvMongoDBURI)
	if uri == "" {
		return Engine{}, fmt.Errorf("%s is not set", EnvMongoDBURI)
	}
	t.Cleanup(func() { dropTestDatabases(t, uri) })
	return Engine{Name: "mongodb", URI: uri, OperatorURI: uri}, nil
}

// startEmbedded starts an embedded engine for the duration of t.
func startEmbedded(t *testing.T, name string, cfg embedded.Config) Engine {
	t.Helper()
	cfg.Logger = Logger(t)
	e, err := embedded.Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("storetest: start embedded engine: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("storetest: stop embedded engine: %v", err)
		}
	})
	return Engine{Name: name, URI: e.URI(), OperatorURI: e.OperatorURI(), Feed: e.Feed()}
}

// PostgreSQL returns the URL of a fresh, empty PostgreSQL database that is
// dropped when t ends. When the server cannot be reached it skips t loudly,
// or fails it if EnvRequirePostgreSQL is 1.
func PostgreSQL(t testing.TB) string {
	t.Helper()
	u, err := freshPostgreSQLDatabase(t)
	if err != nil {
		skipEngine(t, "postgresql", err)
	}
	return u
}

// freshPostgreSQLDatabase creates lanyard_test_<random> on the test server
// and drops it when t ends. Its error means "not available here"; failures
// after the server answered fail t.
func freshPostgreSQLDatabase(t testing.TB) (string, error) {
	t.Helper()
	adminURL := os.Getenv(EnvPostgreSQLURL)
	if adminURL == "" {
		adminURL = DefaultPostgreSQLURL
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL", EnvPostgreSQLURL)
	}

	// Generous: a loaded machine (CI runs many packages at once) can take seconds to create a database,
	// and a server that is not there fails the connection at once anyway (refused).
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("%s unreachable: %s", u.Host, embedded.RootCause(err))
	}
	defer conn.Close(context.Background())

	name := "lanyard_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: create PostgreSQL database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("storetest: drop PostgreSQL database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// FORCE: an engine that failed to stop must not leave the database behind.
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop PostgreSQL database %s: %v", name, err)
		}
	})

	u.Path = "/" + name
	return u.String(), nil
}

// runPrefix starts the name of every database this process creates on a
// shared MongoDB, so that cleanup drops exactly those.
var (
	runPrefix = "lanyard_test_" + randomHex(4) + "_"
	dbCounter atomic.Int64
)

// DatabaseName returns a database name no other test (in this process or
// another) uses. On the mongodb engine, databases named so are dropped when
// the engine's subtest ends.
func DatabaseName(t *testing.T) string {
	return fmt.Sprintf("%s%d", runPrefix, dbCounter.Add(1))
}

// dropTestDatabases drops the databases this process created on a MongoDB.
func dropTestDatabases(t *testing.T, uri string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Errorf("storetest: drop test databases: %v", err)
		return
	}
	defer client.Disconnect(ctx)
	names, err := client.ListDatabaseNames(ctx, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^" + runPrefix}}}})
	if err != nil {
		t.Errorf("storetest: drop test databases: %v", err)
		return
	}
	for _, n := range names {
		if err := client.Database(n).Drop(ctx); err != nil {
			t.Errorf("storetest: drop %s: %v", n, err)
		}
	}
}

// Logger returns a logger that writes to t's log, so that what the code
// under test logs shows next to the failure it explains.
func Logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// FreeAddr returns a loopback host:port that was free a moment ago, for
// tests that need an engine at a fixed address (to restart it there).
func FreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("storetest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}
