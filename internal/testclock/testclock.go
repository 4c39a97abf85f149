// Package testclock is a clock that tests move by hand, so that they advance time instead of sleeping
// through it (and hold on a busy machine).
package testclock

import (
	"sync"
	"time"
)

// Clock starts at the real time and moves only when Advance is called. Its Now fits every clock option
// of Lanyard (server.Config.Now, client.WithClock).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock at the current time. It starts on a whole millisecond, in UTC, as the store keeps times: a time read back from the store
// then equals the clock's.
func New() *Clock { return &Clock{now: time.Now().UTC().Truncate(time.Millisecond)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
