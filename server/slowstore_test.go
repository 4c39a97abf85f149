package server_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestSlowStoreIsNotUnreachable: a store that is reachable but slow answers as what it is. The custom
// data table of FerretDB on PostgreSQL is locked, so that every read of it waits, and more watch streams
// are opened than Lanyard has connections to the engine: every connection is taken by a read that waits,
// and the rest queue for one. Meanwhile the engine answers anything else at once. A health check must
// find it reachable, a stream opened after it must not be refused, a call with a deadline must end with
// DEADLINE_EXCEEDED, and once the lock goes every stream gets its document, or at worst UNAVAILABLE
// "busy" after queueing longer than the store allows: never "the store is unreachable".
func TestSlowStoreIsNotUnreachable(t *testing.T) {
	pgURL := storetest.PostgreSQL(t)
	const poolSize, streams = 4, 12
	engine, err := embedded.Start(t.Context(), embedded.Config{PostgreSQLURL: pgURL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Close(context.Background()) }) // after the server's cleanup: it runs later
	cfg := testConfig(t)
	cfg.MongoDBURI = engine.URI() + "?maxPoolSize=" + strconv.Itoa(poolSize)
	cfg.MasterKey = authn.GenerateMasterKey()
	ts := startServer(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var tokens []string
	for range streams + 2 {
		tokens = append(tokens, anonLogin(t, ts).GetAccessToken())
	}
	// A document, so that the collection's table exists.
	if _, err := ts.data.UpdateCustomData(bearer(tokens[0]), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"n": 1}`)}); err != nil {
		t.Fatal(err)
	}

	pg := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	locker, watcher := pg(), pg()
	var table string
	if err := locker.QueryRow(ctx, `SELECT _jsonb->>'table' FROM lanyard._ferretdb_database_metadata WHERE _jsonb->>'_id' = $1`,
		cfg.CustomDataCollection).Scan(&table); err != nil {
		t.Fatalf("the custom data collection's table: %v", err)
	}
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{"lanyard", table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	unlock := sync.OnceFunc(func() { _ = tx.Rollback(context.Background()) })
	t.Cleanup(unlock)

	results := make(chan error, streams+1)
	open := func(token string) {
		st, err := ts.data.WatchCustomData(withBearer(ctx, token), &lanyardv1.WatchCustomDataRequest{})
		if err != nil {
			results <- err
			return
		}
		go func() {
			_, err := st.Recv()
			results <- err
		}()
	}
	for _, token := range tokens[:streams] {
		open(token)
	}
	// Every connection of Lanyard's is taken once as many reads wait for the lock.
	for waiting := 0; waiting < poolSize; {
		if err := watcher.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatalf("waiting for reads to wait for the lock (%d so far): %v", waiting, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}

	if err := ts.CheckStore(ctx); errors.Is(err, store.ErrUnavailable) {
		t.Errorf("a check of the slow engine: %v", err)
	}
	if !ts.StoreHealthy() {
		t.Errorf("the slow engine is marked unreachable")
	}
	open(tokens[streams])
	deadline, cancelCall := context.WithTimeout(withBearer(ctx, tokens[streams+1]), time.Second)
	_, err = ts.data.GetCustomData(deadline, &lanyardv1.GetCustomDataRequest{})
	cancelCall()
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("a call whose deadline passed while the store was slow: %v, want DEADLINE_EXCEEDED", err)
	}
	unlock()

	answered := 0
	for range streams + 1 {
		err := <-results
		if err == nil {
			answered++
			continue
		}
		st := status.Convert(err)
		reason := ""
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				reason = info.GetReason()
			}
		}
		if st.Code() != codes.Unavailable || reason != "UNAVAILABLE" || !strings.Contains(st.Message(), "busy") {
			t.Errorf("a stream of the slow store ended with %s %s %q, want its document or UNAVAILABLE busy", st.Code(), reason, st.Message())
		}
	}
	if answered == 0 {
		t.Errorf("no stream got its document once the store was fast again")
	}
}
