package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/lanyardhq/lanyard/authn"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/metrics"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// userCreationHook calls the operator's UserCreationHookService before each new user exists. Any
// failure — a refusal, a timeout, an unreachable hook — refuses the user with HOOK_FAILED; a refusal
// carries the hook's own message, which is meant for the end user.
type userCreationHook struct {
	client  hooksv1.UserCreationHookServiceClient
	appID   string
	timeout time.Duration
	log     *slog.Logger
	metrics *metrics.Metrics
}

func newUserCreationHook(cfg Config, log *slog.Logger, m *metrics.Metrics) (*userCreationHook, *grpc.ClientConn, error) {
	creds, err := hookCredentials(cfg)
	if err != nil {
		return nil, nil, err
	}
	conn, err := grpc.NewClient(cfg.CustomDataOnUserCreation, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, nil, fmt.Errorf("LANYARD_CUSTOM_DATA_ON_USER_CREATION: %v", err)
	}
	return &userCreationHook{client: hooksv1.NewUserCreationHookServiceClient(conn), appID: cfg.AppID,
		timeout: cfg.CustomDataHookTimeout, log: log, metrics: m}, conn, nil
}

// hookCredentials reads the hook's TLS settings. Config.Validate has already decided whether plaintext
// is allowed; with a client certificate but no CA file, the hook's certificate is checked against the
// system's roots.
func hookCredentials(cfg Config) (credentials.TransportCredentials, error) {
	if cfg.CustomDataHookTLSCAFile == "" && cfg.CustomDataHookTLSCertFile == "" {
		return insecure.NewCredentials(), nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CustomDataHookTLSCAFile != "" {
		raw, err := os.ReadFile(cfg.CustomDataHookTLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_CA_FILE: %v", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(raw) {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_CA_FILE: %s holds no PEM certificate", cfg.CustomDataHookTLSCAFile)
		}
	}
	if cfg.CustomDataHookTLSCertFile != "" {
		certPEM, err := os.ReadFile(cfg.CustomDataHookTLSCertFile)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_CERT_FILE: %v", err)
		}
		if !holdsPEM(certPEM, "CERTIFICATE") {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_CERT_FILE: %s holds no PEM certificate", cfg.CustomDataHookTLSCertFile)
		}
		keyPEM, err := os.ReadFile(cfg.CustomDataHookTLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_KEY_FILE: %v", err)
		}
		// The certificate is known to be there, so what X509KeyPair still finds wrong is the key or the
		// pairing.
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_CUSTOM_DATA_HOOK_TLS_KEY_FILE: %s: %v", cfg.CustomDataHookTLSKeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(tc), nil
}

// holdsPEM reports whether raw contains a PEM block of the given type.
func holdsPEM(raw []byte, blockType string) bool {
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			return false
		}
		if b.Type == blockType {
			return true
		}
	}
}

// hookTargetIsLocal reports whether a gRPC target can only reach this machine: a Unix socket, or a
// host that is a loopback IP or literally localhost. Any other name is not trusted to be local, since
// DNS decides where it points (so is localhost when the target names its own DNS server); target forms
// not known here count as remote.
func hookTargetIsLocal(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") {
		return true
	}
	endpoint, authority := target, ""
	for _, scheme := range []string{"dns:", "passthrough:"} {
		if rest, ok := strings.CutPrefix(target, scheme); ok {
			// scheme://[authority]/endpoint; grpc-go reads a scheme without // differently.
			rest, ok = strings.CutPrefix(rest, "//")
			if !ok {
				return false
			}
			if authority, endpoint, ok = strings.Cut(rest, "/"); !ok {
				return false
			}
		}
	}
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(endpoint, "["), "]") // no port: grpc-go uses 443
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return authority == "" && strings.EqualFold(host, "localhost")
}

func hookFailed(msg string) error {
	return rpc.NewError(codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED, msg)
}

func (h *userCreationHook) call(ctx context.Context, u *authn.NewUser) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req := &hooksv1.OnUserCreationRequest{UserId: u.UserID, Type: u.Type, ProviderType: u.ProviderType, ProviderId: u.ProviderID,
		Data: rpc.Struct(u.Data), AppId: h.appID}
	start := time.Now()
	resp, err := h.client.OnUserCreation(ctx, req)
	doc, result, err := h.answer(ctx, resp, err)
	h.metrics.HookCall(time.Since(start), result)
	return doc, err
}

// answer turns the hook's answer into the document of the new user or the login's error, and names the
// outcome for the metrics (metrics.Hook*).
func (h *userCreationHook) answer(ctx context.Context, resp *hooksv1.OnUserCreationResponse, err error) (json.RawMessage, string, error) {
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		return nil, metrics.HookTimeout, hookFailed("the user creation hook did not answer in time; the user was not created")
	case status.Code(err) == codes.Unavailable:
		// grpc-go's own text for a failed connection names addresses: never pass it on. The operator
		// needs it, though (a refused TLS handshake reads the same to the user as a hook that is down).
		h.log.Warn("user creation hook unavailable", "error", err.Error())
		return nil, metrics.HookUnavailable, hookFailed("the user creation hook is unavailable; the user was not created")
	default:
		return nil, metrics.HookRefused, hookFailed("the user was not created: " + status.Convert(err).Message())
	}
	if resp.GetCustomData() == nil {
		return nil, metrics.HookOK, nil
	}
	raw, err := protojson.Marshal(resp.GetCustomData())
	if err != nil {
		return nil, metrics.HookInvalidResponse, hookFailed("the user creation hook returned a document that is not JSON")
	}
	return raw, metrics.HookOK, nil
}
