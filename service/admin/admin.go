package admin

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

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

func (h *Service) RotateSigningKey(ctx context.Context, _ *lanyardv1.RotateSigningKeyRequest) (*lanyardv1.RotateSigningKeyResponse, error) {
	kid, err := h.auth.RotateSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RotateSigningKeyResponse{Kid: kid}, nil
}

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
		resp.Users = append(resp.Users, &lanyardv1.ShadowedCustomData{UserId: u.UserID, WinningId: u.DocumentIDs[0], DocumentIds: u.DocumentIDs})
	}
	return resp, nil
}

// eventTypes maps stored event types to the API's.
var eventTypes = map[string]lanyardv1.AuthEventType{
	store.EventCreate: lanyardv1.AuthEventType_AUTH_EVENT_TYPE_CREATE,
	store.EventLogin:  lanyardv1.AuthEventType_AUTH_EVENT_TYPE_LOGIN,
	store.EventDelete: lanyardv1.AuthEventType_AUTH_EVENT_TYPE_DELETE,
}

// WatchAuthEvents sends the stored events after the given id, then polls for new ones. Events are
// durable and numbered without gaps across replicas, so a client that resumes after the last id it
// processed misses nothing (at-least-once: it may see its last event again if it saved the id late).
func (h *Service) WatchAuthEvents(req *lanyardv1.WatchAuthEventsRequest, stream grpc.ServerStreamingServer[lanyardv1.WatchAuthEventsResponse]) error {
	ctx := stream.Context()
	var after int64
	if req.GetAfterEventId() != "" {
		after, _ = strconv.ParseInt(req.GetAfterEventId(), 10, 64) // validated
	}
	tick := time.NewTicker(h.pollInterval)
	defer tick.Stop()
	for {
		events, err := h.store.EventsAfter(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := stream.Send(&lanyardv1.WatchAuthEventsResponse{EventId: strconv.FormatInt(e.Seq, 10), Type: eventTypes[e.Type],
				UserId: e.UserID, Providers: e.Providers, Time: timestamppb.New(e.At)}); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(events) == 500 {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.stopping:
			return rpc.NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the server is stopping; resume elsewhere")
		case <-tick.C:
		}
	}
}
