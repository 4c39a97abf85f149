package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestConformance runs the suite as Lanyard runs: on an embedded engine the stores are given its feed
// (and keep the owner index of custom data), and the suite writes as another tool would, through the
// engine's operator address.
func TestConformance(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		storetest.Run(t, e.Name, func(t *testing.T, database string) store.Store {
			s := open(t, mongo.Config{URI: e.URI, Database: database, Feed: e.Feed})
			return operatorStore{s, collection(t, e.OperatorURI, database, mongo.DefaultCustomDataCollection)}
		})
	})
}

// TestCustomDataByQuery runs the custom data behaviours on stores without a feed, as on an engine
// reached by URI, where every read queries the user id field.
func TestCustomDataByQuery(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		if e.Feed == nil {
			t.Skip("TestConformance runs this engine without a feed already")
		}
		storetest.RunCustomData(t, e.Name, func(t *testing.T, database string) store.Store {
			s := open(t, mongo.Config{URI: e.URI, Database: database})
			return operatorStore{s, collection(t, e.URI, database, mongo.DefaultCustomDataCollection)}
		})
	})
}

// operatorStore is a store whose custom data collection (storetest.CustomDataHooks) is reached as other
// tools reach the engine: through a connection of the test's own.
type operatorStore struct {
	*mongo.Store
	coll *mongodriver.Collection
}

func (s operatorStore) CustomDataTestCollection() *mongodriver.Collection { return s.coll }

// collection is the named collection of database, through a connection of its own to uri.
func collection(t *testing.T, uri, database, name string) *mongodriver.Collection {
	client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(database).Collection(name)
}

// TestOutageRecovery stops the engine under an open Store and starts it
// again: the Store must report the outage (ErrUnavailable, Healthy false)
// within seconds and recover by itself, without being reopened.
func TestOutageRecovery(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := embedded.Config{
		DataDir:    t.TempDir(),
		ListenAddr: storetest.FreeAddr(t),
		Logger:     storetest.Logger(t),
	}
	engine, err := embedded.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Registered before open, so it runs after the Store is closed (see the
	// package doc of embedded), on whichever engine runs by then.
	t.Cleanup(func() { engine.Close(context.Background()) })
	s := open(t, mongo.Config{
		URI:                    engine.URI(),
		PingInterval:           200 * time.Millisecond,
		ServerSelectionTimeout: time.Second,
	})
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping before the outage: %v", err)
	}

	// The Store's connections keep the engine up for its ~3 s grace period.
	stopped := time.Now()
	if err := engine.Close(ctx); err != nil {
		t.Fatalf("stop engine: %v", err)
	}
	t.Logf("engine stopped in %v", time.Since(stopped).Round(time.Millisecond))

	down := time.Now()
	var outage error
	eventually(t, 30*time.Second, "Ping to fail with ErrUnavailable", func() bool {
		outage = s.Ping(ctx)
		if outage != nil && !errors.Is(outage, store.ErrUnavailable) {
			t.Fatalf("Ping during the outage: %v, want ErrUnavailable", outage)
		}
		return outage != nil
	})
	t.Logf("Ping failed %v after the stop: %v", time.Since(down).Round(time.Millisecond), outage)
	eventually(t, 30*time.Second, "Healthy() to turn false", func() bool { return !s.Healthy() })
	t.Logf("Healthy() false %v after the stop", time.Since(down).Round(time.Millisecond))

	engine, err = embedded.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("restart engine: %v", err)
	}

	up := time.Now()
	eventually(t, 30*time.Second, "Ping to succeed again", func() bool { return s.Ping(ctx) == nil })
	t.Logf("Ping succeeded %v after the restart", time.Since(up).Round(time.Millisecond))
	eventually(t, 30*time.Second, "Healthy() to turn true", s.Healthy)
	t.Logf("Healthy() true %v after the restart", time.Since(up).Round(time.Millisecond))
}

// TestHealthFollowsPinger checks the background pinger alone, with no Ping
// calls to nudge the driver: subscribers see both transitions.
func TestHealthFollowsPinger(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := embedded.Config{
		DataDir:    t.TempDir(),
		ListenAddr: storetest.FreeAddr(t),
		Logger:     storetest.Logger(t),
	}
	engine, err := embedded.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Registered before open, so it runs after the Store is closed (see the
	// package doc of embedded), on whichever engine runs by then.
	t.Cleanup(func() { engine.Close(context.Background()) })
	s := open(t, mongo.Config{
		URI:                    engine.URI(),
		PingInterval:           200 * time.Millisecond,
		ServerSelectionTimeout: time.Second,
	})

	states := make(chan bool, 16)
	go store.WatchHealth(ctx, s, func(healthy bool) { states <- healthy })
	expect := func(want bool, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case got := <-states:
				if got == want {
					return
				}
			case <-deadline:
				t.Fatalf("no health change to %v within %v", want, within)
			}
		}
	}
	expect(true, 30*time.Second)

	start := time.Now()
	if err := engine.Close(ctx); err != nil {
		t.Fatal(err)
	}
	expect(false, 30*time.Second)
	t.Logf("unhealthy %v after the stop began", time.Since(start).Round(time.Millisecond))

	if engine, err = embedded.Start(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	expect(true, 30*time.Second)
	t.Logf("healthy %v after the restart", time.Since(start).Round(time.Millisecond))
}

func TestOpenUnreachable(t *testing.T) {
	addr := storetest.FreeAddr(t) // nobody listens there
	start := time.Now()
	_, err := mongo.Open(t.Context(), mongo.Config{
		URI:            "mongodb://lanyard:s3cret-pw@" + addr + "/?authSource=admin",
		ConnectTimeout: time.Second,
		Logger:         storetest.Logger(t),
	})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Open succeeded with no engine")
	}
	msg := err.Error()
	t.Logf("Open failed after %v: %s", elapsed.Round(time.Millisecond), msg)
	// Bounded by ConnectTimeout, not by the driver's 30 s server selection timeout; the margin is for a
	// loaded machine.
	if elapsed > 15*time.Second {
		t.Errorf("Open took %v with ConnectTimeout 1s", elapsed)
	}
	if !strings.Contains(msg, addr) || !strings.Contains(msg, "within 1s") {
		t.Errorf("error %q should name %s and the timeout", msg, addr)
	}
	if strings.Contains(msg, "s3cret") || strings.Contains(msg, "lanyard:") || strings.Contains(msg, "\n") {
		t.Errorf("error %q should be one line without credentials", msg)
	}
}

func TestOpenInvalidURIHidesSecrets(t *testing.T) {
	_, err := mongo.Open(t.Context(), mongo.Config{
		URI:            "mongodb://lanyard:s3cret-pw@127.0.0.1:1/?tlsCertificateKeyFilePassword=k3y-pw&w=bogus&tls=maybe",
		ConnectTimeout: time.Second,
	})
	if err == nil {
		t.Fatal("Open accepted an invalid URI")
	}
	t.Logf("error: %s", err)
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "k3y-pw") {
		t.Errorf("error %q contains a secret", err)
	}
}

func open(t *testing.T, cfg mongo.Config) *mongo.Store {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = storetest.Logger(t)
	}
	if cfg.Database == "" {
		cfg.Database = storetest.DatabaseName(t)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := mongo.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// eventually polls cond until it holds or within passes: for what a background process (the engine,
// the pinger) does in its own time, which offers no event to wait on. Callers give generous deadlines,
// so that a loaded machine does not fail them.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDocuments runs the Documents behaviours as Lanyard runs, with the custom data collection in a
// database of its own and, on an embedded engine, the stores given its feed.
func TestDocuments(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		storetest.RunDocuments(t, e.Name, func(t *testing.T, database, customDataDatabase string) store.Store {
			return open(t, mongo.Config{URI: e.URI, Database: database, Feed: e.Feed,
				CustomData: store.CustomDataConfig{Database: customDataDatabase}})
		})
	})
}
