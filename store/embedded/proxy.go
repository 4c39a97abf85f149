package embedded

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/lanyardhq/lanyard/store/feed"
)

// proxy serves the operator address. Each client connection gets its own
// connection to FerretDB's private socket; bytes from FerretDB go back
// unchanged, and each message from the client goes to FerretDB unchanged,
// whole, once classify has found what it may do to the owners of watched
// documents and that has been published to the feed. So a subscriber hears
// of a write before FerretDB runs it, and so before the client can see it
// acknowledged.
type proxy struct {
	ln     net.Listener
	socket string
	feed   *feed.Feed
	log    *slog.Logger
	// after is time.After, which tests replace to decide when a write its
	// client left unanswered is taken to have run.
	after func(time.Duration) <-chan time.Time

	ctx         context.Context // canceled by close
	cancel      context.CancelFunc
	backendGone chan struct{} // closed by finish, once FerretDB has stopped
	wg          sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

// readChunk is how much of a message the proxy reads before growing its
// buffer again: a client that announces 48 MB and sends little holds
// little.
const readChunk = 1 << 20

// keepBuffer is the largest message buffer a connection keeps between
// messages; a larger one (a big insert) goes back to the collector.
const keepBuffer = 1 << 20

// dialTimeout bounds the connection to FerretDB's socket.
const dialTimeout = 10 * time.Second

func startProxy(ln net.Listener, socket string, f *feed.Feed, log *slog.Logger) *proxy {
	p := &proxy{ln: ln, socket: socket, feed: f, log: log, after: time.After,
		backendGone: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(1)
	go p.serve()
	return p
}

// close stops accepting and closes every connection, both sides. It may be
// called more than once.
func (p *proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.cancel()
	_ = p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
}

// finish closes the proxy if it is not yet, settles the writes that clients
// left unanswered and waits for every goroutine of the proxy: once it
// returns, the proxy publishes nothing more. It is called once FerretDB has
// stopped, so that each of those writes has run (or never will) when it is
// settled.
func (p *proxy) finish() {
	p.close()
	close(p.backendGone)
	p.wg.Wait()
}

// track registers c to be closed by close; false when the proxy is closed
// already.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *proxy) serve() {
	defer p.wg.Done()
	var backoff time.Duration
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			// Out of file descriptors, say: wait a little, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			p.log.Warn("embedded: operator port cannot accept connections", slog.String("error", err.Error()))
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		if !p.track(c) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go p.handle(c)
	}
}

// handle serves one client until either side closes, then settles the
// writes the client left unanswered: they may still run inside FerretDB for
// a moment, so they are settled abandonedSettle later, or once FerretDB has
// stopped if that comes first.
func (p *proxy) handle(client net.Conn) {
	defer p.wg.Done()
	left := p.relay(client)
	if len(left) == 0 {
		return
	}
	select {
	case <-p.after(abandonedSettle):
	case <-p.backendGone:
	}
	p.settle(left)
}

// relay passes messages between client and a connection of its own to
// FerretDB until either side closes, closes both, and returns what the
// writes left unanswered published.
func (p *proxy) relay(client net.Conn) []publication {
	defer p.drop(client)
	// The proxy's context ends the dial too, so that finish does not wait
	// dialTimeout for it.
	server, err := (&net.Dialer{Timeout: dialTimeout}).DialContext(p.ctx, "unix", p.socket)
	if err != nil {
		return nil // stopping, most likely; the client sees its connection closed
	}
	if !p.track(server) {
		_ = server.Close()
		return nil
	}
	defer p.drop(server)

	w := &awaited{byRequest: map[uint32][]publication{}}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		p.answer(server, client, w)
		_ = client.Close()
		_ = server.Close()
	}()
	p.forward(client, server, w)
	_ = client.Close()
	_ = server.Close()
	// Answers that came back were settled as they passed: what is left was never answered.
	<-answered
	return w.drain()
}

// abandonedSettle is how long after its client left a write is taken to have run.
const abandonedSettle = 10 * time.Second

// awaited holds, per request id, the publications of the writes whose answer the client has not had yet.
type awaited struct {
	mu        sync.Mutex
	byRequest map[uint32][]publication
}

func (w *awaited) add(request uint32, pubs []publication) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.byRequest[request] = append(w.byRequest[request], pubs...)
}

func (w *awaited) take(request uint32) []publication {
	w.mu.Lock()
	defer w.mu.Unlock()
	pubs := w.byRequest[request]
	delete(w.byRequest, request)
	return pubs
}

func (w *awaited) drain() []publication {
	w.mu.Lock()
	defer w.mu.Unlock()
	var all []publication
	for _, pubs := range w.byRequest {
		all = append(all, pubs...)
	}
	clear(w.byRequest)
	return all
}

// settle publishes again what the writes behind pubs did, now that they have run: a subscriber that read
// a document before its write ran, and so dropped it, has it back before the client hears the write is
// done. A change with All is settled instead (see feed.Change).
func (p *proxy) settle(pubs []publication) {
	for _, pub := range pubs {
		c := pub.Change
		if c.All {
			c = feed.Change{Settled: true}
		}
		p.feed.Publish(pub.DB, pub.Coll, pub.Field, c)
	}
}

// answer passes the server's messages to the client, and once the answer to a write has come back from
// FerretDB (so the write has run), publishes it again (settle).
func (p *proxy) answer(server io.Reader, client io.Writer, w *awaited) {
	r := bufio.NewReaderSize(server, 32<<10)
	var buf []byte
	for {
		msg, err := readMessage(r, buf[:0])
		if err != nil {
			return
		}
		if pubs := w.take(binary.LittleEndian.Uint32(msg[8:12])); len(pubs) > 0 {
			p.settle(pubs)
		}
		if _, err := client.Write(msg); err != nil {
			return
		}
		buf = msg
		if cap(buf) > keepBuffer {
			buf = nil
		}
	}
}

// forward passes the client's messages to the server, each after its
// changes are published, until a read or write fails, or a message has a
// length out of bounds or documents nested too deep.
func (p *proxy) forward(client io.Reader, server io.Writer, w *awaited) {
	defer func() {
		// classify never panics (it is fuzzed), and subscribers must not;
		// should either, the message is not passed on (so it writes
		// nothing) and the connection ends, instead of the process.
		if v := recover(); v != nil {
			p.log.Error("embedded: operator port dropped a connection after an internal error",
				slog.String("panic", fmt.Sprint(v)))
		}
	}()
	r := bufio.NewReaderSize(client, 32<<10)
	var buf []byte
	for {
		msg, err := readMessage(r, buf[:0])
		if err != nil {
			return
		}
		if tooDeep(msg) {
			p.log.Warn("embedded: operator port dropped a connection that sent documents nested too deep",
				slog.Int("max_depth", maxDepth))
			return
		}
		pubs := classify(msg, p.feed.Watches)
		for _, pub := range pubs {
			p.feed.Publish(pub.DB, pub.Coll, pub.Field, pub.Change)
		}
		if len(pubs) > 0 {
			w.add(binary.LittleEndian.Uint32(msg[4:8]), pubs)
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
		buf = msg
		if cap(buf) > keepBuffer {
			buf = nil
		}
	}
}

// errLength is a message length out of [headerLen, maxMessageLen].
type errLength int64

func (e errLength) Error() string { return fmt.Sprintf("message length %d out of bounds", int64(e)) }

// readMessage reads one whole message into buf (reused when large enough),
// growing it only as bytes arrive.
func readMessage(r io.Reader, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], headerLen)[:headerLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	n := int64(int32(binary.LittleEndian.Uint32(buf)))
	if n < headerLen || n > maxMessageLen {
		return nil, errLength(n)
	}
	for int64(len(buf)) < n {
		chunk := int(min(n-int64(len(buf)), readChunk))
		buf = slices.Grow(buf, chunk)
		start := len(buf)
		buf = buf[:start+chunk]
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			return nil, err
		}
	}
	return buf, nil
}
