package embedded

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrInUse is what Start's error matches (errors.Is) when another process already runs an engine on
// the same data dir or PostgreSQL database. FerretDB v1 assumes it is alone on its storage: a second
// engine on it corrupts its catalog or answers every request with internal errors, so Lanyard runs one
// process per embedded store and replicas on MongoDB.
var ErrInUse = errors.New("embedded store in use by another process")

// inUseError says which store is taken, in the words an operator needs.
type inUseError struct{ where string }

func (e *inUseError) Error() string {
	return "the embedded store in " + e.where +
		" is already in use by another lanyard process (one process per embedded store; run replicas on MongoDB)"
}

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// lockFileName is the file in the data dir that the running engine holds locked. The lock, not the
// file, is what counts: the file stays behind after a stop, harmlessly.
const lockFileName = "lanyard.lock"

// lockDataDir takes the data dir's lock, or fails with an inUseError. The operating system drops the
// lock when the process ends, however it ends (kill -9 included), so a crash never leaves a stale lock.
func lockDataDir(dataDir string) (unlock func(), err error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data dir: %w", err)
	}
	unlock, held, err := lockFile(filepath.Join(dir, lockFileName))
	if err != nil {
		return nil, fmt.Errorf("embedded: locking the data dir: %w", err)
	}
	if held {
		return nil, &inUseError{where: dir}
	}
	return unlock, nil
}

// advisoryLockKey names Lanyard's session-level advisory lock. PostgreSQL scopes advisory locks to the
// database of the session that takes them, and FerretDB keeps everything in the URL's database, so one
// key locks exactly one store: engines on two databases of one server do not meet.
var advisoryLockKey = func() int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("lanyard embedded store"))
	return int64(h.Sum64())
}()

// lockPostgreSQL connects to the PostgreSQL database and takes the advisory lock on that connection,
// which then stays open for the life of the engine: PostgreSQL drops the lock when the session ends,
// whether the engine stops, the process dies or the connection breaks. It doubles as the reachability
// check (FerretDB connects lazily: a wrong URL would otherwise surface as obscure errors on the first
// requests). Errors name the host and database but never the password.
func lockPostgreSQL(ctx context.Context, rawURL string) (unlock func(), err error) {
	pcfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's parse errors redact the password themselves.
		return nil, fmt.Errorf("embedded: invalid PostgreSQL URL: %w", err)
	}
	where := fmt.Sprintf("%s/%s", net.JoinHostPort(pcfg.Host, fmt.Sprint(pcfg.Port)), pcfg.Database)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	conn, err := pgx.ConnectConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("embedded: cannot reach PostgreSQL at %s: %s", where, RootCause(err))
	}
	closeConn := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	}
	var locked bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", advisoryLockKey).Scan(&locked); err != nil {
		closeConn()
		return nil, fmt.Errorf("embedded: locking PostgreSQL database %s: %s", where, RootCause(err))
	}
	if !locked {
		closeConn()
		return nil, &inUseError{where: "PostgreSQL database " + where}
	}
	return closeConn, nil
}
