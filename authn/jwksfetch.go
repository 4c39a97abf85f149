package authn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// JWKS fetching defaults.
const (
	// DefaultJWKSRefetchInterval is the least time between two fetches of
	// one JWKS, however many unknown kids arrive: tokens with made-up kids
	// must not turn into a request flood against the key server.
	DefaultJWKSRefetchInterval = time.Minute
	// jwksMaxAge is how long fetched keys are used before they are fetched
	// again, so that a key removed from the set stops verifying. It is
	// fixed: cache headers from the network are not honoured, so a server
	// cannot make Lanyard fetch in a loop.
	jwksMaxAge        = time.Hour
	jwksFetchTimeout  = 10 * time.Second
	jwksMaxRedirects  = 3
	jwksMaxKeysPerKID = 4
)

// jwksFetcher holds the signing keys published at one JWKS URL.
type jwksFetcher struct {
	url      string
	client   *http.Client
	interval time.Duration
	now      func() time.Time

	fetchMu sync.Mutex // one fetch at a time; held across the request

	mu          sync.Mutex // guards the fields below; never held across a request
	keys        []jose.JSONWebKey
	fetched     bool // keys holds a successful fetch
	fetchedAt   time.Time
	attempted   bool
	attemptedAt time.Time
	lastErr     error // of the latest attempt
}

// newJWKSFetcher validates rawURL (absolute http or https) and returns a
// fetcher. A nil client gets timeouts and at most jwksMaxRedirects
// redirects; interval 0 means DefaultJWKSRefetchInterval; now nil means
// time.Now.
func newJWKSFetcher(rawURL string, client *http.Client, interval time.Duration, now func() time.Time) (*jwksFetcher, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("JWKS URL must be an absolute http(s) URL")
	}
	if interval < 0 {
		return nil, errors.New("JWKS refetch interval must not be negative")
	}
	if interval == 0 {
		interval = DefaultJWKSRefetchInterval
	}
	if client == nil {
		client = defaultHTTPClient()
		client.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
			if len(via) >= jwksMaxRedirects {
				return errors.New("too many redirects")
			}
			return nil
		}
	}
	if now == nil {
		now = time.Now
	}
	return &jwksFetcher{url: rawURL, client: client, interval: interval, now: now}, nil
}

// lookup returns the keys with this kid that can verify alg. An unknown
// kid, or keys older than jwksMaxAge, cause a fetch unless one was tried
// less than interval ago. Errors wrap ErrInvalidCredentials (no such key
// in a set fetched successfully) or ErrProviderUnavailable (no set, or the
// fetch that could have found the kid failed).
func (f *jwksFetcher) lookup(ctx context.Context, kid string, alg jose.SignatureAlgorithm) ([]any, error) {
	if keys, ok := f.cached(kid, alg, true); ok {
		return keys, nil
	}

	f.fetchMu.Lock()
	defer f.fetchMu.Unlock()
	// Another caller may have fetched while this one waited.
	if keys, ok := f.cached(kid, alg, true); ok {
		return keys, nil
	}
	if !f.claimAttempt() {
		return f.settle(kid, alg)
	}

	// The fetch outlives a caller that gives up: its result serves everyone,
	// and a cancelled fetch would still use up the interval.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
	defer cancel()
	keys, err := f.fetch(fctx)

	f.mu.Lock()
	f.lastErr = err
	if err == nil {
		f.keys, f.fetched, f.fetchedAt = keys, true, f.now()
	}
	f.mu.Unlock()
	return f.settle(kid, alg)
}

// claimAttempt records a fetch attempt now, unless the last one was less
// than interval ago.
func (f *jwksFetcher) claimAttempt() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.attempted && now.Sub(f.attemptedAt) < f.interval {
		return false
	}
	f.attempted, f.attemptedAt = true, now
	return true
}

// settle answers from whatever keys are held, stale ones included: when a
// refresh fails, the previous set keeps logins working.
func (f *jwksFetcher) settle(kid string, alg jose.SignatureAlgorithm) ([]any, error) {
	if keys, ok := f.cached(kid, alg, false); ok {
		return keys, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Every attempt leaves either keys or an error behind.
	if f.lastErr != nil {
		return nil, providerUnavailable("signing keys could not be fetched: " + f.lastErr.Error())
	}
	return nil, badCredentials("unknown signing key")
}

func (f *jwksFetcher) cached(kid string, alg jose.SignatureAlgorithm, freshOnly bool) ([]any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fetched || (freshOnly && f.now().Sub(f.fetchedAt) >= jwksMaxAge) {
		return nil, false
	}
	var keys []any
	for _, k := range f.keys {
		if k.KeyID == kid && (k.Algorithm == "" || k.Algorithm == string(alg)) && keyFits(alg, k.Key) {
			keys = append(keys, k.Key)
			if len(keys) == jwksMaxKeysPerKID {
				break
			}
		}
	}
	return keys, len(keys) > 0
}

// fetch downloads the set and keeps the public signing keys. Entries that
// do not parse, are not for signatures, carry private or symmetric material
// are skipped one by one (RFC 7517 §5 asks to ignore what is not
// understood), so one odd key does not hide the others.
func (f *jwksFetcher) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := getJSON(ctx, f.client, f.url, &doc); err != nil {
		return nil, err
	}
	if doc.Keys == nil {
		return nil, errors.New(`response has no "keys" array`)
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		if (k.Use != "" && k.Use != "sig") || !k.IsPublic() || !k.Valid() {
			continue
		}
		keys = append(keys, k)
	}
	return keys, nil
}
