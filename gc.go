package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Lanyard's garbage collection, unless GOGC is set. Go's GOGC lets the heap grow, between collections, by
// a fixed share of what the collector scans (live heap, goroutine stacks, globals). No one share suits
// Lanyard. While it answers calls it scans a few megabytes, and at Go's 100 % the collector runs every
// few hundred calls and takes a large share of the CPU of a login or refresh. But what it scans grows
// with the streams it holds open (each holds its goroutine's stack and buffers), and a share large enough
// for the first case would let the heap grow by hundreds of megabytes with thousands of streams open.
// BENCHMARKS.md ("Numbers moved from code comments") has the measurements.
// So after every collection the share is set for a growth of about gcHeadroom, never more than
// maxGCPercent (small heaps) and never less than minGCPercent (large ones, where a collection costs in
// proportion to what it scans, and the heap may then grow by more than gcHeadroom).
const (
	gcHeadroom   = 32 << 20
	maxGCPercent = 400
	minGCPercent = 25
)

// gcPercentFor is the GOGC for a collector that scanned scanned bytes.
func gcPercentFor(scanned uint64) int {
	if scanned == 0 {
		return maxGCPercent
	}
	return int(min(max(gcHeadroom*100/scanned, minGCPercent), maxGCPercent))
}

// scannedMetrics are what the collector's pacing counts, from the last collection.
var scannedMetrics = []string{"/gc/heap/live:bytes", "/gc/scan/stack:bytes", "/gc/scan/globals:bytes"}

// gcTuner sets the GOGC of the process after every collection.
type gcTuner struct {
	samples []metrics.Sample
	percent atomic.Int64 // what it set last (atomic: tests set it while the tuner runs)
}

// tuneGC starts adjusting GOGC, from now on, after every collection.
func tuneGC() {
	t := &gcTuner{}
	t.percent.Store(maxGCPercent)
	for _, name := range scannedMetrics {
		t.samples = append(t.samples, metrics.Sample{Name: name})
	}
	debug.SetGCPercent(maxGCPercent)
	t.arm()
}

// arm has the tuner run after the next collection: a cleanup runs once the collector has found its
// object unreachable, and this object is unreachable from the start. The tuner arms itself again, and so
// runs once per collection, on the runtime's cleanup goroutine, without a timer.
func (t *gcTuner) arm() {
	runtime.AddCleanup(new(gcMarker), func(t *gcTuner) { t.tune(); t.arm() }, t)
}

// gcMarker is the object whose collection runs the tuner: large enough not to share a block with others
// (the runtime packs small pointer-free objects together, and such a block is freed with its last one).
type gcMarker struct{ _ [64]byte }

func (t *gcTuner) tune() {
	metrics.Read(t.samples)
	var scanned uint64
	for _, s := range t.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			scanned += s.Value.Uint64()
		}
	}
	// Small changes are left alone: each one moves the collector's next target.
	if p, last := gcPercentFor(scanned), int(t.percent.Load()); p*10 < last*9 || p*10 > last*11 {
		t.percent.Store(int64(p))
		debug.SetGCPercent(p)
	}
}
