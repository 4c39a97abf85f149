// Package mongo implements store.Store on the MongoDB Go driver v2. It serves
// every engine Lanyard supports: MongoDB itself, and FerretDB v1 (embedded,
// on SQLite or PostgreSQL), whose differences it absorbs (see errors.go and
// migrations.go).
//
// A background pinger keeps Healthy current, so that the server can refuse
// requests at once (and report NOT_SERVING) while the engine is unreachable,
// without a restart; the driver reconnects by itself when the engine
// returns. Requests are not failed on a short timer of the store's own: one
// that waits for a busy engine waits as long as its caller allows (see
// Config.ServerSelectionTimeout), and a failure that says the engine is gone
// (a lost connection, a refused one, a FerretDB whose PostgreSQL stopped; see
// errors.go) fails it at once and has the engine checked at once.
//
// The domain operations live in one file per record group (users.go,
// sessions.go, revocations.go, keys.go, apikeys.go, passwords.go,
// events.go, triggers.go); docs.go lists the collections. Every invariant is a
// unique-key insert ("claim"), because FerretDB v1 applies an update by
// rewriting the document it read: concurrent updates of one document lose
// each other's fields, while unique inserts have exactly one winner.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.opentelemetry.io/otel/trace"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/feed"
)

// Defaults for Config.
const (
	DefaultDatabase               = "lanyard_auth"
	DefaultConnectTimeout         = 10 * time.Second
	DefaultPingInterval           = 2 * time.Second
	DefaultServerSelectionTimeout = 30 * time.Second

	// defaultPingTimeout bounds one check of the engine, so that an engine
	// that accepts connections but never answers still counts as down.
	defaultPingTimeout = 3 * time.Second
)

// Config configures Open. Zero values take the defaults above.
type Config struct {
	// URI is a MongoDB connection string. It may hold credentials: Lanyard
	// never prints it whole (see RedactURI).
	URI string

	// Database holds Lanyard's own collections (not the custom data).
	Database string

	// ConnectTimeout bounds how long Open waits for the engine to answer:
	// a store that is down at start is reported, not waited for forever.
	ConnectTimeout time.Duration

	// PingInterval is the period of the background health check.
	PingInterval time.Duration

	// ServerSelectionTimeout is the longest a request waits for the engine
	// before it is sent: for a reachable engine, then for a free connection
	// to it (the driver bounds both waits with this one timeout). A request
	// that runs out of it fails with ErrUnavailable when no engine could be
	// selected, ErrBusy when every connection stayed busy. It is a backstop
	// for callers without a deadline of their own, not what makes requests
	// fail fast in an outage (Healthy is): a short one would fail requests
	// that queue behind a burst on a slow engine, which are served if they
	// wait. A serverSelectionTimeoutMS in URI wins over the default, not over
	// a value set here.
	ServerSelectionTimeout time.Duration

	// SameProcess says the engine runs in this process (the embedded
	// engine). A connection to it that is slow to open, or a heartbeat it is
	// slow to answer, then says this process is busy, never that the engine
	// is out of reach: the driver is given no time limit for them (unless
	// URI sets connectTimeoutMS), so that it never empties its connection
	// pool over a slow answer and fails the requests queued there.
	SameProcess bool

	// Logger receives health transitions. Nil means slog.Default().
	Logger *slog.Logger

	// OnCommand, if set, is called with the name of every command sent to the engine (find, insert, …,
	// or "other" for a name outside the closed list commandLabel knows): the server counts store round
	// trips with it.
	OnCommand func(name string)

	// OnClaimLost, if set, is called each time a custom data write finds
	// the version or creation it claimed taken by another writer (see
	// customdata_write.go): the server counts these conflicts.
	OnClaimLost func()
	// TracerProvider, if set, makes a span of every command sent for a caller whose context carries a
	// span, as its child (see tracing.go). Nil makes none.
	TracerProvider trace.TracerProvider

	// CustomData says where custom user data lives (see customdata.go for
	// its defaults; an empty Database means Database above).
	CustomData store.CustomDataConfig

	// Feed, when set, reports every write to the custom data collection by
	// anyone (the embedded engine's, see store/embedded): the store then keeps
	// the owner index (customdata_index.go) and finds a user's document by
	// _id. Leave it nil for an engine others may write to unseen (any engine
	// reached by URI): reads then query the user id field.
	Feed *feed.Feed

	// ClaimTiming bounds the waits of custom data writes. Lanyard runs with
	// the zero value, the defaults; tests shorten them.
	ClaimTiming ClaimTiming

	// observe, set by tests of this package, sees every command sent.
	observe func(*event.CommandStartedEvent)
}

// Store is the MongoDB implementation of store.Store. It is safe for
// concurrent use.
type Store struct {
	client *mongodriver.Client
	db     *mongodriver.Database
	log    *slog.Logger

	// healthClient is the health checker's own connection to the engine
	// (see check): its pings never wait behind the requests queued for the
	// connections of client.
	healthClient *mongodriver.Client

	pingTimeout time.Duration // defaultPingTimeout; shorter in tests

	health store.Health
	closed atomic.Bool // after Close, failures are ours, not the engine's

	// answers counts the commands the engine answered successfully: a check
	// whose ping got no answer in time tells a busy engine (which answered
	// others meanwhile) from a gone one.
	answers atomic.Uint64

	// checkNow wakes the pinger for a check out of turn, when a request
	// failed in a way that says the engine may be gone.
	checkNow chan struct{}

	events      eventSeq      // see events.go
	revocations revocationSeq // see revocations.go

	// scansIn is set on FerretDB, which hands equality filters to its backend but answers $in by
	// decoding every document of the collection: queries that would be one $in there become a few
	// equality queries.
	scansIn bool

	// slotStep, set by tests only, runs at named points of the identity slot protocol (see step).
	slotStep func(step string, n int)

	customData customData // see customdata.go
	feed       *feed.Feed // see Config.Feed

	spans *commandSpans // nil unless Config.TracerProvider is set (tracing.go)

	// background bounds work the store starts by itself (rebuilding the owner index); Close cancels it.
	background     context.Context
	stopBackground context.CancelFunc

	stopPinger context.CancelFunc
	pingerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

var _ store.Store = (*Store)(nil)

// Open connects to the engine at cfg.URI, waits up to cfg.ConnectTimeout
// for it to answer, applies pending migrations and starts the health
// pinger. Its errors are one line and never contain credentials.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, errors.New("store: no MongoDB URI")
	}
	if cfg.Database == "" {
		cfg.Database = DefaultDatabase
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	customData, err := resolveCustomData(cfg.CustomData, cfg.Database)
	if err != nil {
		return nil, err
	}

	opts := options.Client().ApplyURI(cfg.URI)
	switch {
	case cfg.ServerSelectionTimeout > 0:
		opts.SetServerSelectionTimeout(cfg.ServerSelectionTimeout)
	case opts.ServerSelectionTimeout == nil:
		opts.SetServerSelectionTimeout(DefaultServerSelectionTimeout)
	}
	switch {
	case opts.ConnectTimeout != nil:
	case cfg.SameProcess:
		opts.SetConnectTimeout(0) // none: see Config.SameProcess
	default:
		// The driver's 30 s would stall its monitor that long on a host that
		// drops packets, delaying reconnection after an outage.
		opts.SetConnectTimeout(5 * time.Second)
	}
	if opts.AppName == nil {
		opts.SetAppName("lanyard")
	}
	// The health checker's client: the same engine and settings, one
	// connection, and none of the monitors below (its pings are not answers
	// to others' requests).
	healthOpts := *opts
	healthOpts.SetMaxPoolSize(1).SetMinPoolSize(0)
	s := &Store{
		log:         cfg.Logger,
		pingTimeout: defaultPingTimeout,
		pingerDone:  make(chan struct{}),
		checkNow:    make(chan struct{}, 1),
		events:      newEventSeq(),
		feed:        cfg.Feed,
	}
	s.background, s.stopBackground = context.WithCancel(context.WithoutCancel(ctx))
	if cfg.TracerProvider != nil {
		s.spans = newCommandSpans(cfg.TracerProvider)
	}
	spans := s.spans
	monitor := &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			s.answers.Add(1)
			if spans != nil {
				spans.finished(&e.CommandFinishedEvent, nil)
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			if spans != nil {
				spans.finished(&e.CommandFinishedEvent, e.Failure)
			}
			if ctx.Err() == nil && isBackendUnavailable(e.Failure) {
				s.requestCheck()
			}
		},
	}
	if cfg.OnCommand != nil || cfg.observe != nil || spans != nil {
		monitor.Started = func(ctx context.Context, e *event.CommandStartedEvent) {
			if cfg.OnCommand != nil {
				cfg.OnCommand(commandLabel(e.CommandName))
			}
			if cfg.observe != nil {
				cfg.observe(e)
			}
			if spans != nil {
				spans.started(ctx, e)
			}
		}
	}
	opts.SetMonitor(monitor)
	// The driver marks the engine Unknown when a connection to it fails (it
	// also clears the pool): that is when requests start waiting for it.
	opts.SetServerMonitor(&event.ServerMonitor{
		ServerDescriptionChanged: func(e *event.ServerDescriptionChangedEvent) {
			if e.NewDescription.Kind == "Unknown" && e.PreviousDescription.Kind != "Unknown" {
				s.requestCheck()
			}
		},
	})

	client, err := mongodriver.Connect(opts)
	if err != nil {
		// A bad URI or a failed SRV lookup; parse errors quote option values.
		return nil, fmt.Errorf("store: MongoDB URI: %s", oneLine(scrubSecrets(err.Error(), cfg.URI)))
	}
	healthClient, err := mongodriver.Connect(&healthOpts)
	if err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
		return nil, fmt.Errorf("store: MongoDB URI: %s", oneLine(scrubSecrets(err.Error(), cfg.URI)))
	}

	s.client = client
	s.healthClient = healthClient
	s.db = client.Database(cfg.Database)

	fail := func(err error) (*Store, error) {
		// Disconnect is bounded by its own context: ctx may be the one that
		// just expired.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = s.release(dctx)
		return nil, err
	}

	if err := s.waitReachable(ctx, cfg); err != nil {
		return fail(err)
	}
	if err := s.detectEngine(ctx); err != nil {
		return fail(err)
	}
	if err := migrate(ctx, s.db); err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	if err := s.openCustomData(ctx, customData, cfg.ClaimTiming); err != nil {
		return fail(err)
	}
	s.customData.onClaimLost = cfg.OnClaimLost

	pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopPinger = stop
	go s.pinger(pctx, cfg.PingInterval)
	return s, nil
}

// detectEngine tells FerretDB from MongoDB by the field FerretDB adds to buildInfo.
func (s *Store) detectEngine(ctx context.Context) error {
	var info bson.Raw
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("store: buildInfo: %w", translate(ctx, err))
	}
	_, err := info.LookupErr("ferretdbVersion")
	s.scansIn = err == nil
	return nil
}

// waitReachable pings until the engine answers, an error other than
// "unreachable" comes back (bad credentials fail at once), or
// cfg.ConnectTimeout passes.
func (s *Store) waitReachable(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()

	var last error
	for {
		err := s.client.Ping(ctx, nil)
		if err == nil {
			return nil
		}
		// translate with a live context: a timeout that ends the wait
		// should still report why the engine was unreachable.
		if terr := translate(context.Background(), err); errors.Is(terr, store.ErrUnavailable) || errors.Is(terr, store.ErrBusy) {
			last = err
		} else {
			return fmt.Errorf("store: cannot connect to MongoDB at %s: %s",
				uriHosts(cfg.URI), oneLine(scrubSecrets(err.Error(), cfg.URI)))
		}
		if ctx.Err() != nil {
			return fmt.Errorf("store: cannot reach MongoDB at %s within %s: %s",
				uriHosts(cfg.URI), cfg.ConnectTimeout, oneLine(scrubSecrets(shortCause(last), cfg.URI)))
		}
		// Server selection waits by itself; this only spaces out attempts
		// that fail at once.
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// Ping checks the engine now and records the outcome in Healthy. Every
// failure other than the caller's own cancellation means the engine cannot
// serve (FerretDB answers ping with an error when its backend is down), so
// all of them wrap store.ErrUnavailable, except a ping that got no answer
// from an engine busy answering others (store.ErrBusy).
func (s *Store) Ping(ctx context.Context) error {
	err := s.check(ctx)
	if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrUnavailable) && !errors.Is(err, store.ErrBusy) {
		err = fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// check pings the engine, within s.pingTimeout, and records what the outcome
// says about it in the health state, unless ctx is done: a check nobody
// waits for anymore says nothing about the engine.
//
// The ping goes over a connection of its own (healthClient): were it to
// queue for one of the connections requests use, an engine slow to answer
// them (a lock, a scan, a burst) would keep it waiting as long as they do,
// and read as an engine out of reach. A ping that got no answer in time
// while the engine answered other commands is no evidence of an outage
// either: it may wait inside the engine behind them. It leaves the state as
// it was, as does a ping the driver calls slow (ErrBusy); only an engine
// that answered nothing in that time counts as down. An engine counts as
// back once requests' own client reaches it too.
func (s *Store) check(ctx context.Context) error {
	answered := s.answers.Load()
	pctx, cancel := context.WithTimeout(ctx, s.pingTimeout)
	defer cancel()
	err := s.healthClient.Ping(pctx, nil)
	if err == nil && !s.health.Healthy() {
		// Back from an outage, requests may come in again only once their own
		// client (its monitor, its emptied pool) reaches the engine too. Its
		// connections are free meanwhile: the server refuses the calls.
		err = s.client.Ping(pctx, nil)
	}
	if ctx.Err() != nil || s.closed.Load() {
		return translate(ctx, err)
	}
	// Not pctx.Err() alone: the driver's read deadline can fire before the
	// context's own timer has run, on a loaded machine.
	if err != nil && (pctx.Err() != nil || mongodriver.IsTimeout(err)) {
		if n := s.answers.Load() - answered; n > 0 {
			s.log.Debug("store: engine busy: a ping waited longer than its timeout", slog.Uint64("answers_meanwhile", n))
			return fmt.Errorf("%w: no answer to a ping within %s while answering other commands", store.ErrBusy, s.pingTimeout)
		}
		err = fmt.Errorf("%w: %s", store.ErrUnavailable, shortCause(err))
	} else if err = translate(pctx, err); errors.Is(err, store.ErrBusy) {
		return err
	}
	if s.health.Set(err == nil) {
		if err == nil {
			s.log.Info("store: engine reachable again")
		} else {
			s.log.Warn("store: engine unreachable", slog.String("error", err.Error()))
		}
	}
	return err
}

// requestCheck has the pinger check the engine now rather than at its next
// tick. It never blocks: a check already requested covers this one.
func (s *Store) requestCheck() {
	select {
	case s.checkNow <- struct{}{}:
	default:
	}
}

// pinger checks the engine every interval, and when asked to, until ctx is
// canceled.
func (s *Store) pinger(ctx context.Context, interval time.Duration) {
	defer close(s.pingerDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.checkNow:
		}
		_ = s.check(ctx)
	}
}

// Healthy reports the outcome of the last check.
func (s *Store) Healthy() bool { return s.health.Healthy() }

// HealthChanged returns a channel closed at the next change of Healthy.
func (s *Store) HealthChanged() <-chan struct{} { return s.health.Changed() }

// Close stops the pinger and disconnects. Disconnecting is what lets an
// embedded FerretDB stop at once: it waits ~3 s for connected clients.
func (s *Store) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.stopPinger()
		<-s.pingerDone
		if err := s.release(ctx); err != nil {
			s.closeErr = fmt.Errorf("store: close: %w", err)
		}
	})
	return s.closeErr
}

// release stops the store's background work and disconnects both clients: what Close does after the
// pinger stopped, and what Open undoes when it fails after connecting. The error is the requests'
// client's.
func (s *Store) release(ctx context.Context) error {
	s.stopBackground()
	if x := s.customData.index; x != nil {
		x.unsubscribe()
	}
	err := s.client.Disconnect(ctx)
	_ = s.healthClient.Disconnect(ctx)
	return err
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
