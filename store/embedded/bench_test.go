package embedded

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store/feed"
)

// BenchmarkFindRoundTrip measures a find by _id on one FerretDB through
// three paths: its Unix socket (Lanyard's own path, Engine.URI), its TCP
// listener directly (the operator path before the proxy), and the proxy in
// front of the socket (the operator path now, Engine.OperatorURI). The
// proxy's added latency is operator minus socket; operator minus tcp is what
// operators' tools pay over before.
func BenchmarkFindRoundTrip(b *testing.B) {
	ctx := b.Context()
	dir := b.TempDir()
	sock := filepath.Join(b.TempDir(), socketName)
	startMu.Lock()
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0", Unix: sock},
		Logger:    slog.New(slog.DiscardHandler),
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: dir + "/"}).String(),
	})
	startMu.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = fdb.Run(runCtx) }()
	defer func() { stop(); <-done }()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := feed.New()
	defer f.Subscribe("bench", "docs", "user_id", func(feed.Change) {})() // watched, as in Lanyard
	p := startProxy(ln, sock, f, slog.New(slog.DiscardHandler))
	defer p.finish()

	for _, bc := range []struct{ name, uri string }{
		{"socket", socketURI(sock)},
		{"tcp", fdb.MongoDBURI()},
		{"operator", "mongodb://" + ln.Addr().String() + "/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client, err := mongodriver.Connect(options.Client().ApplyURI(bc.uri))
			if err != nil {
				b.Fatal(err)
			}
			defer client.Disconnect(context.Background())
			coll := client.Database("bench").Collection("docs")
			_, _ = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "d1"}, {Key: "user_id", Value: "u1"}})
			for b.Loop() {
				if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "d1"}}).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProxyHop isolates the proxy from FerretDB: a find-sized OP_MSG
// to a server that answers at once with a 200-byte message, over its Unix
// socket directly and through the proxy (a TCP hop, a whole-message read,
// classification, a write). The difference is the proxy's added latency.
func BenchmarkProxyHop(b *testing.B) {
	sock := filepath.Join(b.TempDir(), "echo.sock")
	srv, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	reply := make([]byte, 200)
	binary.LittleEndian.PutUint32(reply, uint32(len(reply)))
	binary.LittleEndian.PutUint32(reply[12:], opMsg)
	go func() {
		for {
			c, err := srv.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				var buf []byte
				for {
					if buf, err = readMessage(r, buf); err != nil {
						return
					}
					if _, err := c.Write(reply); err != nil {
						return
					}
				}
			}()
		}
	}()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := feed.New()
	defer f.Subscribe("bench", "docs", "user_id", func(feed.Change) {})()
	p := startProxy(ln, sock, f, slog.New(slog.DiscardHandler))
	defer p.finish()

	find, err := bson.Marshal(bson.D{{Key: "find", Value: "docs"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: "d1"}}},
		{Key: "limit", Value: int64(1)}, {Key: "singleBatch", Value: true}, {Key: "$db", Value: "bench"},
		{Key: "lsid", Value: bson.D{{Key: "id", Value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}}}}})
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, headerLen, 256)
	msg = append(msg, 0, 0, 0, 0, 0)
	msg = append(msg, find...)
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[12:], opMsg)

	for _, bc := range []struct{ name, network, addr string }{{"direct", "unix", sock}, {"proxy", "tcp", ln.Addr().String()}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := net.Dial(bc.network, bc.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			in := make([]byte, len(reply))
			for b.Loop() {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
