// Package triggers runs App Services AUTHENTICATION triggers: for every CREATE, LOGIN or DELETE event of
// the durable auth event log (store.AuthEvents) that a trigger's operation type and providers match, it
// runs the trigger's function with the App Services authentication event.
//
// Delivery is at least once and in log order. Each trigger has its own cursor in the store: the events
// after it are read in order, the function runs, and only then does the cursor move past the event, so a
// process that dies in the middle runs that event again after its restart (or on another replica). A
// function that keeps failing is retried a few times with a growing wait, then logged (trigger, function,
// event sequence number) and skipped: one broken event never holds back the ones after it.
//
// One replica at a time runs the triggers: the holder of a lease in the store, renewed well before it
// expires. A replica that cannot renew stops before it runs another event; another takes over at the
// cursors once the lease is free (released when the holder stops, or expired when it died).
//
// Why one cursor per trigger rather than one for all: a trigger added to the export later starts at the
// end of the log instead of replaying its history or holding the others back, and a trigger removed from
// it leaves nothing behind that others wait for. The cost is one cursor write per trigger per batch of
// events, and one per run.
package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// Operation types of a Trigger (App Services' names, as store's event types).
const (
	OperationCreate = store.EventCreate
	OperationLogin  = store.EventLogin
	OperationDelete = store.EventDelete
)

// Results reported to Config.OnRun: one of these per run of a function.
const (
	ResultOK      = "ok"      // the function returned without error
	ResultFailed  = "failed"  // it failed and will be tried again
	ResultSkipped = "skipped" // it failed its last attempt: the event is skipped for this trigger
)

// Defaults of Config.
const (
	DefaultPoll      = time.Second
	DefaultLeaseTTL  = 30 * time.Second
	DefaultAttempts  = 3
	DefaultBackoff   = time.Second
	DefaultBatchSize = 100
	DefaultLeaseName = "auth-triggers"
)

// cursorPrefix names the cursors of triggers in the store.
const cursorPrefix = "auth-trigger/"

// Trigger is one AUTHENTICATION trigger of an export.
type Trigger struct {
	Name      string
	Function  string
	Operation string   // OperationCreate, OperationLogin or OperationDelete
	Providers []string // provider types whose events fire it; empty = all
}

// Store is what the runner needs of the store; a store.Store is one.
type Store interface {
	EventsAfter(ctx context.Context, after int64, limit int) ([]*store.AuthEvent, error)
	LastEventSeq(ctx context.Context) (int64, error)
	UserWithIdentities(ctx context.Context, id string) (*store.User, []*store.Identity, error)
	store.Leases
	store.TriggerCursors
}

// Config configures New. Zero values take the defaults above.
type Config struct {
	Triggers []Trigger
	Store    Store
	// Run runs the named function with the App Services authentication event as its only argument:
	// {operationType, providers, user: {id, type, data, identities: [{id, provider_type, data}]}, time}.
	// It must return once ctx is done. ctx ends when the lease would expire (a function that outlives it
	// counts as failed and is tried again under a renewed lease), so functions' own time limit should be
	// well below LeaseTTL.
	Run func(ctx context.Context, function string, event map[string]any) error
	// Holder names this replica in the lease; each replica needs its own.
	Holder string
	Now    func() time.Time
	// Poll is how often the log is read (and, by a replica without the lease, the lease tried) when
	// there is nothing left to run.
	Poll time.Duration
	// LeaseTTL is how long the lease lasts unrenewed; it is renewed once a third of it has passed.
	LeaseTTL time.Duration
	Logger   *slog.Logger

	// LeaseName is the lease in the store; replicas running the same triggers share it.
	LeaseName string
	// Attempts is how many times a failing function runs for one event before the event is skipped.
	Attempts int
	// Backoff is the wait after the first failure; each further one doubles it.
	Backoff time.Duration
	// BatchSize is how many events are read at a time.
	BatchSize int
	// CustomData, if set, gives the user's custom data document for the event's user.custom_data (nil
	// when the user has none).
	CustomData func(ctx context.Context, userID string) (map[string]any, error)
	// OnRun, if set, is told the result of each run of a function (Result*): metrics.
	OnRun func(trigger, result string)

	// Tick, if set, replaces the Poll timer: tests drive the runner with it.
	Tick <-chan time.Time
	// After waits before a retry; nil means time.After. Tests make it return at once.
	After func(time.Duration) <-chan time.Time
}

// Runner runs the triggers of one replica. Make it with New; start it with Run.
type Runner struct {
	cfg Config
	log *slog.Logger

	// Lease state, by the caller's clock (Config.Now).
	held     bool
	renewAt  time.Time // when the lease is renewed
	heldTill time.Time // when it expires unless renewed

	// cursors holds each trigger's last finished event, loaded whenever the lease is taken (another
	// replica may have moved them meanwhile).
	cursors map[string]int64
	unsaved map[string]bool // cursors moved past ignored events since they were last stored
}

// errLeaseLost stops a pass: another replica may hold the lease now.
var errLeaseLost = errors.New("triggers: lease lost")

// New checks cfg and returns a runner.
func New(cfg Config) (*Runner, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("triggers: no store")
	case cfg.Run == nil:
		return nil, errors.New("triggers: no function runner")
	case cfg.Holder == "":
		return nil, errors.New("triggers: no holder name for the lease")
	case cfg.Poll < 0 || cfg.LeaseTTL < 0 || cfg.Backoff < 0 || cfg.Attempts < 0 || cfg.BatchSize < 0:
		return nil, errors.New("triggers: negative poll interval, lease time, backoff, attempts or batch size")
	}
	seen := map[string]bool{}
	for i, tr := range cfg.Triggers {
		switch {
		case tr.Name == "":
			return nil, fmt.Errorf("triggers: trigger %d has no name", i)
		case seen[tr.Name]:
			return nil, fmt.Errorf("triggers: two triggers are named %q", tr.Name)
		case tr.Function == "":
			return nil, fmt.Errorf("triggers: trigger %q names no function", tr.Name)
		case tr.Operation != OperationCreate && tr.Operation != OperationLogin && tr.Operation != OperationDelete:
			return nil, fmt.Errorf("triggers: trigger %q has operation type %q; want CREATE, LOGIN or DELETE", tr.Name, tr.Operation)
		}
		seen[tr.Name] = true
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll == 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LeaseName == "" {
		cfg.LeaseName = DefaultLeaseName
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	return &Runner{cfg: cfg, log: cfg.Logger.With("component", "triggers")}, nil
}

// Run runs the triggers while this replica holds the lease, and tries to take it while another does,
// until ctx ends; it then releases the lease (if held) and returns ctx's error. Store failures are logged
// and retried at the next poll.
func (r *Runner) Run(ctx context.Context) error {
	defer r.release(ctx)
	tick := r.cfg.Tick
	if tick == nil {
		t := time.NewTicker(r.cfg.Poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		if len(r.cfg.Triggers) > 0 {
			if err := r.pass(ctx); err != nil && ctx.Err() == nil {
				if errors.Is(err, errLeaseLost) {
					r.log.Info("the triggers lease could not be renewed; stopped until it is taken again", "error", err.Error())
				} else {
					r.log.Warn("running triggers", "error", err.Error())
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		}
	}
}

// release gives the lease up so that another replica takes over without waiting for its expiry.
func (r *Runner) release(ctx context.Context) {
	if !r.held {
		return
	}
	r.held = false
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.cfg.Store.ReleaseLease(rctx, r.cfg.LeaseName, r.cfg.Holder); err != nil {
		r.log.Warn("releasing the triggers lease", "error", err.Error())
	}
}

// lease makes sure this replica holds the lease for a while yet: it takes the lease, or renews it once a
// third of its time has passed. It reports whether the lease is held.
func (r *Runner) lease(ctx context.Context) (bool, error) {
	now := r.cfg.Now()
	if r.held && now.Before(r.renewAt) {
		return true, nil
	}
	held, err := r.cfg.Store.AcquireLease(ctx, r.cfg.LeaseName, r.cfg.Holder, now, r.cfg.LeaseTTL)
	if err != nil {
		// Held until its expiry all the same, if it was: the renewal is tried again at the next event or poll.
		if r.held && now.Before(r.heldTill) {
			return false, err
		}
		r.held = false
		return false, err
	}
	if !held {
		r.held = false
		return false, nil
	}
	if !r.held {
		r.cursors = nil // another replica may have moved them
	}
	r.held, r.renewAt, r.heldTill = true, now.Add(r.cfg.LeaseTTL/3), now.Add(r.cfg.LeaseTTL)
	return true, nil
}

// pass runs the triggers over every event after their cursors, batch after batch, as long as the lease
// is held.
func (r *Runner) pass(ctx context.Context) error {
	held, err := r.lease(ctx)
	if err != nil || !held {
		return err
	}
	if r.cursors == nil {
		if err := r.loadCursors(ctx); err != nil {
			return err
		}
	}
	for {
		events, err := r.cfg.Store.EventsAfter(ctx, r.lowestCursor(), r.cfg.BatchSize)
		if err != nil || len(events) == 0 {
			return err
		}
		for _, e := range events {
			if err = r.runEvent(ctx, e); err != nil {
				break
			}
		}
		// Positions past ignored events are true whatever stopped the batch: store them all the same.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		ferr := r.flush(fctx)
		cancel()
		if err == nil {
			err = ferr
		}
		if err != nil || len(events) < r.cfg.BatchSize {
			return err
		}
	}
}

// Prepare starts the triggers never seen before at the end of the log now, rather than at the runner's
// first pass: called before the server serves, it makes every login served afterwards fire them. It
// needs no lease, since a cursor only moves forward.
func (r *Runner) Prepare(ctx context.Context) error { return r.loadCursors(ctx) }

// loadCursors reads every trigger's cursor, starting a trigger never seen before at the end of the log:
// like App Services, a new trigger fires on the events after it was added.
//
// The store keeps a trigger's cursor as one more than the last event it finished: the store's 0 means
// never set, which must differ from "set before any event".
func (r *Runner) loadCursors(ctx context.Context) error {
	cursors := make(map[string]int64, len(r.cfg.Triggers))
	var head int64 = -1
	for _, tr := range r.cfg.Triggers {
		stored, err := r.cfg.Store.TriggerCursor(ctx, cursorPrefix+tr.Name)
		if err != nil {
			return err
		}
		if stored == 0 {
			if head < 0 {
				if head, err = r.cfg.Store.LastEventSeq(ctx); err != nil {
					return err
				}
			}
			if err := r.cfg.Store.SetTriggerCursor(ctx, cursorPrefix+tr.Name, head+1); err != nil {
				return err
			}
			r.log.Info("trigger starts at the end of the auth event log", "trigger", tr.Name, "after_seq", head)
			stored = head + 1
		}
		cursors[tr.Name] = stored - 1
	}
	r.cursors, r.unsaved = cursors, map[string]bool{}
	return nil
}

func (r *Runner) lowestCursor() int64 {
	low := int64(-1)
	for _, c := range r.cursors {
		if low < 0 || c < low {
			low = c
		}
	}
	return max(low, 0)
}

// runEvent runs every trigger the event fires that has not finished it yet, then moves the cursors of
// the others past it.
func (r *Runner) runEvent(ctx context.Context, e *store.AuthEvent) error {
	var event map[string]any
	for _, tr := range r.cfg.Triggers {
		if r.cursors[tr.Name] >= e.Seq {
			continue
		}
		if fires(tr, e) {
			// The lease is checked before every event: a replica that lost it runs nothing more.
			if held, err := r.lease(ctx); err != nil || !held {
				return errors.Join(errLeaseLost, err)
			}
			if event == nil {
				var err error
				if event, err = r.authEvent(ctx, e); err != nil {
					return err
				}
			}
			if err := r.runTrigger(ctx, tr, e, event); err != nil {
				return err
			}
			// Stored at once: this run is done, and a crash must not run it again without need.
			if err := r.cfg.Store.SetTriggerCursor(ctx, cursorPrefix+tr.Name, e.Seq+1); err != nil {
				return err
			}
			r.cursors[tr.Name] = e.Seq
			delete(r.unsaved, tr.Name)
			continue
		}
		// Passing an event a trigger ignores needs no write of its own: flush stores the last one.
		r.cursors[tr.Name] = e.Seq
		r.unsaved[tr.Name] = true
	}
	return nil
}

// flush stores the cursors that moved past ignored events only, so that a restart does not read those
// events again.
func (r *Runner) flush(ctx context.Context) error {
	var errs []error
	for name := range r.unsaved {
		if err := r.cfg.Store.SetTriggerCursor(ctx, cursorPrefix+name, r.cursors[name]+1); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(r.unsaved, name)
	}
	return errors.Join(errs...)
}

// fires reports whether the event fires the trigger.
func fires(tr Trigger, e *store.AuthEvent) bool {
	if tr.Operation != e.Type {
		return false
	}
	if len(tr.Providers) == 0 {
		return true
	}
	return slices.ContainsFunc(e.Providers, func(p string) bool { return slices.Contains(tr.Providers, p) })
}

// runTrigger runs the trigger's function for the event, retrying a failure with a doubling wait, and
// skips the event (logging it) after the last attempt. It returns an error only when the run must stop:
// ctx ended, or the lease was lost between attempts.
func (r *Runner) runTrigger(ctx context.Context, tr Trigger, e *store.AuthEvent, event map[string]any) error {
	wait := r.cfg.Backoff
	for attempt := 1; ; attempt++ {
		// The function's time ends with the lease's: once another replica may take over, this one must
		// not be running triggers any more.
		fctx, cancel := context.WithTimeout(ctx, r.heldTill.Sub(r.cfg.Now()))
		err := r.cfg.Run(fctx, tr.Function, event)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err() // not the function's failure: the event runs again after a restart
		}
		if err == nil {
			r.report(tr.Name, ResultOK)
			return nil
		}
		if attempt >= r.cfg.Attempts {
			r.report(tr.Name, ResultSkipped)
			r.log.Error("trigger function failed; event skipped", "trigger", tr.Name, "function", tr.Function,
				"event_seq", e.Seq, "operation", e.Type, "attempts", attempt, "error", err.Error())
			return nil
		}
		r.report(tr.Name, ResultFailed)
		r.log.Warn("trigger function failed; trying again", "trigger", tr.Name, "function", tr.Function,
			"event_seq", e.Seq, "attempt", attempt, "wait", wait.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.cfg.After(wait):
		}
		wait *= 2
		if held, err := r.lease(ctx); err != nil || !held {
			return errors.Join(errLeaseLost, err)
		}
	}
}

func (r *Runner) report(trigger, result string) {
	if r.cfg.OnRun != nil {
		r.cfg.OnRun(trigger, result)
	}
}

// authEvent builds the App Services authentication event. CREATE and LOGIN carry the user as the store
// has it now; DELETE (and any event whose user is gone meanwhile) what the event kept of it.
func (r *Runner) authEvent(ctx context.Context, e *store.AuthEvent) (map[string]any, error) {
	var user map[string]any
	if e.Type != store.EventDelete {
		u, idents, err := r.cfg.Store.UserWithIdentities(ctx, e.UserID)
		switch {
		case err == nil:
			user = userObject(e.UserID, u.Type, u.Data, identityObjects(idents))
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	if user == nil {
		user = snapshotObject(e.UserID, e.User)
	}
	if r.cfg.CustomData != nil {
		doc, err := r.cfg.CustomData(ctx, e.UserID)
		if err != nil {
			return nil, err
		}
		if doc == nil {
			doc = map[string]any{}
		}
		user["custom_data"] = doc
	}
	providers := make([]any, len(e.Providers))
	for i, p := range e.Providers {
		providers[i] = p
	}
	return map[string]any{
		"operationType": e.Type,
		"providers":     providers,
		"user":          user,
		"time":          e.At,
	}, nil
}

func userObject(id, typ string, data map[string]any, identities []any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"id": id, "type": typ, "data": data, "identities": identities}
}

func identityObject(id, providerType string, data map[string]any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"id": id, "provider_type": providerType, "data": data}
}

func identityObjects(idents []*store.Identity) []any {
	out := make([]any, len(idents))
	for i, id := range idents {
		out[i] = identityObject(id.ID, id.ProviderType, id.Data)
	}
	return out
}

// snapshotObject is the user as the event kept it; an event that kept nothing gives the id alone.
func snapshotObject(userID string, snap *store.UserSnapshot) map[string]any {
	if snap == nil {
		return userObject(userID, "", nil, []any{})
	}
	idents := make([]any, len(snap.Identities))
	for i, id := range snap.Identities {
		idents[i] = identityObject(id.ID, id.ProviderType, id.Data)
	}
	return userObject(userID, snap.Type, snap.Data, idents)
}
