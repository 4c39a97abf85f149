package main

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// The values TestMain stamps into lanyardBin, as `make build` does with the real ones.
const (
	testVersion = "v9.9.9-test"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
)

func TestVersionLine(t *testing.T) {
	const rev = "fedcba9876543210fedcba9876543210fedcba98"
	info := func(mainVersion string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: mainVersion}, Settings: settings}
	}
	for _, tc := range []struct {
		name, version, commit string
		info                  *debug.BuildInfo
		ok                    bool
		want                  string
	}{
		{"recorded by go", "v1.2.3", "", info("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: rev}, debug.BuildSetting{Key: "vcs.modified", Value: "false"}),
			true, "lanyard v1.2.3 (commit " + rev + ", go1.99.1)"},
		{"modified tree", "v1.2.3-dirty", "", info("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: rev}, debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
			true, "lanyard v1.2.3-dirty (commit " + rev + ", modified, go1.99.1)"},
		{"go's revision wins over the ldflag", "v1.2.3", testCommit, info("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: rev}),
			true, "lanyard v1.2.3 (commit " + rev + ", go1.99.1)"},
		{"ldflag commit when go recorded none", "v1.2.3", testCommit, info("(devel)"),
			true, "lanyard v1.2.3 (commit " + testCommit + ", go1.99.1)"},
		{"go install of a tagged module", "dev", "", info("v1.4.0"),
			true, "lanyard v1.4.0 (commit unknown, go1.99.1)"},
		{"plain go build", "dev", "", info("(devel)"),
			true, "lanyard dev (commit unknown, go1.99.1)"},
		{"no build info", "dev", "", nil, false, "lanyard dev (commit unknown, Go version unknown)"},
	} {
		if got := versionLine(tc.version, tc.commit, tc.info, tc.ok); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionCommand checks the ldflags reach the output of the built binary, with the Go version it
// was built with.
func TestVersionCommand(t *testing.T) {
	out, err := exec.Command(lanyardBin, "version").Output()
	if err != nil {
		t.Fatalf("lanyard version: %v", err)
	}
	want := "lanyard " + testVersion + " (commit " + testCommit
	if line := strings.TrimSpace(string(out)); !strings.HasPrefix(line, want) || !strings.HasSuffix(line, " "+runtime.Version()+")") {
		t.Errorf("lanyard version printed %q, want %q… ending in %s", line, want, runtime.Version())
	}
	// run, which the in-process tests call, prints the same line.
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"version"}, func(string) string { return "" }, &stdout, &bytes.Buffer{}); code != 0 || !strings.Contains(stdout.String(), runtime.Version()) {
		t.Errorf("run version: exit %d, printed %q, want the Go version %s", code, stdout.String(), runtime.Version())
	}
}
