package triggers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/internal/testclock"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

const backstop = 30 * time.Second

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// forEachEngine runs fn on every engine of the matrix, with open giving stores on one fresh database
// (each call another store on it, as another replica would have).
func forEachEngine(t *testing.T, fn func(t *testing.T, open func() store.Store)) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		db := storetest.DatabaseName(t)
		fn(t, func() store.Store {
			s, err := mongo.Open(t.Context(), mongo.Config{URI: e.URI, Database: db, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(context.Background()) })
			return s
		})
	})
}

// call is one run of a function.
type call struct {
	runner   string
	function string
	event    map[string]any
}

// calls records the runs of functions of every runner of a test.
type calls struct {
	mu   sync.Mutex
	list []call
}

func (c *calls) add(cl call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, cl)
}

func (c *calls) all() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.list)
}

// userIDs lists the user ids of the events the runs got, in order, optionally of one runner only.
func (c *calls) userIDs(runner string) []string {
	var ids []string
	for _, cl := range c.all() {
		if runner == "" || cl.runner == runner {
			ids = append(ids, cl.event["user"].(map[string]any)["id"].(string))
		}
	}
	return ids
}

// runner is a Runner under test, driven by its tick channel.
type runner struct {
	tick   chan time.Time
	cancel context.CancelFunc
	done   chan error
}

// start starts a runner named holder on s; run, when not nil, replaces the recording function.
func start(t *testing.T, s store.Store, holder string, c *testclock.Clock, rec *calls, triggers []Trigger, tweak func(*Config)) *runner {
	t.Helper()
	r := &runner{tick: make(chan time.Time), done: make(chan error, 1)}
	cfg := Config{
		Triggers: triggers,
		Store:    s,
		Run: func(_ context.Context, function string, event map[string]any) error {
			rec.add(call{runner: holder, function: function, event: event})
			return nil
		},
		Holder:   holder,
		Now:      c.Now,
		LeaseTTL: 30 * time.Second,
		Logger:   quiet,
		Tick:     r.tick,
		After: func(time.Duration) <-chan time.Time {
			ch := make(chan time.Time, 1)
			ch <- time.Time{}
			return ch
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	rn, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	go func() { r.done <- rn.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// sync returns once the runner has made a whole pass that began after sync was called: the tick
// channel is unbuffered, so the runner takes the second tick only once the pass the first began is over.
func (r *runner) sync(t *testing.T) {
	t.Helper()
	for range 2 {
		select {
		case r.tick <- time.Time{}:
		case <-time.After(backstop):
			t.Fatal("the runner took no tick")
		}
	}
}

// stop cancels the runner and waits for Run to return.
func (r *runner) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(backstop):
		t.Fatal("Run did not return after its context ended")
	}
}

func appendEvents(t *testing.T, s store.Store, events ...*store.AuthEvent) {
	t.Helper()
	if err := s.AppendEvents(t.Context(), events...); err != nil {
		t.Fatal(err)
	}
}

func logins(n int, at time.Time) ([]*store.AuthEvent, []string) {
	events := make([]*store.AuthEvent, n)
	ids := make([]string, n)
	for i := range events {
		ids[i] = store.NewID()
		events[i] = &store.AuthEvent{Type: store.EventLogin, UserID: ids[i], Providers: []string{"anon-user"}, At: at}
	}
	return events, ids
}

var loginTrigger = []Trigger{{Name: "onLogin", Function: "logLogin", Operation: OperationLogin}}

func TestEventShapeAndFilters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		c := testclock.New()
		rec := &calls{}
		at := c.Now().Add(-time.Minute)

		// An event from before the triggers ever ran does not fire them: they start at the end of the log.
		early, _ := logins(1, at)
		appendEvents(t, s, early...)

		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: at, LastLoginAt: at,
			Data: map[string]any{"email": "ada@example.com"}}
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "local-userpass", ProviderID: "ada@example.com",
			Data: map[string]any{"email": "ada@example.com"}, CreatedAt: at, LastLoginAt: at}
		if err := s.CreateUser(t.Context(), u, ident); err != nil {
			t.Fatal(err)
		}

		r := start(t, s, "a", c, rec, []Trigger{
			{Name: "onCreate", Function: "created", Operation: OperationCreate},
			{Name: "onUserpassLogin", Function: "userpassLogin", Operation: OperationLogin, Providers: []string{"local-userpass"}},
			{Name: "onAnonLogin", Function: "anonLogin", Operation: OperationLogin, Providers: []string{"anon-user"}},
			{Name: "onDelete", Function: "deleted", Operation: OperationDelete, Providers: []string{"anon-user", "oauth2-google"}},
		}, nil)
		r.sync(t)

		goneID, goneIdent := store.NewID(), store.NewID()
		ghostID := store.NewID()
		appendEvents(t, s,
			&store.AuthEvent{Type: store.EventCreate, UserID: u.ID, Providers: []string{"local-userpass"}, At: at},
			&store.AuthEvent{Type: store.EventLogin, UserID: u.ID, Providers: []string{"local-userpass"}, At: at.Add(time.Second)},
			&store.AuthEvent{Type: store.EventDelete, UserID: goneID, Providers: []string{"local-userpass", "oauth2-google"}, At: at.Add(2 * time.Second),
				User: &store.UserSnapshot{Type: store.UserTypeNormal, Data: map[string]any{"name": "Gone"}, Identities: []store.IdentitySnapshot{
					{ID: goneIdent, ProviderType: "oauth2-google", Data: map[string]any{"name": "Gone"}}}}},
			// A login of a user deleted meanwhile, whose event kept nothing: the id alone.
			&store.AuthEvent{Type: store.EventLogin, UserID: ghostID, Providers: []string{"anon-user"}, At: at.Add(3 * time.Second)},
			// Fires nothing: both login triggers listen to other providers.
			&store.AuthEvent{Type: store.EventLogin, UserID: store.NewID(), Providers: []string{"api-key"}, At: at.Add(4 * time.Second)},
		)
		r.sync(t)

		userObj := map[string]any{"id": u.ID, "type": "normal", "data": map[string]any{"email": "ada@example.com"},
			"identities": []any{map[string]any{"id": ident.ID, "provider_type": "local-userpass", "data": map[string]any{"email": "ada@example.com"}}}}
		want := []call{
			{"a", "created", map[string]any{"operationType": "CREATE", "providers": []any{"local-userpass"}, "user": userObj, "time": at}},
			{"a", "userpassLogin", map[string]any{"operationType": "LOGIN", "providers": []any{"local-userpass"}, "user": userObj, "time": at.Add(time.Second)}},
			{"a", "deleted", map[string]any{"operationType": "DELETE", "providers": []any{"local-userpass", "oauth2-google"}, "time": at.Add(2 * time.Second),
				"user": map[string]any{"id": goneID, "type": "normal", "data": map[string]any{"name": "Gone"},
					"identities": []any{map[string]any{"id": goneIdent, "provider_type": "oauth2-google", "data": map[string]any{"name": "Gone"}}}}}},
			{"a", "anonLogin", map[string]any{"operationType": "LOGIN", "providers": []any{"anon-user"}, "time": at.Add(3 * time.Second),
				"user": map[string]any{"id": ghostID, "type": "", "data": map[string]any{}, "identities": []any{}}}},
		}
		got := rec.all()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("runs:\n got %#v\nwant %#v", got, want)
		}
		for _, cl := range got {
			if tm := cl.event["time"].(time.Time); tm.Location() != time.UTC {
				t.Errorf("%s got a time in %v, want UTC", cl.function, tm.Location())
			}
		}
	})
}

func TestCustomDataInTheUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		rec := &calls{}
		r := start(t, s, "a", testclock.New(), rec, loginTrigger, func(cfg *Config) {
			cfg.CustomData = func(_ context.Context, userID string) (map[string]any, error) {
				return map[string]any{"owner": userID}, nil
			}
		})
		r.sync(t)
		events, ids := logins(1, time.Now().UTC().Truncate(time.Millisecond))
		appendEvents(t, s, events...)
		r.sync(t)
		got := rec.all()
		if len(got) != 1 {
			t.Fatalf("%d runs, want 1", len(got))
		}
		if cd := got[0].event["user"].(map[string]any)["custom_data"]; !reflect.DeepEqual(cd, map[string]any{"owner": ids[0]}) {
			t.Errorf("user.custom_data = %#v", cd)
		}
	})
}

func TestRestartRunsEveryEventAtLeastOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		c := testclock.New()
		rec := &calls{}
		events, ids := logins(6, c.Now())
		blocked := make(chan struct{})
		// Once: were the event run twice, the check of what ran would say so, not a panic.
		closeBlocked := sync.OnceFunc(func() { close(blocked) })
		first := start(t, s, "first", c, rec, loginTrigger, func(cfg *Config) {
			cfg.Run = func(ctx context.Context, function string, event map[string]any) error {
				if event["user"].(map[string]any)["id"] == ids[2] {
					closeBlocked()
					<-ctx.Done() // the process dies in the middle of the third event
					return ctx.Err()
				}
				rec.add(call{runner: "first", function: function, event: event})
				return nil
			}
		})
		first.sync(t)
		appendEvents(t, s, events...)
		// The pass that began with sync's last tick may be at the events already: then it takes no tick.
		select {
		case first.tick <- time.Time{}:
		case <-blocked:
		}
		select {
		case <-blocked:
		case <-time.After(backstop):
			t.Fatal("the third event never ran")
		}
		first.stop(t)

		// A restart (a new process: a new store, another holder) resumes at the event that did not finish.
		second := start(t, open(), "second", c, rec, loginTrigger, nil)
		second.sync(t)
		if got := rec.userIDs("first"); !slices.Equal(got, ids[:2]) {
			t.Errorf("the first run finished %v, want %v", got, ids[:2])
		}
		if got := rec.userIDs("second"); !slices.Equal(got, ids[2:]) {
			t.Errorf("the restarted run ran %v, want %v (every event from the unfinished one, none before)", got, ids[2:])
		}
	})
}

func TestTwoRunnersOneAtATime(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		c := testclock.New()
		rec := &calls{}
		a := start(t, open(), "a", c, rec, loginTrigger, nil)
		a.sync(t)
		b := start(t, open(), "b", c, rec, loginTrigger, nil)
		b.sync(t)

		s := open()
		events, ids := logins(3, c.Now())
		appendEvents(t, s, events...)
		b.sync(t)
		a.sync(t)
		b.sync(t)
		if got := rec.userIDs("b"); len(got) != 0 {
			t.Fatalf("b ran %v while a held the lease", got)
		}
		if got := rec.userIDs("a"); !slices.Equal(got, ids) {
			t.Fatalf("a ran %v, want %v", got, ids)
		}

		// a stops (releasing the lease): b takes over at the cursor, with no wait for the lease's expiry.
		a.stop(t)
		more, moreIDs := logins(2, c.Now())
		appendEvents(t, s, more...)
		b.sync(t)
		if got := rec.userIDs("b"); !slices.Equal(got, moreIDs) {
			t.Fatalf("after a stopped, b ran %v, want %v", got, moreIDs)
		}
	})
}

func TestLostLeaseStopsBeforeTheNextEvent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		c := testclock.New()
		rec := &calls{}
		const ttl = 30 * time.Second
		a := start(t, open(), "a", c, rec, loginTrigger, nil)
		a.sync(t)
		b := start(t, open(), "b", c, rec, loginTrigger, nil)

		// a stalls past its lease (no tick reaches it); b takes the expired lease.
		c.Advance(ttl)
		b.sync(t)
		s := open()
		events, ids := logins(3, c.Now())
		appendEvents(t, s, events...)
		a.sync(t)
		if got := rec.userIDs("a"); len(got) != 0 {
			t.Fatalf("a ran %v after its lease was taken over", got)
		}
		b.sync(t)
		if got := rec.userIDs("b"); !slices.Equal(got, ids) {
			t.Fatalf("b ran %v, want %v", got, ids)
		}
	})
}

func TestRenewalKeepsTheLease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		c := testclock.New()
		rec := &calls{}
		const ttl = 30 * time.Second
		a := start(t, open(), "a", c, rec, loginTrigger, nil)
		a.sync(t) // a holds the lease before b starts
		b := start(t, open(), "b", c, rec, loginTrigger, nil)
		// a is ticked more often than the lease lasts: it renews, and b never gets the lease.
		s := open()
		for range 6 {
			c.Advance(ttl / 2)
			a.sync(t)
			b.sync(t)
			events, _ := logins(1, c.Now())
			appendEvents(t, s, events...)
		}
		a.sync(t)
		if got := rec.userIDs("b"); len(got) != 0 {
			t.Fatalf("b ran %v while a renewed its lease", got)
		}
		if got := rec.userIDs("a"); len(got) != 6 {
			t.Fatalf("a ran %d events, want 6", len(got))
		}
	})
}

func TestFailingFunctionRetriedThenSkipped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		c := testclock.New()
		rec := &calls{}
		events, ids := logins(3, c.Now())
		var (
			mu      sync.Mutex
			waits   []time.Duration
			results []string
		)
		r := start(t, s, "a", c, rec, loginTrigger, func(cfg *Config) {
			cfg.Attempts = 3
			cfg.Backoff = time.Second
			cfg.Run = func(_ context.Context, function string, event map[string]any) error {
				rec.add(call{runner: "a", function: function, event: event})
				if event["user"].(map[string]any)["id"] == ids[1] {
					return errors.New("function threw")
				}
				return nil
			}
			cfg.After = func(d time.Duration) <-chan time.Time {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				ch := make(chan time.Time, 1)
				ch <- time.Time{}
				return ch
			}
			cfg.OnRun = func(trigger, result string) {
				mu.Lock()
				results = append(results, trigger+":"+result)
				mu.Unlock()
			}
		})
		r.sync(t)
		appendEvents(t, s, events...)
		r.sync(t)
		if got, want := rec.userIDs(""), []string{ids[0], ids[1], ids[1], ids[1], ids[2]}; !slices.Equal(got, want) {
			t.Fatalf("runs for %v, want %v", got, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if want := []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(waits, want) {
			t.Errorf("waits before retries %v, want %v", waits, want)
		}
		if want := []string{"onLogin:ok", "onLogin:failed", "onLogin:failed", "onLogin:skipped", "onLogin:ok"}; !slices.Equal(results, want) {
			t.Errorf("results %v, want %v", results, want)
		}
		if pos, err := s.TriggerCursor(t.Context(), cursorPrefix+"onLogin"); err != nil || pos != events[2].Seq+1 {
			t.Errorf("stored cursor %d, %v; want past the last event (%d)", pos, err, events[2].Seq+1)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	run := func(context.Context, string, map[string]any) error { return nil }
	var s Store = struct{ store.Store }{} // never called: New only checks the configuration
	for name, cfg := range map[string]Config{
		"no store":          {Run: run, Holder: "a"},
		"no run":            {Store: s, Holder: "a"},
		"no holder":         {Store: s, Run: run},
		"negative poll":     {Store: s, Run: run, Holder: "a", Poll: -time.Second},
		"unnamed trigger":   {Store: s, Run: run, Holder: "a", Triggers: []Trigger{{Function: "f", Operation: "LOGIN"}}},
		"no function":       {Store: s, Run: run, Holder: "a", Triggers: []Trigger{{Name: "t", Operation: "LOGIN"}}},
		"unknown operation": {Store: s, Run: run, Holder: "a", Triggers: []Trigger{{Name: "t", Function: "f", Operation: "UPDATE"}}},
		"duplicate name": {Store: s, Run: run, Holder: "a", Triggers: []Trigger{
			{Name: "t", Function: "f", Operation: "LOGIN"}, {Name: "t", Function: "g", Operation: "CREATE"}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := New(Config{Store: s, Run: run, Holder: "a", Triggers: loginTrigger}); err != nil {
		t.Errorf("New refused a good configuration: %v", err)
	}
}

func TestFunctionTimeEndsWithTheLease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		rec := &calls{}
		const ttl = 30 * time.Second
		deadlines := make(chan time.Duration, 1)
		r := start(t, s, "a", testclock.New(), rec, loginTrigger, func(cfg *Config) {
			cfg.LeaseTTL = ttl
			cfg.Run = func(ctx context.Context, function string, event map[string]any) error {
				dl, ok := ctx.Deadline()
				if !ok {
					deadlines <- -1
					return nil
				}
				deadlines <- time.Until(dl)
				return nil
			}
		})
		r.sync(t)
		events, _ := logins(1, time.Now().UTC().Truncate(time.Millisecond))
		appendEvents(t, s, events...)
		r.sync(t)
		select {
		case left := <-deadlines:
			if left <= 0 || left > ttl {
				t.Errorf("the function had %v left, want a deadline within the lease's %v", left, ttl)
			}
		default:
			t.Fatal("the function did not run")
		}
	})
}

// TestPrepareStartsNewTriggersBeforeTheFirstPass: events appended after Prepare, before the runner's
// first pass, fire a trigger seen for the first time; those before it do not.
func TestPrepareStartsNewTriggersBeforeTheFirstPass(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func() store.Store) {
		s := open()
		ctx := t.Context()
		appendLogin := func(user string) {
			t.Helper()
			if err := s.AppendEvents(ctx, &store.AuthEvent{Type: store.EventLogin, UserID: user, Providers: []string{"anon-user"}, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		appendLogin(store.NewID()) // before the trigger existed
		rec := &calls{}
		r, err := New(Config{Triggers: loginTrigger, Store: s, Holder: "a", Logger: quiet,
			Run: func(_ context.Context, fn string, ev map[string]any) error { rec.add(call{"a", fn, ev}); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Prepare(ctx); err != nil {
			t.Fatal(err)
		}
		after := store.NewID()
		appendLogin(after)
		tick := make(chan time.Time)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		r.cfg.Tick = tick
		go func() { done <- r.Run(rctx) }()
		deadline := time.After(backstop)
		for len(rec.all()) == 0 {
			select {
			case tick <- time.Now():
			case <-deadline:
				t.Fatal("the trigger never ran")
			}
		}
		cancel()
		<-done
		if got := rec.userIDs(""); len(got) != 1 || got[0] != after {
			t.Fatalf("runs for users %v: want one, for the login after Prepare (%s)", got, after)
		}
	})
}
