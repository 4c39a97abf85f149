package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// TestGCPercentFor: the share of growth gives about gcHeadroom between the bounds, and the bounds
// beyond them.
func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		scanned uint64
		want    int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent},
		{gcHeadroom * 100 / maxGCPercent, maxGCPercent},
		{gcHeadroom, 100},
		{gcHeadroom * 2, 50},
		{gcHeadroom * 100 / minGCPercent, minGCPercent},
		{1 << 40, minGCPercent},
	} {
		if got := gcPercentFor(c.scanned); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.scanned>>20, got, c.want)
		}
	}
	// Between the bounds, the growth it allows is gcHeadroom, to the percent's rounding.
	for _, scanned := range []uint64{gcHeadroom / 3, gcHeadroom, gcHeadroom * 3} {
		growth := scanned * uint64(gcPercentFor(scanned)) / 100
		if growth > gcHeadroom || gcHeadroom-growth > scanned/100 {
			t.Errorf("%d MiB scanned may grow by %d MiB, want about %d MiB", scanned>>20, growth>>20, gcHeadroom>>20)
		}
	}
}

// TestGCTunerRunsAfterCollections: once armed, the tuner sets GOGC after a collection, and keeps doing
// so after the next ones.
func TestGCTunerRunsAfterCollections(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	gogc := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	current := func() int {
		metrics.Read(gogc)
		return int(gogc[0].Value.Uint64())
	}
	// This test process scans a few megabytes: the tuner's answer is maxGCPercent. It is told that it set
	// something else, which is what it finds to correct after every collection.
	tuner := &gcTuner{}
	for _, name := range scannedMetrics {
		tuner.samples = append(tuner.samples, metrics.Sample{Name: name})
	}
	tuner.arm()
	for round := range 2 {
		tuner.percent.Store(1000)
		debug.SetGCPercent(1000)
		// Cleanups run on their own goroutine after the collection: wait for it, generously.
		for i := 0; current() != maxGCPercent; i++ {
			if i == 10_000 {
				t.Fatalf("round %d: GOGC still %d after %d collections, want %d", round, current(), i, maxGCPercent)
			}
			runtime.GC()
			runtime.Gosched()
		}
	}
}
