package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand runs `lanyard import users` in process: usage errors, an import, the same import
// again (nothing created), and a malformed file.
func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "LANYARD_DATA_DIR" {
			return dir
		}
		return ""
	}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := importCmd(ctx, args, getenv, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	if code, _, stderr := run("users"); code != 2 || !strings.Contains(stderr, "Usage: lanyard import users FILE") {
		t.Errorf("no file: exit %d, %q", code, stderr)
	}
	if code, _, _ := run("groups", "x.json"); code != 2 {
		t.Errorf("unknown import: exit %d", code)
	}
	if code, _, stderr := run("users", "examples/sample-app/users.json", "--no-such-flag"); code != 2 || !strings.Contains(stderr, "no-such-flag") {
		t.Errorf("bad flag: exit %d, %q", code, stderr)
	}

	code, stdout, stderr := run("users", "examples/sample-app/users.json")
	if code != 0 || !strings.Contains(stdout, "4 read, 4 created, 0 already present") || !strings.Contains(stdout, "1 email/password users must set a password") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run("users", "examples/sample-app/users.json")
	if code != 0 || !strings.Contains(stdout, "4 read, 0 created, 4 already present") {
		t.Fatalf("second import: exit %d\n%s%s", code, stdout, stderr)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"_id": 42}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run("users", bad)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "user #1: _id") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("malformed file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
