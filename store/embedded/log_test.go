package embedded

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLogHandlerKeepsSummaryOnly(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(newLogHandler(slog.NewTextHandler(&buf, nil)))
	ctx := context.Background()

	// Derived loggers name connections by client address.
	conn := l.With(slog.String("name", "// 10.1.2.3:4567 -> 127.0.0.1:27017"))
	// pgx's tracer: the statement's arguments are documents.
	conn.LogAttrs(ctx, slog.LevelError, "Query",
		slog.String("sql", "INSERT INTO users VALUES ($1)"),
		slog.Any("args", []any{`{"email": "ada@example.com"}`}),
		slog.String("err", "duplicate key value violates unique constraint"))
	// A connection closed on error dumps the reply in the message text.
	conn.Error("Response message:\n{\"email\": \"grace@example.com\"}\n")
	conn.Warn("Response header: id=1", slog.String("doc", "bob@example.com"))
	conn.Error("Handler error for unexpected response opcode", slog.String("error", "carol@example.com"))
	conn.Error(strings.Repeat("x", 500))

	out := buf.String()
	t.Logf("passed on:\n%s", out)
	for _, leak := range []string{"example.com", "10.1.2.3", "INSERT", "Query", "Response header"} {
		if strings.Contains(out, leak) {
			t.Errorf("output contains %q", leak)
		}
	}
	for _, keep := range []string{
		`msg="ferretdb: Response message:"`,
		`msg="ferretdb: Handler error for unexpected response opcode"`,
		"component=ferretdb",
	} {
		if !strings.Contains(out, keep) {
			t.Errorf("output lacks %q", keep)
		}
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d records passed, want 3", n)
	}
	if strings.Contains(out, strings.Repeat("x", maxMessage+1)) {
		t.Error("long message not capped")
	}
}
