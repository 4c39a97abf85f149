package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// fakeStore is a Store whose health the test sets.
type fakeStore struct {
	store.Store
	health store.Health
}

func (f *fakeStore) Healthy() bool                  { return f.health.Healthy() }
func (f *fakeStore) HealthChanged() <-chan struct{} { return f.health.Changed() }

func TestHealth(t *testing.T) {
	var h store.Health
	if !h.Healthy() {
		t.Fatal("zero Health is unhealthy")
	}
	changed := h.Changed()
	if h.Set(true) {
		t.Fatal("Set(true) on a healthy Health reported a change")
	}
	select {
	case <-changed:
		t.Fatal("Changed closed without a change")
	default:
	}
	if !h.Set(false) || h.Healthy() {
		t.Fatal("Set(false) did not take")
	}
	select {
	case <-changed:
	default:
		t.Fatal("Changed not closed after a change")
	}
}

func TestWatchHealth(t *testing.T) {
	s := &fakeStore{}
	ctx, cancel := context.WithCancel(t.Context())
	states := make(chan bool)
	done := make(chan struct{})
	go func() {
		defer close(done)
		store.WatchHealth(ctx, s, func(healthy bool) { states <- healthy })
	}()

	want := func(w bool) {
		t.Helper()
		select {
		case got := <-states:
			if got != w {
				t.Fatalf("WatchHealth delivered %v, want %v", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("WatchHealth delivered nothing, want %v", w)
		}
	}
	want(true) // the current state first
	s.health.Set(false)
	want(false)
	s.health.Set(true)
	want(true)

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WatchHealth did not return after cancel")
	}
}
