package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/lanyardhq/lanyard/authn"
)

// TestSetMemoryLimit runs setMemoryLimit with providers of its own (the real cgroup is read by
// TestLoginStormInMemoryCgroup) and checks what it sets and what it logs.
func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	for _, k := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
		t.Setenv(k, "") // restores the variable at the end
		os.Unsetenv(k)
	}
	// A limit far above what the test process uses: setting it must not slow the other tests down.
	const container = 64 << 30
	calls := 0
	provide := func(n uint64, err error) memlimit.Provider {
		return func() (uint64, error) { calls++; return n, err }
	}
	logged := func(m memoryLimit) map[string]any {
		t.Helper()
		var buf bytes.Buffer
		m.log(slog.New(slog.NewJSONHandler(&buf, nil)))
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("log record %q: %v", buf.String(), err)
		}
		if rec["msg"] != "memory limit" || rec["concurrent_password_hashes"] != float64(authn.ConcurrentHashes()) {
			t.Errorf("log record %v: want msg \"memory limit\" and concurrent_password_hashes %d", rec, authn.ConcurrentHashes())
		}
		return rec
	}

	t.Run("container limit", func(t *testing.T) {
		debug.SetMemoryLimit(math.MaxInt64)
		m := setMemoryLimit(provide(container, nil))
		c := float64(container - 40<<20) // a variable: the product is no whole number, so not a constant int64
		want := int64(c * memoryLimitRatio)
		if got := debug.SetMemoryLimit(-1); m.source != "cgroup" || m.container != container || got != want {
			t.Fatalf("source %q, container %d, Go limit %d; want cgroup, %d, %d", m.source, m.container, got, container, want)
		}
		rec := logged(m)
		if rec["source"] != "cgroup" || rec["container_limit_bytes"] != float64(container) || rec["go_memory_limit_bytes"] != float64(want) {
			t.Errorf("log record %v", rec)
		}
	})
	t.Run("no container limit", func(t *testing.T) {
		debug.SetMemoryLimit(math.MaxInt64)
		m := setMemoryLimit(provide(0, memlimit.ErrNoLimit))
		if got := debug.SetMemoryLimit(-1); m.source != "none" || !errors.Is(m.reason, memlimit.ErrNoLimit) || got != math.MaxInt64 {
			t.Fatalf("source %q, reason %v, Go limit %d; want none, no limit, none", m.source, m.reason, got)
		}
		rec := logged(m)
		if rec["reason"] != "the container sets no memory limit" || rec["go_memory_limit_bytes"] != nil || rec["container_limit_bytes"] != nil {
			t.Errorf("log record %v", rec)
		}
	})
	t.Run("no cgroup", func(t *testing.T) {
		debug.SetMemoryLimit(math.MaxInt64)
		m := setMemoryLimit(provide(0, memlimit.ErrNoCgroup))
		if got := debug.SetMemoryLimit(-1); m.source != "none" || !errors.Is(m.reason, memlimit.ErrNoCgroup) || got != math.MaxInt64 {
			t.Fatalf("source %q, reason %v, Go limit %d; want none, no cgroup, none", m.source, m.reason, got)
		}
		if rec := logged(m); rec["reason"] != "not in a memory cgroup" || rec["level"] != "INFO" {
			t.Errorf("log record %v", rec)
		}
	})
	t.Run("unreadable AUTOMEMLIMIT", func(t *testing.T) {
		t.Setenv("AUTOMEMLIMIT", "lots")
		debug.SetMemoryLimit(math.MaxInt64)
		m := setMemoryLimit(provide(container, nil))
		if got := debug.SetMemoryLimit(-1); m.source != "none" || m.reason == nil || got != math.MaxInt64 {
			t.Fatalf("source %q, reason %v, Go limit %d; want none, a reason, none", m.source, m.reason, got)
		}
		if rec := logged(m); rec["level"] != "WARN" || rec["reason"] == nil {
			t.Errorf("log record %v: want a warning with the reason", rec)
		}
	})
	t.Run("GOMEMLIMIT wins", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "100GiB")
		debug.SetMemoryLimit(100 << 30) // what the runtime would have read at start
		calls = 0
		m := setMemoryLimit(provide(container, nil))
		if got := debug.SetMemoryLimit(-1); m.source != "GOMEMLIMIT" || got != 100<<30 || calls != 0 {
			t.Fatalf("source %q, Go limit %d, container asked %d times; want GOMEMLIMIT, %d, 0", m.source, got, calls, int64(100<<30))
		}
		if rec := logged(m); rec["source"] != "GOMEMLIMIT" || rec["go_memory_limit_bytes"] != float64(100<<30) {
			t.Errorf("log record %v", rec)
		}
	})
	t.Run("AUTOMEMLIMIT off", func(t *testing.T) {
		t.Setenv("AUTOMEMLIMIT", "off")
		debug.SetMemoryLimit(math.MaxInt64)
		calls = 0
		m := setMemoryLimit(provide(container, nil))
		if got := debug.SetMemoryLimit(-1); m.source != "AUTOMEMLIMIT" || got != math.MaxInt64 || calls != 0 {
			t.Fatalf("source %q, Go limit %d, container asked %d times; want AUTOMEMLIMIT, none, 0", m.source, got, calls)
		}
	})
}

func TestGoShare(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct{ container, want uint64 }{
		{256 * mib, 216 * mib},
		{1024 * mib, 984 * mib},
		{80 * mib, 40 * mib},
		{64 * mib, 32 * mib}, // never less than half
		{1, 0},
		{0, 0},
	} {
		if got := goShare(tc.container); got != tc.want {
			t.Errorf("goShare(%d) = %d, want %d", tc.container, got, tc.want)
		}
	}
}
