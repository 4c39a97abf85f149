package embedded_test

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store/embedded"
)

// TestSQLiteFindsByIDUseAnIndex checks SQLite's plan for the query FerretDB makes of a find by _id: a
// scan of the table before the engine adds its index, a search of the index after.
func TestSQLiteFindsByIDUseAnIndex(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	_, client := startWithClient(t, embedded.Config{DataDir: dataDir})
	coll := client.Database("lookups").Collection("things")
	id := bson.NewObjectID()
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(dataDir, "ferretdb")
	file := filepath.Join(dir, "lookups.sqlite")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: file, RawQuery: "mode=ro"}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A connection of its own for each look, so that no cached schema hides an index made since.
	db.SetMaxIdleConns(0)
	var table string
	if err := db.QueryRowContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'things%'`).Scan(&table); err != nil {
		t.Fatalf("the table of collection things: %v", err)
	}
	plan := func() string {
		t.Helper()
		// The query FerretDB v1.24 makes for {_id: <ObjectId>} (internal/backends/sqlite/collection.go).
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE _ferretdb_sjson->'$._id' = ?`, `{"$o":"`+id.Hex()+`"}`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		return strings.Join(steps, "; ")
	}

	// The engine's keeper passes at start, before the collection existed, and then only a minute later.
	if before := plan(); !strings.Contains(before, "_lanyard_id") && !strings.Contains(before, "SCAN") {
		t.Errorf("plan of a find by _id without our index = %q, want a scan (what the index is for)", before)
	}
	n, err := embedded.EnsureSQLiteIDIndexes(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	rows, err := db.QueryContext(ctx, `SELECT name || ': ' || coalesce(sql, '') FROM sqlite_schema WHERE type = 'index'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		indexes = append(indexes, s)
	}
	rows.Close()
	t.Logf("created %d; indexes %q", n, indexes)
	if got := plan(); !strings.Contains(got, "USING INDEX "+table+"_lanyard_id") {
		t.Errorf("plan of a find by _id = %q, want a search of %s_lanyard_id", got, table)
	}
	if n, err := embedded.EnsureSQLiteIDIndexes(ctx, dir); err != nil || n != 0 {
		t.Errorf("a second pass created %d indexes (%v), want none", n, err)
	}
	var got bson.Raw
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil {
		t.Fatalf("find by _id through FerretDB with the index in place: %v", err)
	}
}
