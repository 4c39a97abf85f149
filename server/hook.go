package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/lanyardhq/lanyard/authn"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// userCreationHook calls the operator's UserCreationHookService before each new user exists. Any
// failure — a refusal, a timeout, an unreachable hook — refuses the user with HOOK_FAILED; a refusal
// carries the hook's own message, which is meant for the end user.
type userCreationHook struct {
	client  hooksv1.UserCreationHookServiceClient
	appID   string
	timeout time.Duration
}

func newUserCreationHook(target, appID string, timeout time.Duration) (*userCreationHook, *grpc.ClientConn, error) {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, fmt.Errorf("LANYARD_CUSTOM_DATA_ON_USER_CREATION: %v", err)
	}
	return &userCreationHook{client: hooksv1.NewUserCreationHookServiceClient(conn), appID: appID, timeout: timeout}, conn, nil
}

func hookFailed(msg string) error {
	return newError(codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED, msg)
}

func (h *userCreationHook) call(ctx context.Context, u *authn.NewUser) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req := &hooksv1.OnUserCreationRequest{UserId: u.UserID, Type: u.Type, ProviderType: u.ProviderType, ProviderId: u.ProviderID,
		Data: toStruct(u.Data), AppId: h.appID}
	resp, err := h.client.OnUserCreation(ctx, req)
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		return nil, hookFailed("the user creation hook did not answer in time; the user was not created")
	case status.Code(err) == codes.Unavailable:
		// grpc-go's own text for a failed connection names addresses: never pass it on.
		return nil, hookFailed("the user creation hook is unavailable; the user was not created")
	default:
		return nil, hookFailed("the user was not created: " + status.Convert(err).Message())
	}
	if resp.GetCustomData() == nil {
		return nil, nil
	}
	raw, err := protojson.Marshal(resp.GetCustomData())
	if err != nil {
		return nil, hookFailed("the user creation hook returned a document that is not JSON")
	}
	return raw, nil
}
