package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lookups on PostgreSQL. FerretDB v1 hands an equality filter on a top-level field to PostgreSQL as
// `_jsonb->$1 @> $2` (containment, with the field name as a parameter), and keeps its own indexes as
// B-trees on `_jsonb->'field'`, which containment cannot use: every find, by _id or by an indexed
// field, is a sequential scan, and its cost grows with the table. No FerretDB setting changes that.
// Two PostgreSQL settings do, and the engine makes both:
//
//   - beside every index FerretDB keeps (the _id index of every collection included), a GIN index on
//     the same expression for each top-level field of its key: GIN serves `@>`. Without fastupdate:
//     with it, new entries wait in a pending list until a vacuum merges them, and every lookup reads
//     the whole list, up to gin_pending_list_limit (4 MB) of it, a cost that grows with the writes
//     since the last vacuum (BENCHMARKS.md has what it did to GetProfile at 100,000 users). An index
//     an earlier version made with fastupdate on is switched off and its pending list merged;
//   - plan_cache_mode=force_custom_plan on FerretDB's connections: FerretDB prepares its statements
//     and reuses them, and a plan made for any field (a generic plan) cannot know which expression
//     index `_jsonb->$1` is; one made for the field at hand can. A custom plan costs planning each
//     time, a small constant (BENCHMARKS.md), against a scan of the whole table that grows with it.
//
// FerretDB creates tables as collections appear, so the indexes are added at start and then every
// pgIndexInterval. They are named lanyard_gin_<hash>, live and die with their table, and FerretDB never
// lists them.

// pgIndexInterval is how often the engine looks for tables without their GIN indexes.
const pgIndexInterval = time.Minute

// withCustomPlans returns the PostgreSQL URL FerretDB should use: the operator's, with
// plan_cache_mode=force_custom_plan unless it sets plan_cache_mode itself (pgx sends unknown URL
// parameters as run-time settings).
func withCustomPlans(pgURL string) (string, error) {
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", fmt.Errorf("embedded: PostgreSQL URL: %w", err)
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// missingGINIndexes lists the statements that bring the GIN indexes of one of FerretDB's databases
// (a schema of its own, whose _ferretdb_database_metadata names its tables and their indexes; %s is that
// table, $1 the schema) to what the engine wants, in order: drop those a failed concurrent build left
// invalid, create those missing, and switch fastupdate off on those made with it, merging their
// pending lists.
const missingGINIndexes = `
WITH named AS (
	SELECT DISTINCT d._jsonb->>'table' AS table_name, k.field,
		'lanyard_gin_' || left(md5($1 || '.' || (d._jsonb->>'table') || '.' || k.field), 16) AS index_name
	FROM %s d
	CROSS JOIN LATERAL jsonb_array_elements(d._jsonb->'indexes') ix
	CROSS JOIN LATERAL jsonb_object_keys(ix->'key') k(field)
	WHERE position('.' IN k.field) = 0
	AND EXISTS (SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = $1 AND t.relname = d._jsonb->>'table')
), existing AS (
	SELECT i.relname, x.indisvalid, 'fastupdate=off' = ANY(coalesce(i.reloptions, '{}')) AS no_pending
	FROM pg_class i JOIN pg_namespace ns ON ns.oid = i.relnamespace AND ns.nspname = $1
	JOIN pg_index x ON x.indexrelid = i.oid
), stmts AS (
	SELECT 1 AS step, format('DROP INDEX CONCURRENTLY IF EXISTS %%I.%%I', $1, n.index_name) AS stmt
	FROM named n JOIN existing e ON e.relname = n.index_name AND NOT e.indisvalid
	UNION ALL
	SELECT 2, format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %%I ON %%I.%%I USING gin ((_jsonb->%%L)) WITH (fastupdate = off)',
		n.index_name, $1, n.table_name, n.field)
	FROM named n
	WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.relname = n.index_name AND e.indisvalid)
	UNION ALL
	SELECT 3, format('ALTER INDEX %%I.%%I SET (fastupdate = off)', $1, n.index_name)
	FROM named n JOIN existing e ON e.relname = n.index_name AND e.indisvalid AND NOT e.no_pending
	UNION ALL
	SELECT 4, format('SELECT gin_clean_pending_list(%%L::regclass)', format('%%I.%%I', $1, n.index_name))
	FROM named n JOIN existing e ON e.relname = n.index_name AND e.indisvalid AND NOT e.no_pending
)
SELECT stmt FROM stmts ORDER BY step`

// ensureGINIndexes creates the GIN indexes FerretDB's tables lack and returns how many statements it ran.
func ensureGINIndexes(ctx context.Context, pgURL string) (int, error) {
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))

	rows, err := conn.Query(ctx, `SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relname = '_ferretdb_database_metadata' AND c.relkind = 'r'`)
	if err != nil {
		return 0, err
	}
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, schema := range schemas {
		metadata := pgx.Identifier{schema, "_ferretdb_database_metadata"}.Sanitize()
		rows, err := conn.Query(ctx, fmt.Sprintf(missingGINIndexes, metadata), schema)
		if err != nil {
			return ran, err
		}
		stmts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return ran, err
		}
		for _, stmt := range stmts {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				return ran, fmt.Errorf("%s: %w", stmt, err)
			}
			ran++
		}
	}
	return ran, nil
}

// keepIndexes runs ensure now and every interval until ctx ends. A failure is logged and tried again at
// the next tick: lookups still work without the indexes, only slower.
func keepIndexes(ctx context.Context, interval time.Duration, log *slog.Logger, what string, ensure func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := ensure(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("embedded: cannot add "+what+"; lookups scan meanwhile", slog.String("error", RootCause(err)))
		case n > 0:
			log.Debug("embedded: added "+what, slog.Int("statements", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
