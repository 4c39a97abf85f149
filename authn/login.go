package authn

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// LoginRequest is one login attempt.
type LoginRequest struct {
	Credentials Credentials
	DeviceID    string // a device id the client had; empty for a new one
	Peer        string // the client's address, for failed-login limits
	// Rotating opens a session whose refresh token rotates at every use (gRPC); the App Services HTTP
	// API opens non-rotating sessions, as its SDKs expect.
	Rotating bool
}

// LoginResult is a successful login.
type LoginResult struct {
	Tokens
	User       *store.User
	Identities []*store.Identity
	Created    bool // the login created the user
}

// Login checks credentials with their provider, creates the user on the first login of a new identity,
// and opens a session.
func (s *Service) Login(ctx context.Context, req LoginRequest) (_ *LoginResult, err error) {
	defer func() { s.obs.Login(req.Credentials.Provider, err) }()
	claim, userID, err := s.identify(ctx, req.Credentials, req.Peer)
	if err != nil {
		return nil, err
	}
	u, ident, created, err := s.userFor(ctx, claim, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrUserDisabled
	}
	now := s.cfg.Now()
	providers := []string{claim.ProviderType}
	events := []string{store.EventLogin}
	if created {
		// A new user's CREATE event is written with its first LOGIN, in one round trip, or alone when
		// the login fails from here on.
		events = []string{store.EventCreate, store.EventLogin}
		defer func() {
			if err != nil {
				s.events.append(ctx, s.log, u.ID, providers, now, store.EventCreate)
			}
		}()
	}
	idents := []*store.Identity{ident}
	// A user created by this login already holds this login's time and metadata.
	if !created {
		if idents, err = s.store.ListIdentities(ctx, u.ID); err != nil {
			return nil, err
		}
		u.LastLoginAt = now
		u.Data = layerMetadata(idents, ident.ID, claim.Data)
		if err := s.store.TouchLogin(ctx, u, ident, claim.Data); err != nil {
			return nil, err
		}
		for _, id := range idents {
			if id.ID == ident.ID {
				id.Data, id.LastLoginAt = claim.Data, now
			}
		}
	}
	if s.cfg.StampLastLogin {
		// A stamp is a convenience for the operator; failing it (a document over the size limit) must not
		// fail the login.
		if err := s.store.StampLastLogin(ctx, u.ID, now); err != nil {
			s.log.Warn("stamping last_login on the custom data document", "user_id", u.ID, "error", err.Error())
		}
	}
	tokens, err := s.openSession(ctx, u, req.DeviceID, req.Rotating, created && s.cfg.OnUserCreation == nil)
	if err != nil {
		return nil, err
	}
	// A user disabled or deleted while this login ran may have had its sessions listed (to be ended and
	// refused) before this one existed, and refreshes do not ask again: look once more now that the
	// session is stored. Disabling marks the user before it lists the sessions, deleting removes the user
	// before the sessions, so either the session was listed or the look sees the mark.
	if !created {
		if err := s.stillActive(ctx, u.ID); err != nil {
			if rerr := s.revokeSession(context.WithoutCancel(ctx), tokens.SessionID); rerr != nil {
				s.log.Warn("revoking the session of a user disabled or deleted during its login", "user_id", u.ID, "error", rerr.Error())
			}
			return nil, err
		}
	}
	s.events.append(ctx, s.log, u.ID, providers, now, events...)
	return &LoginResult{Tokens: *tokens, User: u, Identities: idents, Created: created}, nil
}

// stillActive checks that the user still exists and is not disabled.
func (s *Service) stillActive(ctx context.Context, userID string) error {
	u, err := s.store.GetUser(ctx, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrInvalidCredentials // as a login of a deleted user is answered
	case err != nil:
		return err
	case u.Disabled:
		return ErrUserDisabled
	}
	return nil
}

// identify turns credentials into the identity they prove. For providers that know the user already
// (email/password, API keys) it also returns the user id.
func (s *Service) identify(ctx context.Context, cred Credentials, peer string) (*Claim, string, error) {
	if !s.ProviderEnabled(cred.Provider) {
		return nil, "", ErrProviderDisabled
	}
	switch cred.Provider {
	case ProviderAnonymous:
		return &Claim{ProviderType: ProviderAnonymous, ProviderID: store.NewID()}, "", nil
	case ProviderUserPass:
		return s.identifyPassword(ctx, cred.Email, cred.Password, peer)
	case ProviderAPIKey:
		return s.identifyAPIKey(ctx, cred.Key, peer)
	case ProviderCustomFunction:
		return s.identifyFunction(ctx, cred.Payload, peer)
	}
	claim, err := s.external[cred.Provider].Verify(ctx, cred.Token)
	if err != nil {
		return nil, "", err
	}
	claim.ProviderType = cred.Provider
	return claim, "", nil
}

// identifyPassword answers an unknown email, a wrong password and an imported user without a password
// alike, and spends about the same time on each (a dummy hash for unknown users), so that neither the
// answer nor its timing tells who has an account.
func (s *Service) identifyPassword(ctx context.Context, email, password, peer string) (*Claim, string, error) {
	email = NormalizeEmail(email)
	if s.rateLimited(email, peer) {
		return nil, "", ErrRateLimited
	}
	rec, err := s.store.GetPassword(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	var ok, rehash bool
	if rec == nil || rec.Hash == "" {
		_, _, err = DummyVerify(ctx, password)
	} else {
		ok, rehash, err = VerifyPassword(ctx, rec.Hash, password)
	}
	if err != nil {
		return nil, "", err
	}
	if !ok {
		s.limiter.failed(email, peer)
		return nil, "", ErrInvalidCredentials
	}
	s.limiter.succeeded(email, peer)
	if !rec.Confirmed {
		return nil, "", ErrPendingConfirmation
	}
	if rehash {
		if h, err := HashPassword(ctx, password); err == nil {
			rec.Hash = h
			if err := s.store.UpdatePassword(ctx, rec); err != nil {
				s.log.Warn("storing a rehashed password", "user_id", rec.UserID, "error", err.Error())
			}
		}
	}
	return &Claim{ProviderType: ProviderUserPass, ProviderID: email, Data: map[string]any{"email": email}}, rec.UserID, nil
}

// rateLimited reports whether the failed-login limits refuse identity from peer now, and tells the
// observer which limit did.
func (s *Service) rateLimited(identity, peer string) bool {
	limit, _ := s.limiter.blocked(identity, peer)
	if limit == "" {
		return false
	}
	s.obs.RateLimited(limit)
	return true
}

func (s *Service) identifyAPIKey(ctx context.Context, key, peer string) (*Claim, string, error) {
	if s.rateLimited("api-key", peer) {
		return nil, "", ErrRateLimited
	}
	k, err := s.store.FindAPIKeyBySecretHash(ctx, apiKeyHash(key))
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Disabled) {
		s.limiter.failed("api-key", peer)
		return nil, "", ErrInvalidCredentials
	}
	if err != nil {
		return nil, "", err
	}
	return &Claim{ProviderType: ProviderAPIKey, ProviderID: k.ID, Data: map[string]any{"name": k.Name}}, k.UserID, nil
}

func apiKeyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// NormalizeEmail is the form emails are stored and compared in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// userFor returns the user an identity belongs to, creating both on the first login. Two first logins
// racing with one new identity create one user: the identity is claimed with a unique-key insert, and
// the loser takes the winner's user.
func (s *Service) userFor(ctx context.Context, claim *Claim, knownUserID string) (*store.User, *store.Identity, bool, error) {
	if claim.ProviderType != ProviderAnonymous {
		ident, err := s.store.FindIdentity(ctx, claim.ProviderType, claim.ProviderID)
		switch {
		case err == nil:
			u, err := s.store.GetUser(ctx, ident.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, nil, false, ErrInvalidCredentials // the user was deleted under us
			}
			return u, ident, false, err
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, false, err
		case knownUserID != "":
			// Email/password and API key identities are created with their user; a record without its
			// identity is a user deleted mid-login.
			return nil, nil, false, ErrInvalidCredentials
		}
	}
	u, ident, err := s.createUser(ctx, store.UserTypeNormal, claim)
	if errors.Is(err, store.ErrAlreadyExists) {
		return s.userFor(ctx, claim, knownUserID)
	}
	return u, ident, err == nil, err
}

// createUser runs the user creation hook, then stores the user with its first identity; the caller
// records the CREATE event. The hook runs first so that a refusal leaves nothing behind.
func (s *Service) createUser(ctx context.Context, userType string, claim *Claim) (*store.User, *store.Identity, error) {
	now := s.cfg.Now()
	u := &store.User{ID: store.NewID(), Type: userType, CreatedAt: now, LastLoginAt: now, Data: maps.Clone(claim.Data)}
	ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: claim.ProviderType, ProviderID: claim.ProviderID,
		Data: claim.Data, CreatedAt: now, LastLoginAt: now}
	var customData json.RawMessage
	if s.cfg.OnUserCreation != nil {
		doc, err := s.cfg.OnUserCreation(ctx, &NewUser{UserID: u.ID, Type: userType, IdentityID: ident.ID, ProviderType: claim.ProviderType,
			ProviderID: claim.ProviderID, Data: claim.Data})
		if err != nil {
			return nil, nil, err
		}
		customData = doc
	}
	if err := s.store.CreateUser(ctx, u, ident); err != nil {
		return nil, nil, err
	}
	if customData != nil {
		if _, err := s.store.ReplaceCustomData(ctx, u.ID, customData); err != nil {
			// The user must not exist without the document its hook gave it.
			if derr := s.store.DeleteUser(context.WithoutCancel(ctx), u.ID); derr != nil {
				s.log.Warn("removing a user whose custom data could not be stored", "user_id", u.ID, "error", derr.Error())
			}
			if errors.Is(err, store.ErrInvalidUpdate) || errors.Is(err, store.ErrDocumentTooLarge) {
				// Not wrapped: the store's error would answer as the caller's own invalid update.
				return nil, nil, fmt.Errorf("%w (%s); the user was not created", ErrHookDocument, err.Error())
			}
			return nil, nil, err
		}
	}
	return u, ident, nil
}

// layerMetadata is the user's data: the metadata of every identity, older logins first, with the
// identity of the current login laid over the rest, so that its values win where fields collide.
func layerMetadata(idents []*store.Identity, currentID string, current map[string]any) map[string]any {
	out := map[string]any{}
	sorted := make([]*store.Identity, 0, len(idents))
	for _, id := range idents {
		if id.ID != currentID {
			sorted = append(sorted, id)
		}
	}
	// Older logins first, so that more recent metadata wins among the others too.
	slices.SortStableFunc(sorted, func(a, b *store.Identity) int { return a.LastLoginAt.Compare(b.LastLoginAt) })
	for _, id := range sorted {
		maps.Copy(out, id.Data)
	}
	maps.Copy(out, current)
	return out
}

// LinkIdentity adds the identity behind cred to the principal's user.
func (s *Service) LinkIdentity(ctx context.Context, p *Principal, cred Credentials, peer string) (*store.User, []*store.Identity, error) {
	if cred.Provider == ProviderAnonymous {
		return nil, nil, ErrProviderDisabled
	}
	_, u, err := s.liveSession(ctx, p.SessionID, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	claim, knownUserID, err := s.identify(ctx, cred, peer)
	if err != nil {
		return nil, nil, err
	}
	existing, err := s.store.FindIdentity(ctx, claim.ProviderType, claim.ProviderID)
	switch {
	case err == nil && existing.UserID == u.ID:
		// Linking twice is a no-op.
	case err == nil || (knownUserID != "" && knownUserID != u.ID):
		return nil, nil, ErrIdentityLinked
	case !errors.Is(err, store.ErrNotFound):
		return nil, nil, err
	default:
		now := s.cfg.Now()
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: claim.ProviderType, ProviderID: claim.ProviderID,
			Data: claim.Data, CreatedAt: now, LastLoginAt: now}
		if err := s.store.AddIdentity(ctx, ident); errors.Is(err, store.ErrAlreadyExists) {
			return nil, nil, ErrIdentityLinked
		} else if err != nil {
			return nil, nil, err
		}
	}
	idents, err := s.store.ListIdentities(ctx, u.ID)
	return u, idents, err
}

// eventLog appends auth events. A failure to record an event is logged, not returned: the login it
// describes already happened.
type eventLog struct{ store store.AuthEvents }

// append records one event of each of types, in order and in one store write.
func (e *eventLog) append(ctx context.Context, log *slog.Logger, userID string, providers []string, at time.Time, types ...string) {
	evs := make([]*store.AuthEvent, len(types))
	for i, typ := range types {
		evs[i] = &store.AuthEvent{Type: typ, UserID: userID, Providers: providers, At: at}
	}
	if err := e.store.AppendEvents(context.WithoutCancel(ctx), evs...); err != nil {
		log.Warn("recording auth events", "types", types, "user_id", userID, "error", err.Error())
	}
}
