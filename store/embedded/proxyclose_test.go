package embedded

import (
	"bufio"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store/feed"
)

// proxyRig is a proxy in front of a stand-in for FerretDB's socket that
// reads messages and answers none, so that a write stays unanswered for as
// long as the test wants.
type proxyRig struct {
	p        *proxy
	finish   func() // p.finish, once
	addr     string
	received chan []byte           // each message the stand-in read
	heard    chan feed.Change      // each change published for app.custom user_id
	asked    chan chan<- time.Time // each timer the proxy asked for, to fire
}

func newProxyRig(t *testing.T) *proxyRig {
	t.Helper()
	r := &proxyRig{
		received: make(chan []byte, 16),
		heard:    make(chan feed.Change, 16),
		asked:    make(chan chan<- time.Time, 16),
	}
	sock := filepath.Join(t.TempDir(), socketName)
	backend, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var served sync.WaitGroup
	t.Cleanup(func() { _ = backend.Close(); served.Wait() })
	served.Go(func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			served.Go(func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					msg, err := readMessage(br, nil)
					if err != nil {
						return
					}
					r.received <- msg
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
	insert := cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "alice")}}), kv("$db", "app")})
	if _, err := c.Write(insert); err != nil {
		t.Fatal(err)
	}
	<-r.received
	if got := r.drainHeard(); len(got) != 1 || len(got[0].Docs) != 1 {
		t.Fatalf("before the write was passed on, heard %v, want its document", got)
	}
	_ = c.Close()
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
	r := newProxyRig(t)
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
	r := newProxyRig(t)
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
