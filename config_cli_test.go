package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// withEnviron gives run a process environment of the test's own for the duration of the test.
func withEnviron(t *testing.T, env ...string) {
	t.Helper()
	saved := environ
	environ = func() []string { return env }
	t.Cleanup(func() { environ = saved })
}

func TestUnknownEnvironmentVariableRefused(t *testing.T) {
	withEnviron(t, "PATH=/usr/bin", "LANYARD_GRPCADDR=127.0.0.1:1", "LANYARD_TEST_POSTGRES_URL=postgres://x")
	for _, args := range [][]string{
		{"serve", "--data-dir", t.TempDir()},
		{"apikey", "create", "--server", "ops", "--data-dir", t.TempDir()},
		{"import", "users", "users.json", "--data-dir", t.TempDir()},
	} {
		// Canceled, so that a command that wrongly accepts the environment ends at once instead of serving.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		code := run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
		want := "lanyard: configuration: unknown environment variable LANYARD_GRPCADDR (did you mean LANYARD_GRPC_ADDR?)\n"
		if code != 2 || stderr.String() != want {
			t.Errorf("lanyard %s: exit %d, stderr %q; want exit 2 and %q", args[0], code, stderr.String(), want)
		}
	}
}

func TestHelpOnStdout(t *testing.T) {
	withEnviron(t, "LANYARD_GRPCADDR=x") // help is given even where serving would be refused
	for _, args := range [][]string{
		{"serve", "-h"},
		{"serve", "--help"},
		{"apikey", "create", "--server", "ops", "-h"},
		{"import", "users", "users.json", "--help"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
		if code != 0 || stderr.Len() > 0 || !strings.HasPrefix(stdout.String(), "Usage: lanyard serve") {
			t.Errorf("lanyard %s: exit %d, stderr %q, stdout starts %.40q; want exit 0 and the usage on stdout only",
				strings.Join(args, " "), code, stderr.String(), stdout.String())
		}
		for _, line := range []string{"  -app-id ID\n", "  -grpc-addr HOST:PORT\n", "  -access-token-ttl DURATION\n", "  -config FILE\n", "  -custom-data-enabled\n"} {
			if !strings.Contains(stdout.String(), line) {
				t.Errorf("lanyard %s: usage lacks the line %q", strings.Join(args, " "), line)
			}
		}
	}
}
