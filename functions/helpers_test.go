package functions

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logRecord is one record the capturing handler saw.
type logRecord struct {
	Level slog.Level
	Msg   string
	Attrs map[string]string
}

// capture is a slog.Handler that keeps every record, for tests that check what reaches the log.
type capture struct {
	mu      sync.Mutex
	records []logRecord
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{Level: r.Level, Msg: r.Message, Attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.String()
		return true
	})
	c.mu.Lock()
	c.records = append(c.records, rec)
	c.mu.Unlock()
	return nil
}
func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

func (c *capture) all() []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]logRecord(nil), c.records...)
}

// find returns the first record whose message contains msg.
func (c *capture) find(msg string) (logRecord, bool) {
	for _, r := range c.all() {
		if strings.Contains(r.Msg, msg) {
			return r, true
		}
	}
	return logRecord{}, false
}

// src makes a source named name in functions/<name>.js.
func src(name, code string) Source {
	return Source{Name: name, File: "functions/" + name + ".js", Code: code}
}

// newEngine makes an engine for the test, logging into the returned capture.
func newEngine(t testing.TB, cfg Config, sources ...Source) (*Engine, *capture) {
	t.Helper()
	logs := &capture{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(logs)
	}
	cfg.Sources = append(cfg.Sources, sources...)
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(e.Close)
	return e, logs
}

// call runs name and fails the test on an error.
func call(t testing.TB, e *Engine, name string, args ...any) any {
	t.Helper()
	v, err := e.Call(context.Background(), Call{Name: name, Args: args})
	if err != nil {
		t.Fatalf("Call %s: %v", name, err)
	}
	return v
}

// callErr runs name and returns the *Error it must fail with.
func callErr(t testing.TB, e *Engine, c Call) *Error {
	t.Helper()
	_, err := e.Call(context.Background(), c)
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("Call %s: want *Error, got %v", c.Name, err)
	}
	if fe.Function != c.Name {
		t.Errorf("Error.Function = %q, want %q", fe.Function, c.Name)
	}
	return fe
}

// backstop is a deadline no correct test comes near.
const backstop = 60 * time.Second
