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

// memoryLimitRatio is the share of the container's memory limit that Go's memory limit is set to. The
// container counts memory the Go runtime does not: the embedded SQLite engine's page cache and other
// allocations (its C library, translated to Go, maps its own memory), the binary's pages, and the page
// cache of the data files, which the kernel reclaims only when pressed. A Go limit equal to the
// container's would let the collector keep the heap at a size the container cannot hold beside those;
// a tenth of the limit leaves room for them.
const memoryLimitRatio = 0.9

// memoryLimit is what setMemoryLimit found and did, for the start log.
type memoryLimit struct {
	source    string // "GOMEMLIMIT" (the operator's, left alone), "AUTOMEMLIMIT" (turned off), "cgroup", or "none"
	container uint64 // the container's (cgroup's) limit in bytes; 0 when none was found or looked for
	reason    error  // why no container limit applies, when source is "none"
}

// startMemory is what main's setMemoryLimit did; nil when run is called some other way (tests).
var startMemory *memoryLimit

// setMemoryLimit sets Go's memory limit to memoryLimitRatio of the container's, through automemlimit,
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
		return n, err
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
