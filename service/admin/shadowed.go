package admin

import (
	"context"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

func (h *Service) ListShadowedCustomData(ctx context.Context, req *lanyardv1.ListShadowedCustomDataRequest) (*lanyardv1.ListShadowedCustomDataResponse, error) {
	if !h.customData {
		return nil, rpc.ErrCustomDataDisabled
	}
	size := pageSize(req.GetPageSize())
	users, err := h.store.ListShadowedCustomData(ctx, req.GetPageToken(), size+1)
	if err != nil {
		return nil, err
	}
	resp := &lanyardv1.ListShadowedCustomDataResponse{}
	if len(users) > size {
		users = users[:size]
		resp.NextPageToken = users[size-1].UserID
	}
	for _, u := range users {
		if len(u.DocumentIDs) == 0 {
			continue // shadowed means two documents or more; an entry without any is nothing to show
		}
		resp.Users = append(resp.Users, &lanyardv1.ShadowedCustomData{UserId: u.UserID, WinningId: u.DocumentIDs[0], DocumentIds: u.DocumentIDs})
	}
	return resp, nil
}
