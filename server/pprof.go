package server

import (
	"net/http"
	"net/http/pprof"
	"time"
)

// pprofServer serves Go's runtime profiles on a listener of its own (LANYARD_PPROF_ADDR), never on the
// public HTTP listener: they need no authentication, so they must only be reachable from the host.
func pprofServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	// No write timeout: a CPU profile or a trace answers after the seconds it was asked to record.
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
