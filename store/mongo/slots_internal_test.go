package mongo

import (
	"errors"
	"fmt"
	"reflect"
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

// TestIdentitiesOfAPage checks that the identities of a page of users are read, on MongoDB's path, in a
// few queries by _id for the whole page (two of slots, as one user has more than a window of them, and
// one of identities) rather than a few per user, and that they are those the reads of one user at a time
// find: past a free slot, past a slot that leads to another user's identity, over a window's end.
func TestIdentitiesOfAPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		newUser := func(identities int) string {
			t.Helper()
			u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now}
			mustDo(t, s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user",
				ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}), "CreateUser")
			for i := 1; i < identities; i++ {
				mustDo(t, s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "custom-token",
					ProviderID: store.NewID(), CreatedAt: now.Add(time.Duration(i) * time.Second), LastLoginAt: now}), "AddIdentity")
			}
			return u.ID
		}
		one, many, window := newUser(1), newUser(slotWindow+1), newUser(slotWindow)
		// A free slot between two in use: a key's identity deleted.
		freed := newUser(1)
		key := &store.APIKey{ID: store.NewID(), UserID: freed, Name: "gone", SecretHash: []byte(freed), CreatedAt: now}
		mustDo(t, s.CreateAPIKey(ctx, key), "CreateAPIKey")
		mustDo(t, s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: freed, ProviderType: apiKeyProvider, ProviderID: key.ID, CreatedAt: now}), "AddIdentity")
		mustDo(t, s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: freed, ProviderType: "custom-token", ProviderID: store.NewID(), CreatedAt: now}), "AddIdentity")
		mustDo(t, s.DeleteAPIKey(ctx, freed, key.ID), "DeleteAPIKey")
		// A slot leading to another user's identity, as one whose claim was lost and never freed leaves.
		lost := newUser(1)
		oneIdents, err := s.ListIdentities(ctx, one)
		mustDo(t, err, "ListIdentities")
		_, err = s.coll(collUserIdentities).InsertOne(ctx, slotDoc{ID: slotID(lost, 2),
			Key: identityKey(oneIdents[0].ProviderType, oneIdents[0].ProviderID)})
		mustDo(t, err, "insert a slot leading to another user's identity")
		page := []string{one, many, window, freed, lost, one}

		probe, rec := probeStore(t, uri, s)
		probe.scansIn = true // one user at a time
		want, err := probe.ListIdentities(ctx, page...)
		mustDo(t, err, "ListIdentities, one user at a time")
		if n := 1 + (slotWindow + 1) + slotWindow + 2 + 1; len(want) != n {
			t.Fatalf("ListIdentities, one user at a time: %d identities, want %d", len(want), n)
		}
		probe.scansIn = false // MongoDB's path
		rec.takeQueries()
		got, err := probe.ListIdentities(ctx, page...)
		mustDo(t, err, "ListIdentities of a page")
		qs := rec.takeQueries()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListIdentities of a page:\n got %v\nwant %v", got, want)
		}
		if len(qs) != 3 {
			t.Errorf("ListIdentities of a page: %d queries, want 3: %v", len(qs), qs)
		}
		for _, q := range qs {
			if fields := filterFields(q.filter); !slices.Equal(fields, []string{"_id"}) {
				t.Errorf("ListIdentities of a page: %s is not a query by _id", q)
			}
		}
	})
}

// TestSlotPutBackAfterTheNextWent orders two writers as a race of TestIdentityReadsFollowLiveIdentities
// can: one releases the last slot and deletes it, while another, having read that slot, adds the one
// after it; the first then finds the new slot and is about to put its own back, free, when the second,
// its identity lost, releases the new slot and finds the first one's gone. Whoever puts a slot back must
// then find that it is last again, rather than leave it last and free for every reader to read.
func TestSlotPutBackAfterTheNextWent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeServer, CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user",
			ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}), "CreateUser")
		first, took, err := s.ensureSlot(ctx, u.ID, "first", bson.NewObjectID())
		mustDo(t, err, "ensureSlot")
		if first != 2 || !took {
			t.Fatalf("ensureSlot: slot %d, took %v; want slot 2, taken", first, took)
		}

		var second int
		var hookErr error
		var steps []string
		s.slotStep = func(step string, n int) {
			if n != first || hookErr != nil || slices.Contains(steps, step) {
				return
			}
			steps = append(steps, step)
			switch step {
			case "delete last":
				second, _, hookErr = s.ensureSlot(ctx, u.ID, "second", bson.NewObjectID())
			case "put back":
				hookErr = s.releaseSlot(ctx, u.ID, second)
			}
		}
		mustDo(t, s.releaseSlot(ctx, u.ID, first), "releaseSlot")
		s.slotStep = nil
		mustDo(t, hookErr, "the second writer")
		if want := []string{"delete last", "put back"}; !slices.Equal(steps, want) || second != first+1 {
			t.Fatalf("steps %v, second writer's slot %d; want %v, %d", steps, second, want, first+1)
		}

		if left := userSlots(t, s, u.ID); len(left) != 1 || left[0].ID != slotID(u.ID, 1) || left[0].Free != "" {
			t.Errorf("slots left: %+v, want only slot 1, in use", left)
		}
	})
}

// TestSlotFilledBelowAfterTheNextWent orders three writers so that one puts back its slot, free, and then
// the one below it, which a second writer deleted meanwhile, when a third, releasing the slot after them,
// has deleted the first one's again and found the one below gone. Every slot put back below another must
// be found last again as well.
func TestSlotFilledBelowAfterTheNextWent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeServer, CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user",
			ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}), "CreateUser")
		below, _, err := s.ensureSlot(ctx, u.ID, "below", bson.NewObjectID())
		mustDo(t, err, "ensureSlot")
		first, _, err := s.ensureSlot(ctx, u.ID, "first", bson.NewObjectID())
		mustDo(t, err, "ensureSlot")
		if below != 2 || first != 3 {
			t.Fatalf("ensureSlot: slots %d, %d; want 2, 3", below, first)
		}

		var after int
		var hookErr error
		var steps []string
		s.slotStep = func(step string, n int) {
			at := fmt.Sprint(step, " ", n)
			if hookErr != nil || slices.Contains(steps, at) {
				return
			}
			switch at {
			case fmt.Sprint("delete last ", first):
				after, _, hookErr = s.ensureSlot(ctx, u.ID, "after", bson.NewObjectID())
			case fmt.Sprint("put back ", first):
				hookErr = s.releaseSlot(ctx, u.ID, below)
			case fmt.Sprint("put back ", below):
				hookErr = s.releaseSlot(ctx, u.ID, after)
			default:
				return
			}
			steps = append(steps, at)
		}
		mustDo(t, s.releaseSlot(ctx, u.ID, first), "releaseSlot")
		s.slotStep = nil
		mustDo(t, hookErr, "the other writers")
		want := []string{fmt.Sprint("delete last ", first), fmt.Sprint("put back ", first), fmt.Sprint("put back ", below)}
		if !slices.Equal(steps, want) || after != first+1 {
			t.Fatalf("steps %v, third writer's slot %d; want %v, %d", steps, after, want, first+1)
		}

		if left := userSlots(t, s, u.ID); len(left) != 1 || left[0].ID != slotID(u.ID, 1) || left[0].Free != "" {
			t.Errorf("slots left: %+v, want only slot 1, in use", left)
		}
	})
}

// userSlots reads every document of user_identities whose _id starts with the user's id: slots and
// claims.
func userSlots(t *testing.T, s *Store, userID string) []slotDoc {
	t.Helper()
	var left []slotDoc
	cur, err := s.coll(collUserIdentities).Find(t.Context(), bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + userID}}}})
	mustDo(t, err, "find the slots")
	mustDo(t, cur.All(t.Context(), &left), "read the slots")
	return left
}
