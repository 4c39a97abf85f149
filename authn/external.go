package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lanyardhq/lanyard/jws"
)

// Limits and defaults shared by the external providers.
const (
	// MaxExternalTokenLen caps a custom or Google token before any parsing.
	MaxExternalTokenLen = 1_000_000

	externalLeeway      = 30 * time.Second
	externalHTTPTimeout = 10 * time.Second
	maxResponseBody     = 1 << 20
	minRSABits          = jws.MinRSABits
)

// badCredentials wraps ErrInvalidCredentials with a fixed detail. Details
// are constants or come from the configuration: the token, and parser errors
// that quote it, never reach an error text.
func badCredentials(detail string) error {
	return fmt.Errorf("%w: %s", ErrInvalidCredentials, detail)
}

func providerUnavailable(detail string) error {
	return fmt.Errorf("%w: %s", ErrProviderUnavailable, detail)
}

func defaultHTTPClient() *http.Client { return &http.Client{Timeout: externalHTTPTimeout} }

// jwtVerifier checks the signature and time claims of a compact JWS signed
// by a third party. Exactly one of keys and jwks is set.
type jwtVerifier struct {
	alg  jose.SignatureAlgorithm
	keys []any        // tried in turn; the token's kid is not consulted
	jwks *jwksFetcher // the token's kid picks the key
	now  func() time.Time
}

// verify returns the token's claims, numbers as json.Number. exp is required
// (go-jose's jwt package does not require it) and nbf is honoured, both with
// externalLeeway.
func (v *jwtVerifier) verify(ctx context.Context, token string) (map[string]any, error) {
	t, err := jws.Parse(token, jws.Policy{Algs: []string{string(v.alg)}, MaxSize: MaxExternalTokenLen})
	if err != nil {
		return nil, badCredentials(err.Error())
	}

	keys := v.keys
	if v.jwks != nil {
		if t.Header.Kid == "" {
			return nil, badCredentials("missing kid")
		}
		if keys, err = v.jwks.lookup(ctx, t.Header.Kid, v.alg); err != nil {
			return nil, err
		}
	}
	verified := false
	for _, k := range keys {
		if t.Verify(k) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, badCredentials("bad signature")
	}

	payload := t.Payload
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		return nil, badCredentials("claims are not a JSON object")
	}

	now := v.now()
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return nil, badCredentials("exp missing or not a number")
	}
	if !now.Before(exp.Add(externalLeeway)) {
		return nil, badCredentials("token expired")
	}
	if n, present := claims["nbf"]; present {
		nbf, ok := numericDate(n)
		if !ok {
			return nil, badCredentials("nbf not a number")
		}
		if now.Add(externalLeeway).Before(nbf) {
			return nil, badCredentials("token not yet valid")
		}
	}
	return claims, nil
}

// numericDate reads a JSON NumericDate (seconds, possibly fractional).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	// Bounded so that the conversion to int64 nanoseconds cannot overflow.
	if err != nil || math.IsNaN(f) || f < 0 || f > 1<<33 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// stringClaim returns a claim that must be a non-empty string.
func stringClaim(claims map[string]any, name string) (string, bool) {
	s, ok := claims[name].(string)
	return s, ok && s != ""
}

// audiences reads aud, a string or an array of strings (jws.Audiences).
func audiences(claims map[string]any) ([]string, bool) { return jws.Audiences(claims["aud"]) }

// keyFits reports whether key can verify alg and is strong enough. It is
// checked on configured and fetched keys alike, so that a key meant for one
// algorithm is never used with another.
func keyFits(alg jose.SignatureAlgorithm, key any) bool { return jws.KeyFits(string(alg), key) }

// errHTTPStatus carries a non-200 answer; the body is not kept, since it
// may echo the request.
type errHTTPStatus struct{ code int }

func (e errHTTPStatus) Error() string { return fmt.Sprintf("HTTP status %d", e.code) }

// getJSON GETs url and decodes a JSON object of at most maxResponseBody
// bytes, numbers as json.Number. Errors never carry the URL, which may hold
// tokens: a transport error is reduced to "request failed" or "timeout".
func getJSON(ctx context.Context, client *http.Client, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errors.New("bad request URL")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return errors.New("timeout")
		}
		return errors.New("request failed")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return errors.New("reading the response failed")
	}
	if resp.StatusCode != http.StatusOK {
		return errHTTPStatus{resp.StatusCode}
	}
	if len(body) > maxResponseBody {
		return fmt.Errorf("response larger than %d bytes", maxResponseBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return errors.New("response is not valid JSON")
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
