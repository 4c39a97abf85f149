package server

import (
	"context"
	"encoding/json"
	"net"

	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/structwire"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
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

func (h *authService) Login(ctx context.Context, req *lanyardv1.LoginRequest) (*lanyardv1.LoginResponse, error) {
	res, err := h.s.auth.Login(ctx, authn.LoginRequest{
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
		User:         toUser(res.User, res.Identities),
	}, nil
}

func (h *authService) LinkIdentity(ctx context.Context, req *lanyardv1.LinkIdentityRequest) (*lanyardv1.LinkIdentityResponse, error) {
	return rpc.Authed(h.linkIdentity)(ctx, req)
}

func (h *authService) linkIdentity(ctx context.Context, p *authn.Principal, req *lanyardv1.LinkIdentityRequest) (*lanyardv1.LinkIdentityResponse, error) {
	u, idents, err := h.s.auth.LinkIdentity(ctx, p, toCredentials(linkRequest{req}), peerHost(ctx))
	if err != nil {
		return nil, err
	}
	return &lanyardv1.LinkIdentityResponse{User: toUser(u, idents)}, nil
}

func (h *authService) RefreshSession(ctx context.Context, req *lanyardv1.RefreshSessionRequest) (*lanyardv1.RefreshSessionResponse, error) {
	t, err := h.s.auth.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RefreshSessionResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}, nil
}

func (h *authService) Logout(ctx context.Context, req *lanyardv1.LogoutRequest) (*lanyardv1.LogoutResponse, error) {
	return &lanyardv1.LogoutResponse{}, h.s.auth.Logout(ctx, req.GetRefreshToken())
}

func (h *authService) RegisterUser(ctx context.Context, req *lanyardv1.RegisterUserRequest) (*lanyardv1.RegisterUserResponse, error) {
	confirmed, err := h.s.auth.Register(ctx, req.GetEmail(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RegisterUserResponse{Confirmed: confirmed}, nil
}

func (h *authService) ConfirmUser(ctx context.Context, req *lanyardv1.ConfirmUserRequest) (*lanyardv1.ConfirmUserResponse, error) {
	return &lanyardv1.ConfirmUserResponse{}, h.s.auth.Confirm(ctx, req.GetToken(), req.GetTokenId())
}

func (h *authService) ResendConfirmation(ctx context.Context, req *lanyardv1.ResendConfirmationRequest) (*lanyardv1.ResendConfirmationResponse, error) {
	return &lanyardv1.ResendConfirmationResponse{}, h.s.auth.ResendConfirmation(ctx, req.GetEmail())
}

func (h *authService) SendPasswordReset(ctx context.Context, req *lanyardv1.SendPasswordResetRequest) (*lanyardv1.SendPasswordResetResponse, error) {
	return &lanyardv1.SendPasswordResetResponse{}, h.s.auth.SendPasswordReset(ctx, req.GetEmail())
}

func (h *authService) ResetPassword(ctx context.Context, req *lanyardv1.ResetPasswordRequest) (*lanyardv1.ResetPasswordResponse, error) {
	return &lanyardv1.ResetPasswordResponse{}, h.s.auth.ResetPassword(ctx, req.GetToken(), req.GetTokenId(), req.GetPassword())
}

func (h *authService) DeleteMe(ctx context.Context, req *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return rpc.Authed(h.deleteMe)(ctx, req)
}

func (h *authService) deleteMe(ctx context.Context, p *authn.Principal, _ *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return &lanyardv1.DeleteMeResponse{}, h.s.auth.DeleteUser(ctx, p.UserID)
}

func (h *authService) CreateApiKey(ctx context.Context, req *lanyardv1.CreateApiKeyRequest) (*lanyardv1.CreateApiKeyResponse, error) {
	return rpc.Authed(h.createApiKey)(ctx, req)
}

func (h *authService) createApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.CreateApiKeyRequest) (*lanyardv1.CreateApiKeyResponse, error) {
	k, secret, err := h.s.auth.CreateAPIKey(ctx, p.UserID, req.GetName())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.CreateApiKeyResponse{ApiKey: toAPIKey(k), Key: secret}, nil
}

func (h *authService) ListApiKeys(ctx context.Context, req *lanyardv1.ListApiKeysRequest) (*lanyardv1.ListApiKeysResponse, error) {
	return rpc.Authed(h.listApiKeys)(ctx, req)
}

func (h *authService) listApiKeys(ctx context.Context, p *authn.Principal, _ *lanyardv1.ListApiKeysRequest) (*lanyardv1.ListApiKeysResponse, error) {
	keys, err := h.s.store.ListAPIKeys(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	resp := &lanyardv1.ListApiKeysResponse{}
	for _, k := range keys {
		resp.ApiKeys = append(resp.ApiKeys, toAPIKey(k))
	}
	return resp, nil
}

func (h *authService) DeleteApiKey(ctx context.Context, req *lanyardv1.DeleteApiKeyRequest) (*lanyardv1.DeleteApiKeyResponse, error) {
	return rpc.Authed(h.deleteApiKey)(ctx, req)
}

func (h *authService) deleteApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.DeleteApiKeyRequest) (*lanyardv1.DeleteApiKeyResponse, error) {
	return &lanyardv1.DeleteApiKeyResponse{}, h.s.store.DeleteAPIKey(ctx, p.UserID, req.GetId())
}

func (h *authService) EnableApiKey(ctx context.Context, req *lanyardv1.EnableApiKeyRequest) (*lanyardv1.EnableApiKeyResponse, error) {
	return rpc.Authed(h.enableApiKey)(ctx, req)
}

func (h *authService) enableApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.EnableApiKeyRequest) (*lanyardv1.EnableApiKeyResponse, error) {
	return &lanyardv1.EnableApiKeyResponse{}, h.s.store.SetAPIKeyDisabled(ctx, p.UserID, req.GetId(), false)
}

func (h *authService) DisableApiKey(ctx context.Context, req *lanyardv1.DisableApiKeyRequest) (*lanyardv1.DisableApiKeyResponse, error) {
	return rpc.Authed(h.disableApiKey)(ctx, req)
}

func (h *authService) disableApiKey(ctx context.Context, p *authn.Principal, req *lanyardv1.DisableApiKeyRequest) (*lanyardv1.DisableApiKeyResponse, error) {
	return &lanyardv1.DisableApiKeyResponse{}, h.s.store.SetAPIKeyDisabled(ctx, p.UserID, req.GetId(), true)
}

func (h *authService) GetJwks(context.Context, *lanyardv1.GetJwksRequest) (*lanyardv1.GetJwksResponse, error) {
	return h.s.jwks.Load(h.s), nil
}

// whoAmIUserData is the number of WhoAmIResponse's user_data field, from its descriptor.
var whoAmIUserData = (&lanyardv1.WhoAmIResponse{}).ProtoReflect().Descriptor().Fields().ByName("user_data").Number()

func (h *authService) WhoAmI(ctx context.Context, req *lanyardv1.WhoAmIRequest) (*lanyardv1.WhoAmIResponse, error) {
	return rpc.Authed(h.whoAmI)(ctx, req)
}

func (h *authService) whoAmI(ctx context.Context, p *authn.Principal, _ *lanyardv1.WhoAmIRequest) (*lanyardv1.WhoAmIResponse, error) {
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

// jsonStruct decodes a JSON object into a Struct. encoding/json and structpb are several times faster
// than protojson here, and an empty document (most tokens) costs nothing.
func jsonStruct(raw json.RawMessage) (*structpb.Struct, error) {
	if len(raw) == 0 || string(raw) == "{}" {
		return &structpb.Struct{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

func toUser(u *store.User, idents []*store.Identity) *lanyardv1.User {
	out := &lanyardv1.User{
		UserId:     u.ID,
		Type:       u.Type,
		Data:       toStruct(u.Data),
		CreateTime: timestamppb.New(u.CreatedAt),
		Disabled:   u.Disabled,
	}
	if !u.LastLoginAt.IsZero() {
		out.LastLoginTime = timestamppb.New(u.LastLoginAt)
	}
	for _, id := range idents {
		out.Identities = append(out.Identities, toIdentity(id))
	}
	return out
}

func toIdentity(id *store.Identity) *lanyardv1.Identity {
	return &lanyardv1.Identity{Id: id.ID, ProviderType: id.ProviderType, ProviderId: id.ProviderID, Data: toStruct(id.Data)}
}

// toStruct converts provider metadata (JSON values only) to a Struct; values that are not JSON are left
// out rather than failing a login.
func toStruct(m map[string]any) *structpb.Struct {
	st := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range m {
		if pv, err := structpb.NewValue(v); err == nil {
			st.Fields[k] = pv
		}
	}
	return st
}

func toAPIKey(k *store.APIKey) *lanyardv1.ApiKey {
	return &lanyardv1.ApiKey{Id: k.ID, Name: k.Name, Disabled: k.Disabled, CreateTime: timestamppb.New(k.CreatedAt)}
}
