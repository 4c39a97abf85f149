package auth

import (
	"context"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

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
