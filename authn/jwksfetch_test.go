package authn

import (
	"context"
	"crypto"
	"errors"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestJWKSFetcherConcurrentUnknownKIDs(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	k := extKey(t, jose.ES256, "a")
	srv.set(t, map[string]crypto.Signer{"k": k})
	f, err := newJWKSFetcher(srv.URL, nil, 0, clock.now)
	extNoErr(t, err)

	// A burst of made-up kids costs one fetch, whoever comes first.
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kid := "k"
			if i%2 == 1 {
				kid = "made-up"
			}
			_, err := f.lookup(context.Background(), kid, jose.ES256)
			if (kid == "k") != (err == nil) {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("lookup: %v", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("fetched %d times", n)
	}
}

func TestJWKSFetcherCancelledCaller(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	srv.set(t, map[string]crypto.Signer{"k": extKey(t, jose.ES256, "a")})
	f, err := newJWKSFetcher(srv.URL, nil, time.Minute, clock.now)
	extNoErr(t, err)

	// A caller that has given up does not spoil the fetch for the others,
	// which would otherwise be locked out for the whole interval.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.lookup(ctx, "k", jose.ES256); err != nil {
		t.Fatal(err)
	}
	if _, err := f.lookup(context.Background(), "k", jose.ES256); err != nil {
		t.Fatal(err)
	}
}

func TestJWKSFetcherErrors(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	f, err := newJWKSFetcher(srv.URL, nil, time.Minute, clock.now)
	extNoErr(t, err)

	for _, body := range []string{`not json`, `{"no_keys":[]}`, `[]`} {
		srv.setRaw(200, []byte(body))
		_, err := f.lookup(context.Background(), "k", jose.ES256)
		if !errors.Is(err, ErrProviderUnavailable) {
			t.Errorf("%s: %v", body, err)
		}
		clock.advance(time.Minute)
	}

	// An empty set is an answer: the issuer has withdrawn every key.
	srv.setRaw(200, []byte(`{"keys":[]}`))
	_, err = f.lookup(context.Background(), "k", jose.ES256)
	if !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("empty set: %v", err)
	}

	for _, u := range []string{"", "ftp://example.com/jwks", "https://", "jwks.json"} {
		if _, err := newJWKSFetcher(u, nil, 0, nil); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}
