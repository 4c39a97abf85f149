package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// Lookups by _id on SQLite. FerretDB v1 hands a filter that is exactly {_id: string or ObjectId} to
// SQLite as `WHERE _ferretdb_sjson->'$._id' = ?`, and keeps its _id index on the expression
// `_ferretdb_sjson->"_id"`: the same value, written another way, which SQLite's planner does not match.
// Every find by _id is a scan of the table inside SQLite (no document is decoded, but each row's JSON
// is read), so its cost grows with the collection. The engine adds, to every table of FerretDB's, an
// index on the expression FerretDB queries by, at start and then every sqliteIndexInterval (FerretDB
// creates tables as collections appear). The indexes are named <table>_lanyard_id, live and die with
// their table, and FerretDB never lists them.

// sqliteIndexInterval is how often the engine looks for tables without their _id index.
const sqliteIndexInterval = time.Minute

// ensureSQLiteIDIndexes adds the missing _id indexes to the tables of every database file in dir and
// returns how many it created.
func ensureSQLiteIDIndexes(ctx context.Context, dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	created := 0
	for _, file := range files {
		n, err := ensureSQLiteFileIndexes(ctx, file)
		created += n
		if err != nil {
			return created, fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
	}
	return created, nil
}

func ensureSQLiteFileIndexes(ctx context.Context, file string) (int, error) {
	if _, err := os.Stat(file); err != nil {
		return 0, err // a database dropped since the listing
	}
	// FerretDB holds the file open (WAL mode): a write here waits for its writers, up to the timeout.
	u := url.URL{Scheme: "file", Path: file, RawQuery: "_pragma=busy_timeout(10000)"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT t.name FROM sqlite_schema t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) c WHERE c.name = '_ferretdb_sjson')
		AND NOT EXISTS (SELECT 1 FROM sqlite_schema i WHERE i.type = 'index' AND i.name = t.name || '_lanyard_id')`)
	if err != nil {
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	created := 0
	for _, t := range tables {
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, quoteIdent(t+"_lanyard_id"), quoteIdent(t))
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return created, fmt.Errorf("%s: %w", stmt, err)
		}
		created++
	}
	return created, nil
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
