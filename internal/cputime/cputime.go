// Package cputime reads the CPU time that benchmarks report per operation: the whole process's, which
// counts whatever runs in it (an embedded store engine, a pool's goroutines, the collector), or one
// thread's.
package cputime

import (
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not name.
const rusageThread = 1

// Process is the user and system CPU time this process has used.
func Process() time.Duration { return usage(syscall.RUSAGE_SELF) }

// Thread is the user and system CPU time the calling OS thread has used (Linux only); lock the
// goroutine to its thread around the measurement.
func Thread() time.Duration { return usage(rusageThread) }

func usage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
