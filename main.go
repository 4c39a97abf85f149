// Command lanyard is the Lanyard authentication server.
//
//	lanyard serve [flags]     serve the gRPC and HTTP APIs (see `lanyard serve -h`)
//	lanyard version           print the version
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
	"strings"
	"syscall"

	"github.com/lanyardhq/lanyard/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `Usage: lanyard COMMAND [flags]

Commands:
  serve     serve the gRPC and HTTP APIs (lanyard serve -h lists every setting)
  version   print the version
`

// run is the whole command; it returns the exit code so that tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, "lanyard", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lanyard: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := server.LoadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: configuration: %s\n", oneLine(err))
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel)
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintf(stderr, "lanyard: %s\n", oneLine(err))
		return 1
	}
	return 0
}

// oneLine joins multi-error text so that a failure is always one line on the terminal.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by the config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
