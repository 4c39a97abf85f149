// Command verify is a tiny HTTP service that accepts only callers presenting a valid Lanyard access
// token, checked locally against Lanyard's JWKS with a client.Verifier.
//
//	go run ./client/examples/verify -lanyard http://127.0.0.1:8080 -app lanyard
//	curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9090/hello
//
// A gRPC service gets the same with grpc.ChainUnaryInterceptor(client.UnaryServerInterceptor(v)) and
// client.ClaimsFrom(ctx) in its handlers.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/lanyardhq/lanyard/client"
)

func main() {
	lanyardURL := flag.String("lanyard", "http://127.0.0.1:8080", "Lanyard's HTTP base URL (serves the JWKS)")
	issuer := flag.String("issuer", "", "the tokens' iss: Lanyard's public URL (default: -lanyard)")
	app := flag.String("app", "lanyard", "the tokens' aud: Lanyard's app id")
	listen := flag.String("listen", "127.0.0.1:9090", "address to serve on")
	flag.Parse()
	if *issuer == "" {
		*issuer = *lanyardURL
	}

	v, err := client.NewVerifier(strings.TrimSuffix(*lanyardURL, "/")+"/.well-known/jwks.json", *issuer, *app)
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		claims, err := v.Verify(bearer(r))
		if err != nil {
			// The detail is for our log; the caller only learns whether to refresh.
			log.Printf("refused: %v", err)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			msg := "invalid token"
			if errors.Is(err, client.ErrTokenExpired) {
				msg = "token expired"
			}
			http.Error(w, msg, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"hello":     claims.Subject,
			"user_type": claims.UserType,
			"user_data": claims.UserData,
		})
	})
	srv := &http.Server{
		Addr:              *listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// Room for a token carrying a 16 KiB custom data document (about 22 KB).
		MaxHeaderBytes: 64 << 10,
	}
	log.Printf("listening on %s", *listen)
	log.Fatal(srv.ListenAndServe())
}

// bearer returns the token of an `Authorization: Bearer …` header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return token
}
