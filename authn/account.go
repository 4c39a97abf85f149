package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// Message is a confirmation or password reset token on its way to a user.
type Message struct {
	Kind    string `json:"kind"` // store.ActionConfirm or store.ActionReset
	Email   string `json:"email"`
	Token   string `json:"token"`
	TokenID string `json:"token_id"`
}

// Sender delivers confirmation and reset tokens (by email, in production, through the operator's own
// service).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// OutboxSender is the development sender: it appends each message as a JSON line to a file (mode 0600),
// where a developer reads the token. Tokens never go to the log.
type OutboxSender struct {
	Path string
	mu   sync.Mutex
}

// Send appends m to the outbox file.
func (o *OutboxSender) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(o.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(m)
}

// WebhookSender POSTs each message as JSON to the operator's endpoint, which sends the email. A
// non-2xx answer is a failure.
type WebhookSender struct {
	URL    string
	Client *http.Client
}

// Send posts m to the webhook.
func (w *WebhookSender) Send(ctx context.Context, m Message) error {
	body, _ := json.Marshal(m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("authn: sender webhook unreachable")
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("authn: sender webhook answered %d", resp.StatusCode)
	}
	return nil
}

// ErrInvalidEmail means the email is not an address.
var ErrInvalidEmail = errors.New("not a valid email address")

// CheckEmail validates an email for registration.
func CheckEmail(email string) error {
	if len(email) > 254 {
		return ErrInvalidEmail
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return ErrInvalidEmail
	}
	return nil
}

// Register records an email/password identity. The email is claimed with a unique-key insert, so
// concurrent registrations of one email make exactly one. As in App Services, the user itself is created
// at the first login (running the user creation hook then), so that an anonymous user can register and
// link the new credentials to itself. Without auto-confirm the emailed token must be confirmed first.
func (s *Service) Register(ctx context.Context, email, password string) (confirmed bool, err error) {
	if !s.cfg.UserPass.Enabled {
		return false, ErrProviderDisabled
	}
	email = NormalizeEmail(email)
	if err := CheckEmail(email); err != nil {
		return false, err
	}
	if err := CheckPassword(password, s.cfg.UserPass.MinPasswordLength); err != nil {
		return false, err
	}
	hash, err := HashPassword(ctx, password)
	if err != nil {
		return false, err
	}
	rec := &store.Password{Email: email, Hash: hash, Confirmed: s.cfg.UserPass.AutoConfirm, CreatedAt: s.cfg.Now()}
	if err := s.store.CreatePassword(ctx, rec); errors.Is(err, store.ErrAlreadyExists) {
		return false, ErrUserExists
	} else if err != nil {
		return false, err
	}
	switch {
	case s.cfg.UserPass.AutoConfirm:
		return true, nil
	case s.cfg.UserPass.ConfirmFunction != nil:
		return s.runConfirmation(ctx, email)
	}
	return false, s.sendActionToken(ctx, store.ActionConfirm, email)
}

func (s *Service) sendActionToken(ctx context.Context, kind, email string) error {
	token, id, err := s.newActionToken(ctx, kind, email)
	if err != nil {
		return err
	}
	return s.cfg.UserPass.Sender.Send(ctx, Message{Kind: kind, Email: email, Token: token, TokenID: id})
}

// useActionToken spends a token of the given kind; ErrActionTokenInvalid when it is unknown, used,
// expired, of another kind or does not match.
func (s *Service) useActionToken(ctx context.Context, kind, token, tokenID string) (*store.ActionToken, error) {
	if !store.ValidID(tokenID) {
		return nil, ErrActionTokenInvalid
	}
	t, err := s.store.UseActionToken(ctx, tokenID, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrActionTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if t.Kind != kind || !CheckSecret(t.Hash, token) {
		return nil, ErrActionTokenInvalid
	}
	return t, nil
}

// Confirm confirms a pending user with its token, creating the user.
func (s *Service) Confirm(ctx context.Context, token, tokenID string) error {
	t, err := s.useActionToken(ctx, store.ActionConfirm, token, tokenID)
	if err != nil {
		return err
	}
	rec, err := s.store.GetPassword(ctx, t.Email)
	if errors.Is(err, store.ErrNotFound) {
		return ErrActionTokenInvalid
	}
	if err != nil || rec.Confirmed {
		return err
	}
	rec.Confirmed = true
	return s.store.UpdatePassword(ctx, rec)
}

// ResendConfirmation sends a new confirmation token to a pending user. Unknown and confirmed emails get
// the same answer, so the call reveals nothing.
func (s *Service) ResendConfirmation(ctx context.Context, email string) error {
	if !s.cfg.UserPass.Enabled {
		return ErrProviderDisabled
	}
	email = NormalizeEmail(email)
	rec, err := s.store.GetPassword(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Confirmed) || s.cfg.UserPass.Sender == nil {
		return nil
	}
	if err != nil {
		return err
	}
	return s.sendActionToken(ctx, store.ActionConfirm, email)
}

// SendPasswordReset sends a reset token; unknown emails get the same answer.
func (s *Service) SendPasswordReset(ctx context.Context, email string) error {
	if !s.cfg.UserPass.Enabled {
		return ErrProviderDisabled
	}
	email = NormalizeEmail(email)
	if _, err := s.store.GetPassword(ctx, email); errors.Is(err, store.ErrNotFound) || s.cfg.UserPass.Sender == nil {
		return nil
	} else if err != nil {
		return err
	}
	return s.sendActionToken(ctx, store.ActionReset, email)
}

// ResetPassword sets a new password with a reset token. Imported users (who have no password) set their
// first one this way.
func (s *Service) ResetPassword(ctx context.Context, token, tokenID, password string) error {
	if err := CheckPassword(password, s.cfg.UserPass.MinPasswordLength); err != nil {
		return err
	}
	t, err := s.useActionToken(ctx, store.ActionReset, token, tokenID)
	if err != nil {
		return err
	}
	rec, err := s.store.GetPassword(ctx, t.Email)
	if errors.Is(err, store.ErrNotFound) {
		return ErrActionTokenInvalid
	}
	if err != nil {
		return err
	}
	if rec.Hash, err = HashPassword(ctx, password); err != nil {
		return err
	}
	return s.store.UpdatePassword(ctx, rec)
}
