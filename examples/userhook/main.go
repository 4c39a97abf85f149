// Command userhook serves the example user creation hook (package hook) with gRPC health; see README.md.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/lanyardhq/lanyard/examples/userhook/hook"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50061", "address to listen on")
	certFile := flag.String("tls-cert-file", "", "PEM certificate to serve TLS with; empty = plaintext (Lanyard accepts that on loopback only)")
	keyFile := flag.String("tls-key-file", "", "PEM private key of --tls-cert-file")
	clientCAFile := flag.String("client-ca-file", "", "PEM CA that callers' client certificates must chain to (mutual TLS: only Lanyard gets in)")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	var opts []grpc.ServerOption
	if *certFile != "" {
		creds, err := serverTLS(*certFile, *keyFile, *clientCAFile)
		if err != nil {
			log.Error("tls", "err", err)
			os.Exit(1)
		}
		opts = append(opts, grpc.Creds(creds))
	} else if *clientCAFile != "" {
		log.Error("--client-ca-file needs --tls-cert-file and --tls-key-file")
		os.Exit(1)
	}

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen", "addr", *addr, "err", err)
		os.Exit(1)
	}
	srv := grpc.NewServer(opts...)
	hooksv1.RegisterUserCreationHookServiceServer(srv, &hook.Service{Log: log})
	hs := health.NewServer()
	hs.SetServingStatus(hooksv1.UserCreationHookService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		log.Info("stopping")
		hs.Shutdown() // NOT_SERVING first, then let in-flight calls finish (at most 10 s)
		force := time.AfterFunc(10*time.Second, srv.Stop)
		srv.GracefulStop()
		force.Stop()
	}()

	log.Info("serving", "addr", lis.Addr().String(), "tls", *certFile != "", "client_certificates_required", *clientCAFile != "")
	if err := srv.Serve(lis); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
	log.Info("stopped")
}

// serverTLS is the hook's TLS: its own certificate and, with a client CA, the requirement that every
// caller present a certificate issued by it — the hook then answers Lanyard and nobody else.
func serverTLS(certFile, keyFile, clientCAFile string) (credentials.TransportCredentials, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		raw, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = x509.NewCertPool()
		if !cfg.ClientCAs.AppendCertsFromPEM(raw) {
			return nil, fmt.Errorf("%s holds no PEM certificate", clientCAFile)
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return credentials.NewTLS(cfg), nil
}
