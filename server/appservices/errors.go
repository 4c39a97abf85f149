package appservices

import (
	"fmt"
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
)

// httpError is an error of the HTTP layer itself (a body that is not JSON, an unknown provider, a route
// Lanyard does not serve): it never reached the core, so it has no gRPC status.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, code, format string, args ...any) error {
	return &httpError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// errKind is the family of the route that failed, where App Services answered differently.
type errKind int

const (
	kindDefault  errKind = iota
	kindLogin            // login and link: credentials errors name the provider's secret
	kindRefresh          // POST /auth/session
	kindLogout           // DELETE /auth/session: realm-web ignores only "failed to find refresh token"
	kindUser             // profile, delete: a missing user is UserNotFound
	kindAPIKey           // api_keys: a missing key is APIKeyNotFound
	kindUserpass         // register, confirm, reset
	kindService          // service calls: a missing service is ServiceNotFound
)

// Error codes are the `error_code` strings of App Services, as realm-core and realm-web know them.
// Codes the SDKs act on: InvalidSession (realm-web refreshes the access token and retries on a 401 with
// it; on a refresh-token call it drops the user's tokens).
const (
	codeInvalidSession      = "InvalidSession"
	codeInvalidPassword     = "InvalidPassword"
	codeAuthError           = "AuthError"
	codeUserDisabled        = "UserDisabled"
	codeAccountNameInUse    = "AccountNameInUse"
	codeBadRequest          = "BadRequest"
	codeProviderNotFound    = "AuthProviderNotFound"
	codeUserNotFound        = "UserNotFound"
	codeAPIKeyNotFound      = "APIKeyNotFound"
	codeAPIKeyAlreadyExists = "APIKeyAlreadyExists"
	codeTokenInvalid        = "UserpassTokenInvalid"
	codeFunctionError       = "FunctionExecutionError"
	codeFunctionNotFound    = "FunctionNotFound"
	codeServiceNotFound     = "ServiceNotFound"
	codePermission          = "PermissionDenied"
	codeNotImplemented      = "NotImplemented"
	codeInternal            = "InternalServerError"
	// Guesses: App Services' codes for these are not known; these name the condition plainly.
	codeRateLimited = "LimitExceeded"
	codeUnavailable = "ServiceUnavailable"
	codeTimeout     = "ExecutionTimeLimitExceeded"
	codeNotFound    = "NotFound"
	codeConflict    = "Conflict"
)

// reasonErrors maps the ErrorInfo reasons of Lanyard's error mapping to HTTP statuses and App Services
// error codes. Reasons missing here fall back to codeErrors by gRPC code.
var reasonErrors = map[string]struct {
	status int
	code   string
}{
	"TOKEN_MISSING":             {http.StatusUnauthorized, codeInvalidSession},
	"TOKEN_INVALID":             {http.StatusUnauthorized, codeInvalidSession},
	"TOKEN_EXPIRED":             {http.StatusUnauthorized, codeInvalidSession},
	"SESSION_REVOKED":           {http.StatusUnauthorized, codeInvalidSession},
	"INVALID_CREDENTIALS":       {http.StatusUnauthorized, codeInvalidPassword},
	"USER_DISABLED":             {http.StatusForbidden, codeUserDisabled},
	"USER_PENDING_CONFIRMATION": {http.StatusUnauthorized, codeAuthError},
	"USER_ALREADY_EXISTS":       {http.StatusConflict, codeAccountNameInUse},
	"IDENTITY_ALREADY_LINKED":   {http.StatusConflict, codeAccountNameInUse},
	"NOT_FOUND":                 {http.StatusNotFound, codeNotFound},
	"SERVER_PRINCIPAL_REQUIRED": {http.StatusForbidden, codePermission},
	"RULE_DENIED":               {http.StatusForbidden, codePermission},
	"INVALID_ARGUMENT":          {http.StatusBadRequest, codeBadRequest},
	"CUSTOM_DATA_TOO_LARGE":     {http.StatusBadRequest, codeBadRequest},
	"VERSION_MISMATCH":          {http.StatusConflict, codeConflict},
	"PROVIDER_DISABLED":         {http.StatusNotFound, codeProviderNotFound},
	"METADATA_REQUIRED":         {http.StatusBadRequest, codeAuthError},
	"HOOK_FAILED":               {http.StatusBadRequest, codeFunctionError},
	"RATE_LIMITED":              {http.StatusTooManyRequests, codeRateLimited},
	"STORE_UNAVAILABLE":         {http.StatusServiceUnavailable, codeUnavailable},
	"UNAVAILABLE":               {http.StatusServiceUnavailable, codeUnavailable},
	"NOT_IMPLEMENTED":           {http.StatusNotImplemented, codeNotImplemented},
	"INTERNAL":                  {http.StatusInternalServerError, codeInternal},
	"TOKEN_USED_OR_EXPIRED":     {http.StatusBadRequest, codeTokenInvalid},
	"CANCELLED":                 {http.StatusServiceUnavailable, codeUnavailable},
}

// codeErrors maps gRPC codes for statuses without a known reason.
var codeErrors = map[codes.Code]struct {
	status int
	code   string
}{
	codes.InvalidArgument:    {http.StatusBadRequest, codeBadRequest},
	codes.FailedPrecondition: {http.StatusBadRequest, codeBadRequest},
	codes.OutOfRange:         {http.StatusBadRequest, codeBadRequest},
	codes.Unauthenticated:    {http.StatusUnauthorized, codeInvalidSession},
	codes.PermissionDenied:   {http.StatusForbidden, codePermission},
	codes.NotFound:           {http.StatusNotFound, codeNotFound},
	codes.AlreadyExists:      {http.StatusConflict, codeConflict},
	codes.Aborted:            {http.StatusConflict, codeConflict},
	codes.ResourceExhausted:  {http.StatusTooManyRequests, codeRateLimited},
	codes.Unimplemented:      {http.StatusNotImplemented, codeNotImplemented},
	codes.Unavailable:        {http.StatusServiceUnavailable, codeUnavailable},
	codes.Canceled:           {http.StatusServiceUnavailable, codeUnavailable},
	codes.DeadlineExceeded:   {http.StatusGatewayTimeout, codeTimeout},
}

// reasonOf is the ErrorInfo reason of a Lanyard status, or "".
func reasonOf(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == "lanyard" {
			return info.GetReason()
		}
	}
	return ""
}

// metaOf is an ErrorInfo metadata value of a Lanyard status, or "".
func metaOf(st *status.Status, key string) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == "lanyard" {
			return info.GetMetadata()[key]
		}
	}
	return ""
}

// fromStatus turns the status of a failed core call into the App Services answer. Messages are the
// status's own (written to be shown), with App Services' wording where clients are known to match on it.
func fromStatus(st *status.Status, kind errKind, provider string) *httpError {
	if st == nil || st.Code() == codes.OK {
		return &httpError{http.StatusInternalServerError, codeInternal, "internal error"}
	}
	reason := reasonOf(st)
	e := &httpError{http.StatusInternalServerError, codeInternal, st.Message()}
	if m, ok := reasonErrors[reason]; ok {
		e.status, e.code = m.status, m.code
	} else if m, ok := codeErrors[st.Code()]; ok {
		e.status, e.code = m.status, m.code
	}
	if st.Code() == codes.AlreadyExists {
		// Whatever the reason, something of that name exists.
		e.status, e.code = http.StatusConflict, codeConflict
		if reason == "USER_ALREADY_EXISTS" || reason == "IDENTITY_ALREADY_LINKED" {
			e.code = codeAccountNameInUse
		} else if kind == kindAPIKey {
			e.code, e.msg = codeAPIKeyAlreadyExists, "an API key with this name already exists"
		}
	}
	switch {
	case e.code == codeInvalidSession && kind == kindLogout:
		// realm-web's logOut swallows exactly this; the session is unusable either way.
		e.msg = "failed to find refresh token: " + st.Message()
	case e.code == codeInvalidSession:
		e.msg = "invalid session: " + st.Message()
	case reason == "INVALID_CREDENTIALS":
		switch provider {
		case authn.ProviderUserPass:
			e.msg = "unauthorized" // App Services' words, which apps match on
		case authn.ProviderAPIKey:
			e.msg = "invalid API key"
		default:
			// Guess: App Services answered token providers' failures with AuthError.
			e.code = codeAuthError
		}
	case reason == "USER_PENDING_CONFIRMATION":
		e.msg = "confirmation required: " + st.Message()
	case reason == "USER_ALREADY_EXISTS":
		e.msg = "name already in use"
	case reason == "NOT_FOUND" && kind == kindAPIKey:
		e.code, e.msg = codeAPIKeyNotFound, "API key not found"
	case reason == "NOT_FOUND" && kind == kindService && metaOf(st, "resource") == "service":
		e.code = codeServiceNotFound
	case reason == "NOT_FOUND" && kind == kindUser:
		e.code, e.msg = codeUserNotFound, "user not found"
	case reason == "PROVIDER_DISABLED" && provider != "":
		e.msg = "authentication via '" + provider + "' is unsupported: " + st.Message()
	}
	return e
}
