package authn

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lanyardhq/lanyard/store"
)

// Tokens is a freshly minted pair.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	SessionID    string
	DeviceID     string
}

// openSession creates a session for the user and mints its first tokens. Rotating sessions (gRPC) replace
// the refresh token at every use; others (the App Services HTTP API, whose SDKs keep one refresh token for
// life) do not.
// newUserWithoutData says that the user was created by this very call with no document from a hook:
// its custom data cannot exist yet (its id is new), so minting skips the read.
func (s *Service) openSession(ctx context.Context, u *store.User, deviceID string, rotating, newUserWithoutData bool) (*Tokens, error) {
	now := s.cfg.Now()
	if deviceID == "" {
		deviceID = store.NewID()
	}
	sess := &store.Session{
		ID:        store.NewID(),
		UserID:    u.ID,
		UserType:  u.Type,
		DeviceID:  deviceID,
		CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.RefreshTTL),
		LastUsed:  now,
		Rotating:  rotating,
	}
	rc := &RefreshClaims{Subject: u.ID, SessionID: sess.ID, Expiry: jwt.NewNumericDate(sess.ExpiresAt)}
	refresh, err := s.issuer.MintRefresh(rc)
	if err != nil {
		return nil, err
	}
	sess.SecretHash = HashSecret(rc.Secret)
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	access, err := s.mintAccess(ctx, u, sess, !newUserWithoutData)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, RefreshToken: refresh, SessionID: sess.ID, DeviceID: deviceID}, nil
}

// mintAccess mints an access token for the session, carrying the user's current custom data. A
// document too large to carry, or naming a field twice (BSON allows it, verification does not), is left
// out and flagged, never truncated, and never fails the call.
func (s *Service) mintAccess(ctx context.Context, u *store.User, sess *store.Session, readData bool) (string, error) {
	var data UserData
	if s.cfg.UserData != nil && readData {
		doc, omitted, err := s.cfg.UserData(ctx, u.ID)
		if err != nil {
			return "", err
		}
		data = UserData{JSON: doc, Omitted: omitted}
	}
	return s.mint(u, sess, data)
}

// mint signs an access token for the session carrying data.
func (s *Service) mint(u *store.User, sess *store.Session, data UserData) (string, error) {
	c := &AccessClaims{Subject: u.ID, SessionID: sess.ID, UserType: u.Type, DeviceID: sess.DeviceID,
		UserData: data.JSON, UserDataOmitted: data.Omitted}
	if s.cfg.IncludeMetadata {
		c.UserMetadata = u.Data
	}
	tok, err := s.issuer.mintAccess(c)
	if errors.Is(err, ErrTokenTooLarge) || errors.Is(err, ErrUserDataUnfit) {
		why := "the token would exceed the size limit"
		if errors.Is(err, ErrUserDataUnfit) {
			why = "the document is not a JSON object with unique field names"
		}
		s.log.Warn("custom data left out of an access token: "+why, "user_id", u.ID)
		c.UserData, c.UserDataOmitted = nil, true
		c.ID, c.Expiry = "", nil
		tok, err = s.issuer.mintAccess(c)
	}
	return tok, err
}

// UserData is a custom data document as a token carries it: the JSON object, or nothing and Omitted
// when it is too large to carry. The JSON is embedded without another check: it must be valid, as the
// store's rendering (store.CustomDoc.JSON) is.
type UserData struct {
	JSON    json.RawMessage
	Omitted bool
}

// MintAccessForSession mints a new access token for a principal's own session carrying data, the
// current custom data the caller has just read or written (RefreshCustomData, UpdateCustomData of one's
// own document), so that it is not read again.
func (s *Service) MintAccessForSession(ctx context.Context, p *Principal, data UserData) (string, error) {
	sess, u, err := s.liveSession(ctx, p.SessionID, p.UserID)
	if err != nil {
		return "", err
	}
	return s.mint(u, sess, data)
}

// liveSession returns the session and its user, or ErrSessionRevoked / ErrUserDisabled.
func (s *Service) liveSession(ctx context.Context, sessionID, userID string) (*store.Session, *store.User, error) {
	sess, err := s.store.GetSession(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrSessionRevoked
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkSession(sess, userID); err != nil {
		return nil, nil, err
	}
	u, err := s.sessionUser(ctx, sess, true)
	return sess, u, err
}

// checkSession refuses a session of another user, or one revoked, expired or idle too long.
func (s *Service) checkSession(sess *store.Session, userID string) error {
	now := s.cfg.Now()
	switch {
	case sess.UserID != userID:
		return ErrTokenInvalid
	case sess.Revoked, now.After(sess.ExpiresAt):
		return ErrSessionRevoked
	case s.cfg.IdleTTL > 0 && now.Sub(sess.LastUsed) > s.cfg.IdleTTL:
		return ErrSessionRevoked
	}
	return nil
}

// sessionUser returns the user a token of the session is minted for. The session knows the user's
// type, so the user itself is read only when tokens carry its metadata; checkDisabled asks the store
// whether the user is disabled, which a refresh need not do: disabling a user revokes its sessions.
// (Deleting a user deletes its sessions, so a live session has a user.)
func (s *Service) sessionUser(ctx context.Context, sess *store.Session, checkDisabled bool) (*store.User, error) {
	if s.cfg.IncludeMetadata || sess.UserType == "" {
		u, err := s.store.GetUser(ctx, sess.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrSessionRevoked
		}
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, ErrUserDisabled
		}
		return u, nil
	}
	if checkDisabled {
		disabled, err := s.store.UserDisabled(ctx, sess.UserID)
		if err != nil {
			return nil, err
		}
		if disabled {
			return nil, ErrUserDisabled
		}
	}
	return &store.User{ID: sess.UserID, Type: sess.UserType}, nil
}

// refreshable reads the session a verified refresh token names and checks it. A token's signature proves
// it was made by Lanyard as it is, secret included, and a token of a later generation was handed out only
// once its rotation was claimed, so it needs no rotation read; a token of generation 0 proves itself with
// the session's secret hash. Reuse of an old generation is caught when its rotation is claimed again.
//
// Callers parse the token first (Issuer.ParseRefresh), so that a refresh token with a bad signature
// costs no store read and gets one answer, whatever session it names.
func (s *Service) refreshable(ctx context.Context, c *RefreshClaims) (*store.Session, error) {
	sess, _, err := s.store.SessionForRefresh(ctx, c.SessionID, -1)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrSessionRevoked
	}
	if err != nil {
		return nil, err
	}
	proven := c.Generation > 0 || CheckSecret(sess.SecretHash, c.Secret)
	// The session record decides; a revocation this process has heard of also counts, so that one the
	// record does not show yet (made by a replica of the previous version during an upgrade) still bites.
	if s.revoked.sessionRevoked(sess.ID) {
		sess.Revoked = true
	}
	if err := s.checkSession(sess, c.Subject); err != nil {
		// Disabling a user revokes its sessions; say which it was (a store read on the refusal path only).
		if sess.Revoked && sess.UserID == c.Subject {
			if disabled, derr := s.store.UserDisabled(ctx, sess.UserID); derr == nil && disabled {
				return sess, ErrUserDisabled
			}
		}
		return sess, err
	}
	if !proven {
		return sess, ErrTokenInvalid
	}
	return sess, nil
}

// ErrSessionRotates refuses, where refresh tokens cannot rotate (the App Services HTTP API), a refresh
// token of a session whose refresh tokens do.
var ErrSessionRotates = errors.New("authn: the session's refresh tokens rotate")

// Refresh exchanges a refresh token for a new access token and the refresh token to use next. On a
// rotating session exactly one successor exists per generation: the first caller claims the rotation
// with a unique-key insert; callers that lose the race, or retry within the grace window, get that same
// successor back; reuse after the window revokes the whole session (the token was stolen, or a client
// is broken — either way the family is no longer trustworthy).
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	return s.refresh(ctx, refreshToken, true)
}

// RefreshWithoutRotation is Refresh for clients that cannot take a new refresh token: a token of a
// rotating session is refused with ErrSessionRotates, once it is proven genuine, and the session is left
// untouched for its own client.
func (s *Service) RefreshWithoutRotation(ctx context.Context, refreshToken string) (*Tokens, error) {
	return s.refresh(ctx, refreshToken, false)
}

func (s *Service) refresh(ctx context.Context, refreshToken string, mayRotate bool) (_ *Tokens, err error) {
	defer func() { s.obs.Refresh(err) }()
	// When the token was presented: the grace window is about the client's retry, so a request that
	// waited for a busy store is judged by its arrival, not by when its turn came.
	presented := s.cfg.Now()
	c, err := s.issuer.ParseRefresh(refreshToken)
	if err != nil {
		return nil, err
	}
	sess, err := s.refreshable(ctx, c)
	if err != nil {
		return nil, err
	}
	if sess.Rotating && !mayRotate {
		return nil, ErrSessionRotates
	}
	u, err := s.sessionUser(ctx, sess, false)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	next := refreshToken
	if sess.Rotating {
		if next, err = s.rotate(ctx, sess, c, presented); err != nil {
			return nil, err
		}
	}
	// Last use matters only for idle expiry; without it a refresh saves a store write.
	if s.cfg.IdleTTL > 0 {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
	}
	access, err := s.mintAccess(ctx, u, sess, true)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, RefreshToken: next, SessionID: sess.ID, DeviceID: sess.DeviceID}, nil
}

func (s *Service) rotate(ctx context.Context, sess *store.Session, c *RefreshClaims, presented time.Time) (string, error) {
	now := s.cfg.Now()
	nc := &RefreshClaims{Subject: sess.UserID, SessionID: sess.ID, Generation: c.Generation + 1, Expiry: jwt.NewNumericDate(sess.ExpiresAt)}
	successor, err := s.issuer.MintRefresh(nc)
	if err != nil {
		return "", err
	}
	aad := rotationAAD(sess.ID, c.Generation)
	sealed, err := seal(s.cfg.MasterKey, sealXChaCha, sealInfoRefresh, aad, []byte(successor))
	if err != nil {
		return "", err
	}
	err = s.store.ClaimRotation(ctx, &store.Rotation{SessionID: sess.ID, Generation: c.Generation, CreatedAt: now,
		SuccessorHash: HashSecret(nc.Secret), SealedSuccessor: sealed})
	if err == nil {
		return successor, nil
	}
	if !errors.Is(err, store.ErrAlreadyExists) {
		return "", err
	}
	// Someone rotated this generation already.
	prev, err := s.store.GetRotation(ctx, sess.ID, c.Generation)
	if err != nil {
		return "", err
	}
	if presented.Sub(prev.CreatedAt) <= s.cfg.RotationGrace {
		plain, err := open(s.cfg.MasterKey, sealInfoRefresh, aad, prev.SealedSuccessor)
		if err != nil {
			return "", err
		}
		return string(plain), nil
	}
	s.log.Warn("rotated refresh token reused after the grace window: revoking the session", "session_id", sess.ID, "user_id", sess.UserID)
	if err := s.revokeSession(ctx, sess.ID); err != nil {
		return "", err
	}
	s.obs.Revoked(RevokedReuse)
	return "", ErrRefreshReused
}

func rotationAAD(sessionID string, generation int64) []byte {
	return []byte(sessionID + ":" + strconv.FormatInt(generation, 10))
}

// Logout ends the session of a refresh token. The secret must match, so that a token's claims alone
// (readable by anyone who sees it in a log) cannot end someone's session; an already ended session is
// fine.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	c, err := s.issuer.ParseRefresh(refreshToken)
	if errors.Is(err, ErrTokenExpired) {
		return nil // the session is over anyway
	}
	if err != nil {
		return err
	}
	// Any generation of the family, rotated out or not, proves possession and may end it.
	sess, err := s.refreshable(ctx, c)
	switch {
	case errors.Is(err, ErrSessionRevoked), errors.Is(err, ErrUserDisabled):
		return nil // ended already
	case err != nil:
		return err
	}
	if err := s.revokeSession(ctx, sess.ID); err != nil {
		return err
	}
	s.obs.Revoked(RevokedLogout)
	return nil
}

func (s *Service) revokeSession(ctx context.Context, id string) error {
	if err := s.store.RevokeSession(ctx, id); err != nil {
		return err
	}
	return s.revoke(ctx, id)
}

// UserData is the custom data document the principal's token carries ({} when none).
func (p *Principal) UserData() json.RawMessage {
	if p.Claims == nil || len(p.Claims.UserData) == 0 {
		return json.RawMessage("{}")
	}
	return p.Claims.UserData
}
