package rpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// TestStatusMapsEveryKindOfError: the one mapping of errors to statuses gives each kind its code and
// ErrorInfo reason (also when wrapped, as the store and authn wrap them), names the invalid field where
// there is one, passes Lanyard's own errors through, and turns anything else into INTERNAL carrying only
// the request id, logging the original under it.
func TestStatusMapsEveryKindOfError(t *testing.T) {
	// wrap adds what a layer below might say that clients must not see; shown adds the detail that the
	// errors whose text is written to be shown (custom data limits, rules, password rules) carry.
	wrap := func(err error) error { return fmt.Errorf("store: reading users: %w", err) }
	shown := func(err error) error { return fmt.Errorf("%w: the detail", err) }
	for _, tc := range []struct {
		name   string
		err    error
		code   codes.Code
		reason string
		field  string
	}{
		{"own error", rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED, "no"), codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED", ""},
		{"cancelled", wrap(context.Canceled), codes.Canceled, "CANCELLED", ""},
		{"deadline", wrap(context.DeadlineExceeded), codes.DeadlineExceeded, "CANCELLED", ""},
		{"store unreachable", wrap(store.ErrUnavailable), codes.Unavailable, "STORE_UNAVAILABLE", ""},
		{"store busy", wrap(store.ErrBusy), codes.Unavailable, "UNAVAILABLE", ""},
		{"not found", wrap(store.ErrNotFound), codes.NotFound, "NOT_FOUND", ""},
		{"document too large", shown(store.ErrDocumentTooLarge), codes.InvalidArgument, "CUSTOM_DATA_TOO_LARGE", ""},
		{"invalid update", &store.FieldError{Field: "set.a", Err: shown(store.ErrInvalidUpdate)}, codes.InvalidArgument, "INVALID_ARGUMENT", "set.a"},
		{"version mismatch", shown(store.ErrVersionMismatch), codes.Aborted, "VERSION_MISMATCH", ""},
		{"rule denied", shown(rules.ErrDenied), codes.PermissionDenied, "RULE_DENIED", ""},
		{"expired token", wrap(authn.ErrTokenExpired), codes.Unauthenticated, "TOKEN_EXPIRED", ""},
		{"bad credentials", wrap(authn.ErrInvalidCredentials), codes.Unauthenticated, "INVALID_CREDENTIALS", ""},
		{"rate limited", wrap(authn.ErrRateLimited), codes.ResourceExhausted, "RATE_LIMITED", ""},
		{"short password", shown(authn.ErrPasswordTooShort), codes.InvalidArgument, "INVALID_ARGUMENT", "password"},
		{"grpc status without reason", status.Error(codes.Unimplemented, "unknown method"), codes.Unimplemented, "NOT_IMPLEMENTED", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := rpc.Status(context.Background(), slog.New(slog.DiscardHandler), tc.err)
			if st.Code() != tc.code {
				t.Fatalf("code %s, want %s (%v)", st.Code(), tc.code, tc.err)
			}
			reason, fields := details(st)
			if reason != tc.reason {
				t.Errorf("reason %q, want %q", reason, tc.reason)
			}
			if tc.field != "" && (len(fields) != 1 || fields[0] != tc.field) {
				t.Errorf("field violations %q, want [%s]", fields, tc.field)
			}
			if strings.Contains(st.Message(), "store: reading users") {
				t.Errorf("the message shows the wrapping internals: %q", st.Message())
			}
			if strings.HasSuffix(tc.err.Error(), "the detail") && !strings.Contains(st.Message(), "the detail") {
				t.Errorf("the message %q drops the detail written to be shown", st.Message())
			}
		})
	}

	t.Run("unexpected error", func(t *testing.T) {
		var logs bytes.Buffer
		ctx := rpc.WithCall(context.Background(), "req-42")
		st := rpc.Status(ctx, slog.New(slog.NewJSONHandler(&logs, nil)), errors.New("dial tcp 10.0.0.7:27017: password=hunter2"))
		if st.Code() != codes.Internal {
			t.Fatalf("code %s, want INTERNAL", st.Code())
		}
		if reason, _ := details(st); reason != "INTERNAL" {
			t.Errorf("reason %q, want INTERNAL", reason)
		}
		if strings.Contains(st.Message(), "hunter2") || strings.Contains(st.Message(), "10.0.0.7") || !strings.Contains(st.Message(), "req-42") {
			t.Errorf("message %q: want the request id and nothing of the error", st.Message())
		}
		if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "req-42") {
			t.Errorf("the original error is not logged under the request id: %s", logs.String())
		}
	})
	t.Run("nil", func(t *testing.T) {
		if st := rpc.Status(context.Background(), slog.New(slog.DiscardHandler), nil); st != nil {
			t.Errorf("Status(nil) = %v, want nil", st)
		}
	})
}

func details(st *status.Status) (reason string, fields []string) {
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	return reason, fields
}
