package telemetry_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/telemetry"
)

// TestDurationsReadInBothHandlers: with Lanyard's handler options, a duration reads as Go writes it, in
// the JSON handler (which would write nanoseconds) as in the text handler, at the top level and in
// groups; other values are left as they are.
func TestDurationsReadInBothHandlers(t *testing.T) {
	log := func(l *slog.Logger) {
		l.Info("done", "took", 1234567*time.Nanosecond, slog.Group("wait", slog.Duration("grace", 2*time.Minute)), "n", 42, "s", "15s")
	}

	var js bytes.Buffer
	log(slog.New(slog.NewJSONHandler(&js, telemetry.HandlerOptions(slog.LevelInfo))))
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, js.String())
	}
	wait, _ := m["wait"].(map[string]any)
	for name, c := range map[string]struct{ got, want any }{
		"took":       {m["took"], "1.234567ms"},
		"wait.grace": {wait["grace"], "2m0s"},
		"n":          {m["n"], float64(42)},
		"s":          {m["s"], "15s"},
	} {
		if c.got != c.want {
			t.Errorf("JSON %s = %#v, want %#v (line %s)", name, c.got, c.want, js.String())
		}
	}

	var text bytes.Buffer
	log(slog.New(slog.NewTextHandler(&text, telemetry.HandlerOptions(slog.LevelInfo))))
	for _, want := range []string{"took=1.234567ms", "wait.grace=2m0s", "n=42"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text line %q lacks %q", text.String(), want)
		}
	}

	var logged bytes.Buffer
	telemetry.NewLogger(&logged, slog.LevelWarn).Info("below the level")
	telemetry.NewLogger(&logged, slog.LevelWarn).Warn("late", "by", 90*time.Second)
	if s := logged.String(); strings.Contains(s, "below the level") || !strings.Contains(s, `"by":"1m30s"`) {
		t.Errorf("NewLogger at warn wrote %q", s)
	}
}
