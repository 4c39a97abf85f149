// Command userhook serves the example user creation hook (package hook) with gRPC health; see README.md.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/lanyardhq/lanyard/examples/userhook/hook"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50061", "address to listen on (plaintext gRPC: keep it on loopback or a private network)")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("listen", "addr", *addr, "err", err)
		os.Exit(1)
	}
	srv := grpc.NewServer()
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

	log.Info("serving", "addr", lis.Addr().String())
	if err := srv.Serve(lis); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
	log.Info("stopped")
}
