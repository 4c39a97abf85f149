// Package hook is an example lanyard.hooks.v1.UserCreationHookService: the service an operator runs so
// that Lanyard can vet every new user, and give it its first custom data, before the user exists.
//
// Lanyard calls OnUserCreation with the user's final id, its first identity's provider and the
// provider metadata, under a deadline. Whatever this service answers decides the sign-up:
//
//   - a response: the user is created, and custom_data becomes its custom data document, so the first
//     access token already carries it;
//   - any error status: the sign-up fails with this status's message, and nothing is left behind.
//
// This example grants every user {"plan": "free", "created_by": "userhook", "provider": ..., "user_id": ...}
// and, to let callers exercise the failure paths, reacts to the metadata email's domain:
// @blocked.example is refused (FAILED_PRECONDITION), @slow.example never answers (it waits until the
// caller gives up), @down.example fails as an outage would (UNAVAILABLE).
package hook

import (
	"context"
	"log/slog"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
)

// Service implements hooksv1.UserCreationHookServiceServer. The zero value is ready to use.
type Service struct {
	hooksv1.UnimplementedUserCreationHookServiceServer

	// Plan is the plan new users start on; empty means "free".
	Plan string
	// Log receives one line per decision (user id and provider, never the email); nil means
	// slog.Default().
	Log *slog.Logger
}

var _ hooksv1.UserCreationHookServiceServer = (*Service)(nil)

// OnUserCreation decides on one new user.
func (s *Service) OnUserCreation(ctx context.Context, req *hooksv1.OnUserCreationRequest) (*hooksv1.OnUserCreationResponse, error) {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("user_id", req.GetUserId(), "provider", req.GetProviderType())
	if req.GetUserId() == "" {
		return nil, status.Error(codes.InvalidArgument, "user_id is required")
	}

	email := strings.ToLower(strings.TrimSpace(req.GetData().GetFields()["email"].GetStringValue()))
	switch {
	case strings.HasSuffix(email, "@blocked.example"):
		log.InfoContext(ctx, "sign-up refused", "reason", "blocked domain")
		return nil, status.Error(codes.FailedPrecondition, "sign-ups from blocked.example are closed")
	case strings.HasSuffix(email, "@slow.example"):
		log.InfoContext(ctx, "slow sign-up: waiting for the caller to give up")
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	case strings.HasSuffix(email, "@down.example"):
		log.WarnContext(ctx, "sign-up failed", "reason", "simulated outage")
		return nil, status.Error(codes.Unavailable, "hook is down")
	}

	plan := s.Plan
	if plan == "" {
		plan = "free"
	}
	data, err := structpb.NewStruct(map[string]any{
		"plan":       plan,
		"created_by": "userhook",
		"provider":   req.GetProviderType(),
		"user_id":    req.GetUserId(),
	})
	if err != nil { // only strings above: cannot happen, but never answer half a document
		log.ErrorContext(ctx, "building custom data", "err", err)
		return nil, status.Error(codes.Unavailable, "hook could not build the custom data")
	}
	log.InfoContext(ctx, "sign-up accepted", "plan", plan)
	return &hooksv1.OnUserCreationResponse{CustomData: data}, nil
}
