// Package embedded runs FerretDB v1 inside the Lanyard process: the engine
// used when no MongoDB URI is configured. It stores documents in SQLite
// files under the data dir, or in a PostgreSQL database, and speaks the
// MongoDB wire protocol, so Lanyard reaches it through the same driver as
// any MongoDB (store/mongo).
//
// FerretDB listens only on a Unix socket in a private directory (mode 0700,
// under the system's temporary directory), which only Lanyard itself uses
// (Engine.URI). Everyone else (mongosh, Compass, an operator's backend,
// another Lanyard) connects to the operator address (Engine.OperatorURI), a
// loopback port that Lanyard serves with a small proxy: it passes every
// message on unchanged, but first reports each write that may change who
// owns a document of a watched collection to the engine's feed
// (Engine.Feed, package store/feed). FerretDB v1 answers a query on any
// field but _id by reading the whole collection, so Lanyard's stores keep an
// index of the custom data's user id field in memory; hearing every write
// before it is acknowledged keeps that index exact.
//
// The embedded engine has no authentication: the operator address is a
// random loopback port unless the operator asks for a fixed address to
// reach the data with mongosh, Compass or a driver.
//
// Stopping FerretDB waits about 3 s for connected clients to leave, so
// callers close their driver client (store.Store.Close) before Engine.Close.
// Connections through the operator address are cut at once.
//
// One engine at a time runs on a data dir or PostgreSQL database: the running
// one holds a lock (a file lock in the data dir, an advisory lock in
// PostgreSQL), and Start refuses with ErrInUse while another process has it.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/lanyardhq/lanyard/store/feed"
)

// DefaultListenAddr is the operator address by default: only local
// processes can connect, on a port chosen by the system.
const DefaultListenAddr = "127.0.0.1:0"

// maxStop bounds Close when its context has no deadline: FerretDB gives
// connected clients 3 s, then cuts them off.
const maxStop = 10 * time.Second

// Config configures Start.
type Config struct {
	// DataDir holds the SQLite files, in DataDir/ferretdb/ (created 0700).
	// Unused when PostgreSQLURL is set.
	DataDir string

	// PostgreSQLURL, when set, stores the documents in that PostgreSQL
	// database instead of SQLite. The database must exist.
	PostgreSQLURL string

	// ListenAddr is the operator address: where the engine accepts
	// connections from anyone but Lanyard itself, through the proxy that
	// reports writes to Feed. Empty means DefaultListenAddr. A fixed address
	// such as "127.0.0.1:27017" lets operators connect. Nothing
	// authenticates there: keep it on loopback.
	ListenAddr string

	// Feed receives the writes seen at the operator address; nil means a
	// new one (Engine.Feed returns it either way).
	Feed *feed.Feed

	// Logger receives FerretDB's errors, filtered (see newLogHandler). Nil
	// means slog.Default().
	Logger *slog.Logger
}

// Engine is a running embedded FerretDB.
type Engine struct {
	fdb    *ferretdb.FerretDB
	uri    string // FerretDB's private socket
	addr   string // the operator address
	proxy  *proxy
	feed   *feed.Feed
	cancel context.CancelFunc
	done   chan struct{} // closed once FerretDB and the proxy have stopped and the store's lock is released
}

// startMu serializes ferretdb.New, which writes package-level state of
// FerretDB (its version info) without synchronization.
var startMu sync.Mutex

// Start starts the engine and returns once it accepts connections. ctx
// bounds the start only (the PostgreSQL reachability check); the engine
// runs until Close. While another engine runs on the same data dir or
// PostgreSQL database, in this process or another, Start fails with an error
// that matches ErrInUse.
func Start(ctx context.Context, cfg Config) (_ *Engine, err error) {
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = DefaultListenAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Feed == nil {
		cfg.Feed = feed.New()
	}
	if !isLoopback(cfg.ListenAddr) {
		cfg.Logger.Warn("embedded: the engine listens beyond loopback, and it has no authentication",
			slog.String("addr", cfg.ListenAddr))
	}

	fcfg := ferretdb.Config{
		Logger: slog.New(newLogHandler(cfg.Logger.Handler())),
	}
	// The lock comes before FerretDB touches the store, and is released
	// only once FerretDB has stopped (or failed to start).
	var unlock func()
	var sqliteFiles string // the SQLite engine's directory
	defer func() {
		if err != nil && unlock != nil {
			unlock()
		}
	}()
	var store string // names the store, for its socket directory
	if cfg.PostgreSQLURL != "" {
		if unlock, err = lockPostgreSQL(ctx, cfg.PostgreSQLURL); err != nil {
			return nil, err
		}
		fcfg.Handler = "postgresql"
		if fcfg.PostgreSQLURL, err = withCustomPlans(cfg.PostgreSQLURL); err != nil {
			return nil, err
		}
		store = "postgresql\x00" + cfg.PostgreSQLURL
	} else {
		dir, err := sqliteDir(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if unlock, err = lockDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
		fcfg.Handler = "sqlite"
		// FerretDB wants a file: URI of a directory, with a trailing slash;
		// url.URL escapes what a path may contain.
		fcfg.SQLiteURL = (&url.URL{Scheme: "file", Path: dir + "/"}).String()
		sqliteFiles = dir
		store = "sqlite\x00" + dir
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The operator address is bound first: a taken one fails here, before
	// FerretDB opens the store (ferretdb.New drops the backend unclosed when
	// it cannot listen, which FerretDB's leak check turns into a panic in a
	// finalizer, later, anywhere in the process).
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("embedded: cannot start FerretDB on %s: %w", cfg.ListenAddr, err)
	}
	defer func() {
		if err != nil {
			_ = ln.Close()
		}
	}()
	// FerretDB's own socket is in a directory nobody else can enter, new
	// (or made again, empty) for this engine: nothing can hold its path.
	sockDir, err := makeSocketDir(store)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(sockDir)
		}
	}()
	sock := filepath.Join(sockDir, socketName)
	fcfg.Listener = ferretdb.ListenerConfig{Unix: sock}

	startMu.Lock()
	fdb, err := ferretdb.New(&fcfg)
	startMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("embedded: cannot start FerretDB on %s: %w", sock, err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Engine{
		fdb:    fdb,
		uri:    socketURI(sock),
		addr:   ln.Addr().String(),
		proxy:  startProxy(ln, sock, cfg.Feed, cfg.Logger),
		feed:   cfg.Feed,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	var keeper sync.WaitGroup
	if cfg.PostgreSQLURL != "" {
		keeper.Go(func() {
			keepIndexes(runCtx, pgIndexInterval, cfg.Logger, "the GIN indexes that let PostgreSQL serve lookups",
				func(ctx context.Context) (int, error) { return ensureGINIndexes(ctx, cfg.PostgreSQLURL) }) // see pgindexes.go
		})
	} else {
		keeper.Go(func() {
			keepIndexes(runCtx, sqliteIndexInterval, cfg.Logger, "the indexes that let SQLite find documents by _id",
				func(ctx context.Context) (int, error) { return ensureSQLiteIDIndexes(ctx, sqliteFiles) }) // see sqliteindexes.go
		})
	}
	go func() {
		defer close(e.done)
		_ = fdb.Run(runCtx) // always nil; it returns once everything is closed
		e.proxy.finish()    // only now: the writes it settles have run
		keeper.Wait()
		_ = os.RemoveAll(sockDir)
		unlock()
	}()
	return e, nil
}

// isLoopback reports whether addr (host:port) only accepts local clients.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sqliteDir creates DataDir/ferretdb with mode 0700 (documents are personal
// data) and returns its absolute path.
func sqliteDir(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("embedded: no data dir for the SQLite files")
	}
	dir, err := filepath.Abs(filepath.Join(dataDir, "ferretdb"))
	if err != nil {
		return "", fmt.Errorf("embedded: data dir: %w", err)
	}
	if i := strings.IndexAny(dir, unsafeInDir); i >= 0 {
		return "", fmt.Errorf("embedded: data dir %q: SQLite cannot keep its files under a path with %q in it; choose another data dir",
			filepath.Dir(dir), dir[i])
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("embedded: data dir: %w", err)
	}
	return dir, nil
}

// unsafeInDir are the characters that FerretDB cannot carry in the path of
// its SQLite directory. It decodes the file: URI it is given and hands the
// bare path to SQLite inside a URI again, where '#' and '?' end the file name
// and '%' starts an escape: the files would go elsewhere, even outside the
// data dir. It also lists its databases with filepath.Glob on that path, so
// a glob metacharacter in it finds none, or another directory's, after a
// restart.
var unsafeInDir = func() string {
	s := "#?%*["
	if filepath.Separator != '\\' {
		s += "\\" // Glob's escape, except on Windows where it separates
	}
	return s
}()

// RootCause returns the innermost error of err on one line: pgx repeats the
// address and the cause once per dial attempt ("connection refused" twice
// with sslmode=prefer), and Lanyard's start errors are one line.
func RootCause(err error) string {
	for {
		var next error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return strings.Join(strings.Fields(err.Error()), " ")
		}
		err = next
	}
}

// URI returns the mongodb:// URI of FerretDB's private Unix socket, for
// Lanyard's own stores only: writes there are not reported to the feed, so
// each store reports its own.
func (e *Engine) URI() string { return e.uri }

// OperatorURI returns the mongodb:// URI of the operator address, for
// everyone else: writes there are reported to Feed before they run.
func (e *Engine) OperatorURI() string { return "mongodb://" + e.addr + "/" }

// Addr returns the operator address (host:port).
func (e *Engine) Addr() string { return e.addr }

// Feed returns the feed that hears of the writes seen at the operator
// address: Config.Feed, or the engine's own.
func (e *Engine) Feed() *feed.Feed { return e.feed }

// Close stops the engine and waits for it, bounded by ctx (or by 10 s if
// ctx has no deadline). It closes the operator address and its connections
// at once; clients still connected to URI hold FerretDB up for ~3 s:
// disconnect them first. Calling Close again waits for the same stop.
func (e *Engine) Close(ctx context.Context) error {
	e.proxy.close() // operators' connections end now; FerretDB's grace is for Lanyard's
	e.cancel()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, maxStop)
		defer cancel()
	}
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded: FerretDB at %s did not stop: %w", e.addr, ctx.Err())
	}
}
