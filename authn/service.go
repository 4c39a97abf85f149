package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// Config configures the authentication service. Zero durations take the defaults named beside them.
type Config struct {
	AppID     string // aud of every token
	PublicURL string // iss of every token
	Alg       string // signing algorithm of new keys: AlgES256 (default), AlgEdDSA, AlgRS256
	MasterKey []byte // 32 bytes; seals signing keys and rotated refresh tokens at rest

	AccessTTL          time.Duration // 30 min
	RefreshTTL         time.Duration // absolute session expiry, 60 days
	IdleTTL            time.Duration // idle session expiry; 0 = off
	RotationGrace      time.Duration // a rotated refresh token retried within it gets the same successor; 10 s
	RevocationInterval time.Duration // how often revocations are polled from the store; 2 s
	KeyReloadInterval  time.Duration // how often keys are reloaded (rotation by another replica); 10 s

	Anonymous bool
	APIKeys   bool
	UserPass  UserPassConfig
	External  []ExternalProvider

	// UserData returns the custom data document to carry in an access token, as a JSON object, and
	// whether it was left out for being too large. Nil: every token carries {}. The document is embedded
	// without another check, so it must be valid JSON: the store's rendering (store.CustomDoc.JSON) is.
	UserData func(ctx context.Context, userID string) (doc json.RawMessage, omitted bool, err error)
	// OnUserCreation runs before a new user is stored, with its final id; an error refuses the user and
	// leaves nothing behind. A document it returns (a JSON object) becomes the user's custom data, so the
	// first token already carries it. Nil: no hook.
	OnUserCreation func(ctx context.Context, u *NewUser) (customData json.RawMessage, err error)
	// CustomFunction enables the custom-function provider: it says whose the login payload is. Nil: the
	// provider is off.
	CustomFunction CustomFunction
	// IncludeMetadata adds the user's provider metadata to access tokens as `user_metadata`.
	IncludeMetadata bool
	// StampLastLogin sets `last_login` on the user's custom data document at every login.
	StampLastLogin bool
	// DeleteCustomData deletes the user's custom data document with the user.
	DeleteCustomData bool

	// Observer is told the outcomes of logins, refreshes, limits and revocations (package metrics).
	// Nil tells no one.
	Observer Observer

	Logger *slog.Logger
	Now    func() time.Time
}

// UserPassConfig configures the local-userpass provider.
type UserPassConfig struct {
	Enabled           bool
	AutoConfirm       bool
	MinPasswordLength int           // in characters; 8 when zero
	TokenTTL          time.Duration // confirmation and reset tokens; 30 min
	Sender            Sender        // delivers confirmation and reset tokens; required unless AutoConfirm or ConfirmFunction
	// ConfirmFunction, when set, is run at registration (and by RetryConfirmation) instead of sending
	// a confirmation token: App Services' runConfirmationFunction.
	ConfirmFunction ActionFunction
	// ResetFunction, when set, serves CallResetFunction: App Services' runResetFunction.
	ResetFunction ActionFunction
}

// NewUser is what the user creation hook is told.
type NewUser struct {
	UserID       string
	Type         string
	IdentityID   string // the id the first identity will have (App Services' identities[].id)
	ProviderType string
	ProviderID   string
	Data         map[string]any
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.AccessTTL, DefaultAccessTTL)
	def(&c.RefreshTTL, DefaultRefreshTTL)
	def(&c.RotationGrace, 10*time.Second)
	def(&c.RevocationInterval, 2*time.Second)
	def(&c.KeyReloadInterval, 10*time.Second)
	def(&c.UserPass.TokenTTL, 30*time.Minute)
	if c.UserPass.MinPasswordLength <= 0 {
		c.UserPass.MinPasswordLength = 8
	}
	if c.Alg == "" {
		c.Alg = AlgES256
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
}

// Store is what the service reads and writes: every kind of record, and none of the store's lifecycle
// (Ping, health, Close), which stays with whoever opened the store. A store.Store is one.
type Store interface {
	store.Users
	store.Sessions
	store.Revocations
	store.Keys
	store.APIKeys
	store.Passwords
	store.AuthEvents
	store.CustomData // the creation hook's document, the last login stamp, the deletion with the user
}

// Service is Lanyard's authentication: logins with every provider, sessions and their refresh tokens,
// signing keys, account flows and revocation. Handlers of both APIs (gRPC and App Services HTTP) call
// it, so that every rule lives here once.
type Service struct {
	cfg      Config
	store    Store
	issuer   *Issuer
	keys     *Keyring
	revoked  *revocationSet
	limiter  *failureLimiter
	external map[string]ExternalProvider
	log      *slog.Logger
	obs      Observer
	events   *eventLog
}

// New loads (or, on first start, creates) the signing keys and returns a service ready to mint and
// verify tokens. Run must be called for revocations and key rotations by other replicas to be seen.
func New(ctx context.Context, cfg Config, st Store) (*Service, error) {
	cfg.setDefaults()
	if len(cfg.MasterKey) != 32 {
		return nil, errors.New("authn: master key must be 32 bytes")
	}
	if cfg.UserPass.Enabled && !cfg.UserPass.AutoConfirm && cfg.UserPass.Sender == nil && cfg.UserPass.ConfirmFunction == nil {
		return nil, errors.New("authn: local-userpass without auto-confirm needs a sender for confirmation tokens")
	}
	s := &Service{
		cfg:      cfg,
		store:    st,
		keys:     &Keyring{},
		revoked:  newRevocationSet(),
		limiter:  newFailureLimiter(cfg.Now),
		external: map[string]ExternalProvider{},
		log:      cfg.Logger,
		obs:      cfg.Observer,
		events:   &eventLog{store: st},
	}
	for _, p := range cfg.External {
		s.external[p.Type()] = p
	}
	refreshKey, err := RefreshMACKey(cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	s.issuer = &Issuer{
		RefreshKey: refreshKey,
		Keyring:    s.keys,
		Issuer:     cfg.PublicURL,
		Audience:   cfg.AppID,
		AccessTTL:  cfg.AccessTTL,
		RefreshTTL: cfg.RefreshTTL,
		Now:        cfg.Now,
		Cache:      NewVerifyCache(DefaultCacheSize),
	}
	// An unknown kid (a key another replica just made) reloads the keys at most once a second.
	s.keys.SetSource(s.loadKeys, time.Second)
	if err := s.ensureKeys(ctx); err != nil {
		return nil, err
	}
	if err := s.pollRevocations(ctx); err != nil {
		return nil, fmt.Errorf("authn: load revocations: %w", err)
	}
	return s, nil
}

// Run keeps the service in step with the store until ctx is done: it polls revocations (so that a
// session revoked or a user disabled on any replica is refused here within RevocationInterval), reloads
// signing keys (so that a rotation on any replica is served and used here within KeyReloadInterval) and
// sweeps expired sessions and revocations.
func (s *Service) Run(ctx context.Context) {
	rev := time.NewTicker(s.cfg.RevocationInterval)
	defer rev.Stop()
	keys := time.NewTicker(s.cfg.KeyReloadInterval)
	defer keys.Stop()
	sweep := time.NewTicker(10 * time.Minute)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rev.C:
			if err := s.pollRevocations(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("polling revocations", "error", err.Error())
			}
		case <-keys.C:
			if err := s.keys.Reload(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("reloading signing keys", "error", err.Error())
			}
		case <-sweep.C:
			s.sweep(ctx)
		}
	}
}

func (s *Service) sweep(ctx context.Context) {
	now := s.cfg.Now()
	if n, err := s.store.DeleteExpiredSessions(ctx, now); err != nil {
		s.log.Warn("sweeping sessions", "error", err.Error())
	} else if n > 0 {
		s.log.Info("swept expired sessions", "count", n)
	}
	if err := s.store.DeleteRevocationsBefore(ctx, now.Add(-s.revocationKeep())); err != nil {
		s.log.Warn("sweeping revocations", "error", err.Error())
	}
}

// revocationKeep is how long a revocation matters: after it, every token it could refuse has expired.
func (s *Service) revocationKeep() time.Duration {
	return s.cfg.AccessTTL + DefaultLeeway + time.Minute
}

// Authenticate verifies an access token and returns its principal. It never touches the store: the
// verified-token cache and the in-memory revocation set answer it.
func (s *Service) Authenticate(token string) (*Principal, error) {
	c, err := s.issuer.VerifyAccessCached(token)
	if err != nil {
		return nil, err
	}
	p := NewPrincipal(c)
	if s.revoked.refuses(p) {
		return nil, ErrSessionRevoked
	}
	return p, nil
}

// JWKSJSON is the public key set, ready to serve at /.well-known/jwks.json.
func (s *Service) JWKSJSON() []byte { return s.keys.JWKSJSON() }

// Keyring exposes the keys (for GetJwks).
func (s *Service) Keyring() *Keyring { return s.keys }

// ExternalProviders returns the configured external providers by type.
func (s *Service) ExternalProviders() map[string]ExternalProvider { return s.external }

// ProviderEnabled reports whether a provider type may be used to log in.
func (s *Service) ProviderEnabled(t string) bool {
	switch t {
	case ProviderAnonymous:
		return s.cfg.Anonymous
	case ProviderUserPass:
		return s.cfg.UserPass.Enabled
	case ProviderAPIKey:
		return s.cfg.APIKeys
	case ProviderCustomFunction:
		return s.cfg.CustomFunction != nil
	}
	_, ok := s.external[t]
	return ok
}
