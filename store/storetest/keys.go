package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

func runRevocations(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Revocations", func(t *testing.T) {
		s := open(t)
		ctx := testContext(t)
		base := now()
		all := []store.Revocation{
			{Kind: store.RevokedUser, ID: store.NewID(), At: base.Add(2 * time.Second)},
			{Kind: store.RevokedSession, ID: store.NewID(), At: base},
			{Kind: store.RevokedSession, ID: store.NewID(), At: base.Add(-time.Second)},
			{Kind: store.RevokedSession, ID: store.NewID(), At: base.Add(time.Second)},
		}
		for _, r := range all {
			must(t, s.AddRevocation(ctx, r), "AddRevocation")
		}
		got, err := s.RevocationsSince(ctx, base)
		must(t, err, "RevocationsSince")
		want := []store.Revocation{all[1], all[3], all[0]}
		if len(got) != len(want) {
			t.Fatalf("RevocationsSince = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].Kind != want[i].Kind || got[i].ID != want[i].ID {
				t.Errorf("RevocationsSince[%d] = %+v, want %+v", i, got[i], want[i])
			}
			sameTime(t, got[i].At, want[i].At, "At")
		}

		must(t, s.DeleteRevocationsBefore(ctx, base.Add(time.Second)), "DeleteRevocationsBefore")
		got, err = s.RevocationsSince(ctx, time.Time{})
		must(t, err, "RevocationsSince(zero)")
		if len(got) != 2 || got[0].ID != all[3].ID || got[1].ID != all[0].ID {
			t.Errorf("after DeleteRevocationsBefore: %+v, want the two at or after the cut", got)
		}
	})
}

func runKeys(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Keys", func(t *testing.T) {
		s := open(t)
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
	})
}
