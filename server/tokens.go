package server

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/lanyardhq/lanyard/authn"
)

// openAuth builds the authentication service from the configuration: signing keys are loaded (or
// created on first start) here, so a master key that cannot open them stops the start with a clear error.
func (s *Server) openAuth(ctx context.Context) error {
	master, err := s.masterKey()
	if err != nil {
		return err
	}
	external, err := s.externalProviders()
	if err != nil {
		return err
	}
	enabled := func(p string) bool { return slices.Contains(s.cfg.Providers, p) }
	var sender authn.Sender
	if s.cfg.UserpassSenderWebhook != "" {
		sender = &authn.WebhookSender{URL: s.cfg.UserpassSenderWebhook, Client: &http.Client{Timeout: 10 * time.Second}}
	} else {
		sender = &authn.OutboxSender{Path: filepath.Join(s.cfg.DataDir, "outbox.jsonl")}
	}
	cfg := authn.Config{
		AppID:              s.cfg.AppID,
		PublicURL:          s.cfg.PublicURL,
		Alg:                s.cfg.SigningAlg,
		MasterKey:          master,
		AccessTTL:          s.cfg.AccessTokenTTL,
		RefreshTTL:         s.cfg.RefreshTokenTTL,
		IdleTTL:            s.cfg.SessionIdleTTL,
		RotationGrace:      s.cfg.RotationGrace,
		RevocationInterval: s.cfg.RevocationInterval,
		KeyReloadInterval:  s.cfg.KeyReloadInterval,
		Anonymous:          enabled(authn.ProviderAnonymous),
		APIKeys:            enabled(authn.ProviderAPIKey),
		UserPass: authn.UserPassConfig{
			Enabled:           enabled(authn.ProviderUserPass),
			AutoConfirm:       s.cfg.UserpassAutoConfirm,
			MinPasswordLength: s.cfg.UserpassMinPasswordLength,
			Sender:            sender,
		},
		External:        external,
		IncludeMetadata: s.cfg.IncludeMetadataInToken,
		Observer:        s.metrics,
		Logger:          s.log,
		Now:             s.cfg.Now,
	}
	if s.cfg.CustomDataEnabled {
		cfg.UserData = s.tokenDocs().UserData
		cfg.StampLastLogin = s.cfg.CustomDataStampLastLogin
		cfg.DeleteCustomData = s.cfg.CustomDataDeleteWithUser
		if s.cfg.CustomDataOnUserCreation != "" {
			hook, conn, err := newUserCreationHook(s.cfg, s.log, s.metrics)
			if err != nil {
				return err
			}
			s.closers = append(s.closers, conn.Close)
			cfg.OnUserCreation = hook.call
		}
	}
	fns, err := s.openFunctions()
	if err != nil {
		return err
	}
	if fns != nil {
		fns.configure(&cfg)
		if err := s.openTriggers(ctx, fns); err != nil {
			return err
		}
	}
	s.auth, err = authn.New(ctx, cfg, s.store)
	return err
}

// verifyAccess turns a bearer token into the caller's principal, from memory: the verified-token cache
// and the revocation set, never the store.
func (s *Server) verifyAccess(_ context.Context, token string) (*authn.Principal, error) {
	return s.auth.Authenticate(token)
}

// signingKeyCreated is when the current signing key was made, for its age on /metrics.
func (s *Server) signingKeyCreated() (time.Time, bool) {
	if s.auth == nil {
		return time.Time{}, false
	}
	k := s.auth.Keyring().Current()
	if k == nil {
		return time.Time{}, false
	}
	return k.Created, true
}
