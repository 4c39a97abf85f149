// Package rpc holds what every service handler and the server share: the principal of an authenticated
// call, the record of a call (its request id), and the one mapping of errors to gRPC statuses.
package rpc

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/store"
)

// errorDomain is the ErrorInfo domain of every error Lanyard returns.
const errorDomain = "lanyard"

// Error is a failure the API reports as is: a code, a reason clients switch on, a message safe to
// show, and optional details. Handlers build them with the helpers below; everything else is mapped by
// Status.
type Error struct {
	code       codes.Code
	reason     lanyardv1.ErrorReason
	msg        string
	meta       map[string]string
	violations []*errdetails.BadRequest_FieldViolation
}

func (e *Error) Error() string { return e.msg }

// Reason is the reason clients switch on.
func (e *Error) Reason() lanyardv1.ErrorReason { return e.reason }

// GRPCStatus lets grpc-go and status.FromError read an Error directly.
func (e *Error) GRPCStatus() *status.Status {
	st := status.New(e.code, e.msg)
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: ReasonName(e.reason), Domain: errorDomain, Metadata: e.meta}}
	if len(e.violations) > 0 {
		details = append(details, &errdetails.BadRequest{FieldViolations: e.violations})
	}
	if withDetails, err := st.WithDetails(details...); err == nil {
		return withDetails
	}
	return st
}

// ReasonName is the ErrorInfo reason of r: its enum name without the ERROR_REASON_ prefix.
func ReasonName(r lanyardv1.ErrorReason) string {
	return strings.TrimPrefix(r.String(), "ERROR_REASON_")
}

// NewError builds an Error; meta is key, value pairs.
func NewError(code codes.Code, reason lanyardv1.ErrorReason, msg string, meta ...string) *Error {
	e := &Error{code: code, reason: reason, msg: msg}
	if len(meta) > 0 {
		e.meta = make(map[string]string, len(meta)/2)
		for i := 0; i+1 < len(meta); i += 2 {
			e.meta[meta[i]] = meta[i+1]
		}
	}
	return e
}

// Violations collects invalid fields of one request; Err() is nil when there are none.
type Violations []*errdetails.BadRequest_FieldViolation

func (v *Violations) Add(field, description string) {
	*v = append(*v, &errdetails.BadRequest_FieldViolation{Field: field, Description: description})
}

func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	msg := "invalid " + v[0].Field + ": " + v[0].Description
	if len(v) > 1 {
		msg += " (and more; see BadRequest details)"
	}
	return &Error{code: codes.InvalidArgument, reason: lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, msg: msg, violations: v}
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

// authnErrors maps authn's sentinels. An empty msg shows the error's own text, which authn writes to be
// safe to show; field names the request field a validation error is about.
var authnErrors = []struct {
	err    error
	code   codes.Code
	reason lanyardv1.ErrorReason
	msg    string
	field  string
}{
	{authn.ErrTokenMissing, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_MISSING, "no token was sent", ""},
	{authn.ErrTokenExpired, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_EXPIRED, "the token has expired", ""},
	{authn.ErrTokenInvalid, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_INVALID, "the token is not valid", ""},
	{authn.ErrSessionRevoked, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_SESSION_REVOKED, "the session has ended; log in again", ""},
	{authn.ErrSessionRotates, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_INVALID,
		"this refresh token belongs to a session opened through the gRPC API, whose refresh tokens rotate: refresh it with AuthService.RefreshSession", ""},
	{authn.ErrInvalidCredentials, codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_INVALID_CREDENTIALS, "invalid credentials", ""},
	{authn.ErrUserDisabled, codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_USER_DISABLED, "the user is disabled", ""},
	{authn.ErrPendingConfirmation, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_USER_PENDING_CONFIRMATION, "the user has not confirmed their email yet", ""},
	{authn.ErrUserExists, codes.AlreadyExists, lanyardv1.ErrorReason_ERROR_REASON_USER_ALREADY_EXISTS, "a user with this email already exists", ""},
	{authn.ErrIdentityLinked, codes.AlreadyExists, lanyardv1.ErrorReason_ERROR_REASON_IDENTITY_ALREADY_LINKED, "this identity belongs to another user", ""},
	{authn.ErrProviderDisabled, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_PROVIDER_DISABLED, "this authentication provider is not enabled", ""},
	{authn.ErrMetadataRequired, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_METADATA_REQUIRED, "", ""},
	{authn.ErrHookDocument, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED, "", ""},
	{authn.ErrProviderUnavailable, codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the authentication provider could not be reached; retry later", ""},
	{authn.ErrActionTokenInvalid, codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_USED_OR_EXPIRED, "the token is unknown, used or expired", ""},
	{authn.ErrRateLimited, codes.ResourceExhausted, lanyardv1.ErrorReason_ERROR_REASON_RATE_LIMITED, "too many failed attempts; try again later", ""},
	{authn.ErrPasswordTooShort, codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "", "password"},
	{authn.ErrPasswordTooLong, codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "", "password"},
	{authn.ErrInvalidEmail, codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "", "email"},
	{authn.ErrInvalidKeyName, codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "", "name"},
	{authn.ErrFunctionFailed, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED, "", ""},
	{authn.ErrFunctionNotConfigured, codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "", ""},
	{authn.ErrUserNotFound, codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND, "", ""},
}

// Status is the one place where errors become gRPC statuses. Domain sentinels of store and authn map to
// codes and reasons; errors that already carry a Lanyard status pass through; anything unexpected becomes
// INTERNAL with only the request id in it, and the original is logged under that id.
func Status(ctx context.Context, log *slog.Logger, err error) *status.Status {
	var api *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &api):
		return api.GRPCStatus()
	case errors.Is(err, context.Canceled):
		return NewError(codes.Canceled, lanyardv1.ErrorReason_ERROR_REASON_CANCELLED, "the call was cancelled").GRPCStatus()
	case errors.Is(err, context.DeadlineExceeded):
		return NewError(codes.DeadlineExceeded, lanyardv1.ErrorReason_ERROR_REASON_CANCELLED, "the call's deadline passed").GRPCStatus()
	case errors.Is(err, store.ErrUnavailable):
		return NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_STORE_UNAVAILABLE, "the store is unreachable; retry later").GRPCStatus()
	case errors.Is(err, store.ErrBusy):
		// Not STORE_UNAVAILABLE: the store is there, just slow to take the call; UNAVAILABLE still tells
		// clients to retry with backoff.
		return NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the store is busy; retry later").GRPCStatus()
	case errors.Is(err, store.ErrNotFound):
		return NewError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND, "not found").GRPCStatus()
	case errors.Is(err, store.ErrAlreadyExists):
		return NewError(codes.AlreadyExists, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "already exists").GRPCStatus()
	}
	if e, ok := customDataError(err); ok {
		return e.GRPCStatus()
	}
	var refusal *authn.RefusalError
	refused := errors.As(err, &refusal)
	for _, m := range authnErrors {
		if errors.Is(err, m.err) {
			msg := m.msg
			switch {
			case refused:
				msg = refusal.Message // the app's own words, meant for its users
			case msg == "":
				msg = err.Error() // these errors' texts are written to be shown
			}
			e := NewError(m.code, m.reason, msg)
			if m.field != "" {
				e.violations = []*errdetails.BadRequest_FieldViolation{{Field: m.field, Description: err.Error()}}
			}
			return e.GRPCStatus()
		}
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown && st.Code() != codes.Internal {
		if hasErrorInfo(st) {
			return st
		}
		if reason, ok := codeReasons[st.Code()]; ok {
			return NewError(st.Code(), reason, st.Message()).GRPCStatus()
		}
	}
	id := RequestID(ctx)
	log.ErrorContext(ctx, "internal error", "request_id", id, "error", err.Error())
	return NewError(codes.Internal, lanyardv1.ErrorReason_ERROR_REASON_INTERNAL,
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

// customDataError maps the store's custom data errors.
func customDataError(err error) (*Error, bool) {
	switch {
	case errors.Is(err, store.ErrDocumentTooLarge):
		return NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_CUSTOM_DATA_TOO_LARGE, err.Error()), true
	case errors.Is(err, store.ErrInvalidUpdate):
		field := "set"
		var fe *store.FieldError
		if errors.As(err, &fe) {
			field = fe.Field
		}
		e := NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, err.Error())
		e.violations = []*errdetails.BadRequest_FieldViolation{{Field: field, Description: err.Error()}}
		return e, true
	case errors.Is(err, store.ErrCustomDataUnreadable):
		return NewError(codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_CUSTOM_DATA_UNREADABLE, err.Error()), true
	case errors.Is(err, store.ErrVersionMismatch):
		return NewError(codes.Aborted, lanyardv1.ErrorReason_ERROR_REASON_VERSION_MISMATCH, err.Error()), true
	case errors.Is(err, rules.ErrDenied):
		return NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_RULE_DENIED, err.Error()), true
	}
	return nil, false
}
