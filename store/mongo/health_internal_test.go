package mongo

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestCheckTellsBusyFromGone: a ping that gets no answer in time marks the engine unreachable only when
// the engine answered nothing else meanwhile. Under a burst the ping queues behind the other commands
// (for a connection, or inside the engine), and an engine that answers them is busy, not gone.
func TestCheckTellsBusyFromGone(t *testing.T) {
	// An engine that accepts connections and never answers: every ping times out.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); conns.Wait() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { defer conns.Done(); _, _ = c.Read(make([]byte, 1<<16)); <-t.Context().Done(); _ = c.Close() }()
		}
	}()
	client, err := mongodriver.Connect(options.Client().ApplyURI("mongodb://" + l.Addr().String() + "/?directConnection=true"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx)
	})
	// Long enough that the goroutine standing for the other commands runs during it, even on a loaded
	// machine.
	s := &Store{client: client, healthClient: client, log: storetest.Logger(t), pingTimeout: 2 * time.Second}

	// Busy: other commands are answered while the ping waits.
	answering, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-answering:
				return
			case <-time.After(time.Millisecond):
				s.answers.Add(1)
			}
		}
	}()
	err = s.check(t.Context())
	close(answering)
	<-stopped // no answer may be counted during the next check
	if !errors.Is(err, store.ErrBusy) || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("check of a busy engine: %v, want ErrBusy", err)
	}
	if !s.Healthy() {
		t.Errorf("a busy engine was marked unreachable")
	}

	// Gone: nothing is answered.
	err = s.check(t.Context())
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("check of an engine that answers nothing: %v, want ErrUnavailable", err)
	}
	if s.Healthy() {
		t.Errorf("an engine that answers nothing is still healthy")
	}
}
