package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestPostgreSQLServesLookupsFromIndexes checks, in PostgreSQL's own statistics, that finds through
// FerretDB by _id and by an indexed field are index scans once the engine has added its GIN indexes,
// and that they were sequential scans before.
func TestPostgreSQLServesLookupsFromIndexes(t *testing.T) {
	pgURL := storetest.PostgreSQL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, client := startWithClient(t, embedded.Config{PostgreSQLURL: pgURL})
	coll := client.Database("lookups").Collection("things")
	if _, err := coll.Indexes().CreateOne(ctx, mongodriver.IndexModel{Keys: bson.D{{Key: "owner", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	docs := make([]any, 2000)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "owner", Value: bson.NewObjectID().Hex()}, {Key: "n", Value: i}}
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	pg, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(context.Background())
	scans := func() (seq, idx int64) {
		t.Helper()
		// The statistics collector reports with a delay; a snapshot cleared first reads what it has.
		if _, err := pg.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		err := pg.QueryRow(ctx, `SELECT coalesce(sum(seq_scan), 0), coalesce(sum(idx_scan), 0) FROM pg_stat_user_tables
			WHERE schemaname = 'lookups' AND relname LIKE 'things%'`).Scan(&seq, &idx)
		if err != nil {
			t.Fatal(err)
		}
		return seq, idx
	}
	findAll := func() {
		t.Helper()
		for _, d := range docs[:20] {
			doc := d.(bson.D)
			for _, filter := range []bson.D{{doc[0]}, {doc[1]}} {
				var got bson.Raw
				if err := coll.FindOne(ctx, filter).Decode(&got); err != nil {
					t.Fatalf("find %v: %v", filter, err)
				}
			}
		}
	}
	waitStats := func(what string, cond func(seq, idx int64) bool) (int64, int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			seq, idx := scans()
			if cond(seq, idx) {
				return seq, idx
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: seq_scan %d, idx_scan %d", what, seq, idx)
			}
			time.Sleep(100 * time.Millisecond) // polling PostgreSQL's statistics, which it reports late
		}
	}

	seq0, idx0 := scans()
	findAll()
	seqBefore, _ := waitStats("finds without GIN indexes should scan", func(seq, _ int64) bool { return seq >= seq0+40 })

	n, err := embedded.EnsureGINIndexes(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("EnsureGINIndexes ran %d statements, want at least the _id and owner indexes of things", n)
	}
	if again, err := embedded.EnsureGINIndexes(ctx, pgURL); err != nil || again != 0 {
		t.Fatalf("a second pass ran %d statements (%v), want none", again, err)
	}
	// CREATE INDEX CONCURRENTLY scans its table twice (PostgreSQL documents it), and the statistics
	// report that late: the finds are counted from once they show.
	seq1, idx1 := waitStats("the index builds", func(seq, _ int64) bool { return seq >= seqBefore+4 })
	findAll()
	seq2, idx2 := waitStats("finds with GIN indexes should use them", func(_, idx int64) bool { return idx >= idx1+40 })
	if seq2 != seq1 {
		t.Errorf("finds still scanned %d times with the GIN indexes in place", seq2-seq1)
	}
	t.Logf("before: %d sequential scans; after: %d index scans (idx_scan %d at start)", seqBefore-seq0, idx2-idx1, idx0)
}

// TestGINIndexesKeepNoPendingList checks that writes after the GIN indexes exist leave no pending list
// (a lookup reads all of one), and that an index made with fastupdate on, as earlier versions made
// them, is switched off and its pending list merged.
func TestGINIndexesKeepNoPendingList(t *testing.T) {
	pgURL := storetest.PostgreSQL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, client := startWithClient(t, embedded.Config{PostgreSQLURL: pgURL})
	coll := client.Database("pending").Collection("things")
	insert := func(n int) {
		t.Helper()
		docs := make([]any, n)
		for i := range docs {
			docs[i] = bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "n", Value: i}}
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	insert(1)
	if _, err := embedded.EnsureGINIndexes(ctx, pgURL); err != nil {
		t.Fatal(err)
	}
	pg, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(context.Background())
	var index string
	err = pg.QueryRow(ctx, `SELECT format('%I.%I', n.nspname, i.relname) FROM pg_class i
		JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'pending' AND i.relname LIKE 'lanyard_gin_%'`).Scan(&index)
	if err != nil {
		t.Fatal(err)
	}
	// gin_clean_pending_list merges the pending list and says how many pages it held.
	pending := func() int64 {
		t.Helper()
		var pages int64
		if err := pg.QueryRow(ctx, "SELECT gin_clean_pending_list($1::regclass)", index).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		return pages
	}
	insert(2000)
	if p := pending(); p != 0 {
		t.Errorf("2,000 inserts left %d pending pages in %s", p, index)
	}

	// As an earlier version left it.
	if _, err := pg.Exec(ctx, "ALTER INDEX "+index+" SET (fastupdate = on)"); err != nil {
		t.Fatal(err)
	}
	insert(2000)
	n, err := embedded.EnsureGINIndexes(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("EnsureGINIndexes ran %d statements on an index with fastupdate on, want 2 (switch off, merge)", n)
	}
	if p := pending(); p != 0 {
		t.Errorf("%d pending pages left in %s after EnsureGINIndexes", p, index)
	}
	insert(2000)
	if p := pending(); p != 0 {
		t.Errorf("2,000 inserts after EnsureGINIndexes left %d pending pages in %s", p, index)
	}
}
