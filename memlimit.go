package main

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/lanyardhq/lanyard/authn"
)

// Go's memory limit is set below the container's, for the memory the Go runtime does not count and the
// container does: the binary's pages (a fixed amount, whatever the container's size), the embedded
// SQLite engine's own allocations (its C library, translated to Go, maps its own memory), the page cache
// of the data files, and what the heap overshoots its limit by while the collector catches up with a
// burst of 19 MiB password hashes on a starved CPU. So outsideGo comes off the container's limit, then
// Go gets memoryLimitRatio of the rest; with both, a login storm in a 256 MiB container stays under its
// limit (BENCHMARKS.md, "Memory under a login storm").
const (
	memoryLimitRatio = 0.9
	outsideGo        = 40 << 20
)

// goShare is what setMemoryLimit hands automemlimit for a container limit of n bytes, before the ratio:
// n less outsideGo, but never less than half of n.
func goShare(n uint64) uint64 {
	return max(n/2, n-min(n, outsideGo))
}

// memoryLimit is what setMemoryLimit found and did, for the start log.
type memoryLimit struct {
	source    string // "GOMEMLIMIT" (the operator's, left alone), "AUTOMEMLIMIT" (turned off), "cgroup", or "none"
	container uint64 // the container's (cgroup's) limit in bytes; 0 when none was found or looked for
	reason    error  // why no container limit applies, when source is "none"
}

// startMemory is what main's setMemoryLimit did; nil when run is called some other way (tests).
var startMemory *memoryLimit

// setMemoryLimit sets Go's memory limit to memoryLimitRatio of the container's goShare, through automemlimit,
// unless the operator set GOMEMLIMIT (or AUTOMEMLIMIT=off, automemlimit's own switch; AUTOMEMLIMIT=0.8
// sets another ratio). It runs once, at start, before anything is allocated in earnest: the password
// hash budget is sized from the limit it leaves (authn.ConcurrentHashes). The limit is not refreshed
// while Lanyard runs, since that budget is fixed at the first hash.
func setMemoryLimit(provider memlimit.Provider) memoryLimit {
	// As the runtime and automemlimit read it: empty is unset.
	if os.Getenv("GOMEMLIMIT") != "" {
		return memoryLimit{source: "GOMEMLIMIT"}
	}
	if os.Getenv("AUTOMEMLIMIT") == "off" {
		return memoryLimit{source: "AUTOMEMLIMIT"}
	}
	var found uint64
	var lookErr error
	record := func() (uint64, error) {
		n, err := provider()
		found, lookErr = n, err
		return goShare(n), err
	}
	// automemlimit takes "no limit" (ErrNoLimit) as success and leaves Go unlimited; record saw it.
	_, err := memlimit.Set(memlimit.WithProvider(record), memlimit.WithRatio(memoryLimitRatio))
	switch {
	case err != nil:
		return memoryLimit{source: "none", reason: err}
	case lookErr != nil:
		return memoryLimit{source: "none", reason: lookErr}
	}
	return memoryLimit{source: "cgroup", container: found}
}

// log writes one record of what was found and set, and the password hashes that run at once by it; a
// failed lookup other than "no limit" or "no cgroup" is a warning.
func (m memoryLimit) log(log *slog.Logger) {
	attrs := []any{"source", m.source}
	if m.container > 0 {
		attrs = append(attrs, "container_limit_bytes", m.container)
	}
	if goLimit := debug.SetMemoryLimit(-1); goLimit != math.MaxInt64 {
		attrs = append(attrs, "go_memory_limit_bytes", goLimit)
	}
	level := slog.LevelInfo
	switch {
	case m.reason == nil:
	case errors.Is(m.reason, memlimit.ErrNoLimit):
		attrs = append(attrs, "reason", "the container sets no memory limit")
	case errors.Is(m.reason, memlimit.ErrNoCgroup), errors.Is(m.reason, memlimit.ErrCgroupsNotSupported):
		attrs = append(attrs, "reason", "not in a memory cgroup")
	default:
		attrs = append(attrs, "reason", m.reason.Error())
		level = slog.LevelWarn
	}
	attrs = append(attrs, "concurrent_password_hashes", authn.ConcurrentHashes())
	log.Log(context.Background(), level, "memory limit", attrs...)
}
