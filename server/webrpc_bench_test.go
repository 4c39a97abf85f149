package server_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// BenchmarkWebRPC: the same authenticated call from memory (WhoAmI) over native gRPC and, on the HTTP
// listener, over Connect (JSON, as connect-web sends by default, and binary) and gRPC-Web, one call at a
// time on a kept-alive connection, on one server in the same run. CPU is the whole process's (server and
// client). BENCHMARKS.md has the command and the numbers.
func BenchmarkWebRPC(b *testing.B) {
	ts := startServer(b, testConfig(b))
	token := anonLogin(b, ts).GetAccessToken()
	b.Run("WhoAmI/grpc", func(b *testing.B) {
		ctx := bearer(token)
		loopWithCPU(b, func() {
			if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil {
				b.Fatal(err)
			}
		})
	})
	protocols := []struct {
		name string
		opts []connect.ClientOption
	}{
		{"connect_json", []connect.ClientOption{connect.WithProtoJSON()}},
		{"connect_proto", nil},
		{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
	}
	for _, p := range protocols {
		b.Run("WhoAmI/"+p.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			defer client.CloseIdleConnections()
			whoami := connect.NewClient[lanyardv1.WhoAmIRequest, lanyardv1.WhoAmIResponse](client,
				webURL(ts, lanyardv1.AuthService_WhoAmI_FullMethodName), p.opts...)
			loopWithCPU(b, func() {
				req := connect.NewRequest(&lanyardv1.WhoAmIRequest{})
				req.Header().Set("Authorization", "Bearer "+token)
				if _, err := whoami.CallUnary(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
