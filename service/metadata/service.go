// Package metadata is MetadataService: the metadata fields providers yield, and user profiles.
package metadata

import (
	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// Service implements MetadataService.
type Service struct {
	lanyardv1.UnimplementedMetadataServiceServer
	auth  *authn.Service
	store store.Store
}

// New returns the service on the server's authn.Service and store.
func New(auth *authn.Service, st store.Store) *Service {
	return &Service{auth: auth, store: st}
}
