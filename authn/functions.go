package authn

import (
	"context"
	"errors"

	"github.com/lanyardhq/lanyard/store"
)

// The app's own JavaScript functions (App Services functions, run by package functions) take part in
// authentication where App Services ran them: the custom-function provider, the email/password
// confirmation and reset functions, and the user creation function (Config.OnUserCreation). authn sees
// them only as the funcs of Config, so it knows nothing of the engine that runs them.

// ErrFunctionFailed: the app's confirmation or reset function threw, or answered "fail". The error
// reaching callers is a *RefusalError carrying the function's own message.
var ErrFunctionFailed = errors.New("authn: the app's function refused")

// RefusalError is a refusal in words written by the app's own code (a function's thrown message): they
// are shown to the caller as they are. Err is the sentinel saying what was refused (ErrInvalidCredentials
// for a login, ErrFunctionFailed for a confirmation or reset), for callers to map with errors.Is.
type RefusalError struct {
	Err     error
	Message string
}

func (e *RefusalError) Error() string { return e.Message }
func (e *RefusalError) Unwrap() error { return e.Err }

// FunctionIdentity is what the custom-function provider's function answers: the id of the identity
// (App Services' string, or the id of an { id, name } object) and its name, when given.
type FunctionIdentity struct {
	ID   string
	Name string
}

// CustomFunction runs the custom-function provider's function with the login payload. A refusal (the
// function threw) is a *RefusalError wrapping ErrInvalidCredentials.
type CustomFunction func(ctx context.Context, payload map[string]any) (*FunctionIdentity, error)

// ActionStatus is what a confirmation or reset function answers, in App Services' words.
type ActionStatus string

// The statuses of App Services' confirmation and reset functions.
const (
	ActionSuccess ActionStatus = "success" // confirm the user, or set the new password, now
	ActionPending ActionStatus = "pending" // wait for confirmUser / resetPassword with the token
	ActionFail    ActionStatus = "fail"    // refuse
)

// ActionArgs are the arguments of a confirmation function ({token, tokenId, username}) or a reset
// function ({token, tokenId, username, password, currentPasswordValid}, ...Extra).
type ActionArgs struct {
	Token, TokenID, Username string
	Password                 string // reset only: the new password the user asked for
	CurrentPasswordValid     bool   // reset only: the password given is the current one
	Extra                    []any  // reset only: the client's further arguments
}

// ActionFunction runs a confirmation or reset function. A function that throws answers a *RefusalError
// wrapping ErrFunctionFailed.
type ActionFunction func(ctx context.Context, args ActionArgs) (ActionStatus, error)

// maxFunctionIdentity bounds the id a custom function may name, like every other provider subject.
const maxFunctionIdentity = 512

// identifyFunction logs in with the custom-function provider. Failed logins count toward the limits, as
// a wrong password does.
func (s *Service) identifyFunction(ctx context.Context, payload map[string]any, peer string) (*Claim, string, error) {
	if s.rateLimited(ProviderCustomFunction, peer) {
		return nil, "", ErrRateLimited
	}
	ident, err := s.cfg.CustomFunction(ctx, payload)
	if errors.Is(err, ErrInvalidCredentials) {
		s.limiter.failed(ProviderCustomFunction, peer)
	}
	if err != nil {
		return nil, "", err
	}
	if ident == nil || ident.ID == "" || len(ident.ID) > maxFunctionIdentity {
		return nil, "", &RefusalError{Err: ErrInvalidCredentials,
			Message: "the authentication function must return a non-empty id (a string of at most 512 bytes, or { id, name })"}
	}
	data := map[string]any{}
	if ident.Name != "" {
		data["name"] = ident.Name
	}
	return &Claim{ProviderType: ProviderCustomFunction, ProviderID: ident.ID, Data: data}, "", nil
}

// Errors of the function flows. Their texts are safe to show.
var (
	// ErrFunctionNotConfigured: a function flow was asked for that the app does not run (no confirmation
	// or reset function, or automatic confirmation is on).
	ErrFunctionNotConfigured = errors.New("authn: the app runs no such function")
	// ErrUserNotFound: no email/password user has this email.
	ErrUserNotFound = errors.New("user not found")
)

// newActionToken stores a fresh confirmation or reset token for email and returns it with its id.
func (s *Service) newActionToken(ctx context.Context, kind, email string) (token, id string, err error) {
	token = randomString(32)
	t := &store.ActionToken{ID: store.NewID(), Kind: kind, Email: email, Hash: HashSecret(token), ExpiresAt: s.cfg.Now().Add(s.cfg.UserPass.TokenTTL)}
	if err := s.store.CreateActionToken(ctx, t); err != nil {
		return "", "", err
	}
	return token, t.ID, nil
}

// runConfirmation runs the confirmation function for a pending email, with a fresh token: "success"
// confirms now; "pending" leaves the user pending until Confirm is called with the token (the function
// sent it on its own way); "fail" or a throw leaves it pending and says so.
func (s *Service) runConfirmation(ctx context.Context, email string) (confirmed bool, err error) {
	token, id, err := s.newActionToken(ctx, store.ActionConfirm, email)
	if err != nil {
		return false, err
	}
	st, err := s.cfg.UserPass.ConfirmFunction(ctx, ActionArgs{Token: token, TokenID: id, Username: email})
	if err != nil {
		return false, err
	}
	switch st {
	case ActionSuccess:
		return true, s.Confirm(ctx, token, id)
	case ActionPending:
		return false, nil
	default:
		return false, &RefusalError{Err: ErrFunctionFailed, Message: "the confirmation function did not confirm " + email}
	}
}

// RetryConfirmation runs the confirmation function again for a pending user (App Services'
// retryCustomConfirmation).
func (s *Service) RetryConfirmation(ctx context.Context, email string) error {
	if !s.cfg.UserPass.Enabled {
		return ErrProviderDisabled
	}
	email = NormalizeEmail(email)
	switch {
	case s.cfg.UserPass.AutoConfirm:
		return &RefusalError{Err: ErrFunctionNotConfigured, Message: "cannot run confirmation for " + email + ": automatic confirmation is enabled"}
	case s.cfg.UserPass.ConfirmFunction == nil:
		return &RefusalError{Err: ErrFunctionNotConfigured, Message: "cannot run confirmation for " + email + ": the app has no confirmation function"}
	}
	rec, err := s.store.GetPassword(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrUserNotFound
	case err != nil:
		return err
	case rec.Confirmed:
		return &RefusalError{Err: ErrFunctionNotConfigured, Message: "cannot run confirmation for " + email + ": already confirmed"}
	}
	_, err = s.runConfirmation(ctx, email)
	return err
}

// CallResetFunction runs the reset function for email with the password the user wants (App Services'
// callResetPasswordFunction): "success" sets it now; "pending" waits for ResetPassword with the token
// the function sent on its own way; "fail" or a throw changes nothing.
func (s *Service) CallResetFunction(ctx context.Context, email, password string, extra []any) error {
	if !s.cfg.UserPass.Enabled {
		return ErrProviderDisabled
	}
	if s.cfg.UserPass.ResetFunction == nil {
		return &RefusalError{Err: ErrFunctionNotConfigured, Message: "the app has no password reset function: use the reset email flow"}
	}
	email = NormalizeEmail(email)
	if err := CheckPassword(password, s.cfg.UserPass.MinPasswordLength); err != nil {
		return err
	}
	rec, err := s.store.GetPassword(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUserNotFound
	} else if err != nil {
		return err
	}
	current := false
	if rec.Hash != "" {
		if current, _, err = VerifyPassword(ctx, rec.Hash, password); err != nil {
			return err
		}
	}
	token, id, err := s.newActionToken(ctx, store.ActionReset, email)
	if err != nil {
		return err
	}
	st, err := s.cfg.UserPass.ResetFunction(ctx, ActionArgs{Token: token, TokenID: id, Username: email, Password: password,
		CurrentPasswordValid: current, Extra: extra})
	if err != nil {
		return err
	}
	switch st {
	case ActionSuccess:
		return s.ResetPassword(ctx, token, id, password)
	case ActionPending:
		return nil
	default:
		return &RefusalError{Err: ErrFunctionFailed, Message: "the password reset function did not reset the password of " + email}
	}
}
