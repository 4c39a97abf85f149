package server

import (
	"context"
	"sync"
	"time"
)

// watchHub tells WatchCustomData streams when their document may have changed. Lanyard's own writes
// notify at once; changes by other writers are found by one batched poll per interval for all watched
// users together, so the store's load grows with the number of watched users divided by the batch size,
// never with the number of streams.
type watchHub struct {
	s        *Server
	interval time.Duration
	stopping chan struct{} // closed when the server stops, ending every stream

	mu       sync.Mutex
	watchers map[string]map[*watcher]struct{} // user id → its streams
	seen     map[string]string                // user id → fingerprint at the last poll
	polls    int64                            // store queries made by the poller (for tests and metrics)
}

// watcher is one stream's subscription: a one-slot channel, so that a burst of changes wakes the stream
// once and never blocks the notifier.
type watcher struct {
	userID string
	notify chan struct{}
}

// pollBatch bounds the user ids of one poll query.
const pollBatch = 500

func newWatchHub(s *Server, interval time.Duration) *watchHub {
	return &watchHub{s: s, interval: interval, stopping: make(chan struct{}),
		watchers: map[string]map[*watcher]struct{}{}, seen: map[string]string{}}
}

func (h *watchHub) subscribe(userID string) *watcher {
	w := &watcher{userID: userID, notify: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers[userID] == nil {
		h.watchers[userID] = map[*watcher]struct{}{}
	}
	h.watchers[userID][w] = struct{}{}
	return w
}

func (h *watchHub) unsubscribe(w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watchers[w.userID], w)
	if len(h.watchers[w.userID]) == 0 {
		delete(h.watchers, w.userID)
		delete(h.seen, w.userID)
	}
}

// changed wakes the streams of a user.
func (h *watchHub) changed(userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.watchers[userID] {
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
}

// run polls until ctx is done, then ends every stream.
func (h *watchHub) run(ctx context.Context) {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			close(h.stopping)
			return
		case <-t.C:
			h.poll(ctx)
		}
	}
}

func (h *watchHub) poll(ctx context.Context) {
	h.mu.Lock()
	ids := make([]string, 0, len(h.watchers))
	for id := range h.watchers {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	for start := 0; start < len(ids); start += pollBatch {
		batch := ids[start:min(start+pollBatch, len(ids))]
		versions, err := h.s.store.CustomDataVersions(ctx, batch)
		h.mu.Lock()
		h.polls++
		h.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				h.s.log.Warn("polling custom data for watchers", "error", err.Error())
			}
			return
		}
		for _, id := range batch {
			h.mu.Lock()
			prev, known := h.seen[id]
			h.seen[id] = versions[id]
			h.mu.Unlock()
			// A user seen for the first time wakes its streams too: a change between a stream's first
			// read and this poll would otherwise go unnoticed. The stream compares and sends nothing
			// when nothing changed.
			if !known || prev != versions[id] {
				h.changed(id)
			}
		}
	}
}
