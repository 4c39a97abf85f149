package auth

import (
	"context"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

func (h *Service) RegisterUser(ctx context.Context, req *lanyardv1.RegisterUserRequest) (*lanyardv1.RegisterUserResponse, error) {
	confirmed, err := h.auth.Register(ctx, req.GetEmail(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RegisterUserResponse{Confirmed: confirmed}, nil
}

func (h *Service) ConfirmUser(ctx context.Context, req *lanyardv1.ConfirmUserRequest) (*lanyardv1.ConfirmUserResponse, error) {
	return &lanyardv1.ConfirmUserResponse{}, h.auth.Confirm(ctx, req.GetToken(), req.GetTokenId())
}

func (h *Service) ResendConfirmation(ctx context.Context, req *lanyardv1.ResendConfirmationRequest) (*lanyardv1.ResendConfirmationResponse, error) {
	return &lanyardv1.ResendConfirmationResponse{}, h.auth.ResendConfirmation(ctx, req.GetEmail())
}

func (h *Service) SendPasswordReset(ctx context.Context, req *lanyardv1.SendPasswordResetRequest) (*lanyardv1.SendPasswordResetResponse, error) {
	return &lanyardv1.SendPasswordResetResponse{}, h.auth.SendPasswordReset(ctx, req.GetEmail())
}

func (h *Service) ResetPassword(ctx context.Context, req *lanyardv1.ResetPasswordRequest) (*lanyardv1.ResetPasswordResponse, error) {
	return &lanyardv1.ResetPasswordResponse{}, h.auth.ResetPassword(ctx, req.GetToken(), req.GetTokenId(), req.GetPassword())
}

func (h *Service) RetryCustomConfirmation(ctx context.Context, req *lanyardv1.RetryCustomConfirmationRequest) (*lanyardv1.RetryCustomConfirmationResponse, error) {
	return &lanyardv1.RetryCustomConfirmationResponse{}, h.auth.RetryConfirmation(ctx, req.GetEmail())
}

func (h *Service) CallResetPasswordFunction(ctx context.Context, req *lanyardv1.CallResetPasswordFunctionRequest) (*lanyardv1.CallResetPasswordFunctionResponse, error) {
	return &lanyardv1.CallResetPasswordFunctionResponse{},
		h.auth.CallResetFunction(ctx, req.GetEmail(), req.GetPassword(), req.GetArguments().AsSlice())
}

func (h *Service) DeleteMe(ctx context.Context, req *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return rpc.Authed(h.deleteMe)(ctx, req)
}

func (h *Service) deleteMe(ctx context.Context, p *authn.Principal, _ *lanyardv1.DeleteMeRequest) (*lanyardv1.DeleteMeResponse, error) {
	return &lanyardv1.DeleteMeResponse{}, h.auth.DeleteUser(ctx, p.UserID)
}
