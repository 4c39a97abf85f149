package server_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// itemsDocument is a custom data document of about size bytes of JSON shaped like an application's: a
// few settings and a list of small objects. Rendering costs per member more than per byte, so a
// document of one long string would hide what a real one costs.
func itemsDocument(size int) string {
	var b strings.Builder
	b.WriteString(`{"plan":"team","seats":12,"items":[`)
	for i := 0; b.Len() < size-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"SKU-%05d","name":"item number %d","qty":%d,"tags":["red","large"],"gift":%t}`, i, i, i%7, i%2 == 0)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestWhoAmICostDoesNotGrowWithTheDocument: a WhoAmI call whose token carries a 4 KB document of a
// few hundred members makes as many allocations, in the server's own code (interceptors, handler,
// encoding of the answer), as one whose token carries 100 bytes, and allocates little more than the
// document's bytes in the answer. Rendering the document through maps and a Struct made thousands more.
//
// Allocations are counted process-wide, so the server's background loops are slowed to an hour and each
// document keeps the least of a few rounds: work that is not the call's can only add to a round.
func TestWhoAmICostDoesNotGrowWithTheDocument(t *testing.T) {
	cfg := testConfig(t)
	cfg.StorePingInterval = time.Hour
	cfg.RevocationInterval = time.Hour
	cfg.KeyReloadInterval = time.Hour
	cfg.CustomDataPollInterval = time.Hour
	ts := startQuietServer(t, cfg)
	small, large := `{"plan":"pro","seats":3,"theme":"dark","locale":"en-GB","beta":true,"tags":["a","b"]}`, itemsDocument(4096)
	// token is the access token of a new user with doc, as UpdateCustomData returns it: the login's token
	// was minted before the document existed.
	token := func(doc string) string {
		login := anonLogin(t, ts)
		upd, err := ts.data.UpdateCustomData(bearer(login.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, doc)})
		if err != nil {
			t.Fatal(err)
		}
		who, err := ts.auth.WhoAmI(bearer(upd.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
		if err != nil {
			t.Fatal(err)
		}
		// The store adds the document's _id and owner to what was set.
		for name, v := range structOf(t, doc).GetFields() {
			if !proto.Equal(who.GetUserData().GetFields()[name], v) {
				t.Fatalf("WhoAmI over the network answers user_data.%s = %v, want %v", name, who.GetUserData().GetFields()[name], v)
			}
		}
		return upd.GetAccessToken()
	}
	call := ts.WhoAmIInProcess()
	const runs, rounds = 500, 5
	type cost struct {
		allocs, bytes float64
		answer        int
	}
	measure := func(doc string) cost {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token(doc)))
		c := cost{allocs: math.Inf(1), bytes: math.Inf(1)}
		var err error
		// The first call verifies the token; the ones measured find it in the verify cache, as a client
		// reusing its token does.
		if c.answer, err = call(ctx); err != nil {
			t.Fatal(err)
		}
		for range rounds {
			allocs := testing.AllocsPerRun(runs, func() {
				if _, err := call(ctx); err != nil {
					t.Fatal(err)
				}
			})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range runs {
				if _, err := call(ctx); err != nil {
					t.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			bytes := float64(after.TotalAlloc-before.TotalAlloc) / runs
			c.allocs, c.bytes = min(c.allocs, allocs), min(c.bytes, bytes)
		}
		return c
	}
	s, l := measure(small), measure(large)
	t.Logf("100 B document: %.0f allocations, %.0f bytes, a %d-byte answer; %d B document: %.0f allocations, %.0f bytes, a %d-byte answer",
		s.allocs, s.bytes, s.answer, len(large), l.allocs, l.bytes, l.answer)
	if l.answer < len(large) {
		t.Fatalf("the answer of the large document's token is %d bytes: the document is not in it", l.answer)
	}
	// Rendering the document as before made one allocation per value (2,400 for a 4 KB document against
	// 125); a few more here and there (the race detector adds some on the larger path) are not that.
	if l.allocs > s.allocs+20 {
		t.Errorf("a 4 KB document's WhoAmI makes %.0f allocations, a 100 B one's %.0f", l.allocs, s.allocs)
	}
	// The answer holds the document, so it takes its bytes: once as the encoded user_data and once more
	// as the encoded answer, each up to 1.5 times the JSON. More than that is rendering work.
	if extra, limit := l.bytes-s.bytes, 3.0*float64(len(large)); extra > limit {
		t.Errorf("a 4 KB document's WhoAmI allocates %.0f bytes more than a 100 B one's (limit %.0f)", extra, limit)
	}
}

// TestHeaderTableStaysAtTheDefault: the server does not advertise an HPACK dynamic table larger than
// HTTP/2's default 4,096 bytes. A token carrying a document is too large for that table, so it arrives
// as a Huffman-coded literal on every call and its decoding costs per call (BENCHMARKS.md). A larger
// table does not help with grpc-go at either end (v1.85): its server option grpc.HeaderTableSize
// advertises the size but the server's decoder keeps refusing tables above 4,096 bytes, so the first
// request of a client that uses the room is a compression error that ends the connection, and its
// clients never grow their table past 4,096 bytes whatever the server allows.
func TestHeaderTableStaysAtTheDefault(t *testing.T) {
	ts := startServer(t, testConfig(t))
	conn, err := net.DialTimeout("tcp", ts.GRPCAddr(), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no SETTINGS from the server: %v", err)
		}
		settings, ok := f.(*http2.SettingsFrame)
		if !ok || settings.IsAck() {
			continue
		}
		if size, set := settings.Value(http2.SettingHeaderTableSize); set && size > 4096 {
			t.Fatalf("the server advertises a %d-byte header table, which its decoder refuses", size)
		}
		return
	}
}
