package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// errorDomain is the ErrorInfo domain of every error Lanyard returns.
const errorDomain = "lanyard"

// apiError is a failure the API reports as is: a code, a reason clients switch on, a message safe to
// show, and optional details. Handlers build them with the helpers below; everything else is mapped by
// toStatus.
type apiError struct {
	code       codes.Code
	reason     lanyardv1.ErrorReason
	msg        string
	meta       map[string]string
	violations []*errdetails.BadRequest_FieldViolation
}

func (e *apiError) Error() string { return e.msg }

// GRPCStatus lets grpc-go and status.FromError read an apiError directly.
func (e *apiError) GRPCStatus() *status.Status {
	st := status.New(e.code, e.msg)
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: reasonName(e.reason), Domain: errorDomain, Metadata: e.meta}}
	if len(e.violations) > 0 {
		details = append(details, &errdetails.BadRequest{FieldViolations: e.violations})
	}
	if withDetails, err := st.WithDetails(details...); err == nil {
		return withDetails
	}
	return st
}

// reasonName is the ErrorInfo reason of r: its enum name without the ERROR_REASON_ prefix.
func reasonName(r lanyardv1.ErrorReason) string {
	return strings.TrimPrefix(r.String(), "ERROR_REASON_")
}

// newError builds an apiError; meta is key, value pairs.
func newError(code codes.Code, reason lanyardv1.ErrorReason, msg string, meta ...string) *apiError {
	e := &apiError{code: code, reason: reason, msg: msg}
	if len(meta) > 0 {
		e.meta = make(map[string]string, len(meta)/2)
		for i := 0; i+1 < len(meta); i += 2 {
			e.meta[meta[i]] = meta[i+1]
		}
	}
	return e
}

// violations collects invalid fields of one request; err() is nil when there are none.
type violations []*errdetails.BadRequest_FieldViolation

func (v *violations) add(field, description string) {
	*v = append(*v, &errdetails.BadRequest_FieldViolation{Field: field, Description: description})
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	msg := "invalid " + v[0].Field + ": " + v[0].Description
	if len(v) > 1 {
		msg += " (and more; see BadRequest details)"
	}
	return &apiError{code: codes.InvalidArgument, reason: lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, msg: msg, violations: v}
}

// codeReasons gives the reason attached to a status that arrives without one (from grpc-go itself or an
// embedded Unimplemented server), so that every error a client sees carries an ErrorInfo.
var codeReasons = map[codes.Code]lanyardv1.ErrorReason{
	codes.Unimplemented:    lanyardv1.ErrorReason_ERROR_REASON_NOT_IMPLEMENTED,
	codes.Canceled:         lanyardv1.ErrorReason_ERROR_REASON_CANCELLED,
	codes.DeadlineExceeded: lanyardv1.ErrorReason_ERROR_REASON_CANCELLED,
	codes.Unavailable:      lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE,
	codes.InvalidArgument:  lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT,
	codes.Unauthenticated:  lanyardv1.ErrorReason_ERROR_REASON_TOKEN_INVALID,
	codes.NotFound:         lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND,
}

// toStatus is the one place where errors become gRPC statuses. Domain sentinels of store and authn map to
// codes and reasons; errors that already carry a Lanyard status pass through; anything unexpected becomes
// INTERNAL with only the request id in it, and the original is logged under that id.
func toStatus(ctx context.Context, log *slog.Logger, err error) *status.Status {
	var api *apiError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &api):
		return api.GRPCStatus()
	case errors.Is(err, context.Canceled):
		return newError(codes.Canceled, lanyardv1.ErrorReason_ERROR_REASON_CANCELLED, "the call was cancelled").GRPCStatus()
	case errors.Is(err, context.DeadlineExceeded):
		return newError(codes.DeadlineExceeded, lanyardv1.ErrorReason_ERROR_REASON_CANCELLED, "the call's deadline passed").GRPCStatus()
	case errors.Is(err, store.ErrUnavailable):
		return newError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_STORE_UNAVAILABLE, "the store is unreachable; retry later").GRPCStatus()
	case errors.Is(err, store.ErrNotFound):
		return newError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND, "not found").GRPCStatus()
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown && st.Code() != codes.Internal {
		if hasErrorInfo(st) {
			return st
		}
		if reason, ok := codeReasons[st.Code()]; ok {
			return newError(st.Code(), reason, st.Message()).GRPCStatus()
		}
	}
	id := requestIDFrom(ctx)
	log.ErrorContext(ctx, "internal error", "request_id", id, "error", err.Error())
	return newError(codes.Internal, lanyardv1.ErrorReason_ERROR_REASON_INTERNAL,
		"internal error; request id "+id, "request_id", id).GRPCStatus()
}

func hasErrorInfo(st *status.Status) bool {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			return true
		}
	}
	return false
}
