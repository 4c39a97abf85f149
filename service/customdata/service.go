// Package customdata is CustomDataService: reading, updating, deleting and watching a user's custom data
// document under the App Services rules, and the document access tokens carry.
package customdata

import (
	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/metrics"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/store"
)

// Service implements CustomDataService.
type Service struct {
	lanyardv1.UnimplementedCustomDataServiceServer
	enabled     bool
	userIDField string
	store       store.Store
	rules       *rules.Rules
	auth        *authn.Service
	tokens      TokenDocs
	hub         *Hub
	metrics     *metrics.Metrics
	// Where App Services data access (CallMongo) is served: the MongoDB service's name and the custom
	// data namespace.
	serviceName, database, collection string
}

// Deps is what the service needs from the server.
type Deps struct {
	// Enabled says whether the server keeps custom user data; when it does not, every method answers
	// NOT_FOUND.
	Enabled bool
	// UserIDField is the document field holding its user's id.
	UserIDField string
	Rules       *rules.Rules
	Auth        *authn.Service
	Tokens      TokenDocs
	Hub         *Hub
	// Metrics counts writes, their conflicts and open watch streams; nil counts nothing.
	Metrics *metrics.Metrics
	// ServiceName is the App Services MongoDB service clients name in data access calls; Database and
	// Collection are the custom data collection's namespace.
	ServiceName, Database, Collection string
}

// New returns the service on d; its store is the one d.Tokens reads.
func New(d Deps) *Service {
	return &Service{enabled: d.Enabled, userIDField: d.UserIDField, store: d.Tokens.Store, rules: d.Rules,
		auth: d.Auth, tokens: d.Tokens, hub: d.Hub, metrics: d.Metrics,
		serviceName: d.ServiceName, database: d.Database, collection: d.Collection}
}
