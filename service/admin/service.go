// Package admin is AdminService, for server principals: users, sessions, signing keys, shadowed custom
// data and the auth event feed.
package admin

import (
	"time"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// Service implements AdminService.
type Service struct {
	lanyardv1.UnimplementedAdminServiceServer
	auth         *authn.Service
	store        store.Store
	customData   bool
	pollInterval time.Duration
	stopping     <-chan struct{}
}

// Deps is what the service needs from the server.
type Deps struct {
	Auth  *authn.Service
	Store store.Store
	// CustomData says whether the server keeps custom user data.
	CustomData bool
	// PollInterval is how often WatchAuthEvents looks for new events.
	PollInterval time.Duration
	// Stopping is closed when the server stops, ending the event feeds.
	Stopping <-chan struct{}
}

// New returns the service on d.
func New(d Deps) *Service {
	return &Service{auth: d.Auth, store: d.Store, customData: d.CustomData, pollInterval: d.PollInterval, stopping: d.Stopping}
}
