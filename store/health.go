package store

import (
	"context"
	"sync"
)

// Health holds a healthy/unhealthy flag and wakes subscribers when it flips.
// Implementations of Store embed it in their background checker; its zero
// value is healthy with no subscribers.
//
// Subscribers get a channel that is closed on the next change rather than a
// stream of values: a slow subscriber then never blocks the checker and
// never reads a stale backlog, it just re-reads Healthy.
type Health struct {
	mu        sync.Mutex
	unhealthy bool          // inverted so that the zero value is healthy
	changed   chan struct{} // closed and replaced on every change
}

// Healthy reports the current state.
func (h *Health) Healthy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.unhealthy
}

// Changed returns a channel closed at the next change of state.
func (h *Health) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

// Set records the state and reports whether it changed.
func (h *Health) Set(healthy bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.unhealthy == !healthy {
		return false
	}
	h.unhealthy = !healthy
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
	return true
}

// WatchHealth calls fn with the current state of s, then again after every
// change, until ctx is done. It is how the server keeps its gRPC health
// status (SERVING / NOT_SERVING) in step with the store without restarting.
// fn runs on the calling goroutine; quick flaps may be coalesced, but the
// last state is always delivered.
func WatchHealth(ctx context.Context, s Store, fn func(healthy bool)) {
	for {
		// Subscribe before reading, so a change in between is not missed.
		changed := s.HealthChanged()
		fn(s.Healthy())
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}
