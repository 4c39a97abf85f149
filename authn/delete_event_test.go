package authn

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestDeleteEventKeepsTheUser: the DELETE event of a user carries what the user was (type, data, every
// identity), so that the triggers that run after it is gone still have it.
func TestDeleteEventKeepsTheUser(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		st, err := mongo.Open(t.Context(), mongo.Config{URI: e.URI, Database: storetest.DatabaseName(t), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close(context.Background()) })
		svc, err := New(t.Context(), Config{AppID: "app-1", PublicURL: "https://auth.example.com", MasterKey: make([]byte, 32),
			Now: func() time.Time { return t0 }, Logger: quiet}, st)
		if err != nil {
			t.Fatal(err)
		}
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: t0, LastLoginAt: t0, Data: map[string]any{"name": "Ada"}}
		first := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: ProviderUserPass, ProviderID: "ada@example.com",
			Data: map[string]any{"email": "ada@example.com"}, CreatedAt: t0, LastLoginAt: t0}
		second := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: ProviderAnonymous, ProviderID: store.NewID(),
			Data: map[string]any{}, CreatedAt: t0.Add(time.Second), LastLoginAt: t0.Add(time.Second)}
		if err := st.CreateUser(t.Context(), u, first); err != nil {
			t.Fatal(err)
		}
		if err := st.AddIdentity(t.Context(), second); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteUser(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		events, err := st.EventsAfter(t.Context(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Type != store.EventDelete || events[0].UserID != u.ID {
			t.Fatalf("events %+v, want one DELETE of %s", events, u.ID)
		}
		want := &store.UserSnapshot{Type: store.UserTypeNormal, Data: map[string]any{"name": "Ada"}, Identities: []store.IdentitySnapshot{
			{ID: first.ID, ProviderType: ProviderUserPass, Data: map[string]any{"email": "ada@example.com"}},
			{ID: second.ID, ProviderType: ProviderAnonymous, Data: map[string]any{}},
		}}
		if !reflect.DeepEqual(events[0].User, want) {
			t.Errorf("the DELETE event keeps %#v, want %#v", events[0].User, want)
		}
		if !reflect.DeepEqual(events[0].Providers, []string{ProviderUserPass, ProviderAnonymous}) {
			t.Errorf("providers %v", events[0].Providers)
		}
	})
}
