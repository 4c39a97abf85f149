package mongo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestIdentityReadsFollowLiveIdentities checks that a user whose identities came and went (API keys
// created and deleted one at a time and several at once, links that lost a race) has its identities read
// in as many queries as a user that only ever had the identities it has, and keeps no slot beyond them.
func TestIdentityReadsFollowLiveIdentities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		newUser := func() string {
			t.Helper()
			u := &store.User{ID: store.NewID(), Type: store.UserTypeServer, CreatedAt: now, LastLoginAt: now}
			mustDo(t, s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user",
				ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}), "CreateUser")
			return u.ID
		}
		keyIdentity := func(user, key string) *store.Identity {
			return &store.Identity{ID: store.NewID(), UserID: user, ProviderType: apiKeyProvider, ProviderID: key, CreatedAt: now, LastLoginAt: now}
		}
		newKey := func(user, name string) string {
			t.Helper()
			k := &store.APIKey{ID: store.NewID(), UserID: user, Name: name, SecretHash: []byte(user + name), CreatedAt: now}
			mustDo(t, s.CreateAPIKey(ctx, k), "CreateAPIKey")
			return k.ID
		}
		addKey := func(user, name string) string {
			t.Helper()
			k := newKey(user, name)
			mustDo(t, s.AddIdentity(ctx, keyIdentity(user, k)), "AddIdentity of key "+name)
			return k
		}
		deleteKey := func(user, key string) {
			t.Helper()
			mustDo(t, s.DeleteAPIKey(ctx, user, key), "DeleteAPIKey")
		}

		fresh := newUser()
		addKey(fresh, "live")

		churned := newUser()
		for i := range 5 { // one key at a time: each takes the slot after the first, and frees it
			deleteKey(churned, addKey(churned, fmt.Sprint("one at a time ", i)))
		}
		// Several at once, deleted in another order: a slot freed in the middle is taken over, and the
		// free slots left last go with the last one.
		a, b, c := addKey(churned, "a"), addKey(churned, "b"), addKey(churned, "c")
		deleteKey(churned, b)
		d := addKey(churned, "d")
		deleteKey(churned, c)
		deleteKey(churned, a)
		deleteKey(churned, d)
		// Links of one subject racing: the losers free the slots they took.
		contested := newKey(churned, "contested")
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { errs[i] = s.AddIdentity(ctx, keyIdentity(churned, contested)) })
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrAlreadyExists):
				t.Fatalf("racing AddIdentity %d: %v", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d of the racing AddIdentity of one subject won, want 1", wins)
		}
		deleteKey(churned, contested)
		addKey(churned, "live")

		probe, rec := probeStore(t, uri, s)
		reads := func(user string) (list, profile int) {
			t.Helper()
			rec.take()
			ids, err := probe.ListIdentities(ctx, user)
			mustDo(t, err, "ListIdentities")
			if len(ids) != 2 {
				t.Errorf("ListIdentities of %s: %d identities, want 2", user, len(ids))
			}
			cmds, _ := rec.take()
			list = len(cmds)
			_, ids, err = probe.UserWithIdentities(ctx, user)
			mustDo(t, err, "UserWithIdentities")
			if len(ids) != 2 {
				t.Errorf("UserWithIdentities of %s: %d identities, want 2", user, len(ids))
			}
			cmds, _ = rec.take()
			return list, len(cmds)
		}
		freshList, freshProfile := reads(fresh)
		churnedList, churnedProfile := reads(churned)
		if churnedList != freshList || churnedProfile != freshProfile {
			t.Errorf("a user whose identities came and went: ListIdentities %d, UserWithIdentities %d commands; "+
				"one that only had its identities: %d, %d", churnedList, churnedProfile, freshList, freshProfile)
		}

		var left []slotDoc
		cur, err := s.coll(collUserIdentities).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + churned}}}})
		mustDo(t, err, "find the slots")
		mustDo(t, cur.All(ctx, &left), "read the slots")
		var ids []string
		for _, sl := range left {
			ids = append(ids, sl.ID)
			if sl.Free != "" || strings.Contains(sl.ID, "#") {
				t.Errorf("left in %s: %+v", collUserIdentities, sl)
			}
		}
		slices.Sort(ids)
		if want := []string{slotID(churned, 1), slotID(churned, 2)}; !slices.Equal(ids, want) {
			t.Errorf("slots of the user whose identities came and went: %v, want %v", ids, want)
		}
	})
}
