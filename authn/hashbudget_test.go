package authn

import (
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// occupyHashBudget takes the process's whole hash budget until the test ends: every hash must then wait.
func occupyHashBudget(t *testing.T) {
	t.Helper()
	b := hashing()
	if err := b.sem.Acquire(context.Background(), b.kib); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.sem.Release(b.kib) })
}

func TestHashesFor(t *testing.T) {
	const mib = 1 << 20
	hash := hashFootprint
	for _, tc := range []struct {
		name     string
		memLimit int64
		procs    int
		want     int
	}{
		{"no limit, 2 CPUs", math.MaxInt64, 2, 4},
		{"no limit, 1 CPU", math.MaxInt64, 1, 2},
		{"no limit, 64 CPUs", math.MaxInt64, 64, 128},
		{"no CPU count", math.MaxInt64, 0, 2},
		{"256 MiB container at 0.9, 8 CPUs", 256 * mib * 9 / 10, 8, 4},
		{"512 MiB container at 0.9, 8 CPUs", 512 * mib * 9 / 10, 8, 10},
		{"256 MiB container at 0.9, 2 CPUs", 256 * mib * 9 / 10, 2, 4},
		{"exactly three hashes beside the reserve", hashReserve + 3*hash, 8, 3},
		{"one byte short of three", hashReserve + 3*hash - 1, 8, 2},
		{"limit below the reserve", 32 * mib, 8, 1},
		{"limit zero", 0, 8, 1},
		{"1 GiB, 4 CPUs", 1024 * mib, 4, 8},
		{"1 GiB, 32 CPUs", 1024 * mib, 32, 25},
		{"8 GiB, 16 CPUs", 8192 * mib, 16, 32},
	} {
		if got := hashesFor(tc.memLimit, tc.procs); got != tc.want {
			t.Errorf("%s: hashesFor(%d, %d) = %d, want %d", tc.name, tc.memLimit, tc.procs, got, tc.want)
		}
	}
}

// TestHashBudgetQueues runs a budget of two hashes: a third waits, proceeds when one ends, and a
// waiter whose context ends leaves the queue with its context's error and takes nothing with it.
func TestHashBudgetQueues(t *testing.T) {
	b := newHashBudget(hashReserve+2*hashFootprint, 8)
	if b.kib != 2*int64(currentParams.memory) {
		t.Fatalf("budget of %d KiB, want two hashes", b.kib)
	}
	release1, err := b.acquire(context.Background(), currentParams.memory)
	if err != nil {
		t.Fatal(err)
	}
	release2, err := b.acquire(context.Background(), currentParams.memory)
	if err != nil {
		t.Fatal(err)
	}
	if b.sem.TryAcquire(1) {
		t.Fatal("room left in a budget holding two hashes of two")
	}

	// Cancelled (the waiter may or may not have started waiting first): CANCELLED's error, and nothing
	// taken.
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.acquire(ctx, currentParams.memory)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v, want context.Canceled", err)
	}
	// A deadline passing while it waits: DEADLINE_EXCEEDED's error.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	if _, err := b.acquire(dctx, currentParams.memory); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter past its deadline: %v, want context.DeadlineExceeded", err)
	}

	// A waiter with time to spare gets the room the first hash frees (that it could not get it before is
	// what the full budget above shows).
	type result struct {
		release func()
		err     error
	}
	got := make(chan result, 1)
	go func() {
		r, err := b.acquire(context.Background(), currentParams.memory)
		got <- result{r, err}
	}()
	release1()
	var third result
	select {
	case third = <-got:
	case <-time.After(time.Minute):
		t.Fatal("the waiter did not get the room a finished hash freed")
	}
	if third.err != nil {
		t.Fatal(third.err)
	}
	if b.sem.TryAcquire(1) {
		t.Fatal("room left after the waiter took the freed place: the gone waiters kept or leaked some")
	}
	release2()
	third.release()
	if !b.sem.TryAcquire(b.kib) {
		t.Fatal("the budget is not whole again once every hash ended")
	}
	b.sem.Release(b.kib)
}

// TestHashBudgetLargeHash: a stored hash asking for more memory than the whole budget still runs, alone.
func TestHashBudgetLargeHash(t *testing.T) {
	b := newHashBudget(0, 8) // one hash of today's parameters
	release, err := b.acquire(context.Background(), maxMemoryKiB)
	if err != nil {
		t.Fatal(err)
	}
	if b.sem.TryAcquire(1) {
		t.Fatal("a hash larger than the budget left room for another")
	}
	release()
	if !b.sem.TryAcquire(b.kib) {
		t.Fatal("the budget is not whole again")
	}
	b.sem.Release(b.kib)
}

// TestProcessHashBudget checks the process's budget against the runtime's limit and CPUs, and that
// every kind of hash waits in it: with the budget taken, each gives up with its context's error.
func TestProcessHashBudget(t *testing.T) {
	if got, want := ConcurrentHashes(), hashesFor(debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0)); got != want {
		t.Fatalf("ConcurrentHashes() = %d, want %d", got, want)
	}
	occupyHashBudget(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := HashPassword(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("HashPassword: %v", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, _, err := VerifyPassword(cctx, "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("VerifyPassword: %v", err)
	}
	if _, _, err := DummyVerify(cctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("DummyVerify: %v", err)
	}
}
