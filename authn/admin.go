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
	// The DELETE event keeps what the user was, for the triggers that run after it is gone. A user whose
	// earlier deletion failed half-way is gone already: its remaining identities are still listed.
	u, idents, err := s.store.UserWithIdentities(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		idents, err = s.store.ListIdentities(ctx, userID)
	}
	if err != nil {
		return err
	}
	// The sessions go with the user; their ids go to the revocation log first, so that their access
	// tokens are refused. A login racing the deletion finds the user gone once its session is stored
	// (see Login).
	if err := s.refuseSessions(ctx, userID); err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, userID); err != nil {
		return err
	}
	s.obs.Revoked(RevokedUserDeleted)
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
	providers := make([]string, 0, len(idents))
	for _, id := range idents {
		providers = append(providers, id.ProviderType)
	}
	ev := &store.AuthEvent{Type: store.EventDelete, UserID: userID, Providers: providers, At: s.cfg.Now(), User: snapshot(u, idents)}
	if err := s.store.AppendEvents(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("recording auth events", "types", []string{store.EventDelete}, "user_id", userID, "error", err.Error())
	}
	return nil
}

// snapshot is what a DELETE event keeps of the user: its type and data (none when the user was gone
// already) and its identities, without their provider subjects, which triggers do not get.
func snapshot(u *store.User, idents []*store.Identity) *store.UserSnapshot {
	snap := &store.UserSnapshot{Data: map[string]any{}, Identities: make([]store.IdentitySnapshot, len(idents))}
	if u != nil {
		snap.Type, snap.Data = u.Type, u.Data
	}
	for i, id := range idents {
		snap.Identities[i] = store.IdentitySnapshot{ID: id.ID, ProviderType: id.ProviderType, Data: id.Data}
	}
	return snap
}

// SetUserDisabled disables or enables a user. Disabling ends its sessions (enabling does not bring them
// back), refuses their access tokens within the revocation interval on every replica, and its logins and
// refreshes at once.
func (s *Service) SetUserDisabled(ctx context.Context, userID string, disabled bool) error {
	if err := s.store.SetUserDisabled(ctx, userID, disabled); err != nil {
		return err
	}
	if !disabled {
		return nil
	}
	// The user is marked before its sessions are listed: a login racing this either stores its session
	// in time to be listed, or finds the mark once its session is stored (see Login).
	_, err := s.endSessions(ctx, userID, RevokedUserDisabled)
	return err
}

// RevokeSessions ends every session of the user and refuses their access tokens; the user may log in
// again at once. (A login racing it may keep its session, as one just after it would.)
func (s *Service) RevokeSessions(ctx context.Context, userID string) (int, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return 0, err
	}
	return s.endSessions(ctx, userID, RevokedSessions)
}

// endSessions ends every session of the user, refusing their access tokens by id, and returns how many
// it ended (sessions ended already are not counted); the observer is told why.
func (s *Service) endSessions(ctx context.Context, userID, reason string) (int, error) {
	if err := s.refuseSessions(ctx, userID); err != nil {
		return 0, err
	}
	// Ending the sessions is what stops refreshes: a refresh does not ask whether the user is disabled.
	n, err := s.store.RevokeUserSessions(ctx, userID)
	if err == nil {
		s.obs.Revoked(reason)
	}
	return n, err
}

// refuseSessions logs every session of the user as revoked, for every replica to refuse its access
// tokens, and for refreshes too (refreshable heeds the log). The log goes first: should ending the
// sessions then fail, they are refused all the same and a retry finishes the job, whereas sessions ended
// before a failed log write would leave access tokens that no retry reaches. Sessions ended earlier are
// logged again, which is harmless.
func (s *Service) refuseSessions(ctx context.Context, userID string) error {
	ids, err := s.store.UserSessionIDs(ctx, userID)
	if err != nil {
		return err
	}
	return s.revoke(ctx, ids...)
}
