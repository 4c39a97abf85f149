package functions

import (
	"runtime/metrics"
	"sync"
	"time"
)

// heapMetric is the bytes held by heap objects, live or not yet swept: it moves as soon as a call
// allocates, where the live-heap figure waits for the next collection.
const heapMetric = "/memory/classes/heap/objects:bytes"

// watchInterval is how often the heap is sampled while calls run.
const watchInterval = 5 * time.Millisecond

// watchdog interrupts calls during which the process's heap grew beyond the limit. It samples only
// while calls run.
type watchdog struct {
	limit uint64

	mu     sync.Mutex
	active map[*runner]struct{}
	wake   chan struct{}
}

func newWatchdog(limit int64) *watchdog {
	return &watchdog{limit: uint64(limit), active: map[*runner]struct{}{}, wake: make(chan struct{}, 1)}
}

func heapBytes(s []metrics.Sample) uint64 {
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (w *watchdog) add(r *runner) {
	s := []metrics.Sample{{Name: heapMetric}}
	r.baseline = heapBytes(s)
	w.mu.Lock()
	w.active[r] = struct{}{}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watchdog) remove(r *runner) {
	w.mu.Lock()
	delete(w.active, r)
	w.mu.Unlock()
}

func (w *watchdog) run(done <-chan struct{}) {
	s := []metrics.Sample{{Name: heapMetric}}
	for {
		select {
		case <-done:
			return
		case <-w.wake:
		}
		t := time.NewTicker(watchInterval)
		for w.check(s) {
			select {
			case <-done:
				t.Stop()
				return
			case <-t.C:
			}
		}
		t.Stop()
	}
}

// check interrupts the calls over the limit and reports whether any call is still running.
func (w *watchdog) check(s []metrics.Sample) bool {
	now := heapBytes(s)
	w.mu.Lock()
	defer w.mu.Unlock()
	for r := range w.active {
		if now > r.baseline && now-r.baseline > w.limit {
			r.interruptWith(interruptMemory)
		}
	}
	return len(w.active) > 0
}
