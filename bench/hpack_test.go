package bench

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// countingListener counts the bytes its connections read.
type countingListener struct {
	net.Listener
	read *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.read}, nil
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// BenchmarkHeaderTable is what a bearer token costs on the wire with grpc-go at both ends, for tokens
// of a user with a 100 B and with a 4 KB document, against a gRPC server with HTTP/2's default header
// table (4,096 bytes) and one that advertises 64 KiB (grpc.HeaderTableSize). It reports the bytes the
// server reads per call. A token too large for the client's table is sent as a literal every call.
// It also reports whether a client that sizes its table as the server's SETTINGS allow (so uses the
// advertised 64 KiB) gets its first request answered (1) or its connection closed (0).
//
//	go test -run '^$' -bench HeaderTable -benchtime 1000x ./bench/
func BenchmarkHeaderTable(b *testing.B) {
	tokens := map[string]string{
		// The sizes of the tokens of BenchmarkWhoAmIDocument's 100 B and 4 KB users.
		"100B":  "Bearer " + strings.Repeat("eyJhbGciOiJFUzI1NiIsImtpZCI6", 27),
		"4096B": "Bearer " + strings.Repeat("eyJhbGciOiJFUzI1NiIsImtpZCI6", 217),
	}
	for _, table := range []uint32{0, 64 << 10} {
		addr, read := healthServer(b, table)
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		client := healthpb.NewHealthClient(conn)
		name := "default_table"
		if table > 0 {
			name = "64KiB_table"
		}
		for _, size := range []string{"100B", "4096B"} {
			b.Run(name+"/"+size, func(b *testing.B) {
				ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", tokens[size])
				// The first calls settle the connection and the tables.
				for range 10 {
					if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
						b.Fatal(err)
					}
				}
				read0 := read.Load()
				for b.Loop() {
					if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(read.Load()-read0)/float64(b.N), "read-B/op")
				b.ReportMetric(float64(len(tokens[size])), "token-B")
			})
		}
		// With the default table this is the control: the same client, answered.
		b.Run(name+"/client_sizing_its_table_by_SETTINGS", func(b *testing.B) {
			answered := 0.0
			if useAdvertisedTable(b, addr, tokens["4096B"]) {
				answered = 1
			}
			b.ReportMetric(answered, "answered")
		})
	}
}

// healthServer serves gRPC's health service on a loopback port, advertising a header table of table
// bytes (0: the default), and counts the bytes it reads.
func healthServer(b *testing.B, table uint32) (string, *atomic.Int64) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var opts []grpc.ServerOption
	if table > 0 {
		opts = append(opts, grpc.HeaderTableSize(table))
	}
	s := grpc.NewServer(opts...)
	healthpb.RegisterHealthServer(s, health.NewServer())
	read := &atomic.Int64{}
	go func() { _ = s.Serve(countingListener{l, read}) }()
	b.Cleanup(s.Stop)
	return l.Addr().String(), read
}

// useAdvertisedTable speaks HTTP/2 to addr as a client that sizes its HPACK table as the server's
// SETTINGS allow, and reports whether a health check carrying token is answered.
func useAdvertisedTable(b *testing.B, addr, token string) bool {
	conn, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		b.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		b.Fatal(err)
	}
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for settled := false; !settled; {
		f, err := fr.ReadFrame()
		if err != nil {
			b.Fatalf("no SETTINGS: %v", err)
		}
		if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
			if size, ok := s.Value(http2.SettingHeaderTableSize); ok {
				enc.SetMaxDynamicTableSizeLimit(size)
				enc.SetMaxDynamicTableSize(size)
			}
			if err := fr.WriteSettingsAck(); err != nil {
				b.Fatal(err)
			}
			settled = true
		}
	}
	for _, h := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/grpc.health.v1.Health/Check"},
		{":authority", addr}, {"content-type", "application/grpc"}, {"te", "trailers"}, {"authorization", token}} {
		if err := enc.WriteField(hpack.HeaderField{Name: h[0], Value: h[1]}); err != nil {
			b.Fatal(err)
		}
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndHeaders: true}); err != nil {
		b.Fatal(err)
	}
	// An empty HealthCheckRequest: not compressed, 0 bytes long.
	if err := fr.WriteData(1, true, []byte{0, 0, 0, 0, 0}); err != nil {
		b.Fatal(err)
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return false
		}
		if _, ok := f.(*http2.GoAwayFrame); ok {
			return false
		}
		if f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagHeadersEndStream) {
			return true
		}
	}
}
