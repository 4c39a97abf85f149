package server

import (
	"context"
	"errors"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

func (h *adminService) GetUser(ctx context.Context, req *lanyardv1.GetUserRequest) (*lanyardv1.GetUserResponse, error) {
	u, err := h.s.userWithIdentities(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.GetUserResponse{User: u}, nil
}

// userWithIdentities reads a user and its identities.
func (s *Server) userWithIdentities(ctx context.Context, id string) (*lanyardv1.User, error) {
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return nil, notFound(err, "user")
	}
	idents, err := s.store.ListIdentities(ctx, id)
	if err != nil {
		return nil, err
	}
	return toUser(u, idents), nil
}

// notFound names the missing resource in the error metadata.
func notFound(err error, resource string) error {
	if errors.Is(err, store.ErrNotFound) {
		return rpc.NewError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND, resource+" not found", "resource", resource)
	}
	return err
}

func (h *adminService) ListUsers(ctx context.Context, req *lanyardv1.ListUsersRequest) (*lanyardv1.ListUsersResponse, error) {
	size := pageSize(req.GetPageSize())
	users, err := h.s.store.ListUsers(ctx, req.GetPageToken(), size+1)
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
	idents, err := h.s.store.ListIdentities(ctx, ids...)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]*store.Identity{}
	for _, id := range idents {
		byUser[id.UserID] = append(byUser[id.UserID], id)
	}
	for _, u := range users {
		resp.Users = append(resp.Users, toUser(u, byUser[u.ID]))
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

func (h *adminService) DisableUser(ctx context.Context, req *lanyardv1.DisableUserRequest) (*lanyardv1.DisableUserResponse, error) {
	return &lanyardv1.DisableUserResponse{}, notFound(h.s.auth.SetUserDisabled(ctx, req.GetUserId(), true), "user")
}

func (h *adminService) EnableUser(ctx context.Context, req *lanyardv1.EnableUserRequest) (*lanyardv1.EnableUserResponse, error) {
	return &lanyardv1.EnableUserResponse{}, notFound(h.s.auth.SetUserDisabled(ctx, req.GetUserId(), false), "user")
}

func (h *adminService) DeleteUser(ctx context.Context, req *lanyardv1.DeleteUserRequest) (*lanyardv1.DeleteUserResponse, error) {
	return &lanyardv1.DeleteUserResponse{}, notFound(h.s.auth.DeleteUser(ctx, req.GetUserId()), "user")
}

func (h *adminService) RevokeSessions(ctx context.Context, req *lanyardv1.RevokeSessionsRequest) (*lanyardv1.RevokeSessionsResponse, error) {
	n, err := h.s.auth.RevokeSessions(ctx, req.GetUserId())
	if err != nil {
		return nil, notFound(err, "user")
	}
	return &lanyardv1.RevokeSessionsResponse{Revoked: int32(n)}, nil
}

func (h *adminService) RotateSigningKey(ctx context.Context, _ *lanyardv1.RotateSigningKeyRequest) (*lanyardv1.RotateSigningKeyResponse, error) {
	kid, err := h.s.auth.RotateSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RotateSigningKeyResponse{Kid: kid}, nil
}

func (h *metadataService) GetProfile(ctx context.Context, req *lanyardv1.GetProfileRequest) (*lanyardv1.GetProfileResponse, error) {
	id, err := targetUser(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	su, idents, err := h.s.store.UserWithIdentities(ctx, id)
	if err != nil {
		return nil, notFound(err, "user")
	}
	u := toUser(su, idents)
	return &lanyardv1.GetProfileResponse{Profile: &lanyardv1.Profile{
		UserId:        u.UserId,
		Type:          u.Type,
		Data:          u.Data,
		Identities:    u.Identities,
		CreateTime:    u.CreateTime,
		LastLoginTime: u.LastLoginTime,
	}}, nil
}

// targetUser resolves the optional user_id of a request: empty means the caller; another user's id is
// for server principals only.
func targetUser(ctx context.Context, requested string) (string, error) {
	p, err := rpc.Caller(ctx)
	if err != nil {
		return "", err
	}
	if requested == "" || requested == p.UserID {
		return p.UserID, nil
	}
	if !p.IsServer() {
		return "", rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED,
			"only server principals may name another user")
	}
	return requested, nil
}

func (h *adminService) ListShadowedCustomData(ctx context.Context, req *lanyardv1.ListShadowedCustomDataRequest) (*lanyardv1.ListShadowedCustomDataResponse, error) {
	if !h.s.cfg.CustomDataEnabled {
		return nil, errCustomDataDisabled
	}
	size := pageSize(req.GetPageSize())
	users, err := h.s.store.ListShadowedCustomData(ctx, req.GetPageToken(), size+1)
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
func (h *adminService) WatchAuthEvents(req *lanyardv1.WatchAuthEventsRequest, stream grpc.ServerStreamingServer[lanyardv1.WatchAuthEventsResponse]) error {
	ctx := stream.Context()
	var after int64
	if req.GetAfterEventId() != "" {
		after, _ = strconv.ParseInt(req.GetAfterEventId(), 10, 64) // validated
	}
	tick := time.NewTicker(h.s.cfg.CustomDataPollInterval)
	defer tick.Stop()
	for {
		events, err := h.s.store.EventsAfter(ctx, after, 500)
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
		case <-h.s.watch.stopping:
			return rpc.NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the server is stopping; resume elsewhere")
		case <-tick.C:
		}
	}
}
