package rpc

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// ErrCustomDataDisabled answers the custom data methods of a server that keeps none.
var ErrCustomDataDisabled = NewError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND,
	"custom user data is not enabled on this server", "resource", "custom_data")

// TargetUser resolves the optional user_id of a request: empty means the caller; another user's id is
// for server principals only.
func TargetUser(ctx context.Context, requested string) (string, error) {
	p, err := Caller(ctx)
	if err != nil {
		return "", err
	}
	if requested == "" || requested == p.UserID {
		return p.UserID, nil
	}
	if !p.IsServer() {
		return "", NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED,
			"only server principals may name another user")
	}
	return requested, nil
}

// NotFound names the missing resource in the error metadata.
func NotFound(err error, resource string) error {
	if errors.Is(err, store.ErrNotFound) {
		return NewError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND, resource+" not found", "resource", resource)
	}
	return err
}

// User is a stored user and its identities as the API shows them.
func User(u *store.User, idents []*store.Identity) *lanyardv1.User {
	out := &lanyardv1.User{
		UserId:     u.ID,
		Type:       u.Type,
		Data:       Struct(u.Data),
		CreateTime: timestamppb.New(u.CreatedAt),
		Disabled:   u.Disabled,
	}
	if !u.LastLoginAt.IsZero() {
		out.LastLoginTime = timestamppb.New(u.LastLoginAt)
	}
	for _, id := range idents {
		out.Identities = append(out.Identities, Identity(id))
	}
	return out
}

// Identity is a stored identity as the API shows it.
func Identity(id *store.Identity) *lanyardv1.Identity {
	return &lanyardv1.Identity{Id: id.ID, ProviderType: id.ProviderType, ProviderId: id.ProviderID, Data: Struct(id.Data)}
}

// Struct converts provider metadata (JSON values only) to a Struct; values that are not JSON are left
// out rather than failing a login.
func Struct(m map[string]any) *structpb.Struct {
	st := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range m {
		if pv, err := structpb.NewValue(v); err == nil {
			st.Fields[k] = pv
		}
	}
	return st
}

// APIKey is a stored API key as the API shows it (never its secret).
func APIKey(k *store.APIKey) *lanyardv1.ApiKey {
	return &lanyardv1.ApiKey{Id: k.ID, Name: k.Name, Disabled: k.Disabled, CreateTime: timestamppb.New(k.CreatedAt)}
}
