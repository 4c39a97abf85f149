package admin

import (
	"context"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

func (h *Service) RotateSigningKey(ctx context.Context, _ *lanyardv1.RotateSigningKeyRequest) (*lanyardv1.RotateSigningKeyResponse, error) {
	kid, err := h.auth.RotateSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return &lanyardv1.RotateSigningKeyResponse{Kid: kid}, nil
}
