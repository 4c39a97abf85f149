package main

import (
	"fmt"
	"runtime/debug"
)

// version and commit are set at build time by `make build` and `make release`, with
// -ldflags "-X main.version=$(git describe --tags --always --dirty) -X main.commit=$(git rev-parse HEAD)".
// The commit Go records itself (vcs.revision) is preferred; commit is for builds where Go records none:
// from a git worktree, whose .git is a file that Go's VCS detection does not follow, or with
// GOFLAGS=-buildvcs=false.
var (
	version = "dev"
	commit  = ""
)

// versionLine is what `lanyard version` prints: enough to find the exact source and toolchain of a
// binary in a bug report. info comes from debug.ReadBuildInfo; ok is false in binaries built without
// module support, which carry neither the commit nor the Go version.
func versionLine(version, commit string, info *debug.BuildInfo, ok bool) string {
	if commit == "" {
		commit = "unknown"
	}
	if !ok || info == nil {
		return fmt.Sprintf("lanyard %s (commit %s, Go version unknown)", version, commit)
	}
	// `go install github.com/lanyardhq/lanyard@v1.2.3` records the module version but sets no ldflags.
	if version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		// The commit alone would not reproduce this binary.
		commit += ", modified"
	}
	return fmt.Sprintf("lanyard %s (commit %s, %s)", version, commit, info.GoVersion)
}

// serviceVersion is the version exported traces carry: the one `lanyard version` prints.
func serviceVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}
