package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var apiKeysBehaviours = []behaviour{
	{name: "APIKeys/CRUD", run: apiKeysCRUD},
	{name: "APIKeys/DeleteRemovesIdentityAndFreesName", run: apiKeysDeleteRemovesIdentityAndFreesName},
	{name: "APIKeys/RacingLinksAndDeletesKeepEveryIdentity", run: apiKeysRacingLinksAndDeletesKeepEveryIdentity},
	{name: "APIKeys/RefusedKeyLeavesNothing", run: apiKeysRefusedKeyLeavesNothing},
	{name: "APIKeys/RacingCreatesOfOneNameHaveOneWinner", run: apiKeysRacingCreatesOfOneNameHaveOneWinner},
}

func newKey(userID, name string, created time.Time) *store.APIKey {
	id := store.NewID()
	return &store.APIKey{ID: id, UserID: userID, Name: name, SecretHash: []byte("sha256-" + id), CreatedAt: created}
}

func apiKeysCRUD(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, _ := newUser(t, s)
	other, _ := newUser(t, s)
	base := now()
	k1 := newKey(u.ID, "ci", base)
	k2 := newKey(u.ID, "deploy", base.Add(-time.Hour)) // older, inserted later
	must(t, s.CreateAPIKey(ctx, k1), "CreateAPIKey")
	must(t, s.CreateAPIKey(ctx, k2), "CreateAPIKey")
	wantErr(t, s.CreateAPIKey(ctx, newKey(u.ID, "ci", base)), store.ErrAlreadyExists, "CreateAPIKey with a name the user has")
	must(t, s.CreateAPIKey(ctx, newKey(other.ID, "ci", base)), "CreateAPIKey of another user's name")
	sameHash := newKey(other.ID, "other", base)
	sameHash.SecretHash = k1.SecretHash
	wantErr(t, s.CreateAPIKey(ctx, sameHash), store.ErrAlreadyExists, "CreateAPIKey with a taken secret hash")

	got, err := s.FindAPIKeyBySecretHash(ctx, k1.SecretHash)
	must(t, err, "FindAPIKeyBySecretHash")
	if got.ID != k1.ID || got.UserID != u.ID || got.Name != "ci" || got.Disabled || !bytes.Equal(got.SecretHash, k1.SecretHash) {
		t.Errorf("FindAPIKeyBySecretHash = %+v, want %+v", got, k1)
	}
	sameTime(t, got.CreatedAt, k1.CreatedAt, "CreatedAt")
	_, err = s.FindAPIKeyBySecretHash(ctx, []byte("sha256-unknown"))
	wantErr(t, err, store.ErrNotFound, "FindAPIKeyBySecretHash of an unknown hash")

	got, err = s.GetAPIKey(ctx, u.ID, k2.ID)
	must(t, err, "GetAPIKey")
	if got.ID != k2.ID || got.Name != "deploy" {
		t.Errorf("GetAPIKey = %+v", got)
	}
	_, err = s.GetAPIKey(ctx, other.ID, k2.ID)
	wantErr(t, err, store.ErrNotFound, "GetAPIKey of another user's key")
	_, err = s.GetAPIKey(ctx, u.ID, store.NewID())
	wantErr(t, err, store.ErrNotFound, "GetAPIKey of an unknown id")
	_, err = s.GetAPIKey(ctx, u.ID, "nope")
	wantErr(t, err, store.ErrNotFound, "GetAPIKey of a malformed id")

	list, err := s.ListAPIKeys(ctx, u.ID)
	must(t, err, "ListAPIKeys")
	if len(list) != 2 || list[0].ID != k2.ID || list[1].ID != k1.ID {
		t.Errorf("ListAPIKeys = %+v, want deploy then ci", list)
	}

	must(t, s.SetAPIKeyDisabled(ctx, u.ID, k1.ID, true), "SetAPIKeyDisabled(true)")
	if got, err := s.GetAPIKey(ctx, u.ID, k1.ID); err != nil || !got.Disabled {
		t.Errorf("after disabling: %+v, %v", got, err)
	}
	must(t, s.SetAPIKeyDisabled(ctx, u.ID, k1.ID, false), "SetAPIKeyDisabled(false)")
	if got, err := s.FindAPIKeyBySecretHash(ctx, k1.SecretHash); err != nil || got.Disabled {
		t.Errorf("after enabling: %+v, %v", got, err)
	}
	wantErr(t, s.SetAPIKeyDisabled(ctx, other.ID, k1.ID, true), store.ErrNotFound, "SetAPIKeyDisabled of another user's key")
	wantErr(t, s.SetAPIKeyDisabled(ctx, u.ID, store.NewID(), true), store.ErrNotFound, "SetAPIKeyDisabled of an unknown key")
	if got, _ := s.GetAPIKey(ctx, u.ID, k1.ID); got == nil || got.Disabled {
		t.Error("another user disabled the key")
	}
}

func apiKeysDeleteRemovesIdentityAndFreesName(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, _ := newUser(t, s)
	other, _ := newUser(t, s)
	k := newKey(u.ID, "ci", now())
	must(t, s.CreateAPIKey(ctx, k), "CreateAPIKey")
	must(t, s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "api-key", ProviderID: k.ID, CreatedAt: now()}), "AddIdentity")

	wantErr(t, s.DeleteAPIKey(ctx, other.ID, k.ID), store.ErrNotFound, "DeleteAPIKey of another user's key")
	if _, err := s.FindIdentity(ctx, "api-key", k.ID); err != nil {
		t.Fatalf("another user's DeleteAPIKey removed the identity: %v", err)
	}
	must(t, s.DeleteAPIKey(ctx, u.ID, k.ID), "DeleteAPIKey")
	_, err := s.GetAPIKey(ctx, u.ID, k.ID)
	wantErr(t, err, store.ErrNotFound, "GetAPIKey after DeleteAPIKey")
	_, err = s.FindAPIKeyBySecretHash(ctx, k.SecretHash)
	wantErr(t, err, store.ErrNotFound, "FindAPIKeyBySecretHash after DeleteAPIKey")
	_, err = s.FindIdentity(ctx, "api-key", k.ID)
	wantErr(t, err, store.ErrNotFound, "the key's identity after DeleteAPIKey")
	ids, err := s.ListIdentities(ctx, u.ID)
	must(t, err, "ListIdentities")
	if len(ids) != 1 || ids[0].ProviderType != "anon-user" {
		t.Errorf("identities after DeleteAPIKey: %+v, want only the first one", ids)
	}
	wantErr(t, s.DeleteAPIKey(ctx, u.ID, k.ID), store.ErrNotFound, "DeleteAPIKey again")
	must(t, s.CreateAPIKey(ctx, newKey(u.ID, "ci", now())), "CreateAPIKey with the freed name")
}

func apiKeysRacingLinksAndDeletesKeepEveryIdentity(t *testing.T, h harness) {
	// Keys' identities added to one user while others of its keys are deleted: the user lists every
	// identity it keeps, each once, and none it lost, round after round.
	s := h.open(t)
	ctx := testContext(t)
	u, first := newUser(t, s)
	var linked []string // keys with their identity, oldest first
	for round := range 4 {
		var adds []string
		for i := range 4 {
			k := newKey(u.ID, fmt.Sprintf("round %d key %d", round, i), now())
			must(t, s.CreateAPIKey(ctx, k), "CreateAPIKey")
			adds = append(adds, k.ID)
		}
		deletes := linked[:max(0, len(linked)-1)] // all but the latest
		errs := race(len(adds)+len(deletes), func(i int) error {
			if i < len(adds) {
				return s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "api-key", ProviderID: adds[i], CreatedAt: now()})
			}
			return s.DeleteAPIKey(ctx, u.ID, deletes[i-len(adds)])
		})
		for i, err := range errs {
			must(t, err, "round %d: call %d", round, i)
		}
		linked = append(linked[len(deletes):], adds...)

		ids, err := s.ListIdentities(ctx, u.ID)
		must(t, err, "ListIdentities")
		got := map[string]int{}
		for _, id := range ids {
			got[id.ProviderID]++
		}
		want := map[string]int{first.ProviderID: 1}
		for _, k := range linked {
			want[k] = 1
		}
		sameValue(t, got, want, fmt.Sprintf("round %d: identities listed (provider id: times)", round))
	}
}

func apiKeysRefusedKeyLeavesNothing(t *testing.T, h harness) {
	// A key refused for its name or id leaves its secret unknown and free for another key.
	s := h.open(t)
	ctx := testContext(t)
	u, _ := newUser(t, s)
	k := newKey(u.ID, "ci", now())
	must(t, s.CreateAPIKey(ctx, k), "CreateAPIKey")
	sameName := newKey(u.ID, "ci", now())
	sameID := newKey(u.ID, "other", now())
	sameID.ID = k.ID
	for what, refused := range map[string]*store.APIKey{"name": sameName, "id": sameID} {
		wantErr(t, s.CreateAPIKey(ctx, refused), store.ErrAlreadyExists, "CreateAPIKey with a taken %s", what)
		_, err := s.FindAPIKeyBySecretHash(ctx, refused.SecretHash)
		wantErr(t, err, store.ErrNotFound, "FindAPIKeyBySecretHash of a key refused for its %s", what)
		again := newKey(u.ID, "retry-"+what, now())
		again.SecretHash = refused.SecretHash
		must(t, s.CreateAPIKey(ctx, again), "CreateAPIKey with the secret of a key refused for its %s", what)
		got, err := s.FindAPIKeyBySecretHash(ctx, again.SecretHash)
		must(t, err, "FindAPIKeyBySecretHash")
		if got.ID != again.ID {
			t.Errorf("the secret of a key refused for its %s finds %s, want %s", what, got.ID, again.ID)
		}
	}
	got, err := s.FindAPIKeyBySecretHash(ctx, k.SecretHash)
	must(t, err, "FindAPIKeyBySecretHash of the first key")
	if got.ID != k.ID || got.Name != "ci" {
		t.Errorf("the first key became %+v", got)
	}
}

func apiKeysRacingCreatesOfOneNameHaveOneWinner(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	user := store.NewID()
	const n = 50
	errs := race(n, func(i int) error {
		return s.CreateAPIKey(ctx, newKey(user, "same-name", now()))
	})
	oneWinner(t, errs, store.ErrAlreadyExists, "CreateAPIKey")
	list, err := s.ListAPIKeys(ctx, user)
	must(t, err, "ListAPIKeys")
	if len(list) != 1 {
		t.Fatalf("%d keys named alike after the race, want 1", len(list))
	}
	// Other names still go in.
	for i := range 3 {
		must(t, s.CreateAPIKey(ctx, newKey(user, fmt.Sprint("name-", i), now())), "CreateAPIKey")
	}
}
