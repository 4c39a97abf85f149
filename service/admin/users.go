package admin

import (
	"context"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

func (h *Service) GetUser(ctx context.Context, req *lanyardv1.GetUserRequest) (*lanyardv1.GetUserResponse, error) {
	u, err := h.userWithIdentities(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.GetUserResponse{User: u}, nil
}

// userWithIdentities reads a user and its identities.
func (h *Service) userWithIdentities(ctx context.Context, id string) (*lanyardv1.User, error) {
	u, err := h.store.GetUser(ctx, id)
	if err != nil {
		return nil, rpc.NotFound(err, "user")
	}
	idents, err := h.store.ListIdentities(ctx, id)
	if err != nil {
		return nil, err
	}
	return rpc.User(u, idents), nil
}

func (h *Service) ListUsers(ctx context.Context, req *lanyardv1.ListUsersRequest) (*lanyardv1.ListUsersResponse, error) {
	size := pageSize(req.GetPageSize())
	users, err := h.store.ListUsers(ctx, req.GetPageToken(), size+1)
	if err != nil {
		return nil, err
	}
	resp := &lanyardv1.ListUsersResponse{}
	if len(users) > size {
		users = users[:size]
		resp.NextPageToken = users[size-1].ID
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	idents, err := h.store.ListIdentities(ctx, ids...)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]*store.Identity{}
	for _, id := range idents {
		byUser[id.UserID] = append(byUser[id.UserID], id)
	}
	for _, u := range users {
		resp.Users = append(resp.Users, rpc.User(u, byUser[u.ID]))
	}
	return resp, nil
}

// pageSize applies the default to a validated page size.
func pageSize(n int32) int {
	if n == 0 {
		return 100
	}
	return int(n)
}

func (h *Service) DisableUser(ctx context.Context, req *lanyardv1.DisableUserRequest) (*lanyardv1.DisableUserResponse, error) {
	return &lanyardv1.DisableUserResponse{}, rpc.NotFound(h.auth.SetUserDisabled(ctx, req.GetUserId(), true), "user")
}

func (h *Service) EnableUser(ctx context.Context, req *lanyardv1.EnableUserRequest) (*lanyardv1.EnableUserResponse, error) {
	return &lanyardv1.EnableUserResponse{}, rpc.NotFound(h.auth.SetUserDisabled(ctx, req.GetUserId(), false), "user")
}

func (h *Service) DeleteUser(ctx context.Context, req *lanyardv1.DeleteUserRequest) (*lanyardv1.DeleteUserResponse, error) {
	return &lanyardv1.DeleteUserResponse{}, rpc.NotFound(h.auth.DeleteUser(ctx, req.GetUserId()), "user")
}

func (h *Service) RevokeSessions(ctx context.Context, req *lanyardv1.RevokeSessionsRequest) (*lanyardv1.RevokeSessionsResponse, error) {
	n, err := h.auth.RevokeSessions(ctx, req.GetUserId())
	if err != nil {
		return nil, rpc.NotFound(err, "user")
	}
	return &lanyardv1.RevokeSessionsResponse{Revoked: int32(n)}, nil
}
