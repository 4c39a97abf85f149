package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var usersBehaviours = []behaviour{
	{name: "Users/CreateAndRead", run: usersCreateAndRead},
	{name: "Users/IdentityTakenWritesNothing", run: usersIdentityTakenWritesNothing},
	{name: "Users/FoundIdentityHasItsUser", run: usersFoundIdentityHasItsUser},
	{name: "Users/RacingFirstLoginsMakeOneUser", run: usersRacingFirstLoginsMakeOneUser},
	{name: "Users/ListInIDOrder", run: usersListInIDOrder},
	{name: "Users/Disable", run: usersDisable},
	{name: "Users/TouchLogin", run: usersTouchLogin},
	{name: "Users/ProfileFollowsLoginsAndLinks", run: usersProfileFollowsLoginsAndLinks},
	{name: "Users/DisableSurvivesRacingLogins", run: usersDisableSurvivesRacingLogins},
	{name: "Users/Identities", run: usersIdentities},
	{name: "Users/IdentitiesOfLookalikeSubjects", run: usersIdentitiesOfLookalikeSubjects},
	{name: "Users/RacingLinksKeepEveryIdentity", run: usersRacingLinksKeepEveryIdentity},
	{name: "Users/DeleteRemovesEverything", run: usersDeleteRemovesEverything},
}

func usersCreateAndRead(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	created := now().Add(-time.Hour)
	data := map[string]any{
		"name":   "Ada",
		"age":    int32(36),
		"big":    int64(1) << 40,
		"ratio":  1.5,
		"ok":     true,
		"none":   nil,
		"nested": map[string]any{"list": []any{"x", int32(2), map[string]any{"deep": false}}},
	}
	u := &store.User{ID: store.NewID(), Type: store.UserTypeServer, CreatedAt: created, LastLoginAt: created.Add(time.Minute), Data: data}
	id := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "oauth2-google", ProviderID: "sub-1",
		Data: map[string]any{"email": "ada@example.com", "tags": []any{"a", "b"}}, CreatedAt: created, LastLoginAt: created}
	must(t, s.CreateUser(ctx, u, id), "CreateUser")

	got, err := s.GetUser(ctx, u.ID)
	must(t, err, "GetUser")
	if got.ID != u.ID || got.Type != store.UserTypeServer || got.Disabled {
		t.Errorf("GetUser = %+v", got)
	}
	sameTime(t, got.CreatedAt, u.CreatedAt, "CreatedAt")
	sameTime(t, got.LastLoginAt, u.LastLoginAt, "LastLoginAt")
	sameValue(t, got.Data, data, "user Data")

	gi, err := s.FindIdentity(ctx, "oauth2-google", "sub-1")
	must(t, err, "FindIdentity")
	if gi.ID != id.ID || gi.UserID != u.ID || gi.ProviderType != "oauth2-google" || gi.ProviderID != "sub-1" {
		t.Errorf("FindIdentity = %+v", gi)
	}
	sameValue(t, gi.Data, id.Data, "identity Data")
	sameTime(t, gi.CreatedAt, created, "identity CreatedAt")

	pu, pidents, err := s.UserWithIdentities(ctx, u.ID)
	must(t, err, "UserWithIdentities")
	if pu.ID != u.ID || pu.Type != store.UserTypeServer || len(pidents) != 1 || pidents[0].ID != id.ID {
		t.Errorf("UserWithIdentities = %+v, %+v", pu, pidents)
	}
	sameTime(t, pu.LastLoginAt, u.LastLoginAt, "UserWithIdentities LastLoginAt")
	sameValue(t, pu.Data, data, "UserWithIdentities Data")
	_, _, err = s.UserWithIdentities(ctx, store.NewID())
	wantErr(t, err, store.ErrNotFound, "UserWithIdentities of an unknown id")
	_, _, err = s.UserWithIdentities(ctx, "not-an-id")
	wantErr(t, err, store.ErrNotFound, "UserWithIdentities of a malformed id")

	_, err = s.FindIdentity(ctx, "oauth2-google", "sub-2")
	wantErr(t, err, store.ErrNotFound, "FindIdentity of another subject")
	_, err = s.FindIdentity(ctx, "oauth2-facebook", "sub-1")
	wantErr(t, err, store.ErrNotFound, "FindIdentity of another provider")
	_, err = s.GetUser(ctx, store.NewID())
	wantErr(t, err, store.ErrNotFound, "GetUser of an unknown id")
	_, err = s.GetUser(ctx, "not-an-id")
	wantErr(t, err, store.ErrNotFound, "GetUser of a malformed id")

	// Empty and nil data come back as empty maps.
	u2 := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: created}
	id2 := &store.Identity{ID: store.NewID(), UserID: u2.ID, ProviderType: "anon-user", ProviderID: store.NewID(), CreatedAt: created}
	must(t, s.CreateUser(ctx, u2, id2), "CreateUser without data")
	got2, err := s.GetUser(ctx, u2.ID)
	must(t, err, "GetUser")
	if got2.Data == nil || len(got2.Data) != 0 {
		t.Errorf("nil Data came back as %#v, want an empty map", got2.Data)
	}
	if !got2.LastLoginAt.IsZero() {
		t.Errorf("zero LastLoginAt came back as %v", got2.LastLoginAt)
	}

	bad := &store.User{ID: "nope", Type: store.UserTypeNormal}
	if err := s.CreateUser(ctx, bad, &store.Identity{ID: store.NewID(), UserID: "nope", ProviderType: "anon-user", ProviderID: "x"}); err == nil {
		t.Error("CreateUser accepted a malformed user id")
	}
}

func usersIdentityTakenWritesNothing(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, id := newUser(t, s)
	u2 := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now()}
	id2 := &store.Identity{ID: store.NewID(), UserID: u2.ID, ProviderType: id.ProviderType, ProviderID: id.ProviderID, CreatedAt: now()}
	wantErr(t, s.CreateUser(ctx, u2, id2), store.ErrAlreadyExists, "CreateUser with a taken identity")
	_, err := s.GetUser(ctx, u2.ID)
	wantErr(t, err, store.ErrNotFound, "GetUser of the loser")
	ids, err := s.ListIdentities(ctx, u2.ID)
	must(t, err, "ListIdentities")
	if len(ids) != 0 {
		t.Errorf("the loser has identities %+v", ids)
	}
	got, err := s.FindIdentity(ctx, id.ProviderType, id.ProviderID)
	must(t, err, "FindIdentity")
	if got.UserID != u.ID {
		t.Errorf("identity moved to user %s", got.UserID)
	}
}

func usersFoundIdentityHasItsUser(t *testing.T, h harness) {
	// A login that loses the race for an identity reads the winner's user at once: the user must
	// be there as soon as the identity is.
	s := h.open(t)
	ctx := testContext(t)
	for round := range 10 {
		provider := "custom-token"
		subject := fmt.Sprintf("racer-%d", round)
		errs := race(12, func(i int) error {
			if i%3 == 0 {
				for {
					ident, err := s.FindIdentity(ctx, provider, subject)
					if errors.Is(err, store.ErrNotFound) {
						continue
					}
					if err != nil {
						return err
					}
					_, err = s.GetUser(ctx, ident.UserID)
					return err
				}
			}
			u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now()}
			err := s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: provider, ProviderID: subject, CreatedAt: now()})
			if errors.Is(err, store.ErrAlreadyExists) {
				return nil
			}
			return err
		})
		for i, err := range errs {
			must(t, err, "round %d, racer %d (readers: GetUser of a found identity)", round, i)
		}
	}
}

func usersRacingFirstLoginsMakeOneUser(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	const n = 20
	users := make([]*store.User, n)
	errs := race(n, func(i int) error {
		users[i] = &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now()}
		return s.CreateUser(ctx, users[i], &store.Identity{ID: store.NewID(), UserID: users[i].ID,
			ProviderType: "custom-token", ProviderID: "same-subject", CreatedAt: now()})
	})
	w := oneWinner(t, errs, store.ErrAlreadyExists, "CreateUser")
	all, err := s.ListUsers(ctx, "", 0)
	must(t, err, "ListUsers")
	if len(all) != 1 || all[0].ID != users[w].ID {
		t.Fatalf("users after the race: %d, want only the winner's", len(all))
	}
	got, err := s.FindIdentity(ctx, "custom-token", "same-subject")
	must(t, err, "FindIdentity")
	if got.UserID != users[w].ID {
		t.Errorf("identity belongs to %s, want the winner %s", got.UserID, users[w].ID)
	}
}

func usersListInIDOrder(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	var ids []string
	for range 5 {
		u, _ := newUser(t, s)
		ids = append(ids, u.ID)
	}
	slices.Sort(ids)
	must(t, s.SetUserDisabled(ctx, ids[1], true), "SetUserDisabled")

	var got []string
	after := ""
	for {
		page, err := s.ListUsers(ctx, after, 2)
		must(t, err, "ListUsers(%q, 2)", after)
		if len(page) > 2 {
			t.Fatalf("ListUsers returned %d users with limit 2", len(page))
		}
		for _, u := range page {
			got = append(got, u.ID)
			if u.Disabled != (u.ID == ids[1]) {
				t.Errorf("user %s Disabled = %v", u.ID, u.Disabled)
			}
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	sameValue(t, got, ids, "paged ids")

	all, err := s.ListUsers(ctx, "", 0)
	must(t, err, "ListUsers without limit")
	if len(all) != 5 {
		t.Errorf("ListUsers without limit: %d users, want 5", len(all))
	}
	none, err := s.ListUsers(ctx, "not-an-id", 10)
	must(t, err, "ListUsers after a malformed id")
	if len(none) != 0 {
		t.Errorf("ListUsers after a malformed id: %d users, want 0", len(none))
	}
}

func usersDisable(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, _ := newUser(t, s)
	for _, d := range []bool{true, true, false, false, true} {
		must(t, s.SetUserDisabled(ctx, u.ID, d), "SetUserDisabled(%v)", d)
		got, err := s.GetUser(ctx, u.ID)
		must(t, err, "GetUser")
		if got.Disabled != d {
			t.Fatalf("Disabled = %v after SetUserDisabled(%v)", got.Disabled, d)
		}
		if disabled, err := s.UserDisabled(ctx, u.ID); err != nil || disabled != d {
			t.Fatalf("UserDisabled = %v, %v after SetUserDisabled(%v)", disabled, err, d)
		}
	}
	wantErr(t, s.SetUserDisabled(ctx, store.NewID(), true), store.ErrNotFound, "SetUserDisabled of an unknown user")
	wantErr(t, s.SetUserDisabled(ctx, "nope", true), store.ErrNotFound, "SetUserDisabled of a malformed id")
}

func usersTouchLogin(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, id := newUser(t, s)
	other, otherID := newUser(t, s)
	at := now().Add(time.Minute)
	idata := map[string]any{"name": "Ada", "n": int32(1)}
	udata := map[string]any{"name": "Ada", "from": []any{"google"}}
	login := &store.User{ID: u.ID, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: at, Data: udata}
	must(t, s.TouchLogin(ctx, login, id, idata), "TouchLogin")

	got, err := s.GetUser(ctx, u.ID)
	must(t, err, "GetUser")
	sameTime(t, got.LastLoginAt, at, "user LastLoginAt")
	sameValue(t, got.Data, udata, "user Data")
	sameTime(t, got.CreatedAt, u.CreatedAt, "user CreatedAt")
	gi, err := s.FindIdentity(ctx, id.ProviderType, id.ProviderID)
	must(t, err, "FindIdentity")
	sameTime(t, gi.LastLoginAt, at, "identity LastLoginAt")
	sameValue(t, gi.Data, idata, "identity Data")

	unknown := &store.User{ID: store.NewID(), Type: u.Type, LastLoginAt: at}
	unknownID := &store.Identity{ID: store.NewID(), UserID: unknown.ID, ProviderType: "anon-user", ProviderID: store.NewID()}
	wantErr(t, s.TouchLogin(ctx, unknown, unknownID, nil), store.ErrNotFound, "TouchLogin of an unknown user")
	notYet := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: id.ProviderType, ProviderID: store.NewID()}
	wantErr(t, s.TouchLogin(ctx, login, notYet, nil), store.ErrNotFound, "TouchLogin of an unknown identity")
	wantErr(t, s.TouchLogin(ctx, login, otherID, nil), store.ErrNotFound, "TouchLogin of another user's identity")
	og, err := s.GetUser(ctx, other.ID)
	must(t, err, "GetUser")
	sameTime(t, og.LastLoginAt, other.LastLoginAt, "the other user's LastLoginAt")
	oi, err := s.FindIdentity(ctx, otherID.ProviderType, otherID.ProviderID)
	must(t, err, "FindIdentity")
	sameTime(t, oi.LastLoginAt, otherID.LastLoginAt, "the other user's identity LastLoginAt")
	if _, err := s.FindIdentity(ctx, notYet.ProviderType, notYet.ProviderID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchLogin of an unknown identity created it: %v", err)
	}
}

func usersProfileFollowsLoginsAndLinks(t *testing.T, h harness) {
	// A profile shows the user as its latest login left it, through whichever identity, and a link
	// leaves the user as it was.
	s := h.open(t)
	ctx := testContext(t)
	u, first := newUser(t, s)
	sameProfile := func(what string) {
		t.Helper()
		want, err := s.GetUser(ctx, u.ID)
		must(t, err, "GetUser")
		got, idents, err := s.UserWithIdentities(ctx, u.ID)
		must(t, err, "UserWithIdentities")
		if got.ID != u.ID || got.Type != want.Type {
			t.Errorf("%s: profile user %+v, want %+v", what, got, want)
		}
		sameTime(t, got.CreatedAt, want.CreatedAt, what+": CreatedAt")
		sameTime(t, got.LastLoginAt, want.LastLoginAt, what+": LastLoginAt")
		sameValue(t, got.Data, want.Data, what+": Data")
		all, err := s.ListIdentities(ctx, u.ID)
		must(t, err, "ListIdentities")
		if len(idents) != len(all) {
			t.Errorf("%s: profile has %d identities, ListIdentities %d", what, len(idents), len(all))
		}
	}
	sameProfile("after CreateUser")

	login := func(ident *store.Identity, at time.Time, data map[string]any) {
		t.Helper()
		must(t, s.TouchLogin(ctx, &store.User{ID: u.ID, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: at, Data: data}, ident, data), "TouchLogin")
	}
	login(first, now().Add(time.Minute), map[string]any{"via": "anon"})
	sameProfile("after a login")

	second := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "oauth2-google", ProviderID: store.NewID(),
		Data: map[string]any{"email": "ada@example.com"}, CreatedAt: now().Add(2 * time.Minute), LastLoginAt: now().Add(2 * time.Minute)}
	must(t, s.AddIdentity(ctx, second), "AddIdentity")
	sameProfile("after a link")

	login(second, now().Add(3*time.Minute), map[string]any{"via": "google"})
	sameProfile("after a login with the linked identity")
	login(first, now().Add(4*time.Minute), map[string]any{"via": "anon again"})
	sameProfile("after a login with the first identity again")
}

func usersDisableSurvivesRacingLogins(t *testing.T, h harness) {
	// On FerretDB v1 an update rewrites the whole document: a login
	// recorded while the user is disabled must not re-enable it.
	s := h.open(t)
	ctx := testContext(t)
	for round := range 5 {
		u, id := newUser(t, s)
		errs := race(6, func(i int) error {
			if i == 0 {
				return s.SetUserDisabled(ctx, u.ID, true)
			}
			login := &store.User{ID: u.ID, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: now(), Data: map[string]any{"i": int32(i)}}
			return s.TouchLogin(ctx, login, id, map[string]any{"i": int32(i)})
		})
		for i, err := range errs {
			must(t, err, "round %d call %d", round, i)
		}
		got, err := s.GetUser(ctx, u.ID)
		must(t, err, "GetUser")
		if !got.Disabled {
			t.Fatalf("round %d: a racing TouchLogin undid SetUserDisabled(true)", round)
		}
	}
}

func usersIdentities(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, first := newUser(t, s)
	other, otherID := newUser(t, s)

	second := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "local-userpass", ProviderID: "ada@example.com",
		Data: map[string]any{"email": "ada@example.com"}, CreatedAt: first.CreatedAt.Add(time.Second)}
	must(t, s.AddIdentity(ctx, second), "AddIdentity")
	// Created earlier than both, though inserted last: order is by creation.
	older := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "oauth2-google", ProviderID: "g-1",
		CreatedAt: first.CreatedAt.Add(-time.Hour)}
	must(t, s.AddIdentity(ctx, older), "AddIdentity")

	taken := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: otherID.ProviderType, ProviderID: otherID.ProviderID, CreatedAt: now()}
	wantErr(t, s.AddIdentity(ctx, taken), store.ErrAlreadyExists, "AddIdentity of another user's identity")
	again := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: second.ProviderType, ProviderID: second.ProviderID, CreatedAt: now()}
	wantErr(t, s.AddIdentity(ctx, again), store.ErrAlreadyExists, "AddIdentity of an identity the user has")

	orphan := &store.Identity{ID: store.NewID(), UserID: store.NewID(), ProviderType: "custom-token", ProviderID: "orphan", CreatedAt: now()}
	wantErr(t, s.AddIdentity(ctx, orphan), store.ErrNotFound, "AddIdentity for an unknown user")
	_, err := s.FindIdentity(ctx, "custom-token", "orphan")
	wantErr(t, err, store.ErrNotFound, "FindIdentity of the refused identity")

	list, err := s.ListIdentities(ctx, u.ID)
	must(t, err, "ListIdentities")
	var got []string
	for _, i := range list {
		got = append(got, i.ID)
		if i.UserID != u.ID {
			t.Errorf("ListIdentities returned identity %s of user %s", i.ID, i.UserID)
		}
	}
	sameValue(t, got, []string{older.ID, first.ID, second.ID}, "identities, oldest first")
	both, err := s.ListIdentities(ctx, u.ID, other.ID)
	must(t, err, "ListIdentities of two users")
	if len(both) != len(list)+1 {
		t.Errorf("ListIdentities of two users returned %d identities, want %d", len(both), len(list)+1)
	}
	ol, err := s.ListIdentities(ctx, other.ID)
	must(t, err, "ListIdentities")
	if len(ol) != 1 {
		t.Errorf("other user has %d identities, want 1", len(ol))
	}
}

func usersIdentitiesOfLookalikeSubjects(t *testing.T, h harness) {
	// Provider types and subjects may hold any character: no two pairs are one identity.
	s := h.open(t)
	ctx := testContext(t)
	pairs := [][2]string{
		{"custom-token", "x:y"},
		{"custom-token:x", "y"},
		{"custom-token%3Ax", "y"},
		{"custom-token", "x%3Ay"},
		{"custom-token", "x"},
		{"custom-token", ""},
	}
	owners := make([]string, len(pairs))
	for i, p := range pairs {
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now()}
		must(t, s.CreateUser(ctx, u, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: p[0], ProviderID: p[1], CreatedAt: now()}),
			"CreateUser with identity (%q, %q)", p[0], p[1])
		owners[i] = u.ID
	}
	for i, p := range pairs {
		got, err := s.FindIdentity(ctx, p[0], p[1])
		must(t, err, "FindIdentity(%q, %q)", p[0], p[1])
		if got.UserID != owners[i] || got.ProviderType != p[0] || got.ProviderID != p[1] {
			t.Errorf("FindIdentity(%q, %q) = %+v, want user %s", p[0], p[1], got, owners[i])
		}
		ids, err := s.ListIdentities(ctx, owners[i])
		must(t, err, "ListIdentities")
		if len(ids) != 1 || ids[0].ProviderType != p[0] || ids[0].ProviderID != p[1] {
			t.Errorf("identities of the owner of (%q, %q): %+v", p[0], p[1], ids)
		}
	}
	_, err := s.FindIdentity(ctx, "custom-token:x:y", "")
	wantErr(t, err, store.ErrNotFound, "FindIdentity of a pair that was never stored")
}

func usersRacingLinksKeepEveryIdentity(t *testing.T, h harness) {
	// Identities added to one user at once are all listed; of users racing for one identity, only
	// the winner lists it.
	s := h.open(t)
	ctx := testContext(t)
	u, first := newUser(t, s)
	const n = 8
	errs := race(n, func(i int) error {
		return s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "custom-token",
			ProviderID: fmt.Sprintf("link-%d", i), CreatedAt: now()})
	})
	for i, err := range errs {
		must(t, err, "AddIdentity %d", i)
	}
	list, err := s.ListIdentities(ctx, u.ID)
	must(t, err, "ListIdentities")
	subjects := map[string]int{}
	for _, id := range list {
		subjects[id.ProviderID]++
	}
	if len(list) != n+1 || subjects[first.ProviderID] != 1 {
		t.Errorf("ListIdentities after %d racing links: %d identities %v, want %d, each once", n, len(list), subjects, n+1)
	}
	for i := range n {
		if subjects[fmt.Sprintf("link-%d", i)] != 1 {
			t.Errorf("link-%d listed %d times", i, subjects[fmt.Sprintf("link-%d", i)])
		}
	}

	racers := make([]*store.User, 6)
	for i := range racers {
		racers[i], _ = newUser(t, s)
	}
	errs = race(len(racers), func(i int) error {
		return s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: racers[i].ID, ProviderType: "oauth2-google",
			ProviderID: "contested", CreatedAt: now()})
	})
	w := oneWinner(t, errs, store.ErrAlreadyExists, "AddIdentity of one subject")
	for i, r := range racers {
		_, idents, err := s.UserWithIdentities(ctx, r.ID)
		must(t, err, "UserWithIdentities")
		want := 1
		if i == w {
			want = 2
		}
		if len(idents) != want {
			t.Errorf("racer %d (winner %d) has %d identities, want %d", i, w, len(idents), want)
		}
	}
	got, err := s.FindIdentity(ctx, "oauth2-google", "contested")
	must(t, err, "FindIdentity")
	if got.UserID != racers[w].ID {
		t.Errorf("the contested identity belongs to %s, want the winner %s", got.UserID, racers[w].ID)
	}
}

func usersDeleteRemovesEverything(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u, id := newUser(t, s)
	keep, keepID := newUser(t, s)
	at := now()
	own := seedUser(t, s, u, at)
	kept := seedUser(t, s, keep, at)

	must(t, s.SetUserDisabled(ctx, u.ID, true), "SetUserDisabled")
	must(t, s.DeleteUser(ctx, u.ID), "DeleteUser")

	_, err := s.GetUser(ctx, u.ID)
	wantErr(t, err, store.ErrNotFound, "GetUser after DeleteUser")
	_, err = s.FindIdentity(ctx, id.ProviderType, id.ProviderID)
	wantErr(t, err, store.ErrNotFound, "FindIdentity after DeleteUser")
	ids, err := s.ListIdentities(ctx, u.ID)
	must(t, err, "ListIdentities")
	if len(ids) != 0 {
		t.Errorf("identities left: %d", len(ids))
	}
	own.checkGone(t, s)
	kept.checkPresent(t, s)
	if _, err := s.GetUser(ctx, keep.ID); err != nil {
		t.Errorf("the other user: %v", err)
	}
	if _, err := s.FindIdentity(ctx, keepID.ProviderType, keepID.ProviderID); err != nil {
		t.Errorf("the other user's identity: %v", err)
	}

	_, _, err = s.UserWithIdentities(ctx, u.ID)
	wantErr(t, err, store.ErrNotFound, "UserWithIdentities after DeleteUser")

	wantErr(t, s.DeleteUser(ctx, u.ID), store.ErrNotFound, "DeleteUser again")
	wantErr(t, s.DeleteUser(ctx, "nope"), store.ErrNotFound, "DeleteUser of a malformed id")

	// The deleted user's identities are free for a new user.
	next := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now()}
	must(t, s.CreateUser(ctx, next, &store.Identity{ID: store.NewID(), UserID: next.ID, ProviderType: id.ProviderType,
		ProviderID: id.ProviderID, CreatedAt: now()}), "CreateUser with a deleted user's identity")
	if got, err := s.FindIdentity(ctx, id.ProviderType, id.ProviderID); err != nil || got.UserID != next.ID {
		t.Errorf("the identity of a deleted user, claimed again: %+v, %v", got, err)
	}
}

// owned is what seedUser gave a user.
type owned struct {
	user      *store.User
	sessions  []string
	rotation  string // session id of generation 0's rotation
	keyHash   []byte
	keyName   string
	email     string
	tokenID   string
	tokenTill time.Time
}

// seedUser gives u two sessions (one rotated, one revoked), an API key with
// its identity, a password record and an action token.
func seedUser(t *testing.T, s store.Store, u *store.User, at time.Time) *owned {
	t.Helper()
	ctx := testContext(t)
	o := &owned{user: u, keyName: "key", email: u.ID + "@example.com", tokenID: store.NewID(), tokenTill: at.Add(time.Hour)}
	for i := range 2 {
		sess := &store.Session{ID: store.NewID(), UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour), Rotating: true,
			SecretHash: []byte{1, byte(i)}}
		must(t, s.CreateSession(ctx, sess), "CreateSession")
		o.sessions = append(o.sessions, sess.ID)
	}
	o.rotation = o.sessions[0]
	must(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: o.rotation, Generation: 0, CreatedAt: at, SuccessorHash: []byte{2}}), "ClaimRotation")
	must(t, s.RevokeSession(ctx, o.sessions[1]), "RevokeSession")

	k := &store.APIKey{ID: store.NewID(), UserID: u.ID, Name: o.keyName, SecretHash: []byte("hash-" + u.ID), CreatedAt: at}
	o.keyHash = k.SecretHash
	must(t, s.CreateAPIKey(ctx, k), "CreateAPIKey")
	must(t, s.AddIdentity(ctx, &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "api-key", ProviderID: k.ID, CreatedAt: at}), "AddIdentity")

	must(t, s.CreatePassword(ctx, &store.Password{Email: o.email, UserID: u.ID, Hash: "$argon2id$x", Confirmed: true, CreatedAt: at}), "CreatePassword")
	must(t, s.CreateActionToken(ctx, &store.ActionToken{ID: o.tokenID, Kind: store.ActionReset, Email: o.email, Hash: []byte{3}, ExpiresAt: o.tokenTill}), "CreateActionToken")
	return o
}

func (o *owned) checkGone(t *testing.T, s store.Store) {
	t.Helper()
	ctx := testContext(t)
	for _, id := range o.sessions {
		_, err := s.GetSession(ctx, id)
		wantErr(t, err, store.ErrNotFound, "GetSession after DeleteUser")
	}
	_, err := s.GetRotation(ctx, o.rotation, 0)
	wantErr(t, err, store.ErrNotFound, "GetRotation after DeleteUser")
	_, err = s.FindAPIKeyBySecretHash(ctx, o.keyHash)
	wantErr(t, err, store.ErrNotFound, "FindAPIKeyBySecretHash after DeleteUser")
	keys, err := s.ListAPIKeys(ctx, o.user.ID)
	must(t, err, "ListAPIKeys")
	if len(keys) != 0 {
		t.Errorf("API keys left: %d", len(keys))
	}
	_, err = s.GetPassword(ctx, o.email)
	wantErr(t, err, store.ErrNotFound, "GetPassword after DeleteUser")
	_, err = s.UseActionToken(ctx, o.tokenID, o.tokenTill.Add(-time.Minute))
	wantErr(t, err, store.ErrNotFound, "UseActionToken after DeleteUser")
	n, err := s.RevokeUserSessions(ctx, o.user.ID)
	must(t, err, "RevokeUserSessions")
	if n != 0 {
		t.Errorf("RevokeUserSessions after DeleteUser revoked %d sessions", n)
	}
}

func (o *owned) checkPresent(t *testing.T, s store.Store) {
	t.Helper()
	ctx := testContext(t)
	for i, id := range o.sessions {
		sess, err := s.GetSession(ctx, id)
		must(t, err, "GetSession of another user")
		if sess.Revoked != (i == 1) {
			t.Errorf("session %d of another user: Revoked = %v", i, sess.Revoked)
		}
	}
	if _, err := s.GetRotation(ctx, o.rotation, 0); err != nil {
		t.Errorf("rotation of another user: %v", err)
	}
	if _, err := s.FindAPIKeyBySecretHash(ctx, o.keyHash); err != nil {
		t.Errorf("API key of another user: %v", err)
	}
	if _, err := s.GetPassword(ctx, o.email); err != nil {
		t.Errorf("password of another user: %v", err)
	}
	if _, err := s.UseActionToken(ctx, o.tokenID, o.tokenTill.Add(-time.Minute)); err != nil {
		t.Errorf("action token of another user: %v", err)
	}
}
