package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var revocationsBehaviours = []behaviour{
	{name: "Revocations/LogInOrder", run: revocationsLogInOrder},
	{name: "Revocations/TwoStoresNumberInOrder", run: revocationsTwoStoresNumberInOrder},
}

func revocationsLogInOrder(t *testing.T, h harness) {
	db := DatabaseName(t)
	s := h.openDB(t, db)
	ctx := testContext(t)
	base := now()
	// Times are the recording replicas' clocks: they need not follow the numbering.
	all := []*store.Revocation{
		{SessionID: store.NewID(), At: base.Add(-2 * time.Second)},
		{SessionID: store.NewID(), At: base.Add(-time.Second)},
		{SessionID: store.NewID(), At: base},
		{SessionID: store.NewID(), At: base.Add(-3 * time.Second)},
	}
	must(t, s.AddRevocations(ctx, all[:3]...), "AddRevocations of three")
	must(t, s.AddRevocations(ctx, all[3]), "AddRevocations of one")
	must(t, s.AddRevocations(ctx), "AddRevocations of none")
	for i, r := range all {
		if r.Seq != int64(i+1) {
			t.Fatalf("revocation %d got Seq %d, want %d", i, r.Seq, i+1)
		}
	}
	got, err := s.RevocationsAfter(ctx, 0)
	must(t, err, "RevocationsAfter(0)")
	if len(got) != len(all) {
		t.Fatalf("RevocationsAfter(0) = %+v, want %d revocations", got, len(all))
	}
	for i, r := range got {
		if r.Seq != all[i].Seq || r.SessionID != all[i].SessionID {
			t.Errorf("RevocationsAfter(0)[%d] = %+v, want %+v", i, r, *all[i])
		}
		sameTime(t, r.At, all[i].At, "At")
	}
	got, err = s.RevocationsAfter(ctx, 2)
	must(t, err, "RevocationsAfter(2)")
	if len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 4 {
		t.Errorf("RevocationsAfter(2) = %+v, want 3 and 4", got)
	}
	got, err = s.RevocationsAfter(ctx, 4)
	must(t, err, "RevocationsAfter(4)")
	if len(got) != 0 {
		t.Errorf("RevocationsAfter(4) = %+v, want none", got)
	}

	// The sweep keeps the latest revocation, however old, so that numbering goes on after it.
	must(t, s.DeleteRevocationsBefore(ctx, base), "DeleteRevocationsBefore")
	got, err = s.RevocationsAfter(ctx, 0)
	must(t, err, "RevocationsAfter(0) after the sweep")
	if len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 4 {
		t.Errorf("after DeleteRevocationsBefore: %+v, want 3 (not before the cut) and 4 (the latest)", got)
	}
	must(t, s.DeleteRevocationsBefore(ctx, base.Add(time.Hour)), "DeleteRevocationsBefore of all")
	late := h.openDB(t, db)
	next := &store.Revocation{SessionID: store.NewID(), At: base}
	must(t, late.AddRevocations(ctx, next), "AddRevocations of a new store after the sweep")
	if next.Seq != 5 {
		t.Errorf("a new store after the sweep numbered a revocation %d, want 5", next.Seq)
	}
}

func revocationsTwoStoresNumberInOrder(t *testing.T, h harness) {
	// Two replicas on one database: 40 racing calls of two revocations each get 1..80, each pair in
	// its order, and a reader sees them in that order.
	db := DatabaseName(t)
	stores := []store.Store{h.openDB(t, db), h.openDB(t, db)}
	ctx := testContext(t)
	const calls, n = 40, 80
	revs := make([]*store.Revocation, n)
	errs := race(calls, func(i int) error {
		revs[2*i] = &store.Revocation{SessionID: store.NewID(), At: now()}
		revs[2*i+1] = &store.Revocation{SessionID: store.NewID(), At: now()}
		return stores[i%2].AddRevocations(ctx, revs[2*i], revs[2*i+1])
	})
	for i, err := range errs {
		must(t, err, "AddRevocations %d", i)
		if revs[2*i].Seq >= revs[2*i+1].Seq {
			t.Errorf("AddRevocations %d numbered its revocations %d and %d, out of order", i, revs[2*i].Seq, revs[2*i+1].Seq)
		}
	}
	bySeq := map[int64]string{}
	for _, r := range revs {
		bySeq[r.Seq] = r.SessionID
	}
	got, err := stores[1].RevocationsAfter(ctx, 0)
	must(t, err, "RevocationsAfter")
	if len(got) != n || len(bySeq) != n {
		t.Fatalf("RevocationsAfter(0) returned %d revocations, %d numbers given; want %d", len(got), len(bySeq), n)
	}
	for i, r := range got {
		if r.Seq != int64(i+1) || r.SessionID != bySeq[r.Seq] {
			t.Fatalf("RevocationsAfter[%d] = %+v, want Seq %d of session %s", i, r, i+1, bySeq[int64(i+1)])
		}
	}
}

var keysBehaviours = []behaviour{
	{name: "Keys", run: keys},
}

func keys(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	base := now()
	keys := []*store.StoredKey{
		{KID: "k-new", Alg: "ES256", PublicDER: []byte{1}, SealedPrivate: []byte{2}, CreatedAt: base},
		{KID: "k-old", Alg: "EdDSA", PublicDER: []byte{3}, SealedPrivate: []byte{4}, CreatedAt: base.Add(-48 * time.Hour)},
		{KID: "k-mid", Alg: "RS256", PublicDER: []byte{5}, SealedPrivate: []byte{6}, CreatedAt: base.Add(-time.Hour)},
	}
	for _, k := range keys {
		must(t, s.InsertKey(ctx, k), "InsertKey")
	}
	wantErr(t, s.InsertKey(ctx, keys[0]), store.ErrAlreadyExists, "InsertKey with a taken kid")

	got, err := s.ListKeys(ctx)
	must(t, err, "ListKeys")
	want := []*store.StoredKey{keys[1], keys[2], keys[0]}
	if len(got) != len(want) {
		t.Fatalf("ListKeys returned %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.KID != w.KID || g.Alg != w.Alg || !bytes.Equal(g.PublicDER, w.PublicDER) || !bytes.Equal(g.SealedPrivate, w.SealedPrivate) {
			t.Errorf("ListKeys[%d] = %+v, want %+v", i, g, w)
		}
		sameTime(t, g.CreatedAt, w.CreatedAt, "CreatedAt")
	}

	must(t, s.DeleteKey(ctx, "k-old"), "DeleteKey")
	must(t, s.DeleteKey(ctx, "k-old"), "DeleteKey of a deleted key")
	got, err = s.ListKeys(ctx)
	must(t, err, "ListKeys")
	if len(got) != 2 || got[0].KID != "k-mid" || got[1].KID != "k-new" {
		t.Errorf("after DeleteKey: %+v", got)
	}
}
