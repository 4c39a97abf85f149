package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var eventsBehaviours = []behaviour{
	{name: "Events/AppendAndRead", run: eventsAppendAndRead},
	{name: "Events/TwoStoresAppendGapFree", run: eventsTwoStoresAppendGapFree},
}

func eventsAppendAndRead(t *testing.T, h harness) {
	s := h.openDB(t, DatabaseName(t))
	ctx := testContext(t)
	at := now()
	types := []string{store.EventCreate, store.EventLogin, store.EventDelete}
	for i, typ := range types {
		e := &store.AuthEvent{Type: typ, UserID: store.NewID(), Providers: []string{"anon-user", "api-key"}, At: at.Add(time.Duration(i) * time.Second)}
		must(t, s.AppendEvents(ctx, e), "AppendEvents")
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d got Seq %d, want %d", i, e.Seq, i+1)
		}
	}
	got, err := s.EventsAfter(ctx, 1, 10)
	must(t, err, "EventsAfter(1, 10)")
	if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 3 || got[0].Type != store.EventLogin || got[1].Type != store.EventDelete {
		t.Fatalf("EventsAfter(1, 10) = %+v", got)
	}
	sameValue(t, got[0].Providers, []string{"anon-user", "api-key"}, "Providers")
	sameTime(t, got[1].At, at.Add(2*time.Second), "At")
	got, err = s.EventsAfter(ctx, 0, 2)
	must(t, err, "EventsAfter(0, 2)")
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 {
		t.Errorf("EventsAfter(0, 2) = %+v", got)
	}
	got, err = s.EventsAfter(ctx, 3, 0)
	must(t, err, "EventsAfter(3, 0)")
	if len(got) != 0 {
		t.Errorf("EventsAfter(3, 0) = %+v, want none", got)
	}
}

func eventsTwoStoresAppendGapFree(t *testing.T, h harness) {
	// Two replicas on one database: 50 racing appends of two events each get 1..100, each pair in
	// its order.
	db := DatabaseName(t)
	stores := []store.Store{h.openDB(t, db), h.openDB(t, db)}
	ctx := testContext(t)
	const calls, n = 50, 100
	events := make([]*store.AuthEvent, n)
	errs := race(calls, func(i int) error {
		events[2*i] = &store.AuthEvent{Type: store.EventCreate, UserID: store.NewID(), At: now()}
		events[2*i+1] = &store.AuthEvent{Type: store.EventLogin, UserID: events[2*i].UserID, At: now()}
		return stores[i%2].AppendEvents(ctx, events[2*i], events[2*i+1])
	})
	bySeq := map[int64]*store.AuthEvent{}
	for i, err := range errs {
		must(t, err, "AppendEvents %d", i)
		if events[2*i].Seq >= events[2*i+1].Seq {
			t.Errorf("AppendEvents %d stored its events as %d and %d, out of order", i, events[2*i].Seq, events[2*i+1].Seq)
		}
	}
	for _, e := range events {
		bySeq[e.Seq] = e
	}
	for seq := int64(1); seq <= n; seq++ {
		if bySeq[seq] == nil {
			var seqs []int64
			for _, e := range events {
				seqs = append(seqs, e.Seq)
			}
			slices.Sort(seqs)
			t.Fatalf("sequence numbers %v, want 1..%d", seqs, n)
		}
	}
	got, err := stores[0].EventsAfter(ctx, 0, 0)
	must(t, err, "EventsAfter")
	if len(got) != n {
		t.Fatalf("EventsAfter(0, 0) returned %d events, want %d", len(got), n)
	}
	for i, e := range got {
		if e.Seq != int64(i+1) || e.UserID != bySeq[e.Seq].UserID || e.Type != bySeq[e.Seq].Type {
			t.Fatalf("EventsAfter[%d] = %+v, want Seq %d: %+v", i, e, i+1, bySeq[int64(i+1)])
		}
	}

	// A store opened later continues the sequence.
	late := h.openDB(t, db)
	e := &store.AuthEvent{Type: store.EventDelete, At: now()}
	must(t, late.AppendEvents(ctx, e), "AppendEvents of a new store")
	if e.Seq != n+1 {
		t.Errorf("a new store appended Seq %d, want %d", e.Seq, n+1)
	}
}
