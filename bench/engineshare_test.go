//go:build linux

package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// The embedded engine runs inside the lanyard process, so the process's CPU is Lanyard's and the
// engine's together. A CPU profile taken while one operation runs says which part of it went where: a
// sample whose stack passes through FerretDB, or through the SQLite or PostgreSQL drivers it runs on,
// is the engine's; one made only of Go runtime frames (the GC's background workers, the scheduler) is
// shared by both and reported on its own; every other sample is Lanyard's.

// cpuShares are the fractions of a profile's CPU time spent by the engine, by the Go runtime's own
// goroutines, and by Lanyard, out of samples samples.
type cpuShares struct {
	engine, runtime, lanyard float64
	samples                  int
}

// engineFrame tells whether a function belongs to the embedded engine.
func engineFrame(fn string) bool {
	for _, prefix := range []string{"github.com/FerretDB/", "modernc.org/", "github.com/jackc/"} {
		if strings.HasPrefix(fn, prefix) {
			return true
		}
	}
	return false
}

func runtimeFrame(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/") || fn == ""
}

// splitProfile sums a CPU profile's time by cpuShares.
func splitProfile(p *profile.Profile) (cpuShares, error) {
	value, count := -1, -1
	for i, st := range p.SampleType {
		switch st.Type {
		case "cpu":
			value = i
		case "samples":
			count = i
		}
	}
	if value < 0 || count < 0 {
		return cpuShares{}, fmt.Errorf("not a CPU profile: sample types %v", p.SampleType)
	}
	var engine, runtime, total float64
	samples := 0
	for _, s := range p.Sample {
		samples += int(s.Value[count])
		v := float64(s.Value[value])
		total += v
		isEngine, onlyRuntime := false, true
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				fn := ""
				if line.Function != nil {
					fn = line.Function.Name
				}
				isEngine = isEngine || engineFrame(fn)
				onlyRuntime = onlyRuntime && runtimeFrame(fn)
			}
		}
		switch {
		case isEngine:
			engine += v
		case onlyRuntime:
			runtime += v
		}
	}
	if total == 0 {
		return cpuShares{}, fmt.Errorf("the profile holds no samples")
	}
	return cpuShares{engine / total, runtime / total, (total - engine - runtime) / total, samples}, nil
}

// profileWindow is how long each operation is profiled: at the profiler's 100 samples a second on two
// cores, a few hundred samples, enough for shares to a few percent.
const profileWindow = 5 * time.Second

// profileShares runs op from popConcurrency workers while the server records a CPU profile, at most
// maxCalls calls (an operation that adds users must not grow the population much), and splits the
// profile. The server must serve its profiles on pprofAddr.
func profileShares(b *testing.B, pprofAddr, what string, op popOp, maxCalls int) cpuShares {
	type result struct {
		p   *profile.Profile
		err error
	}
	done := make(chan result, 1)
	go func() {
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, int(profileWindow/time.Second))
		r, err := http.Get(url)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer r.Body.Close()
		if r.StatusCode != http.StatusOK {
			done <- result{err: fmt.Errorf("%s: %s", url, r.Status)}
			return
		}
		p, err := profile.Parse(r.Body)
		done <- result{p, err}
	}()
	var (
		stop  atomic.Bool
		next  atomic.Int64
		wg    sync.WaitGroup
		first = make(chan error, 1)
	)
	for w := range popConcurrency {
		wg.Go(func() {
			for !stop.Load() && next.Add(1) <= int64(maxCalls) {
				ctx, cancel := context.WithTimeout(context.Background(), callLimit)
				err := op.call(ctx, w)
				cancel()
				if err != nil {
					select {
					case first <- fmt.Errorf("%s on the store %s: %w", op.name, what, err):
					default:
					}
					return
				}
			}
		})
	}
	res := <-done
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-first:
		b.Fatal(err)
	default:
	}
	if res.err != nil {
		b.Fatalf("CPU profile of %s on the store %s: %v", op.name, what, res.err)
	}
	shares, err := splitProfile(res.p)
	if err != nil {
		b.Fatalf("CPU profile of %s on the store %s: %v", op.name, what, err)
	}
	return shares
}

func TestSplitProfile(t *testing.T) {
	fn := func(names ...string) []*profile.Location {
		var locs []*profile.Location
		for _, n := range names {
			locs = append(locs, &profile.Location{Line: []profile.Line{{Function: &profile.Function{Name: n}}}})
		}
		return locs
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			// The engine's, even where the frame that burns the CPU is the runtime's.
			{Value: []int64{1, 30}, Location: fn("runtime.mallocgc", "modernc.org/sqlite.(*conn).step", "github.com/FerretDB/FerretDB/internal/clientconn.(*conn).run")},
			{Value: []int64{1, 10}, Location: fn("runtime.gcBgMarkWorker")},
			{Value: []int64{1, 60}, Location: fn("runtime.mallocgc", "github.com/lanyardhq/lanyard/authn.Mint", "google.golang.org/grpc.(*Server).handleStream")},
		},
	}
	got, err := splitProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := (cpuShares{engine: 0.3, runtime: 0.1, lanyard: 0.6, samples: 3}); got != want {
		t.Errorf("splitProfile = %+v, want %+v", got, want)
	}
	if _, err := splitProfile(&profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space"}}}); err == nil {
		t.Error("a heap profile was split as a CPU profile")
	}
}
