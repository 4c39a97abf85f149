package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var triggersBehaviours = []behaviour{
	{name: "Leases/AcquireRenewExpireRelease", run: leasesAcquireRenewExpireRelease},
	{name: "Leases/RacingAcquirersOneWinner", run: leasesRacingAcquirersOneWinner},
	{name: "Leases/RenewalRacingTakeOver", run: leasesRenewalRacingTakeOver},
	{name: "Leases/BadInput", run: leasesBadInput},
	{name: "TriggerCursors/OnlyForward", run: triggerCursorsOnlyForward},
	{name: "TriggerCursors/RacingSetsKeepTheHighest", run: triggerCursorsRacingSets},
	{name: "Events/DeleteKeepsUserSnapshot", run: eventsDeleteKeepsUserSnapshot},
}

func acquire(t *testing.T, s store.Leases, name, holder string, at time.Time, ttl time.Duration) bool {
	t.Helper()
	held, err := s.AcquireLease(testContext(t), name, holder, at, ttl)
	must(t, err, "AcquireLease(%s, %s, %v)", name, holder, at)
	return held
}

func leasesAcquireRenewExpireRelease(t *testing.T, h harness) {
	db := DatabaseName(t)
	a, b := h.openDB(t, db), h.openDB(t, db)
	ctx := testContext(t)
	const ttl = 10 * time.Second
	t0 := now()

	if !acquire(t, a, "triggers", "a", t0, ttl) {
		t.Fatal("a free lease was not taken")
	}
	if acquire(t, b, "triggers", "b", t0.Add(ttl-time.Millisecond), ttl) {
		t.Fatal("b took a's lease before it expired")
	}
	if !acquire(t, b, "other", "b", t0, ttl) {
		t.Fatal("a lease of another name was not free")
	}
	// a renews before expiry, which moves the expiry on.
	if !acquire(t, a, "triggers", "a", t0.Add(ttl/2), ttl) {
		t.Fatal("a's renewal failed")
	}
	if acquire(t, b, "triggers", "b", t0.Add(ttl), ttl) {
		t.Fatal("b took the lease at the first expiry, which a's renewal had moved on")
	}
	// Past the renewed expiry the lease is anyone's, and a's next renewal fails.
	expired := t0.Add(ttl/2 + ttl)
	if !acquire(t, b, "triggers", "b", expired, ttl) {
		t.Fatal("b could not take an expired lease")
	}
	if acquire(t, a, "triggers", "a", expired, ttl) {
		t.Fatal("a renewed a lease b had taken")
	}

	// Releasing a lease one does not hold changes nothing.
	must(t, a.ReleaseLease(ctx, "triggers", "a"), "ReleaseLease by a non-holder")
	if acquire(t, a, "triggers", "a", expired.Add(time.Second), ttl) {
		t.Fatal("a non-holder's release freed the lease")
	}
	// The holder's release frees it at once.
	must(t, b.ReleaseLease(ctx, "triggers", "b"), "ReleaseLease by the holder")
	if !acquire(t, a, "triggers", "a", expired.Add(time.Second), ttl) {
		t.Fatal("a released lease was not free")
	}
	must(t, a.ReleaseLease(ctx, "missing", "a"), "ReleaseLease of a lease never taken")

	// A released lease can be taken by its last holder again, and a store opened later sees the holder.
	must(t, a.ReleaseLease(ctx, "triggers", "a"), "ReleaseLease")
	if !acquire(t, a, "triggers", "a", expired.Add(2*time.Second), ttl) {
		t.Fatal("the last holder could not take its released lease again")
	}
	late := h.openDB(t, db)
	if acquire(t, late, "triggers", "c", expired.Add(3*time.Second), ttl) {
		t.Fatal("a store opened later took a held lease")
	}
}

func leasesRacingAcquirersOneWinner(t *testing.T, h harness) {
	// Two replicas, several candidates each, race for the lease at one instant, round after round; each
	// round starts past the expiry of the round before, so exactly one candidate must win each time.
	db := DatabaseName(t)
	stores := []store.Store{h.openDB(t, db), h.openDB(t, db)}
	const candidates, rounds, ttl = 8, 5, time.Minute
	t0 := now()
	for round := range rounds {
		at := t0.Add(time.Duration(round) * ttl)
		held := make([]bool, candidates)
		errs := race(candidates, func(i int) error {
			var err error
			held[i], err = stores[i%2].AcquireLease(testContext(t), "race", fmt.Sprintf("c%d", i), at, ttl)
			return err
		})
		wins := 0
		for i, err := range errs {
			must(t, err, "round %d: AcquireLease of candidate %d", round, i)
			if held[i] {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d candidates hold the lease, want exactly 1 (%v)", round, wins, held)
		}
	}
}

func leasesRenewalRacingTakeOver(t *testing.T, h harness) {
	// The holder renews at the very instant its lease expires while others try to take it over: exactly
	// one of them holds it afterwards, and at an earlier instant no one but the holder gets it.
	db := DatabaseName(t)
	stores := []store.Store{h.openDB(t, db), h.openDB(t, db)}
	const candidates, rounds, ttl = 6, 4, time.Minute
	at := now()
	holder := "c0"
	if !acquire(t, stores[0], "renew", holder, at, ttl) {
		t.Fatal("a free lease was not taken")
	}
	for round := range rounds {
		early := at.Add(ttl - time.Millisecond)
		for i := range candidates {
			name := fmt.Sprintf("c%d", i)
			if name != holder && acquire(t, stores[i%2], "renew", name, early, ttl) {
				t.Fatalf("round %d: %s took %s's lease before it expired", round, name, holder)
			}
		}
		at = at.Add(ttl)
		held := make([]bool, candidates)
		errs := race(candidates, func(i int) error {
			var err error
			held[i], err = stores[i%2].AcquireLease(testContext(t), "renew", fmt.Sprintf("c%d", i), at, ttl)
			return err
		})
		wins := 0
		for i, err := range errs {
			must(t, err, "round %d: AcquireLease of candidate %d", round, i)
			if held[i] {
				wins++
				holder = fmt.Sprintf("c%d", i)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d candidates hold the lease, want exactly 1 (%v)", round, wins, held)
		}
	}
}

func leasesBadInput(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	for _, c := range []struct {
		name, holder string
		ttl          time.Duration
	}{{"", "a", time.Second}, {"l", "", time.Second}, {"l", "a", 0}, {"l", "a", -time.Second}} {
		if held, err := s.AcquireLease(ctx, c.name, c.holder, now(), c.ttl); err == nil || held {
			t.Errorf("AcquireLease(%q, %q, ttl %s) = %v, %v; want an error", c.name, c.holder, c.ttl, held, err)
		}
	}
	if err := s.ReleaseLease(ctx, "", "a"); err == nil {
		t.Error("ReleaseLease without a name: no error")
	}
	if err := s.SetTriggerCursor(ctx, "", 1); err == nil {
		t.Error("SetTriggerCursor without a name: no error")
	}
	if err := s.SetTriggerCursor(ctx, "c", -1); err == nil {
		t.Error("SetTriggerCursor to a negative position: no error")
	}
}

func cursorAt(t *testing.T, s store.TriggerCursors, name string) int64 {
	t.Helper()
	seq, err := s.TriggerCursor(testContext(t), name)
	must(t, err, "TriggerCursor(%s)", name)
	return seq
}

func triggerCursorsOnlyForward(t *testing.T, h harness) {
	db := DatabaseName(t)
	s := h.openDB(t, db)
	ctx := testContext(t)
	if got := cursorAt(t, s, "welcome"); got != 0 {
		t.Fatalf("a cursor never set is at %d, want 0", got)
	}
	for _, step := range []struct{ set, want int64 }{{5, 5}, {3, 5}, {5, 5}, {9, 9}, {0, 9}} {
		must(t, s.SetTriggerCursor(ctx, "welcome", step.set), "SetTriggerCursor(%d)", step.set)
		if got := cursorAt(t, s, "welcome"); got != step.want {
			t.Fatalf("after SetTriggerCursor(%d) the cursor is at %d, want %d", step.set, got, step.want)
		}
	}
	if got := cursorAt(t, s, "farewell"); got != 0 {
		t.Fatalf("another cursor moved with the first: at %d", got)
	}
	if got := cursorAt(t, h.openDB(t, db), "welcome"); got != 9 {
		t.Fatalf("a store opened later reads the cursor at %d, want 9", got)
	}
}

func triggerCursorsRacingSets(t *testing.T, h harness) {
	db := DatabaseName(t)
	stores := []store.Store{h.openDB(t, db), h.openDB(t, db)}
	const n = 20
	errs := race(n, func(i int) error {
		return stores[i%2].SetTriggerCursor(testContext(t), "raced", int64(i+1))
	})
	for i, err := range errs {
		must(t, err, "SetTriggerCursor %d", i+1)
	}
	if got := cursorAt(t, stores[0], "raced"); got != n {
		t.Fatalf("after racing sets of 1..%d the cursor is at %d", n, got)
	}
}

func eventsDeleteKeepsUserSnapshot(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	userID := store.NewID()
	snap := &store.UserSnapshot{
		Type: store.UserTypeNormal,
		Data: map[string]any{"email": "ada@example.com", "nested": map[string]any{"n": int32(3)}},
		Identities: []store.IdentitySnapshot{
			{ID: store.NewID(), ProviderType: "local-userpass", Data: map[string]any{"email": "ada@example.com"}},
			{ID: store.NewID(), ProviderType: "anon-user", Data: map[string]any{}},
		},
	}
	login := &store.AuthEvent{Type: store.EventLogin, UserID: userID, Providers: []string{"local-userpass"}, At: now()}
	del := &store.AuthEvent{Type: store.EventDelete, UserID: userID, Providers: []string{"local-userpass", "anon-user"}, At: now(), User: snap}
	if last, err := s.LastEventSeq(ctx); err != nil || last != 0 {
		t.Fatalf("LastEventSeq of an empty log = %d, %v; want 0", last, err)
	}
	must(t, s.AppendEvents(ctx, login, del), "AppendEvents")
	if last, err := s.LastEventSeq(ctx); err != nil || last != 2 {
		t.Fatalf("LastEventSeq after two events = %d, %v; want 2", last, err)
	}
	got, err := s.EventsAfter(ctx, 0, 0)
	must(t, err, "EventsAfter")
	if len(got) != 2 {
		t.Fatalf("EventsAfter returned %d events, want 2", len(got))
	}
	if got[0].User != nil {
		t.Errorf("a LOGIN event came back with a user snapshot: %+v", got[0].User)
	}
	sameValue(t, got[1].User, snap, "the DELETE event's user snapshot")
}
