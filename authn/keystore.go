package authn

import (
	"context"
	"crypto/x509"
	"fmt"
	"sort"

	"github.com/lanyardhq/lanyard/store"
)

// ensureKeys loads the signing keys, creating the first one when the store has none. Two replicas
// starting at once may both create one; both keys are kept and every replica signs with the newest, so
// they converge without coordination.
func (s *Service) ensureKeys(ctx context.Context) error {
	stored, err := s.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("authn: list signing keys: %w", err)
	}
	if len(stored) == 0 {
		if _, err := s.addKey(ctx); err != nil {
			return err
		}
		s.log.Info("created the first signing key", "alg", s.cfg.Alg)
	}
	return s.keys.Reload(ctx)
}

// RotateSigningKey creates a new signing key; this replica signs with it at once, others within the key
// reload interval (or at the first token naming it). Older keys stay published until their tokens expire.
func (s *Service) RotateSigningKey(ctx context.Context) (string, error) {
	kid, err := s.addKey(ctx)
	if err != nil {
		return "", err
	}
	if err := s.keys.Reload(ctx); err != nil {
		return "", err
	}
	s.log.Info("rotated signing key", "kid", kid)
	return kid, nil
}

func (s *Service) addKey(ctx context.Context) (string, error) {
	k, err := GenerateKey(s.cfg.Alg)
	if err != nil {
		return "", err
	}
	k.Created = s.cfg.Now()
	sealed, err := SealPrivateKey(s.cfg.MasterKey, k)
	if err != nil {
		return "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return "", fmt.Errorf("authn: marshal public key: %w", err)
	}
	if err := s.store.InsertKey(ctx, &store.StoredKey{KID: k.KID, Alg: k.Alg, PublicDER: pub, SealedPrivate: sealed, CreatedAt: k.Created}); err != nil {
		return "", fmt.Errorf("authn: store signing key: %w", err)
	}
	return k.KID, nil
}

// loadKeys is the keyring's KeySource: every stored key, opened with the master key. The newest signs;
// an older key stays published until every token it signed has expired, that is AccessTTL (plus leeway)
// after its successor took over, and is deleted after that.
func (s *Service) loadKeys(ctx context.Context) (*SigningKey, []*SigningKey, error) {
	stored, err := s.store.ListKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(stored) == 0 {
		return nil, nil, fmt.Errorf("authn: no signing keys in the store")
	}
	sort.Slice(stored, func(i, j int) bool {
		if !stored[i].CreatedAt.Equal(stored[j].CreatedAt) {
			return stored[i].CreatedAt.Before(stored[j].CreatedAt)
		}
		return stored[i].KID < stored[j].KID
	})
	now := s.cfg.Now()
	keep := s.cfg.AccessTTL + DefaultLeeway
	var all []*SigningKey
	for i, sk := range stored {
		k, err := s.openKey(sk)
		if err != nil {
			return nil, nil, err
		}
		if i+1 < len(stored) {
			k.NotAfter = stored[i+1].CreatedAt
			if now.Sub(k.NotAfter) > keep {
				if err := s.store.DeleteKey(ctx, k.KID); err != nil {
					s.log.Warn("deleting retired signing key", "kid", k.KID, "error", err.Error())
				}
				continue
			}
		}
		all = append(all, k)
	}
	return all[len(all)-1], all, nil
}

func (s *Service) openKey(sk *store.StoredKey) (*SigningKey, error) {
	priv, err := OpenPrivateKey(s.cfg.MasterKey, sk.SealedPrivate, sk.KID)
	if err != nil {
		return nil, err
	}
	pub, err := x509.ParsePKIXPublicKey(sk.PublicDER)
	if err != nil {
		return nil, fmt.Errorf("authn: key %s: parse public key: %w", sk.KID, err)
	}
	return &SigningKey{KID: sk.KID, Alg: sk.Alg, Private: priv, Public: pub, Created: sk.CreatedAt}, nil
}
