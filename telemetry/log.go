package telemetry

import (
	"io"
	"log/slog"
)

// NewLogger is Lanyard's logger: JSON lines on w at level, with durations rendered by ReplaceAttr.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, HandlerOptions(level)))
}

// HandlerOptions are the options of Lanyard's log handlers (JSON or text) at level.
func HandlerOptions(level slog.Leveler) *slog.HandlerOptions {
	return &slog.HandlerOptions{Level: level, ReplaceAttr: ReplaceAttr}
}

// ReplaceAttr renders durations as Go writes them ("1.234ms", "2m0s"): the JSON handler would write
// integer nanoseconds, which a reader has to count the digits of. The text handler writes them so
// already; with this both agree.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}
