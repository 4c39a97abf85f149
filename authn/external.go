package authn

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Limits and defaults shared by the external providers.
const (
	// MaxExternalTokenLen caps a custom or Google token before any parsing.
	MaxExternalTokenLen = 1_000_000

	externalLeeway      = 30 * time.Second
	externalHTTPTimeout = 10 * time.Second
	maxResponseBody     = 1 << 20
	minRSABits          = 2048
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
	if len(token) > MaxExternalTokenLen {
		return nil, badCredentials("token too long")
	}
	segs := strings.Split(token, ".")
	if len(segs) != 3 {
		return nil, badCredentials("not a compact JWS")
	}
	var header []byte
	for i, s := range segs {
		b, ok := decodeCanonical(s)
		if !ok {
			return nil, badCredentials("not canonical base64url")
		}
		if i == 0 {
			header = b
		}
	}

	// The header is read before go-jose sees it: the algorithm must be the
	// configured one (go-jose enforces that too, but the kid is needed
	// first), and no extension may change what is signed.
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(header, &hdr); err != nil {
		return nil, badCredentials("bad header")
	}
	var alg, kid string
	if json.Unmarshal(hdr["alg"], &alg) != nil || alg != string(v.alg) {
		return nil, badCredentials("algorithm not allowed")
	}
	if k, ok := hdr["kid"]; ok && json.Unmarshal(k, &kid) != nil {
		return nil, badCredentials("bad kid")
	}
	if _, ok := hdr["crit"]; ok {
		return nil, badCredentials("critical header not supported")
	}
	if _, ok := hdr["b64"]; ok {
		return nil, badCredentials("b64 header not supported")
	}

	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{v.alg})
	if err != nil {
		return nil, badCredentials("malformed JWS")
	}

	keys := v.keys
	if v.jwks != nil {
		if kid == "" {
			return nil, badCredentials("missing kid")
		}
		if keys, err = v.jwks.lookup(ctx, kid, v.alg); err != nil {
			return nil, err
		}
	}
	var payload []byte
	verified := false
	for _, k := range keys {
		if payload, err = jws.Verify(k); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, badCredentials("bad signature")
	}

	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
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

// decodeCanonical decodes one base64url segment and accepts it only in its
// canonical spelling. Go's decoder (and so go-jose) accepts set padding
// bits in the last character and skips CR and LF, so without the
// round-trip comparison several spellings of one token would verify.
func decodeCanonical(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
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

// audiences reads aud, a string or an array of strings.
func audiences(claims map[string]any) ([]string, bool) {
	switch a := claims["aud"].(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// keyFits reports whether key can verify alg and is strong enough. It is
// checked on configured and fetched keys alike, so that a key meant for one
// algorithm is never used with another.
func keyFits(alg jose.SignatureAlgorithm, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256 && k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return alg == jose.ES256 && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == jose.EdDSA && len(k) == ed25519.PublicKeySize
	case []byte:
		return alg == jose.HS256
	}
	return false
}

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
