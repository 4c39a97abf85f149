package functions

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/internal/cputime"
)

// benchmarkCall measures one call of a trivial function, runtime preparation included when there is
// no pool to have done it ahead.
func benchmarkCall(b *testing.B, poolSize int) {
	e, _ := newEngine(b, Config{PoolSize: poolSize, MemoryLimit: -1},
		src("trivial", `exports = function (x) { return x + 1; };`))
	ctx := context.Background()
	b.ReportAllocs()
	start := cputime.Process()
	for b.Loop() {
		v, err := e.Call(ctx, Call{Name: "trivial", Args: []any{1.0}})
		if err != nil || v != 2.0 {
			b.Fatalf("Call = %v, %v", v, err)
		}
	}
	// The whole process's CPU: preparing runtimes on the pool's goroutine and collecting garbage count.
	b.ReportMetric(float64(cputime.Process()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkCallFresh prepares a fresh runtime inside every call.
func BenchmarkCallFresh(b *testing.B) { benchmarkCall(b, -1) }

// BenchmarkCallPooled takes runtimes prepared ahead by the pool; preparing them still costs CPU, on the
// pool's goroutine.
func BenchmarkCallPooled(b *testing.B) { benchmarkCall(b, 4) }

// BenchmarkPrepare is the cost of preparing one runtime, which every call pays once, on its own
// goroutine or on the pool's.
func BenchmarkPrepare(b *testing.B) {
	e, _ := newEngine(b, Config{PoolSize: -1, MemoryLimit: -1}, src("trivial", `exports = () => 1;`))
	b.ReportAllocs()
	for b.Loop() {
		_ = e.prepare()
	}
}

// BenchmarkCallWithWatchdog is a pooled call with the memory watchdog on (the default).
func BenchmarkCallWithWatchdog(b *testing.B) {
	e, _ := newEngine(b, Config{PoolSize: 4},
		src("trivial", `exports = function (x) { return x + 1; };`))
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.Call(ctx, Call{Name: "trivial", Args: []any{1.0}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallPooledReady times only calls that find a prepared runtime waiting: the latency a caller
// sees while the pool keeps up.
func BenchmarkCallPooledReady(b *testing.B) {
	e, _ := newEngine(b, Config{PoolSize: 4, MemoryLimit: -1},
		src("trivial", `exports = function (x) { return x + 1; };`))
	ctx := context.Background()
	b.ReportAllocs()
	// The call runs on this goroutine: pinned to its thread, the thread's CPU time is the call's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		for len(e.pool) < cap(e.pool) {
			runtime.Gosched()
		}
		b.StartTimer()
		before := cputime.Thread()
		v, err := e.Call(ctx, Call{Name: "trivial", Args: []any{1.0}})
		cpu += cputime.Thread() - before
		if err != nil || v != 2.0 {
			b.Fatalf("Call = %v, %v", v, err)
		}
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "call-cpu-ns/op")
}
