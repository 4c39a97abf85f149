package embedded

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store/feed"
)

// proxyRig is a proxy in front of a stand-in for FerretDB's socket. The
// stand-in reads each message's header, hands it to the test and waits for
// the test to let it read the rest; then it answers {ok: 1} if answer is set,
// else nothing, so that a write stays unanswered for as long as the test
// wants.
type proxyRig struct {
	p        *proxy
	finish   func() // p.finish, once
	addr     string
	answer   bool
	received chan []byte           // the header of each message the stand-in reads
	proceed  chan struct{}         // lets the stand-in read the rest of the message
	heard    chan feed.Change      // each change published for app.custom user_id
	asked    chan chan<- time.Time // each timer the proxy asked for, to fire
}

func newProxyRig(t *testing.T, answer bool) *proxyRig {
	t.Helper()
	r := &proxyRig{
		answer:   answer,
		received: make(chan []byte),
		proceed:  make(chan struct{}),
		heard:    make(chan feed.Change, 16),
		asked:    make(chan chan<- time.Time, 16),
	}
	sock := filepath.Join(t.TempDir(), socketName)
	backend, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var served sync.WaitGroup
	t.Cleanup(func() { close(done); _ = backend.Close(); served.Wait() })
	served.Go(func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			served.Go(func() {
				defer c.Close()
				for {
					hdr := make([]byte, headerLen)
					if _, err := io.ReadFull(c, hdr); err != nil {
						return
					}
					select {
					case r.received <- hdr:
					case <-done:
						return
					}
					select {
					case <-r.proceed:
					case <-done:
						return
					}
					if _, err := io.CopyN(io.Discard, c, int64(binary.LittleEndian.Uint32(hdr))-headerLen); err != nil {
						return
					}
					if r.answer {
						reply := cmd(D{kv("ok", 1)})
						copy(reply[8:12], hdr[4:8]) // responseTo: the requestID
						if _, err := c.Write(reply); err != nil {
							return
						}
					}
				}
			})
		}
	})

	f := feed.New()
	t.Cleanup(f.Subscribe("app", "custom", "user_id", func(c feed.Change) { r.heard <- c }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.p = startProxy(ln, sock, f, slog.New(slog.DiscardHandler))
	r.p.after = func(d time.Duration) <-chan time.Time {
		if d != abandonedSettle {
			t.Errorf("proxy asked for a timer of %v, want %v", d, abandonedSettle)
		}
		ch := make(chan time.Time, 1)
		r.asked <- ch
		return ch
	}
	r.finish = sync.OnceFunc(r.p.finish)
	t.Cleanup(r.finish)
	r.addr = ln.Addr().String()
	return r
}

// leaveAWrite connects, sends an insert of a watched document, waits until
// the stand-in has it, and disconnects without its answer.
func (r *proxyRig) leaveAWrite(t *testing.T) {
	t.Helper()
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(insertOne("d1", "alice", 0)); err != nil {
		t.Fatal(err)
	}
	<-r.received
	r.proceed <- struct{}{}
	if got := r.drainHeard(); len(got) != 1 || len(got[0].Docs) != 1 {
		t.Fatalf("before the write was passed on, heard %v, want its document", got)
	}
	_ = c.Close()
}

// insertOne is an OP_MSG insert of {_id: id, user_id: owner, pad: pad bytes}
// into app.custom, with request id 7.
func insertOne(id, owner string, pad int) []byte {
	m := cmd(D{kv("insert", "custom"), kv("documents", A{
		D{kv("_id", id), kv("user_id", owner), kv("pad", strings.Repeat("x", pad))},
	}), kv("$db", "app")})
	binary.LittleEndian.PutUint32(m[4:8], 7)
	return m
}

// drainHeard returns what was published and not yet looked at.
func (r *proxyRig) drainHeard() []feed.Change {
	var out []feed.Change
	for {
		select {
		case c := <-r.heard:
			out = append(out, c)
		default:
			return out
		}
	}
}

// TestProxyFinishSettlesAndStops leaves a write unanswered and stops the
// proxy as the engine does once FerretDB has stopped: the write is settled
// before finish returns, and no goroutine of the proxy is left to publish
// anything later.
func TestProxyFinishSettlesAndStops(t *testing.T) {
	r := newProxyRig(t, false)
	r.leaveAWrite(t)
	r.finish()

	if got := r.drainHeard(); len(got) != 1 || len(got[0].Docs) != 1 {
		t.Errorf("by the time the proxy finished, heard %v; want the write settled", got)
	}
	if stacks := proxyStacks(); stacks != "" {
		t.Errorf("goroutines of the proxy after finish:\n%s", stacks)
	}
}

// TestProxySettlesAbandonedWritesLater checks that a write whose client
// left is settled when the proxy's timer fires, not before.
func TestProxySettlesAbandonedWritesLater(t *testing.T) {
	r := newProxyRig(t, false)
	r.leaveAWrite(t)
	fire := <-r.asked // the proxy waits on it now
	if got := r.drainHeard(); len(got) != 0 {
		t.Fatalf("heard %v before the write could have run", got)
	}
	fire <- time.Time{}
	if got := <-r.heard; len(got.Docs) != 1 {
		t.Fatalf("settled %v, want the document again", got)
	}
}

// proxyStacks returns the stacks of the goroutines running the proxy's
// code.
func proxyStacks() string {
	buf := make([]byte, 1<<20)
	var out []string
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "store/embedded.(*proxy)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// TestProxyPublishesBeforeAnswering holds the proxy while it passes a write
// to the stand-in, and while it passes the answer to the client, and checks
// each time that the write was already published: a subscriber hears of the
// write before it runs, and again after it ran, before its client knows.
func TestProxyPublishesBeforeAnswering(t *testing.T) {
	r := newProxyRig(t, true)
	// The client's end is a pipe: the proxy's write of the answer returns
	// only once the test has read all of it.
	client, conn := net.Pipe()
	defer client.Close()
	if !r.p.track(conn) {
		t.Fatal("the proxy is closed")
	}
	r.p.wg.Add(1)
	go r.p.handle(conn)

	// Larger than a socket's buffer: the stand-in reads its header while
	// the proxy is still writing it.
	msg := insertOne("d1", "alice", 4<<20)
	wrote := make(chan error, 1)
	go func() { _, err := client.Write(msg); wrote <- err }()
	<-r.received
	if got := r.drainHeard(); len(got) != 1 || len(got[0].Docs) != 1 {
		t.Errorf("while the write was being passed on, heard %v; want its document", got)
	}
	r.proceed <- struct{}{}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}

	answer := make([]byte, headerLen)
	if _, err := io.ReadFull(client, answer[:1]); err != nil {
		t.Fatal(err)
	}
	if got := r.drainHeard(); len(got) != 1 || len(got[0].Docs) != 1 {
		t.Errorf("while the answer was being passed on, heard %v; want the write settled", got)
	}
	if _, err := io.ReadFull(client, answer[1:]); err != nil {
		t.Fatal(err)
	}
	if to := binary.LittleEndian.Uint32(answer[8:12]); to != 7 {
		t.Errorf("answer to request %d, want 7", to)
	}
}

// TestProxyRefusesDeepDocuments sends a message whose document nests one
// level deeper than maxDepth: the proxy ends the connection without passing
// it on. One at the limit goes through.
func TestProxyRefusesDeepDocuments(t *testing.T) {
	r := newProxyRig(t, true)
	send := func(depth int, id uint32) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		m := cmd(D{kv("insert", "custom"), kv("documents", A{bson.Raw(nested(depth - 2))}), kv("$db", "app")})
		binary.LittleEndian.PutUint32(m[4:8], id)
		if _, err := c.Write(m); err != nil {
			t.Fatal(err)
		}
		return c
	}

	deep := send(maxDepth+1, 1)
	ended := make(chan error, 1)
	go func() { _, err := deep.Read(make([]byte, 1)); ended <- err }()
	select {
	case err := <-ended:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("reading after a message too deep: %v, want the connection closed", err)
		}
	case hdr := <-r.received:
		t.Fatalf("request %d, too deep, was passed on", binary.LittleEndian.Uint32(hdr[4:8]))
	}

	atLimit := send(maxDepth, 2)
	if hdr := <-r.received; binary.LittleEndian.Uint32(hdr[4:8]) != 2 {
		t.Fatalf("request %d passed on, want 2", binary.LittleEndian.Uint32(hdr[4:8]))
	}
	r.proceed <- struct{}{}
	answer := make([]byte, headerLen)
	if _, err := io.ReadFull(atLimit, answer); err != nil {
		t.Fatal(err)
	}
}
