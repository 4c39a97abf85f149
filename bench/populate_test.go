//go:build linux

package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/server"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	storemongo "github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// EnvBenchCache names a directory where populated stores are kept between runs, so that a large
// population is built once. PostgreSQL populations are kept as template databases on the server, named
// lanyard_popbench_<users>_<key> (see cacheKey). Nothing is ever removed from the cache: populations
// written by two versions of the store are both kept, so that runs can alternate between the versions.
const EnvBenchCache = "LANYARD_BENCH_CACHE"

// populationFormat changes whenever what a population holds changes, so that no cached store built
// differently is reused.
const populationFormat = "1"

// The email/password user every population holds.
const (
	benchEmail    = "bench@lanyard.example"
	benchPassword = "population-bench-password"
)

// docBlob fills a custom data document to about 100 bytes of BSON with its _id and a user id field.
var docBlob = strings.Repeat("x", 29)

// populated is a store holding a population, ready for `lanyard serve`.
type populated struct {
	args     []string // the flags that point `lanyard serve` at it
	database string   // the PostgreSQL database, for its backends' CPU; empty on SQLite
}

// cacheKey names a population as the current code would write it: a store written by other code (before
// a change of the layout of the records, or of the FerretDB version) is not the one to measure.
func cacheKey(b *testing.B) string {
	h := sha256.New()
	fmt.Fprintf(h, "format %s\n", populationFormat)
	for _, dir := range []string{"../store", "../store/mongo", "../store/embedded"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			b.Fatal(err)
		}
		slices.Sort(files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(h, "%s %d\n", f, len(raw))
			h.Write(raw)
		}
	}
	raw, err := os.ReadFile("../go.mod")
	if err != nil {
		b.Fatal(err)
	}
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// populateSQLite returns a data dir of its own holding users, copied from the cache when there is one.
func populateSQLite(b *testing.B, users int) populated {
	dir := b.TempDir()
	cache := os.Getenv(EnvBenchCache)
	if cache == "" {
		fill(b, embedded.Config{DataDir: dir}, users)
		return populated{args: []string{"--data-dir", dir}}
	}
	cached := filepath.Join(cache, fmt.Sprintf("sqlite-%d-%s", users, cacheKey(b)))
	if _, err := os.Stat(cached); errors.Is(err, os.ErrNotExist) {
		// Built beside its final name and renamed once complete, so that an interrupted build is never
		// taken for a population.
		building := cached + ".building-" + randomSuffix()
		b.Cleanup(func() { _ = os.RemoveAll(building) })
		fill(b, embedded.Config{DataDir: building}, users)
		if err := os.Rename(building, cached); err != nil {
			b.Fatal(err)
		}
	} else if err != nil {
		b.Fatal(err)
	} else {
		b.Logf("sqlite, %d users: reusing the population in %s", users, cached)
	}
	// Every run measures a copy: the runs add users and sessions.
	if err := os.CopyFS(dir, os.DirFS(cached)); err != nil {
		b.Fatalf("copy the cached population: %v", err)
	}
	return populated{args: []string{"--data-dir", dir}}
}

// postgresAdminURL is the PostgreSQL database the benchmark connects to in order to create its own.
func postgresAdminURL() string {
	if u := os.Getenv(storetest.EnvPostgreSQLURL); u != "" {
		return u
	}
	return storetest.DefaultPostgreSQLURL
}

// postgresReachable says why PostgreSQL cannot be used here, or nil.
func postgresReachable(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresAdminURL())
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s unreachable: %s", hostOf(postgresAdminURL()), embedded.RootCause(err))
	}
	return conn.Close(ctx)
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Host
}

// populatePostgreSQL returns a database of its own holding users, copied from a template database when
// a cache is set, and dropped when b ends.
func populatePostgreSQL(b *testing.B, users int) populated {
	ctx := context.Background()
	admin := adminConn(b)
	run := "lanyard_popbench_run_" + randomSuffix()
	drop := func(name string) {
		b.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			// FORCE: a server that failed to stop must not leave the database behind.
			if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				b.Errorf("drop PostgreSQL database %s: %v", name, err)
			}
		})
	}
	if os.Getenv(EnvBenchCache) == "" {
		pgExec(b, admin, "CREATE DATABASE "+run)
		drop(run)
		fill(b, embedded.Config{PostgreSQLURL: databaseURL(b, run)}, users)
		return populated{args: []string{"--embedded-postgres-url", databaseURL(b, run)}, database: run}
	}

	template := fmt.Sprintf("lanyard_popbench_%d_%s", users, cacheKey(b))
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", template).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		// Renamed once complete, as on SQLite.
		building := "lanyard_popbench_building_" + randomSuffix()
		pgExec(b, admin, "CREATE DATABASE "+building)
		drop(building)
		fill(b, embedded.Config{PostgreSQLURL: databaseURL(b, building)}, users)
		copyDatabase(b, admin, building, template, true)
	} else {
		b.Logf("postgresql, %d users: reusing the population in database %s", users, template)
	}
	copyDatabase(b, admin, template, run, false)
	drop(run)
	return populated{args: []string{"--embedded-postgres-url", databaseURL(b, run)}, database: run}
}

func adminConn(b *testing.B) *pgx.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresAdminURL())
	if err != nil {
		b.Fatalf("PostgreSQL at %s: %s", hostOf(postgresAdminURL()), embedded.RootCause(err))
	}
	b.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pgExec(b *testing.B, conn *pgx.Conn, sql string) {
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// copyDatabase makes to a copy of from, or renames from to to. PostgreSQL refuses both while a session
// is connected to from, after waiting a few seconds for such sessions to end: the engine's end a moment
// after it has stopped.
func copyDatabase(b *testing.B, conn *pgx.Conn, from, to string, rename bool) {
	sql := "CREATE DATABASE " + to + " TEMPLATE " + from
	if rename {
		sql = "ALTER DATABASE " + from + " RENAME TO " + to
	}
	pgExec(b, conn, sql)
}

func databaseURL(b *testing.B, name string) string {
	u, err := url.Parse(postgresAdminURL())
	if err != nil {
		b.Fatalf("%s is not a URL", storetest.EnvPostgreSQLURL)
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// fill writes users to the store of cfg through the same store the server uses, with the engine in this
// process, before any server runs on it: users anonymous users with a custom data document each, and
// the email/password user.
func fill(b *testing.B, cfg embedded.Config, users int) {
	started := time.Now()
	ctx := context.Background()
	// Warnings only: the engine's own errors, if any, on stderr as they happen.
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine, err := embedded.Start(ctx, cfg)
	if err != nil {
		b.Fatalf("start the engine to populate: %v", err)
	}
	defer func() {
		if err := engine.Close(context.Background()); err != nil {
			b.Errorf("stop the engine after populating: %v", err)
		}
	}()
	// The server's own defaults name the databases and the custom data collection it will read.
	defaults := server.DefaultConfig()
	st, err := storemongo.Open(ctx, storemongo.Config{
		URI:      engine.URI(),
		Database: defaults.Database,
		Logger:   cfg.Logger,
		CustomData: store.CustomDataConfig{
			Database:    defaults.CustomDataDatabase,
			Collection:  defaults.CustomDataCollection,
			UserIDField: defaults.CustomDataUserIDField,
			MaxSize:     defaults.CustomDataMaxSize,
		},
	})
	if err != nil {
		b.Fatalf("open the store to populate: %v", err)
	}
	defer func() { _ = st.Close(context.Background()) }()

	ids := make([]string, users)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	// Inserts of users and identities are by key: several at once keep the engine busy while each waits.
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(users); i = next.Add(1) - 1 {
				now := time.Now()
				u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now}
				ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: authn.ProviderAnonymous,
					ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}
				if err := st.CreateUser(ctx, u, ident); err != nil {
					errs <- fmt.Errorf("create user %d: %w", i, err)
					return
				}
				ids[i] = u.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}

	client, err := mongodriver.Connect(options.Client().ApplyURI(engine.URI()))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	coll := client.Database(defaults.CustomDataDatabase).Collection(defaults.CustomDataCollection)
	const batch = 1000
	for start := 0; start < users; start += batch {
		docs := make([]any, 0, batch)
		for _, id := range ids[start:min(start+batch, users)] {
			docs = append(docs, bson.D{{Key: defaults.CustomDataUserIDField, Value: id}, {Key: "blob", Value: docBlob}})
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatalf("insert custom data documents: %v", err)
		}
	}

	// The email/password user, as a confirmed registration and its first login leave it.
	hash, err := authn.HashPassword(ctx, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	email := authn.NormalizeEmail(benchEmail)
	u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now, Data: map[string]any{"email": email}}
	ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: authn.ProviderUserPass, ProviderID: email,
		Data: map[string]any{"email": email}, CreatedAt: now, LastLoginAt: now}
	if err := st.CreateUser(ctx, u, ident); err != nil {
		b.Fatal(err)
	}
	if err := st.CreatePassword(ctx, &store.Password{Email: email, UserID: u.ID, Hash: hash, Confirmed: true, CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "populated %d users in %s\n", users, time.Since(started).Round(time.Second))
}
