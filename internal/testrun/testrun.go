// Package testrun runs the programs of end-to-end tests (toolchains, clients in other languages) the
// one way those tests need: in a folder, with the test's environment plus a few variables, bounded by
// the test's context, with the output in the test log whether the step passes or not.
package testrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Run runs name with args in dir, with the test's environment plus env, logs its output and returns it;
// the step failing, or not finishing before ctx's deadline, fails the test.
func Run(t testing.TB, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// A child that outlives its killed parent (npm's, Maven's) must not keep the test waiting for its
	// output.
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	cmdline := name + " " + strings.Join(args, " ")
	t.Logf("$ %s  (%s)\n%s", cmdline, time.Since(start).Round(time.Millisecond), out.String())
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("%s: did not finish before the test's deadline", cmdline)
		}
		t.Fatalf("%s: %v (output above)", cmdline, err)
	}
	return out.String()
}
