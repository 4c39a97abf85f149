package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lanyardhq/lanyard/internal/importusers"
	"github.com/lanyardhq/lanyard/server"
)

const importUsage = `Usage: lanyard import users FILE [serve flags]

Imports the users of an Atlas App Services app, as its Admin API lists them
(GET /groups/{groupId}/apps/{appId}/users; several pages may be concatenated),
into the configured store. Every user keeps its id, type, creation time,
disabled flag and identities; email/password users set a new password with the
reset flow (App Services cannot export password hashes). Importing again skips
what is already there. With the embedded engine, run it while serve is stopped.
`

// importCmd is `lanyard import users FILE [serve flags]`. It exits 0 when every user and identity was
// imported (or was there already), 1 when some were not (listed) or the import failed, 2 on usage or
// configuration errors.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, importUsage)
		return 0
	}
	if len(args) < 2 || args[0] != "users" || strings.HasPrefix(args[1], "-") {
		fmt.Fprint(stderr, importUsage)
		return 2
	}
	file := args[1]
	cfg, code := loadConfig(args[2:], getenv, stdout, stderr)
	if code >= 0 {
		return code
	}
	report, err := importusers.Import(ctx, server.StoreOpener(cfg, newLogger(stderr, "warn")), newLogger(stderr, "warn"), file)
	if report.Users > 0 {
		fmt.Fprint(stdout, report.Summary())
	}
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	if len(report.Problems) > 0 {
		return 1
	}
	return 0
}
