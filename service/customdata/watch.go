package customdata

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// Hub tells WatchCustomData streams when their document may have changed. Lanyard's own writes
// notify at once; changes by other writers are found by one batched poll per interval for all watched
// users together, so the store's load grows with the number of watched users divided by the batch size,
// never with the number of streams.
//
// A stream's goroutine lives as long as the stream, and keeps whatever stack it grew to: a store read
// through the driver and the rendering of a document take several times the stack of a goroutine waiting
// for news. The reads, renderings and sends of the streams therefore run on goroutines that end with them
// (see update), a few per core reading at a time, so that thousands of streams opened at once queue here
// in order rather than all at once in the store's connection pool.
type Hub struct {
	store    store.Store
	log      *slog.Logger
	deep     func(context.Context, func() error) error
	interval time.Duration
	stopping chan struct{} // closed when the server stops, ending every stream
	slots    chan struct{} // one per read in progress

	mu       sync.Mutex
	watchers map[string][]*watcher // user id → its streams (almost always one)
	// seen maps a watched user id to the store's fingerprint of its document (CustomDataVersions) as last
	// observed; the first one observed is from before any of the user's streams read the document.
	seen  map[string]string
	polls int64 // store queries made by the poller (for tests and metrics)
	wakes int64 // users whose streams were woken by a changed fingerprint (for tests)
}

// watcher is one stream's subscription: a one-slot channel, so that a burst of changes wakes the stream
// once and never blocks the notifier.
type watcher struct {
	userID string
	notify chan struct{}
}

// pollBatch bounds the user ids of one poll query.
const pollBatch = 500

// readSlotsPerCore bounds the watch reads in progress at a time. A read mostly waits for the store, so
// a few per core keep the store busy; more would only queue in the driver's connection pool, each
// holding a goroutine and a request.
const readSlotsPerCore = 8

// NewHub returns a hub reading st; deep runs the work of a stream on a goroutine of its own (the
// server's, which logs a panic as the interceptor chain would).
func NewHub(st store.Store, log *slog.Logger, deep func(context.Context, func() error) error, interval time.Duration) *Hub {
	return &Hub{store: st, log: log, deep: deep, interval: interval, stopping: make(chan struct{}),
		slots:    make(chan struct{}, readSlotsPerCore*runtime.GOMAXPROCS(0)),
		watchers: map[string][]*watcher{}, seen: map[string]string{}}
}

func (h *Hub) subscribe(userID string) *watcher {
	w := &watcher{userID: userID, notify: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[userID] = append(h.watchers[userID], w)
	return w
}

func (h *Hub) unsubscribe(w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ws := h.watchers[w.userID]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(h.watchers, w.userID)
		delete(h.seen, w.userID)
		return
	}
	h.watchers[w.userID] = ws
}

// changed wakes the streams of a user.
func (h *Hub) changed(userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	wake(h.watchers[userID])
}

func wake(ws []*watcher) {
	for _, w := range ws {
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
}

// baseline runs before a stream's first read of the document: unless the hub has a fingerprint of the
// user's document already, it observes the store's current one, so that the poller compares what it
// finds with a state from before the read. The stream's own digest cannot serve, being of another form,
// and a first fingerprint taken by a poll after the read could hide a change made in between: a poll
// seeing a user first would have to wake its streams to read again, a read per stream, where this is
// one small query per user when its first stream opens.
func (h *Hub) baseline(ctx context.Context, userID string) error {
	h.mu.Lock()
	_, known := h.seen[userID]
	h.mu.Unlock()
	if known {
		return nil
	}
	versions, err := h.store.CustomDataVersions(ctx, []string{userID})
	if err != nil {
		return err
	}
	h.observe(userID, versions[userID])
	return nil
}

// observe records the store's fingerprint of a watched user's document and wakes the user's streams when
// it differs from the one recorded before. Every stream of the user first read the document after the
// first fingerprint recorded for it (see baseline), so an unchanged one means nothing new for any of them.
func (h *Hub) observe(userID, version string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ws := h.watchers[userID]
	if len(ws) == 0 {
		// The user's last stream ended while the fingerprint was read: recording it would keep it forever.
		return
	}
	prev, known := h.seen[userID]
	h.seen[userID] = version
	if known && prev != version {
		h.wakes++
		wake(ws)
	}
}

var errWatchStopping = rpc.NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the server is stopping; reconnect")

// update runs read, then sends what it returned unless that is nil, on a goroutine of their own (see
// deep), and waits for them. read runs once a slot is free; send runs after the slot is released, so that
// a client slow to take its messages (grpc-go's send waits for its flow-control window) never holds one.
// ctx is the stream's: read and send give up when it ends, which is what lets update wait for them.
func (h *Hub) update(ctx context.Context, read func() (*lanyardv1.WatchCustomDataResponse, error), send func(*lanyardv1.WatchCustomDataResponse) error) error {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-h.stopping:
		return errWatchStopping
	}
	return h.deep(ctx, func() error {
		resp, err := func() (*lanyardv1.WatchCustomDataResponse, error) {
			defer func() { <-h.slots }()
			return read()
		}()
		if err != nil || resp == nil {
			return err
		}
		return send(resp)
	})
}

// Run polls until ctx is done, then ends every stream.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			close(h.stopping)
			return
		case <-t.C:
			h.Poll(ctx)
		}
	}
}

// Poll looks for changes by other writers once, as each tick of Run does.
func (h *Hub) Poll(ctx context.Context) {
	h.mu.Lock()
	ids := make([]string, 0, len(h.watchers))
	for id := range h.watchers {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	for start := 0; start < len(ids); start += pollBatch {
		batch := ids[start:min(start+pollBatch, len(ids))]
		versions, err := h.store.CustomDataVersions(ctx, batch)
		h.mu.Lock()
		h.polls++
		h.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("polling custom data for watchers", "error", err.Error())
			}
			return
		}
		for _, id := range batch {
			h.observe(id, versions[id])
		}
	}
}

// Stopping is closed when Run ends, ending every stream.
func (h *Hub) Stopping() <-chan struct{} { return h.stopping }

// Polls is how many store queries the poller has made.
func (h *Hub) Polls() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.polls
}

// Wakes is how many times the hub woke a user's streams because the store's fingerprint of the user's
// document changed.
func (h *Hub) Wakes() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wakes
}
