package authn

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/lanyardhq/lanyard/store"
)

// ErrInvalidKeyName means an API key name is empty, too long or has control characters.
var ErrInvalidKeyName = errors.New("the name must be 1 to 64 printable characters")

// CheckKeyName validates an API key name.
func CheckKeyName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ErrInvalidKeyName
	}
	return nil
}

// CreateAPIKey creates a key for the user and returns it with its secret, which is never stored. A name
// the user already has comes back as store.ErrAlreadyExists.
func (s *Service) CreateAPIKey(ctx context.Context, userID, name string) (*store.APIKey, string, error) {
	if !s.cfg.APIKeys {
		return nil, "", ErrProviderDisabled
	}
	if err := CheckKeyName(name); err != nil {
		return nil, "", err
	}
	k, secret := s.newAPIKey(userID, name)
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	ident := &store.Identity{ID: store.NewID(), UserID: userID, ProviderType: ProviderAPIKey, ProviderID: k.ID,
		Data: map[string]any{"name": name}, CreatedAt: k.CreatedAt}
	if err := s.store.AddIdentity(ctx, ident); err != nil {
		_ = s.store.DeleteAPIKey(context.WithoutCancel(ctx), userID, k.ID)
		return nil, "", err
	}
	return k, secret, nil
}

func (s *Service) newAPIKey(userID, name string) (*store.APIKey, string) {
	secret := randomString(48)
	return &store.APIKey{ID: store.NewID(), UserID: userID, Name: name, SecretHash: apiKeyHash(secret), CreatedAt: s.cfg.Now()}, secret
}

// CreateServerAPIKey creates a server user whose one identity is a new API key: the first credential of
// an operator (`lanyard apikey create --server NAME`). Its logins are server principals.
func (s *Service) CreateServerAPIKey(ctx context.Context, name string) (*store.APIKey, string, error) {
	if !s.cfg.APIKeys {
		return nil, "", ErrProviderDisabled
	}
	if err := CheckKeyName(name); err != nil {
		return nil, "", err
	}
	k, secret := s.newAPIKey("", name)
	u, _, err := s.createUser(ctx, store.UserTypeServer, &Claim{ProviderType: ProviderAPIKey, ProviderID: k.ID, Data: map[string]any{"name": name}})
	if err != nil {
		return nil, "", err
	}
	s.events.append(ctx, s.log, u.ID, []string{ProviderAPIKey}, u.CreatedAt, store.EventCreate)
	k.UserID = u.ID
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// DeleteUser deletes a user with everything it owns, and refuses its access tokens from now on.
func (s *Service) DeleteUser(ctx context.Context, userID string) error {
	idents, err := s.store.ListIdentities(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, userID); err != nil {
		return err
	}
	// Password records of identities linked or created at login may not name the user: free their emails.
	for _, id := range idents {
		if id.ProviderType == ProviderUserPass {
			if err := s.store.DeletePassword(ctx, id.ProviderID); err != nil {
				return err
			}
		}
	}
	if s.cfg.DeleteCustomData {
		if _, err := s.store.DeleteCustomData(ctx, userID); err != nil {
			return err
		}
	}
	if err := s.revoke(ctx, store.RevokedUser, userID); err != nil {
		return err
	}
	providers := make([]string, 0, len(idents))
	for _, id := range idents {
		providers = append(providers, id.ProviderType)
	}
	s.events.append(ctx, s.log, userID, providers, s.cfg.Now(), store.EventDelete)
	return nil
}

// SetUserDisabled disables or enables a user. Disabling ends its sessions (enabling does not bring them
// back), refuses its current access tokens within the revocation interval on every replica, and its
// logins and refreshes at once.
func (s *Service) SetUserDisabled(ctx context.Context, userID string, disabled bool) error {
	if err := s.store.SetUserDisabled(ctx, userID, disabled); err != nil {
		return err
	}
	if !disabled {
		return nil
	}
	// Ending the sessions is what stops refreshes: a refresh does not ask whether the user is disabled.
	if _, err := s.store.RevokeUserSessions(ctx, userID); err != nil {
		return err
	}
	return s.revoke(ctx, store.RevokedUser, userID)
}

// RevokeSessions ends every session of the user and refuses the access tokens issued so far.
func (s *Service) RevokeSessions(ctx context.Context, userID string) (int, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return 0, err
	}
	n, err := s.store.RevokeUserSessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	return n, s.revoke(ctx, store.RevokedUser, userID)
}
