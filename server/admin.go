package server

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminServer serves what operators' tools read, on a listener of its own (LANYARD_ADMIN_ADDR) that
// need not be exposed where clients reach Lanyard: /metrics, which then leaves the public HTTP listener,
// and /healthz and /readyz, which stay there too for load balancers that probe the public port. It is not traced:
// a scrape every few seconds would bury the calls.
func (s *Server) adminServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsHandler())
	return s.httpServer(mux, nil)
}

// httpServer is an HTTP server with the limits every Lanyard listener keeps: slow or oversized requests
// are cut off, and the server's own complaints go to the log at WARN.
func (s *Server) httpServer(h http.Handler, tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderListSize,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// healthz is liveness: it answers 200 whenever the process answers HTTP at all, whatever the store's
// state, because restarting Lanyard does not bring a lost store back, and a liveness probe that followed
// the store would restart every replica in a loop through a store outage.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	_, _ = w.Write([]byte("ok\n"))
}

// readyz is readiness: 200 while the store is reachable, 503 while it is not (the calls that need it
// would answer UNAVAILABLE), so that a load balancer sends calls to replicas that can serve them.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.store.Healthy() {
		http.Error(w, "store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// metricsHandler serves the server's Prometheus registry.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}
