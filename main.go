// Command lanyard is the Lanyard authentication server.
//
//	lanyard serve [flags]                       serve the gRPC and HTTP APIs (see `lanyard serve -h`)
//	lanyard apikey create --server NAME [flags] create a server API key (the first admin credential)
//	lanyard import users FILE [flags]           import App Services users, keeping their ids
//	lanyard version                             print the version, the commit and the Go version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/lanyardhq/lanyard/server"
	"github.com/lanyardhq/lanyard/telemetry"
)

func main() {
	if os.Getenv("GOGC") == "" {
		tuneGC() // see gc.go
	}
	m := setMemoryLimit(memlimit.FromCgroup) // see memlimit.go
	startMemory = &m
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `Usage: lanyard COMMAND [flags]

Commands:
  serve                         serve the gRPC and HTTP APIs (lanyard serve -h lists every setting)
  apikey create --server NAME   create a server API key on the configured store and print it once;
                                takes the same settings as serve (with the embedded store, stop serve
                                first: one process per embedded store, a second one is refused)
  import users FILE [flags]     import App Services users (the Admin API user list), keeping their ids;
                                with the embedded store, stop serve first
  version                       print the version, the commit and the Go version
`

// run is the whole command; it returns the exit code so that tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], getenv, stdout, stderr)
	case "apikey":
		return apikey(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		info, ok := debug.ReadBuildInfo()
		fmt.Fprintln(stdout, versionLine(version, commit, info, ok))
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lanyard: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, code := loadConfig(args, getenv, stdout, stderr)
	if code >= 0 {
		return code
	}
	log := newLogger(stderr, cfg.LogLevel)
	if links := server.LinkEnviron(environ()); len(links) > 0 {
		log.Debug("configuration: ignoring the variables of Kubernetes service links and Docker links", "names", links)
	}
	cfg.Version = serviceVersion()
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	// Only now: a start that fails says so in one line.
	if startMemory != nil {
		startMemory.log(log)
	}
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	return 0
}

func apikey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) < 3 || args[0] != "create" || args[1] != "--server" {
		fmt.Fprint(stderr, "Usage: lanyard apikey create --server NAME [serve flags]\n")
		return 2
	}
	name := args[2]
	cfg, code := loadConfig(args[3:], getenv, stdout, stderr)
	if code >= 0 {
		return code
	}
	// Nothing is served: the listeners only need free ports.
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.EmbeddedAddr = ""
	srv, err := server.New(ctx, cfg, newLogger(stderr, "warn"))
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	defer srv.Close()
	id, key, err := srv.CreateServerAPIKey(ctx, name)
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	fmt.Fprintf(stdout, "id:  %s\nkey: %s\nThe key is shown only now; log in with it as an api_key credential.\n", id, key)
	return 0
}

// environ is the environment checked for misspelt settings; a variable so that the in-process tests,
// which pass their settings through getenv, can see a process environment of their own.
var environ = os.Environ

// loadConfig reads the settings of serve, apikey and import. It returns the exit code when the command
// ends here (help asked for, or a refusal), and -1 when the command goes on with cfg.
func loadConfig(args []string, getenv func(string) string, stdout, stderr io.Writer) (server.Config, int) {
	cfg, err := server.LoadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		server.PrintUsage(stdout)
		return cfg, 0
	}
	// Before the settings' own errors: a misspelt name often causes one (a required setting looks unset).
	if envErr := server.CheckEnviron(environ()); envErr != nil {
		err = envErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: configuration: %s\n", oneLine(err))
		return cfg, 2
	}
	return cfg, -1
}

// oneLine joins multi-error text so that a failure is always one line on the terminal.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by the config
	return telemetry.NewLogger(w, l)
}
