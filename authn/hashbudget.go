package authn

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// Password hashing is what makes Lanyard's memory grow under load: argon2id holds its whole memory
// parameter (19 MiB today) for tens of milliseconds, and a login storm would otherwise hold that much
// per login in flight. So the argon2 memory in use at once is bounded, in KiB, by a semaphore sized from
// Go's memory limit, and the calls beyond it queue (each no longer than its context allows).
//
// A hash costs the heap twice its memory: its blocks are live while it runs, and once it ends they are
// garbage until the collector's next cycle ends, while as many new hashes may start. The argon2 memory
// holds no pointers, so a collector kept busy near the limit scans only the rest of the heap.
//
// hashReserve is what the rest of the process is left beside the hashes: an idle server with the
// embedded engine holds a small part of it (BENCHMARKS.md, "Memory under a login storm"), and the rest
// is room for the calls themselves, streams and the engine's cache.
const hashReserve = 64 << 20

// hashesPerProc caps the hashes at once by the CPUs: argon2 is pure computation, and with more hashes
// than this in flight a login only waits longer while holding its memory.
const hashesPerProc = 2

// hashFootprint is what one hash of today's parameters is counted as against the memory limit.
var hashFootprint = 2 * int64(currentParams.memory) << 10

// hashBudget bounds the argon2 memory in use at once.
type hashBudget struct {
	sem *semaphore.Weighted
	kib int64 // the size of sem: argon2 memory in KiB
	// waiting, when set (HoldHashBudget), is told of each call that finds the budget taken and waits.
	waiting atomic.Pointer[chan<- struct{}]
}

// hashesFor is how many hashes of today's parameters may run at once under a Go memory limit of
// memLimit bytes (math.MaxInt64: none) on procs CPUs: as many hashFootprints as fit beside hashReserve,
// at least one, at most hashesPerProc per CPU.
func hashesFor(memLimit int64, procs int) int {
	most := hashesPerProc * max(procs, 1)
	if memLimit == math.MaxInt64 {
		return most
	}
	fit := (memLimit - hashReserve) / hashFootprint
	return int(min(int64(most), max(1, fit)))
}

func newHashBudget(memLimit int64, procs int) *hashBudget {
	kib := int64(hashesFor(memLimit, procs)) * int64(currentParams.memory)
	return &hashBudget{sem: semaphore.NewWeighted(kib), kib: kib}
}

// acquire waits until memKiB of argon2 memory may be used, or ctx is done (its error is returned then,
// so that a cancelled or timed-out login leaves the queue and answers CANCELLED or DEADLINE_EXCEEDED).
// The waiters are served in order. A hash larger than the whole budget, from a stored hash made with
// other parameters, takes all of it and runs alone.
func (b *hashBudget) acquire(ctx context.Context, memKiB uint32) (release func(), err error) {
	n := min(int64(memKiB), b.kib)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.sem.TryAcquire(n) {
		return func() { b.sem.Release(n) }, nil
	}
	if w := b.waiting.Load(); w != nil {
		select {
		case *w <- struct{}{}:
		default: // the test reads as many as it expects; no call blocks on a full channel
		}
	}
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}

// hashing is the process's budget. It is sized at the first hash rather than at package start, so that
// the memory limit main sets from the container (or GOMEMLIMIT) is in place by then.
var hashing = sync.OnceValue(func() *hashBudget {
	return newHashBudget(debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0))
})

// ConcurrentHashes is how many password hashes (of today's parameters) run at once in this process;
// more wait their turn. It is fixed at the first call or hash, from Go's memory limit and GOMAXPROCS.
func ConcurrentHashes() int {
	return int(hashing().kib / int64(currentParams.memory))
}

// HoldHashBudget takes the whole hash budget, waiting for ctx as long as hashes run, and until release
// tells waiting of every call that then has to wait for it. It exists for tests of what a login
// answers when its call ends while it waits (package rpc maps the errors); nothing else calls it.
func HoldHashBudget(ctx context.Context, waiting chan<- struct{}) (release func(), err error) {
	b := hashing()
	if err := b.sem.Acquire(ctx, b.kib); err != nil {
		return nil, err
	}
	b.waiting.Store(&waiting)
	return func() {
		b.waiting.Store(nil)
		b.sem.Release(b.kib)
	}, nil
}
