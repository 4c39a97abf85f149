package auth

import (
	"context"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/structwire"
	"github.com/lanyardhq/lanyard/service/rpc"
)

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
