// Package live runs a whole Lanyard in the test's process for the end-to-end tests, which talk to it
// over real connections as outside clients do, and stops it when the test ends.
package live

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/server"
)

// Buffer collects output written from several goroutines (the server's log, a child's stderr).
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start serves cfg until the test ends, then stops the server and checks that it stopped cleanly; the
// server's log (JSON, info and above) is shown when the test failed.
func Start(t *testing.T, cfg server.Config) (*server.Server, *Buffer) {
	t.Helper()
	logs := &Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		cancel()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Lanyard did not stop within 30 s")
		}
		if t.Failed() {
			t.Logf("Lanyard's log:\n%s", logs.String())
		}
	})
	return srv, logs
}
