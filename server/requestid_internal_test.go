package server

import (
	"strings"
	"testing"
)

// TestRequestIDTakesOnlyPlainIDs: a caller's x-request-id is kept when it is one short plain token;
// anything else (several values, too long, characters that could forge log fields or headers) is
// replaced by a fresh random id, so that no log line or error message carries what a caller injected.
func TestRequestIDTakesOnlyPlainIDs(t *testing.T) {
	for _, keep := range []string{"a", "trace-123_ABC.x", strings.Repeat("x", 64)} {
		if got := requestID([]string{keep}); got != keep {
			t.Errorf("requestID(%q) = %q, want it kept", keep, got)
		}
	}
	seen := map[string]bool{}
	for _, given := range [][]string{
		nil,
		{""},
		{"one", "two"},
		{strings.Repeat("x", 65)},
		{"has space"},
		{"quote\"d"},
		{"new\nline"},
		{"ünïcode"},
		{"semi;colon"},
	} {
		got := requestID(given)
		if len(got) != 16 || !plainID(got) {
			t.Errorf("requestID(%q) = %q, want a fresh 16-character id", given, got)
		}
		if len(given) == 1 && got == given[0] {
			t.Errorf("requestID(%q) kept it", given)
		}
		if seen[got] {
			t.Errorf("requestID gave %q twice", got)
		}
		seen[got] = true
	}
}
