package metadata

import (
	"context"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

func (h *Service) GetProfile(ctx context.Context, req *lanyardv1.GetProfileRequest) (*lanyardv1.GetProfileResponse, error) {
	id, err := rpc.TargetUser(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	su, idents, err := h.store.UserWithIdentities(ctx, id)
	if err != nil {
		return nil, rpc.NotFound(err, "user")
	}
	u := rpc.User(su, idents)
	return &lanyardv1.GetProfileResponse{Profile: &lanyardv1.Profile{
		UserId:        u.UserId,
		Type:          u.Type,
		Data:          u.Data,
		Identities:    u.Identities,
		CreateTime:    u.CreateTime,
		LastLoginTime: u.LastLoginTime,
	}}, nil
}
