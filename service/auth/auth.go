package auth

import (
	"context"
	"net"

	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/structwire"
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

func (h *Service) RegisterUser(ctx context.Context, req *lanyardv1.RegisterUserRequest) (*lanyardv1.RegisterUserResponse, error) {
	confirmed, err := h.auth.Register(ctx, req.GetEmail(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RegisterUserResponse{Confirmed: confirmed}, nil
}

func (h *Service) ConfirmUser(ctx context.Context, req *lanyardv1.ConfirmUserRequest) (*lanyardv1.ConfirmUserResponse, error) {
	return &lanyardv1.ConfirmUserResponse{}, h.auth.Confirm(ctx, req.GetToken(), req.GetTokenId())
}

func (h *Service) ResendConfirmation(ctx context.Context, req *lanyardv1.ResendConfirmationRequest) (*lanyardv1.ResendConfirmationResponse, error) {
	return &lanyardv1.ResendConfirmationResponse{}, h.auth.ResendConfirmation(ctx, req.GetEmail())
}

func (h *Service) SendPasswordReset(ctx context.Context, req *lanyardv1.SendPasswordResetRequest) (*lanyardv1.SendPasswordResetResponse, error) {
	return &lanyardv1.SendPasswordResetResponse{}, h.auth.SendPasswordReset(ctx, req.GetEmail())
}

func (h *Service) ResetPassword(ctx context.Context, req *lanyardv1.ResetPasswordRequest) (*lanyardv1.ResetPasswordResponse, error) {
	return &lanyardv1.ResetPasswordResponse{}, h.auth.ResetPassword(ctx, req.GetToken(), req.GetTokenId(), req.GetPassword())
}

func (h *Service) DeleteMe(ctx context.Context, req *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return rpc.Authed(h.deleteMe)(ctx, req)
}

func (h *Service) deleteMe(ctx context.Context, p *authn.Principal, _ *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return &lanyardv1.DeleteMeResponse{}, h.auth.DeleteUser(ctx, p.UserID)
}

func (h *Service) CreateApiKey(ctx context.Context, req *lanyardv1.CreateApiKeyRequest) (*lanyardv1.CreateApiKeyResponse, error) {
	return rpc.Authed(h.createApiKey)(ctx, req)
}

func (h *Service) createApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.CreateApiKeyRequest) (*lanyardv1.CreateApiKeyResponse, error) {
	k, secret, err := h.auth.CreateAPIKey(ctx, p.UserID, req.GetName())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.CreateApiKeyResponse{ApiKey: rpc.APIKey(k), Key: secret}, nil
}

func (h *Service) ListApiKeys(ctx context.Context, req *lanyardv1.ListApiKeysRequest) (*lanyardv1.ListApiKeysResponse, error) {
	return rpc.Authed(h.listApiKeys)(ctx, req)
}

func (h *Service) listApiKeys(ctx context.Context, p *authn.Principal, _ *lanyardv1.ListApiKeysRequest) (*lanyardv1.ListApiKeysResponse, error) {
	keys, err := h.store.ListAPIKeys(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	resp := &lanyardv1.ListApiKeysResponse{}
	for _, k := range keys {
		resp.ApiKeys = append(resp.ApiKeys, rpc.APIKey(k))
	}
	return resp, nil
}

func (h *Service) DeleteApiKey(ctx context.Context, req *lanyardv1.DeleteApiKeyRequest) (*lanyardv1.DeleteApiKeyResponse, error) {
	return rpc.Authed(h.deleteApiKey)(ctx, req)
}

func (h *Service) deleteApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.DeleteApiKeyRequest) (*lanyardv1.DeleteApiKeyResponse, error) {
	return &lanyardv1.DeleteApiKeyResponse{}, h.store.DeleteAPIKey(ctx, p.UserID, req.GetId())
}

func (h *Service) EnableApiKey(ctx context.Context, req *lanyardv1.EnableApiKeyRequest) (*lanyardv1.EnableApiKeyResponse, error) {
	return rpc.Authed(h.enableApiKey)(ctx, req)
}

func (h *Service) enableApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.EnableApiKeyRequest) (*lanyardv1.EnableApiKeyResponse, error) {
	return &lanyardv1.EnableApiKeyResponse{}, h.store.SetAPIKeyDisabled(ctx, p.UserID, req.GetId(), false)
}

func (h *Service) DisableApiKey(ctx context.Context, req *lanyardv1.DisableApiKeyRequest) (*lanyardv1.DisableApiKeyResponse, error) {
	return rpc.Authed(h.disableApiKey)(ctx, req)
}

func (h *Service) disableApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.DisableApiKeyRequest) (*lanyardv1.DisableApiKeyResponse, error) {
	return &lanyardv1.DisableApiKeyResponse{}, h.store.SetAPIKeyDisabled(ctx, p.UserID, req.GetId(), true)
}

func (h *Service) GetJwks(context.Context, *lanyardv1.GetJwksRequest) (*lanyardv1.GetJwksResponse, error) {
	return h.jwks.load(h.auth, h.log), nil
}

// whoAmIUserData is the number of WhoAmIResponse's user_data field, from its descriptor.
var whoAmIUserData = (&lanyardv1.WhoAmIResponse{}).ProtoReflect().Descriptor().Fields().ByName("user_data").Number()

func (h *Service) WhoAmI(ctx context.Context, req *lanyardv1.WhoAmIRequest) (*lanyardv1.WhoAmIResponse, error) {
	return rpc.Authed(h.whoAmI)(ctx, req)
}

func (h *Service) whoAmI(ctx context.Context, p *authn.Principal, _ *lanyardv1.WhoAmIRequest) (*lanyardv1.WhoAmIResponse, error) {
	resp := &lanyardv1.WhoAmIResponse{
		UserId:          p.UserID,
		UserType:        p.UserType,
		SessionId:       p.SessionID,
		TokenId:         p.TokenID,
		DeviceId:        p.DeviceID,
		IssueTime:       timestamppb.New(p.IssuedAt),
		ExpireTime:      timestamppb.New(p.ExpiresAt),
		UserDataOmitted: p.Claims.UserDataOmitted,
	}
	// The document goes from the token's JSON straight to the user_data field's wire encoding, which
	// rides as the message's unknown fields: proto.Marshal writes those as they are, so the client
	// decodes them as user_data. Decoding the JSON into a map and building a Struct of it cost a 4 KB
	// document thousands of allocations on every call (BENCHMARKS.md, "WhoAmI and the document").
	userData, err := structwire.AppendField(nil, whoAmIUserData, p.UserData())
	if err != nil {
		return nil, err
	}
	resp.ProtoReflect().SetUnknown(userData)
	if p.Claims.UserMetadata != nil {
		if resp.UserMetadata, err = structpb.NewStruct(p.Claims.UserMetadata); err != nil {
			return nil, err
		}
	}
	return resp, nil
}
