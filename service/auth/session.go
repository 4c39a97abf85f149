package auth

import (
	"context"
	"net"

	"google.golang.org/grpc/peer"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// credentials is what a Login or LinkIdentity oneof holds, in authn's terms.
type credentialsOneof interface {
	GetAnonymous() *lanyardv1.AnonymousCredentials
	GetEmailPassword() *lanyardv1.EmailPasswordCredentials
	GetApiKey() *lanyardv1.ApiKeyCredentials
	GetCustomToken() *lanyardv1.CustomTokenCredentials
	GetGoogle() *lanyardv1.GoogleCredentials
	GetFacebook() *lanyardv1.FacebookCredentials
}

// linkRequest adapts LinkIdentityRequest, which has no anonymous credentials, to credentialsOneof.
type linkRequest struct{ *lanyardv1.LinkIdentityRequest }

func (linkRequest) GetAnonymous() *lanyardv1.AnonymousCredentials { return nil }

func toCredentials(r credentialsOneof) authn.Credentials {
	switch {
	case r.GetAnonymous() != nil:
		return authn.Credentials{Provider: authn.ProviderAnonymous}
	case r.GetEmailPassword() != nil:
		return authn.Credentials{Provider: authn.ProviderUserPass, Email: r.GetEmailPassword().GetEmail(), Password: r.GetEmailPassword().GetPassword()}
	case r.GetApiKey() != nil:
		return authn.Credentials{Provider: authn.ProviderAPIKey, Key: r.GetApiKey().GetKey()}
	case r.GetCustomToken() != nil:
		return authn.Credentials{Provider: authn.ProviderCustomToken, Token: r.GetCustomToken().GetToken()}
	case r.GetGoogle() != nil:
		return authn.Credentials{Provider: authn.ProviderGoogle, Token: r.GetGoogle().GetIdToken()}
	case r.GetFacebook() != nil:
		return authn.Credentials{Provider: authn.ProviderFacebook, Token: r.GetFacebook().GetAccessToken()}
	}
	// Only logins carry custom-function credentials: linking one is not offered.
	if l, ok := r.(*lanyardv1.LoginRequest); ok && l.GetCustomFunction() != nil {
		return authn.Credentials{Provider: authn.ProviderCustomFunction, Payload: l.GetCustomFunction().GetPayload().AsMap()}
	}
	return authn.Credentials{}
}

// peerHost is the caller's address without the port, for failed-login limits.
func peerHost(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	if host, _, err := net.SplitHostPort(p.Addr.String()); err == nil {
		return host
	}
	return p.Addr.String()
}

func (h *Service) Login(ctx context.Context, req *lanyardv1.LoginRequest) (*lanyardv1.LoginResponse, error) {
	res, err := h.auth.Login(ctx, authn.LoginRequest{
		Credentials: toCredentials(req),
		DeviceID:    req.GetDevice().GetDeviceId(),
		Peer:        peerHost(ctx),
		Rotating:    true,
	})
	if err != nil {
		return nil, err
	}
	return &lanyardv1.LoginResponse{
		AccessToken:  res.AccessToken,
		RefreshToken: res.RefreshToken,
		UserId:       res.User.ID,
		DeviceId:     res.DeviceID,
		User:         rpc.User(res.User, res.Identities),
	}, nil
}

func (h *Service) LinkIdentity(ctx context.Context, req *lanyardv1.LinkIdentityRequest) (*lanyardv1.LinkIdentityResponse, error) {
	return rpc.Authed(h.linkIdentity)(ctx, req)
}

func (h *Service) linkIdentity(ctx context.Context, p *authn.Principal, req *lanyardv1.LinkIdentityRequest) (*lanyardv1.LinkIdentityResponse, error) {
	u, idents, err := h.auth.LinkIdentity(ctx, p, toCredentials(linkRequest{req}), peerHost(ctx))
	if err != nil {
		return nil, err
	}
	return &lanyardv1.LinkIdentityResponse{User: rpc.User(u, idents)}, nil
}

func (h *Service) RefreshSession(ctx context.Context, req *lanyardv1.RefreshSessionRequest) (*lanyardv1.RefreshSessionResponse, error) {
	t, err := h.auth.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RefreshSessionResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}, nil
}

func (h *Service) Logout(ctx context.Context, req *lanyardv1.LogoutRequest) (*lanyardv1.LogoutResponse, error) {
	return &lanyardv1.LogoutResponse{}, h.auth.Logout(ctx, req.GetRefreshToken())
}
