package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

func runEvents(t *testing.T, open Opener) {
	t.Run("Events/AppendAndRead", func(t *testing.T) {
		s := open(t, DatabaseName(t))
		ctx := testContext(t)
		at := now()
		types := []string{store.EventCreate, store.EventLogin, store.EventDelete}
		for i, typ := range types {
			e := &store.AuthEvent{Type: typ, UserID: store.NewID(), Providers: []string{"anon-user", "api-key"}, At: at.Add(time.Duration(i) * time.Second)}
			must(t, s.AppendEvent(ctx, e), "AppendEvent")
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
	})

	t.Run("Events/TwoStoresAppendGapFree", func(t *testing.T) {
		// Two replicas on one database: 50 racing appends get 1..50.
		db := DatabaseName(t)
		stores := []store.Store{open(t, db), open(t, db)}
		ctx := testContext(t)
		const n = 50
		events := make([]*store.AuthEvent, n)
		errs := race(n, func(i int) error {
			events[i] = &store.AuthEvent{Type: store.EventLogin, UserID: store.NewID(), At: now()}
			return stores[i%2].AppendEvent(ctx, events[i])
		})
		bySeq := map[int64]*store.AuthEvent{}
		for i, err := range errs {
			must(t, err, "AppendEvent %d", i)
			bySeq[events[i].Seq] = events[i]
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
			if e.Seq != int64(i+1) || e.UserID != bySeq[e.Seq].UserID {
				t.Fatalf("EventsAfter[%d] = %+v, want Seq %d of user %s", i, e, i+1, bySeq[int64(i+1)].UserID)
			}
		}

		// A store opened later continues the sequence.
		late := open(t, db)
		e := &store.AuthEvent{Type: store.EventDelete, At: now()}
		must(t, late.AppendEvent(ctx, e), "AppendEvent of a new store")
		if e.Seq != n+1 {
			t.Errorf("a new store appended Seq %d, want %d", e.Seq, n+1)
		}
	})
}
