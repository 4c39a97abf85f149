// Package server assembles Lanyard: the store, the gRPC server with its interceptor chain, access policy
// and handlers, and the HTTP listener (health, metrics, JWKS). It is the only package that knows all the
// others; only main imports it.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/lanyardhq/lanyard/appconfig"
	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/metrics"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/admin"
	"github.com/lanyardhq/lanyard/service/auth"
	"github.com/lanyardhq/lanyard/service/customdata"
	"github.com/lanyardhq/lanyard/service/metadata"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/feed"
	storemongo "github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/telemetry"
	"github.com/lanyardhq/lanyard/triggers"
)

// Limits of the gRPC listener. The header list must fit an authorization value of maxAuthorization plus
// the usual headers; messages are small (a custom JWT of 1,000,000 characters is the largest input).
const (
	maxHeaderListSize = 64 << 10
	maxRecvMsgSize    = 2 << 20
)

// keepalivePolicy lets clients ping every 20 s (SDKs behind NATs need it; grpc-go's default minimum of
// 5 min answers faster pings with GOAWAY too_many_pings) and has the server probe idle connections so
// that a watch stream of a vanished client is reaped within a minute and a half.
var (
	keepaliveEnforcement = keepalive.EnforcementPolicy{MinTime: 20 * time.Second, PermitWithoutStream: true}
	keepaliveParams      = keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}
)

// Server is a running Lanyard: call New, then Serve.
type Server struct {
	cfg    Config
	log    *slog.Logger
	store  store.Store
	engine *embedded.Engine // nil when a MongoDB URI is configured
	auth   *authn.Service
	rules  *rules.Rules
	watch  *customdata.Hub
	// authSvc is the AuthService the gRPC server registers, which the App Services routes call too.
	authSvc *auth.Service
	// customData is the CustomDataService the gRPC server registers; the App Services data access calls
	// are served by it too.
	customData *customdata.Service
	// closers run at stop, after the store (hook connections and the like).
	closers []func() error
	// triggers runs the export's authentication triggers (nil without any); stop ends it, through
	// stopTriggers, and waits for triggersDone before it closes the store the runner uses.
	triggers     *triggers.Runner
	stopTriggers context.CancelFunc
	triggersDone chan struct{}

	grpc     *grpc.Server
	health   *health.Server
	http     *http.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	pprof    *http.Server // nil unless LANYARD_PPROF_ADDR is set
	pprofLis net.Listener
	admin    *http.Server // nil unless LANYARD_ADMIN_ADDR is set (admin.go)
	adminLis net.Listener
	// tracing exports spans of calls and store commands when the OTEL_* environment asks for it.
	tracing  *telemetry.Tracing
	registry *prometheus.Registry
	metrics  *metrics.Metrics
	// httpPatterns are the patterns of the HTTP listener's routes, so that tests can reach every one.
	httpPatterns []string

	storeOutage storeOutage // ends calls waiting for the store when it turns unhealthy (chain.go)
	// webCalls counts the unary gRPC-Web and Connect calls in flight, which stop lets finish (webrpc.go).
	webCalls callCount

	// policy is who may call each method and whether it needs the store, from the API's definition
	// (policy.go).
	policy map[string]rule

	stopOnce sync.Once
}

// New opens the store (starting the embedded engine when no MongoDB URI is configured), builds both
// listeners and binds their addresses. Nothing is served until Serve.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *Server, err error) {
	s := &Server{cfg: cfg, log: log, policy: apiPolicy}
	s.metrics = metrics.New(metrics.Config{Now: cfg.Now, SigningKeyCreated: s.signingKeyCreated})
	defer func() {
		if err != nil {
			s.closeStore(context.WithoutCancel(ctx))
			for _, l := range []net.Listener{s.grpcLis, s.httpLis, s.pprofLis, s.adminLis} {
				if l != nil {
					_ = l.Close()
				}
			}
			s.shutdownTracing(context.WithoutCancel(ctx))
		}
	}()
	// Before the store, which makes spans of its commands with the provider.
	if s.tracing, err = telemetry.Setup(ctx, telemetry.Options{Version: cfg.Version, Logger: log}); err != nil {
		return nil, err
	}
	if err := s.openStore(ctx); err != nil {
		return nil, err
	}
	if s.rules, err = loadRules(cfg); err != nil {
		return nil, err
	}
	s.watch = customdata.NewHub(s.store, s.log, s.deep, cfg.CustomDataPollInterval)
	if err := s.openAuth(ctx); err != nil {
		return nil, err
	}
	var tlsConfig *tls.Config
	if cfg.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_TLS_CERT_FILE: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if s.grpcLis, err = net.Listen("tcp", cfg.GRPCAddr); err != nil {
		return nil, fmt.Errorf("LANYARD_GRPC_ADDR: %v", err)
	}
	if s.httpLis, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("LANYARD_HTTP_ADDR: %v", err)
	}
	if cfg.PprofAddr != "" {
		if s.pprofLis, err = net.Listen("tcp", cfg.PprofAddr); err != nil {
			return nil, fmt.Errorf("LANYARD_PPROF_ADDR: %v", err)
		}
		s.pprof = pprofServer()
	}
	if cfg.AdminAddr != "" {
		if s.adminLis, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			return nil, fmt.Errorf("LANYARD_ADMIN_ADDR: %v", err)
		}
	}
	s.buildGRPC(tlsConfig)
	if err := s.buildHTTP(tlsConfig); err != nil {
		return nil, err
	}
	if s.adminLis != nil {
		s.admin = s.adminServer()
	}
	return s, nil
}

func (s *Server) openStore(ctx context.Context) error {
	uri := s.cfg.MongoDBURI
	var writes *feed.Feed
	if uri == "" {
		engine, err := embedded.Start(ctx, embedded.Config{
			DataDir:       s.cfg.DataDir,
			PostgreSQLURL: s.cfg.EmbeddedPostgresURL,
			ListenAddr:    s.cfg.EmbeddedAddr,
			Logger:        s.log,
		})
		if errors.Is(err, embedded.ErrInUse) {
			setting := "LANYARD_DATA_DIR"
			if s.cfg.EmbeddedPostgresURL != "" {
				setting = "LANYARD_EMBEDDED_POSTGRES_URL"
			}
			return fmt.Errorf("%s: %w", setting, err)
		}
		if err != nil {
			return err
		}
		s.engine = engine
		uri = engine.URI()
		// Every write to the embedded engine goes through Lanyard (its operator address reports other
		// tools' writes), so the store may keep the owner index of custom data.
		writes = engine.Feed()
		if s.cfg.EmbeddedAddr != "" {
			s.log.Warn("embedded engine is reachable without authentication", "addr", engine.Addr())
		}
	}
	st, err := storemongo.Open(ctx, storemongo.Config{
		URI:            uri,
		Database:       s.cfg.Database,
		ConnectTimeout: s.cfg.StoreConnectTimeout,
		PingInterval:   s.cfg.StorePingInterval,
		SameProcess:    s.engine != nil,
		Logger:         s.log,
		OnCommand:      s.metrics.StoreCommand,
		OnClaimLost:    s.metrics.CustomDataClaimLost,
		TracerProvider: s.storeTracerProvider(),
		Feed:           writes,
		CustomData: store.CustomDataConfig{
			Database:      s.cfg.CustomDataDatabase,
			Collection:    s.cfg.CustomDataCollection,
			UserIDField:   s.cfg.CustomDataUserIDField,
			MaxSize:       s.cfg.CustomDataMaxSize,
			EnforceUnique: s.cfg.CustomDataEnforceUnique,
		},
	})
	if err != nil {
		return err
	}
	s.store = st
	return nil
}

// streamWorkersPerCore sizes grpc-go's pool of stream workers (idle ones cost a parked goroutine each).
const streamWorkersPerCore = 16

// mongoServiceName is the name clients give the MongoDB service in App Services data access calls: the
// export's data source, else App Services' default.
func (s *Server) mongoServiceName() string {
	if s.cfg.app != nil && s.cfg.app.MongoServiceName != "" {
		return s.cfg.app.MongoServiceName
	}
	return appconfig.DefaultMongoServiceName
}

// tokenDocs reads the custom data document tokens carry.
func (s *Server) tokenDocs() customdata.TokenDocs {
	return customdata.TokenDocs{Store: s.store, Log: s.log, MaxSize: s.cfg.CustomDataMaxSize}
}

// authService is AuthService on this server's authn.Service and store.
func (s *Server) authService() *auth.Service { return auth.New(s.auth, s.store, s.log) }

func (s *Server) buildGRPC(tlsConfig *tls.Config) {
	grpcMetrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	unary, stream := s.interceptors(grpcMetrics)
	opts := []grpc.ServerOption{
		grpc.ForceServerCodecV2(newMarkingCodec()),
		// Reused workers keep their grown stacks: without them every call starts a goroutine whose
		// stack is copied several times on its way through the interceptor chain and the driver. Calls
		// spend most of their time waiting for the store, so many more are in flight than there are
		// cores; a call finding every worker busy still gets a goroutine of its own.
		grpc.NumStreamWorkers(uint32(streamWorkersPerCore * runtime.GOMAXPROCS(0))),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxHeaderListSize(maxHeaderListSize),
		grpc.MaxRecvMsgSize(maxRecvMsgSize),
		grpc.KeepaliveEnforcementPolicy(keepaliveEnforcement),
		grpc.KeepaliveParams(keepaliveParams),
	}
	if tlsConfig != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsConfig)))
	}
	if s.tracing.Enabled() {
		// Not the health service: load balancers probe it every few seconds. Every caller is untrusted: a
		// client's trace context is only linked, so that it can neither force its calls to be sampled nor
		// graft its trace onto Lanyard's.
		opts = append(opts, grpc.StatsHandler(otelgrpc.NewServerHandler(
			otelgrpc.WithTracerProvider(s.tracing.TracerProvider()),
			otelgrpc.WithPropagators(telemetry.Propagator()),
			otelgrpc.WithPublicEndpoint(),
			otelgrpc.WithFilter(filters.Not(filters.HealthCheck())),
		)))
	}
	s.grpc = grpc.NewServer(opts...)
	s.authSvc = s.authService()
	lanyardv1.RegisterAuthServiceServer(s.grpc, s.authSvc)
	s.customData = customdata.New(customdata.Deps{
		Enabled:     s.cfg.CustomDataEnabled,
		UserIDField: s.cfg.CustomDataUserIDField,
		Rules:       s.rules,
		Auth:        s.auth,
		Tokens:      s.tokenDocs(),
		Hub:         s.watch,
		Metrics:     s.metrics,
		ServiceName: s.mongoServiceName(),
		Database:    s.cfg.CustomDataDatabase,
		Collection:  s.cfg.CustomDataCollection,
	})
	lanyardv1.RegisterCustomDataServiceServer(s.grpc, s.customData)
	lanyardv1.RegisterMetadataServiceServer(s.grpc, metadata.New(s.auth, s.store))
	lanyardv1.RegisterAdminServiceServer(s.grpc, admin.New(admin.Deps{
		Auth:         s.auth,
		Store:        s.store,
		CustomData:   s.cfg.CustomDataEnabled,
		PollInterval: s.cfg.CustomDataPollInterval,
		Stopping:     s.watch.Stopping(),
	}))
	s.health = health.NewServer()
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	grpcMetrics.InitializeMetrics(s.grpc)

	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(s.metrics, grpcMetrics, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

func (s *Server) buildHTTP(tlsConfig *tls.Config) error {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		s.httpPatterns = append(s.httpPatterns, pattern)
		mux.Handle(pattern, h)
	}
	handle("GET /healthz", http.HandlerFunc(s.healthz))
	handle("GET /readyz", http.HandlerFunc(s.readyz))
	if s.adminLis == nil {
		handle("GET /metrics", s.metricsHandler())
	}
	handle("GET /.well-known/jwks.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(s.auth.JWKSJSON())
	}))
	s.mountAppServices(handle)
	if err := s.mountWebRPC(handle); err != nil {
		return err
	}
	s.http = s.httpServer(s.traceHTTP(mux), tlsConfig)
	return nil
}

// GRPCAddr is the bound address of the gRPC listener (useful with port 0).
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr is the bound address of the HTTP listener.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// PprofAddr is the bound address of the profiles' listener, or "" when LANYARD_PPROF_ADDR is not set.
func (s *Server) PprofAddr() string {
	if s.pprofLis == nil {
		return ""
	}
	return s.pprofLis.Addr().String()
}

// AdminAddr is the bound address of the operators' listener, or "" when LANYARD_ADMIN_ADDR is not set.
func (s *Server) AdminAddr() string {
	if s.adminLis == nil {
		return ""
	}
	return s.adminLis.Addr().String()
}

// EmbeddedAddr is where the embedded engine listens, or "" when a MongoDB URI is configured.
func (s *Server) EmbeddedAddr() string {
	if s.engine == nil {
		return ""
	}
	return s.engine.Addr()
}

// Serve serves both listeners until ctx is done or one of them fails, then stops gracefully: health
// NOT_SERVING, GracefulStop bounded by the shutdown grace, Stop, and the store last. It returns nil after
// a stop asked for through ctx.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go store.WatchHealth(ctx, s.store, s.setHealth)
	go s.auth.Run(ctx)
	go s.watch.Run(ctx)
	if s.triggers != nil {
		tctx, cancel := context.WithCancel(ctx)
		s.stopTriggers, s.triggersDone = cancel, make(chan struct{})
		go func() {
			defer close(s.triggersDone)
			if err := s.triggers.Run(tctx); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Error("authentication triggers stopped", "error", err.Error())
			}
		}()
	}

	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	go func() {
		var err error
		if s.http.TLSConfig != nil {
			err = s.http.ServeTLS(s.httpLis, "", "")
		} else {
			err = s.http.Serve(s.httpLis)
		}
		errc <- err
	}()
	if s.pprof != nil {
		go func() { _ = s.pprof.Serve(s.pprofLis) }()
		s.log.Warn("runtime profiles are served without authentication", "addr", s.pprofLis.Addr().String())
	}
	if s.admin != nil {
		go func() { _ = s.admin.Serve(s.adminLis) }()
		s.log.Info("serving /metrics, /healthz and /readyz", "admin", s.AdminAddr())
	}
	if s.cfg.EmbeddedAddr != "" {
		s.log.Info("lanyard serving", "grpc", s.GRPCAddr(), "http", s.HTTPAddr(), "embedded_engine", s.EmbeddedAddr())
	} else {
		s.log.Info("lanyard serving", "grpc", s.GRPCAddr(), "http", s.HTTPAddr())
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) || errors.Is(err, grpc.ErrServerStopped) {
			err = nil
		} else {
			err = fmt.Errorf("listener failed: %w", err)
		}
	}
	s.stop()
	return err
}

// setHealth mirrors the store's reachability in the gRPC health service: the whole server ("") and each
// Lanyard service answer NOT_SERVING while the store is unreachable.
func (s *Server) setHealth(healthy bool) {
	s.storeOutage.set(healthy)
	st := healthpb.HealthCheckResponse_SERVING
	if !healthy {
		st = healthpb.HealthCheckResponse_NOT_SERVING
		s.log.Warn("store unreachable: health NOT_SERVING")
	} else {
		s.log.Info("store reachable: health SERVING")
	}
	for _, name := range []string{"", lanyardv1.AuthService_ServiceDesc.ServiceName, lanyardv1.CustomDataService_ServiceDesc.ServiceName,
		lanyardv1.MetadataService_ServiceDesc.ServiceName, lanyardv1.AdminService_ServiceDesc.ServiceName} {
		s.health.SetServingStatus(name, st)
	}
}

func (s *Server) stop() {
	s.stopOnce.Do(func() {
		s.log.Info("stopping", "grace", s.cfg.ShutdownGrace)
		s.health.Shutdown()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
		defer cancel()
		// Waited for below: the spans of HTTP calls end when their handlers return, and the store must
		// outlive the handlers.
		httpDone := make(chan struct{})
		go func() { _ = s.http.Shutdown(ctx); close(httpDone) }()
		// gRPC-Web and Connect calls run on the grpc.Server through its ServeHTTP, whose transport a
		// graceful stop closes at once, cancelling the call: the unary ones in flight finish first (the
		// HTTP listener takes no new ones since Shutdown), and only streams are cut.
		s.webCalls.wait(ctx)
		done := make(chan struct{})
		go func() { s.grpc.GracefulStop(); close(done) }()
		if s.pprof != nil {
			// A CPU profile being taken would hold up the stop for its whole duration.
			_ = s.pprof.Close()
		}
		if s.admin != nil {
			// Scrapes and probes are short and worthless once the server is going.
			_ = s.admin.Close()
		}
		select {
		case <-done:
		case <-ctx.Done():
			s.log.Warn("grace period over: cutting off remaining calls")
			s.grpc.Stop()
			_ = s.http.Close()
		}
		<-httpDone // by the end of the grace at the latest
		if s.stopTriggers != nil {
			// The runner releases its lease on the way out, through the store.
			s.stopTriggers()
			<-s.triggersDone
		}
		s.closeStore(context.Background())
		s.shutdownTracing(context.Background())
		s.log.Info("stopped")
	})
}

// closeStore disconnects the driver before stopping the embedded engine: the engine waits ~3 s for
// connected clients otherwise.
func (s *Server) closeStore(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if s.store != nil {
		if err := s.store.Close(ctx); err != nil {
			s.log.Warn("closing store", "error", err.Error())
		}
	}
	if s.engine != nil {
		if err := s.engine.Close(ctx); err != nil {
			s.log.Warn("stopping embedded engine", "error", err.Error())
		}
	}
	for _, c := range s.closers {
		_ = c()
	}
}

// loadRules returns the custom data rules: a named preset or an App Services rules.json.
func loadRules(cfg Config) (*rules.Rules, error) {
	switch cfg.CustomDataRules {
	case "owner", "system":
		return rules.Preset(cfg.CustomDataRules, cfg.CustomDataUserIDField)
	}
	raw, err := os.ReadFile(cfg.CustomDataRules)
	if err != nil {
		return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_RULES: %v", err)
	}
	r, err := rules.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_RULES: %v", err)
	}
	return r, nil
}

// CreateServerAPIKey creates a server user with an API key on this server's store and returns the key's
// id and secret (shown once). `lanyard apikey create --server NAME` uses it.
func (s *Server) CreateServerAPIKey(ctx context.Context, name string) (id, key string, err error) {
	k, secret, err := s.auth.CreateServerAPIKey(ctx, name)
	if err != nil {
		return "", "", err
	}
	return k.ID, secret, nil
}

// StoreOpener opens the store as serve does (engine, migrations, signing keys), for commands that only
// write to it (lanyard import users). Nothing is served: the listeners New needs take free ports.
func StoreOpener(cfg Config, log *slog.Logger) func(context.Context) (store.Store, func(), error) {
	return func(ctx context.Context) (store.Store, func(), error) {
		cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
		// Nor the other listeners: a running server may hold their addresses.
		cfg.EmbeddedAddr, cfg.AdminAddr, cfg.PprofAddr = "", "", ""
		s, err := New(ctx, cfg, log)
		if err != nil {
			return nil, nil, err
		}
		return s.store, s.Close, nil
	}
}

// Close releases what New opened (listeners, store, embedded engine) when Serve is never called.
func (s *Server) Close() {
	_ = s.grpcLis.Close()
	_ = s.httpLis.Close()
	if s.pprofLis != nil {
		_ = s.pprofLis.Close()
	}
	if s.adminLis != nil {
		_ = s.adminLis.Close()
	}
	s.closeStore(context.Background())
	s.shutdownTracing(context.Background())
}

// WatchPolls is how many store queries the custom data poller has made (benchmarks read it).
func (s *Server) WatchPolls() int64 {
	return s.watch.Polls()
}
