package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/lanyardhq/lanyard/examples/userhook/hook"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a leaf certificate for 127.0.0.1 with the given usage and returns it as PEM, with its key.
func (ca *testCA) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// peerRecorder is the example hook, noting the common name of each caller's verified client certificate.
type peerRecorder struct {
	hook.Service
	mu      sync.Mutex
	callers []string
}

func (r *peerRecorder) OnUserCreation(ctx context.Context, req *hooksv1.OnUserCreationRequest) (*hooksv1.OnUserCreationResponse, error) {
	cn := "(no verified client certificate)"
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.VerifiedChains) > 0 {
			cn = info.State.VerifiedChains[0][0].Subject.CommonName
		}
	}
	r.mu.Lock()
	r.callers = append(r.callers, cn)
	r.mu.Unlock()
	return r.Service.OnUserCreation(ctx, req)
}

func (r *peerRecorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.callers...)
}

// TestUserCreationHookTLS runs the hook behind mutual TLS: with Lanyard's CA file and client certificate
// the hook is called, sees Lanyard's certificate, and its document is in the first token; trusting the
// wrong CA, or presenting no client certificate, fails the login cleanly and leaves nothing behind.
func TestUserCreationHookTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, "hook CA")
	serverCert, serverKey := ca.issue(t, "hook", x509.ExtKeyUsageServerAuth)
	clientCert, clientKey := ca.issue(t, "lanyard", x509.ExtKeyUsageClientAuth)
	caFile := writeFile(t, dir, "ca.pem", ca.pem)
	certFile := writeFile(t, dir, "client.pem", clientCert)
	keyFile := writeFile(t, dir, "client-key.pem", clientKey)
	otherCAFile := writeFile(t, dir, "other-ca.pem", newTestCA(t, "another CA").pem)

	pair, err := tls.X509KeyPair(serverCert, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(ca.cert)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{pair},
		ClientCAs:    clientCAs,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	})))
	rec := &peerRecorder{}
	hooksv1.RegisterUserCreationHookServiceServer(g, rec)
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)
	hookAddr := l.Addr().String()

	t.Run("mutual TLS", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.CustomDataOnUserCreation = hookAddr
		cfg.CustomDataHookTLSCAFile = caFile
		cfg.CustomDataHookTLSCertFile = certFile
		cfg.CustomDataHookTLSKeyFile = keyFile
		coll := withDriver(t, &cfg)
		ts := startServer(t, cfg)
		u := anonLogin(t, ts)
		data := whoAmIData(t, ts, u.GetAccessToken())
		if data["plan"] != "free" || data["created_by"] != "userhook" || data["user_id"] != u.GetUserId() {
			t.Fatalf("first token's user_data = %v, want the hook's document", data)
		}
		if calls := rec.calls(); len(calls) != 1 || calls[0] != "lanyard" {
			t.Fatalf("the hook saw callers %q, want one call with Lanyard's client certificate", calls)
		}
		// The counts the failing cases expect to stay at 0 do count what a login creates.
		if counts := storeCounts(t, coll(), cfg.Database); counts != [4]int64{1, 1, 1, 1} {
			t.Errorf("users, identities, sessions, custom data documents: %v, want one each", counts)
		}
	})

	for _, tc := range []struct {
		name          string
		ca, cert, key string
	}{
		{name: "wrong CA", ca: otherCAFile, cert: certFile, key: keyFile},
		{name: "no client certificate", ca: caFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.calls())
			cfg := testConfig(t)
			cfg.CustomDataOnUserCreation = hookAddr
			cfg.CustomDataHookTLSCAFile = tc.ca
			cfg.CustomDataHookTLSCertFile = tc.cert
			cfg.CustomDataHookTLSKeyFile = tc.key
			cfg.CustomDataHookTimeout = 5 * time.Second
			coll := withDriver(t, &cfg)
			ts := startServer(t, cfg)

			_, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}})
			st := wantError(t, err, codes.FailedPrecondition, "HOOK_FAILED")
			for _, internal := range []string{"tls", "x509", "certificate", "handshake", "127.0.0.1", hookAddr} {
				if strings.Contains(strings.ToLower(st.Message()), internal) {
					t.Errorf("the client's message %q reveals %q", st.Message(), internal)
				}
			}
			if n := len(rec.calls()); n != before {
				t.Errorf("the hook was called %d times through a refused handshake", n-before)
			}
			// Nothing left behind: no user, identity, session or custom data document.
			if counts := storeCounts(t, coll(), cfg.Database); counts != [4]int64{} {
				t.Errorf("users, identities, sessions, custom data documents after the refused login: %v, want none", counts)
			}
			if !strings.Contains(ts.logs.String(), "user creation hook unavailable") {
				t.Errorf("the operator's log does not say why the hook failed")
			}
		})
	}
}

// storeCounts counts the users, identities, sessions and custom data documents of a server's store.
func storeCounts(t *testing.T, customData *mongo.Collection, database string) (counts [4]int64) {
	t.Helper()
	db := customData.Database().Client().Database(database)
	for i, c := range []*mongo.Collection{db.Collection("users"), db.Collection("provider_identities"), db.Collection("sessions"), customData} {
		n, err := c.CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatalf("count %s: %v", c.Name(), err)
		}
		counts[i] = n
	}
	return counts
}
