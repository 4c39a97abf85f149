package embedded

import (
	"context"
	"log/slog"
	"strings"
)

// maxMessage caps the length of a FerretDB message passed on.
const maxMessage = 200

// logHandler sits between FerretDB and Lanyard's log. FerretDB's records
// are written for its own operators and freely include data: on PostgreSQL
// every failed SQL statement (an ordinary duplicate key included) is logged,
// twice, at ERROR with its arguments, i.e. the document (pgx cuts it to 64
// bytes, which mostly leaves field names), which is personal data; a connection closed on error dumps the response document in the
// message text; every logger carries client addresses.
//
// So the handler keeps a summary only:
//   - only ERROR and above (FerretDB logs every error reply at WARN and every
//     connection at INFO);
//   - records of SQL statements (they carry an "sql" or "args" attribute) are
//     dropped whole: the failure also reaches the client, and Lanyard reports
//     it there;
//   - of the other records, only the first line of the message, capped at
//     maxMessage bytes, under the fixed attribute component=ferretdb; all
//     attributes, including those of derived loggers, are dropped.
//
// A panic message FerretDB recovers from may still quote a value in its
// first line; that is the residual risk of this filter.
type logHandler struct {
	next slog.Handler
}

func newLogHandler(next slog.Handler) slog.Handler {
	return logHandler{next: next}
}

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.next.Enabled(ctx, l)
}

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if isStatement(r) {
		return nil
	}
	msg, _, _ := strings.Cut(r.Message, "\n")
	msg = strings.TrimSpace(msg)
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "…"
	}
	out := slog.NewRecord(r.Time, r.Level, "ferretdb: "+msg, r.PC)
	out.AddAttrs(slog.String("component", "ferretdb"))
	// Never return an error: debug builds of FerretDB (any -race build)
	// panic when a handler fails.
	_ = h.next.Handle(ctx, out)
	return nil
}

// isStatement reports a record of pgx's query tracer.
func isStatement(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "sql" || a.Key == "args"
		return !found
	})
	return found
}

// WithAttrs drops attrs: FerretDB's derived loggers name connections by
// client address.
func (h logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup drops the group, since its attributes are dropped anyway.
func (h logHandler) WithGroup(string) slog.Handler { return h }
