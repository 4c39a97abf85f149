package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// now returns the current time as the store keeps it: UTC, milliseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// must fails t when err is not nil.
func must(t *testing.T, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantErr fails t unless err wraps want.
func wantErr(t *testing.T, err, want error, what string, args ...any) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", fmt.Sprintf(what, args...), err, want)
	}
}

// sameTime fails t unless got is want, in UTC.
func sameTime(t *testing.T, got, want time.Time, what string) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v (UTC)", what, got, want)
	}
}

// sameValue fails t unless got deeply equals want.
func sameValue(t *testing.T, got, want any, what string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// race runs fn(0..n-1) on n goroutines released at once and returns their
// errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner fails t unless exactly one of errs is nil and every other one
// wraps loser.
func oneWinner(t *testing.T, errs []error, loser error, what string) int {
	t.Helper()
	winner, wins := -1, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
			wins++
		case !errors.Is(err, loser):
			t.Fatalf("%s: call %d failed with %v, want nil or %v", what, i, err, loser)
		}
	}
	if wins != 1 {
		t.Fatalf("%s: %d of %d racing calls won, want exactly 1", what, wins, len(errs))
	}
	return winner
}

// newUser creates a normal user with an anonymous identity and returns
// both.
func newUser(t *testing.T, s store.Store) (*store.User, *store.Identity) {
	t.Helper()
	at := now()
	u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: at, LastLoginAt: at, Data: map[string]any{}}
	id := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user", ProviderID: store.NewID(),
		Data: map[string]any{}, CreatedAt: at, LastLoginAt: at}
	must(t, s.CreateUser(testContext(t), u, id), "CreateUser")
	return u, id
}
