package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// The forged-token sweep (issue 21): against a live server of each signing algorithm, over real gRPC and
// HTTP, forgeries of real access and refresh tokens — alg none, HS256 keyed with the published public
// key, wrong and unknown kids, ECDSA high-S twins, every single-character change — and 10,000 garbage
// tokens. Every one must be refused as UNAUTHENTICATED (gRPC) or 401 InvalidSession (HTTP): never
// accepted, never INTERNAL or 500; and the server must serve real tokens afterwards.
//
// A round trip costs about 2 ms under the race detector on two shared cores, so not everything crosses
// the network: the named forgeries go to every endpoint; each single-character change goes to one of
// them (access tokens alternate between gRPC and HTTP; refresh tokens do not depend on the signing
// algorithm and are swept once); the garbage tokens all go through the interceptor's own verification
// in process, and one in garbageSampleEvery over the network to every endpoint.

// garbageTokens is how many garbage tokens the sweep tries.
const garbageTokens = 10_000

// garbageSampleEvery: one garbage token in this many also crosses the network, to every endpoint.
const garbageSampleEvery = 20

// sweepWorkers is how many requests are in flight at once: the sweep is bound by round trips, not CPU.
const sweepWorkers = 8

var b64 = base64.RawURLEncoding

// endpoint sends one token where a kind of token goes and reports what went wrong, "" if it was refused
// as it should be.
type endpoint struct {
	name string
	send func(token string) string
}

// sweeper holds the endpoints of one live server.
type sweeper struct {
	ts     *testServer
	http   *http.Client
	base   string
	access []endpoint // where access tokens go
	renew  []endpoint // where refresh tokens go
}

func newSweeper(t *testing.T, ts *testServer) *sweeper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = sweepWorkers
	t.Cleanup(tr.CloseIdleConnections)
	sw := &sweeper{ts: ts, http: &http.Client{Transport: tr}, base: "http://" + ts.HTTPAddr()}
	sw.access = []endpoint{
		{"gRPC WhoAmI", func(tok string) string {
			_, err := ts.auth.WhoAmI(bearer(tok), &lanyardv1.WhoAmIRequest{})
			return grpcRefusal(err, false)
		}},
		{"GET /auth/profile", func(tok string) string { return sw.httpRefusal("GET", v2+"/auth/profile", tok) }},
	}
	sw.renew = []endpoint{
		{"gRPC RefreshSession", func(tok string) string {
			_, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: tok})
			// The request's own rules refuse an empty or oversized token before it is read as one.
			return grpcRefusal(err, tok == "" || len(tok) > authn.MaxTokenSize)
		}},
		{"POST /auth/session", func(tok string) string { return sw.httpRefusal("POST", v2+"/auth/session", tok) }},
	}
	return sw
}

func grpcRefusal(err error, invalidArgumentOK bool) string {
	switch code := status.Code(err); {
	case err == nil:
		return "ACCEPTED"
	case code == codes.Unauthenticated, code == codes.InvalidArgument && invalidArgumentOK:
		return ""
	default:
		return code.String()
	}
}

func (sw *sweeper) httpRefusal(method, path, tok string) string {
	req, err := http.NewRequest(method, sw.base+path, nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := sw.http.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Code string `json:"error_code"`
	}
	if resp.StatusCode < 300 {
		return "ACCEPTED"
	}
	if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal(body, &e) != nil || e.Code != "InvalidSession" {
		return fmt.Sprintf("HTTP %d %.100s", resp.StatusCode, body)
	}
	return ""
}

// run sends every token to every endpoint, sweepWorkers at a time, and fails the test with the first
// few wrong answers and the count of each kind.
func (sw *sweeper) run(t *testing.T, what string, eps []endpoint, tokens []string) {
	t.Helper()
	type job struct {
		ep  endpoint
		tok string
	}
	jobs := make(chan job)
	var mu sync.Mutex
	wrong := map[string]int{}
	var examples []string
	var wg sync.WaitGroup
	for range sweepWorkers {
		wg.Go(func() {
			for j := range jobs {
				if got := j.ep.send(j.tok); got != "" {
					mu.Lock()
					wrong[j.ep.name+": "+got[:min(len(got), 12)]]++
					if len(examples) < 5 {
						examples = append(examples, fmt.Sprintf("%s answered %s to %.80q", j.ep.name, got, j.tok))
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, tok := range tokens {
		for _, ep := range eps {
			jobs <- job{ep, tok}
		}
	}
	close(jobs)
	wg.Wait()
	if len(wrong) > 0 {
		t.Errorf("%s: %d tokens × %d endpoints; wrong answers %v, e.g.\n  %s", what, len(tokens), len(eps), wrong, strings.Join(examples, "\n  "))
	}
}

// alive checks that the server still serves real tokens, and returns the gRPC session's next refresh
// token (that session rotates).
func (sw *sweeper) alive(t *testing.T, access, grpcRefresh, httpAccess, httpRefresh string) {
	t.Helper()
	if _, err := sw.ts.auth.WhoAmI(bearer(access), &lanyardv1.WhoAmIRequest{}); err != nil {
		t.Fatalf("the real access token after the sweep: %v", err)
	}
	if _, err := sw.ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: grpcRefresh}); err != nil {
		t.Fatalf("the real refresh token after the sweep: %v", err)
	}
	for _, c := range []struct{ method, path, tok string }{{"GET", v2 + "/auth/profile", httpAccess}, {"POST", v2 + "/auth/session", httpRefresh}} {
		req, _ := http.NewRequest(c.method, sw.base+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.tok)
		resp, err := sw.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s with the real token after the sweep: %d", c.method, c.path, resp.StatusCode)
		}
	}
}

// jwk returns the server's published signing key.
func (sw *sweeper) jwk(t *testing.T) (jose.JSONWebKey, []byte) {
	t.Helper()
	resp, err := sw.http.Get(sw.base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS %s: %v", raw, err)
	}
	return set.Keys[0], raw
}

// publicKeySecrets are the spellings of a public key someone might try as an HMAC secret.
func publicKeySecrets(t *testing.T, k jose.JSONWebKey, jwks []byte) map[string][]byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		t.Fatal(err)
	}
	jwkJSON, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{
		"DER":      der,
		"PEM":      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"JWKS":     jwks,
		"JWK":      jwkJSON,
		"PEM, LF1": bytes.TrimSuffix(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), []byte("\n")),
	}
	switch pub := k.Key.(type) {
	case *ecdsa.PublicKey:
		e, err := pub.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		out["raw point"] = e.Bytes()
	case ed25519.PublicKey:
		out["raw key"] = pub
	case *rsa.PublicKey:
		out["PKCS #1"] = x509.MarshalPKCS1PublicKey(pub)
	}
	return out
}

// seg encodes a header or claims given as JSON text.
func seg(json string) string { return b64.EncodeToString([]byte(json)) }

func hs256(input string, key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(input))
	return input + "." + b64.EncodeToString(m.Sum(nil))
}

// header decodes a token's header.
func headerOf(t *testing.T, tok string) map[string]string {
	t.Helper()
	raw, err := b64.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// highSTwin replaces an ES256 signature (r, s) by (r, n−s), which ECDSA verifies as well.
func highSTwin(tok string) string {
	dot := strings.LastIndexByte(tok, '.')
	sig, _ := b64.DecodeString(tok[dot+1:])
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	twin := bytes.Clone(sig)
	new(big.Int).Sub(n, s).FillBytes(twin[32:])
	return tok[:dot+1] + b64.EncodeToString(twin)
}

// tampers returns every token that differs from tok in one character: each base64url character replaced
// by its neighbour in the alphabet (the change a lenient decoder is most likely to ignore at the end of a
// segment) and by a distant one, each dot by a letter.
func tampers(tok string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []string
	for i := 0; i < len(tok); i++ {
		j := strings.IndexByte(alphabet, tok[i])
		repl := []byte{'A'}
		if j >= 0 {
			repl = []byte{alphabet[j^1], alphabet[(j+17)%64]}
		}
		for _, c := range repl {
			out = append(out, tok[:i]+string(c)+tok[i+1:])
		}
	}
	return out
}

// forgeries returns forged variants of a real token of typ (at+jwt or rt+jwt) whose header names kid.
// sigKID is the server's signing key's kid, secrets the HMAC keys to try.
func forgeries(t *testing.T, tok, typ, sigKID string, secrets map[string][]byte) []string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, sig := parts[1], parts[2]
	alg, kid := headerOf(t, tok)["alg"], headerOf(t, tok)["kid"]
	hdr := func(alg, kid string) string {
		return seg(`{"alg":"` + alg + `","kid":"` + kid + `","typ":"` + typ + `"}`)
	}
	junk := func(n int) string { return b64.EncodeToString(bytes.Repeat([]byte{0x5a}, n)) }
	out := []string{
		// alg none, with and without a signature.
		hdr("none", kid) + "." + payload + ".",
		hdr("none", kid) + "." + payload + "." + sig,
		seg(`{"alg":"none"}`) + "." + payload + ".",
		seg(`{"alg":"none","typ":"`+typ+`"}`) + "." + payload + "." + junk(32),
		// The real signature under another alg, kid or header spelling.
		hdr("ES256", kid) + "." + payload + "." + sig,
		hdr("EdDSA", kid) + "." + payload + "." + sig,
		hdr("RS256", kid) + "." + payload + "." + sig,
		hdr("HS256", kid) + "." + payload + "." + sig,
		hdr("ES384", kid) + "." + payload + "." + sig,
		hdr(alg, "unknown-kid") + "." + payload + "." + sig,
		seg(`{"alg":"`+alg+`","typ":"`+typ+`"}`) + "." + payload + "." + sig,
		seg(`{"kid":"`+kid+`","alg":"`+alg+`","typ":"`+typ+`"}`) + "." + payload + "." + sig,
		seg(`{"alg":"`+alg+`", "kid":"`+kid+`","typ":"`+typ+`"}`) + "." + payload + "." + sig,
		seg(`{"alg":"`+alg+`","jwk":{"kty":"oct","k":"AAAA"},"kid":"`+kid+`","typ":"`+typ+`"}`) + "." + payload + "." + sig,
		seg(`{"alg":"`+alg+`","crit":["exp"],"kid":"`+kid+`","typ":"`+typ+`"}`) + "." + payload + "." + sig,
		// Signing-key algorithms with an unknown kid and a signature of the right length: a token of a
		// retired key, which carries the real claims, secret included.
		hdr("ES256", "retired-kid") + "." + payload + "." + junk(64),
		hdr("EdDSA", "retired-kid") + "." + payload + "." + junk(64),
		hdr("RS256", "retired-kid") + "." + payload + "." + junk(256),
		hdr("ES256", sigKID) + "." + payload + "." + junk(64),
		hdr("HS256", "rt-000000000000") + "." + payload + "." + junk(32),
		// Segments added, removed, padded.
		parts[0] + "." + payload,
		tok + "." + sig,
		tok + "=",
		tok + "==",
		parts[0] + "." + payload[:4] + " " + payload[4:] + "." + sig,
	}
	// HS256 keyed with the public key, under the token's own kid and the signing key's.
	for _, secret := range secrets {
		for _, k := range []string{kid, sigKID} {
			out = append(out, hs256(hdr("HS256", k)+"."+payload, secret))
		}
	}
	// The claims changed under the real signature: another subject, a later expiry.
	raw, err := b64.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"sub": "000000000000000000000001", "exp": 4102444800, "sid": "000000000000000000000002"} {
		changed := map[string]any{}
		for k, old := range claims {
			changed[k] = old
		}
		changed[name] = v
		b, _ := json.Marshal(changed)
		out = append(out, parts[0]+"."+b64.EncodeToString(b)+"."+sig)
	}
	// A claim named twice under the real signature: the parser that keeps the last member reads
	// another subject.
	out = append(out, parts[0]+"."+b64.EncodeToString(append(bytes.TrimSuffix(raw, []byte("}")), []byte(`,"sub":"000000000000000000000001"}`)...))+"."+sig)
	// Some spellings above are the token's own (the header of its own alg and kid): those are no forgery.
	return slices.DeleteFunc(out, func(f string) bool { return f == tok })
}

// garbage returns n garbage tokens, printable ASCII (what a header can carry), from rng: random text,
// random base64url segments, JSON headers and claims of every shape with random signatures, and pieces
// of the real tokens spliced together.
func garbage(rng *rand.Rand, n int, real []string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	randStr := func(chars string, max int) string {
		b := make([]byte, 1+rng.IntN(max))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		return string(b)
	}
	var printable strings.Builder
	for c := byte(0x21); c < 0x7f; c++ {
		printable.WriteByte(c)
	}
	algs := []string{"none", "None", "HS256", "ES256", "EdDSA", "RS256", "PS256", "ES256K", "", "es256"}
	typs := []string{"at+jwt", "rt+jwt", "JWT", ""}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	bodies := []string{`{}`, `[]`, `null`, `"x"`, `{"sub":"a","sub":"b"}`, `{"exp":1e999}`, `{"iss":{"$oid":"x"}}`,
		`{"aud":["a","b"],"sub":7,"exp":"soon"}`, `{"user_data":` + strings.Repeat(`[`, 300) + `}`, `{"a":"\ud800"}`}
	out := make([]string, 0, n)
	for len(out) < n {
		var tok string
		switch rng.IntN(6) {
		case 0:
			tok = randStr(printable.String(), 200)
		case 1:
			tok = randStr(alphabet, 100) + "." + randStr(alphabet, 400) + "." + randStr(alphabet, 350)
		case 2:
			hdr := `{"alg":"` + pick(algs) + `","kid":"` + randStr(alphabet, 12) + `","typ":"` + pick(typs) + `"}`
			tok = seg(hdr) + "." + seg(pick(bodies)) + "." + randStr(alphabet, 350)
		case 3:
			a, b := strings.Split(pick(real), "."), strings.Split(pick(real), ".")
			tok = a[0] + "." + b[1] + "." + a[2]
		case 4:
			r := pick(real)
			i, j := rng.IntN(len(r)), rng.IntN(len(r))
			tok = r[:min(i, j)] + r[max(i, j):]
		default:
			tok = strings.Repeat(randStr(alphabet, 64), 1+rng.IntN(600)) // up to the 32 KiB cap and past it
		}
		if !slices.Contains(real, tok) { // a splice may give a real token back
			out = append(out, tok)
		}
	}
	return out
}

func TestForgedTokensRefused(t *testing.T) {
	for _, alg := range []string{authn.AlgES256, authn.AlgEdDSA, authn.AlgRS256} {
		t.Run(alg, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.SigningAlg = alg
			ts := startServer(t, cfg)
			sw := newSweeper(t, ts)
			login := anonLogin(t, ts)
			access, grpcRefresh := login.GetAccessToken(), login.GetRefreshToken()
			httpAccess, httpRefresh, _ := newCompat(t, ts).mustLogin("anon-user", nil)
			if h := headerOf(t, access); h["alg"] != alg {
				t.Fatalf("access token header %v", h)
			}
			key, jwks := sw.jwk(t)
			secrets := publicKeySecrets(t, key, jwks)

			forged := forgeries(t, access, "at+jwt", key.KeyID, secrets)
			forged = append(forged, grpcRefresh, httpRefresh) // refresh tokens are no access tokens
			if alg == authn.AlgES256 {
				forged = append(forged, highSTwin(access), highSTwin(httpAccess))
			}
			sw.run(t, "access token forgeries", sw.access, forged)
			changed := tampers(access)
			for i, ep := range sw.access {
				sw.run(t, "access token changes", []endpoint{ep}, everyNth(changed, len(sw.access), i))
			}

			// Refresh tokens go where their clients send them: the gRPC session's (which rotates) to
			// RefreshSession, the App Services session's to POST /auth/session.
			sw.run(t, "refresh token forgeries", sw.renew[:1], append(forgeries(t, grpcRefresh, "rt+jwt", key.KeyID, secrets), access))
			sw.run(t, "refresh token forgeries", sw.renew[1:], append(forgeries(t, httpRefresh, "rt+jwt", key.KeyID, secrets), httpAccess))
			if alg == authn.AlgES256 {
				sw.run(t, "refresh token changes", sw.renew[:1], tampers(grpcRefresh))
				sw.run(t, "refresh token changes", sw.renew[1:], tampers(httpRefresh))

				tokens := garbage(rand.New(rand.NewPCG(21, 5)), garbageTokens, []string{access, grpcRefresh, httpAccess, httpRefresh})
				wrong := 0
				for _, tok := range tokens {
					a, r := ts.AccessTokenCode(tok), ts.RefreshTokenCode(tok)
					if a != codes.Unauthenticated || (r != codes.Unauthenticated && (r != codes.InvalidArgument || len(tok) <= authn.MaxTokenSize)) {
						if wrong++; wrong <= 5 {
							t.Errorf("garbage %.80q: access %s, refresh %s", tok, a, r)
						}
					}
				}
				sw.run(t, "garbage tokens", append(sw.access, sw.renew...), everyNth(tokens, garbageSampleEvery, 0))
			}

			sw.alive(t, access, grpcRefresh, httpAccess, httpRefresh)
		})
	}
}

// everyNth returns s[i], s[i+n], s[i+2n], …
func everyNth(s []string, n, i int) []string {
	var out []string
	for ; i < len(s); i += n {
		out = append(out, s[i])
	}
	return out
}
