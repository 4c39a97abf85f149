package store

import (
	"context"
	"time"
)

// User types (App Services values).
const (
	UserTypeNormal = "normal"
	UserTypeServer = "server"
)

// User is an account. Its identities live in their own records (see Identity), because an identity is
// claimed with a unique-key insert: that is what keeps two users from ever sharing one.
type User struct {
	ID          string // 24 hex characters (an ObjectId)
	Type        string // UserTypeNormal or UserTypeServer
	Disabled    bool
	CreatedAt   time.Time
	LastLoginAt time.Time
	// Data is the user's provider metadata: the latest login's identity data laid over the others'.
	// Values are JSON-like (string, bool, nil, int32/int64/float64, map[string]any, []any) and come back
	// as those plain Go types; an empty Data comes back as an empty, non-nil map.
	Data map[string]any
}

// Identity is one way to log in to a user. (ProviderType, ProviderID) is unique across all users.
type Identity struct {
	ID           string // 24 hex characters
	UserID       string
	ProviderType string         // "anon-user", "local-userpass", "api-key", "custom-token", "oauth2-google", ...
	ProviderID   string         // the provider's subject; for local-userpass the lowercased email
	Data         map[string]any // as User.Data
	CreatedAt    time.Time
	LastLoginAt  time.Time
}

// Users stores accounts and their identities.
type Users interface {
	// CreateUser inserts u with its first identity, whose insert is the claim: when the identity exists
	// already, u is withdrawn and the error wraps ErrAlreadyExists. Whoever finds an identity finds its
	// user, even while racing creators are still at work.
	CreateUser(ctx context.Context, u *User, first *Identity) error
	// GetUser returns the user; ErrNotFound when there is none.
	GetUser(ctx context.Context, id string) (*User, error)
	// UserWithIdentities returns the user and its identities, oldest first, without asking whether the
	// user is disabled (Disabled is false): what a profile shows, as the latest login recorded it. Read by
	// key only (the user's identity slots, then each identity), and the user document only where no login
	// left its copy on an identity, so that its cost does not grow with the number of users. ErrNotFound
	// when there is no such user.
	UserWithIdentities(ctx context.Context, id string) (*User, []*Identity, error)
	// ListUsers returns up to limit users with ids greater than afterID, in id order. An empty afterID
	// starts at the beginning; one that is not an id yields no users.
	ListUsers(ctx context.Context, afterID string, limit int) ([]*User, error)
	// UserDisabled reports whether the user is disabled, in one query (a refresh asks it every time).
	UserDisabled(ctx context.Context, id string) (bool, error)
	// SetUserDisabled sets the disabled flag; ErrNotFound when there is no such user. A login recorded
	// at the same time (TouchLogin) never undoes it.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error
	// TouchLogin records a login of u through ident, one of its identities as FindIdentity or
	// ListIdentities returned it: u as the login leaves it (its LastLoginAt is the time of the login, its
	// Data replaces the user's), and the identity's data and time. ErrNotFound when the user or the
	// identity does not exist, or when ident is not u's.
	TouchLogin(ctx context.Context, u *User, ident *Identity, identityData map[string]any) error
	// DeleteUser removes the user, its identities, sessions (with their rotations), API keys, its
	// password records (by user id) and their action tokens. ErrNotFound when there is no such user.
	// The user goes first, so that it can no longer log in; when a later step fails, calling DeleteUser
	// again finishes the job (and reports ErrNotFound).
	DeleteUser(ctx context.Context, id string) error

	// AddIdentity claims a new identity for an existing user; ErrAlreadyExists when any user has it,
	// ErrNotFound when the user does not exist.
	AddIdentity(ctx context.Context, id *Identity) error
	// FindIdentity returns the identity with this provider and subject; ErrNotFound when there is none.
	FindIdentity(ctx context.Context, providerType, providerID string) (*Identity, error)
	// ListIdentities returns the identities of the users, oldest first (by CreatedAt). On engines whose
	// $in is served by an index (MongoDB) a page costs a few queries; on FerretDB, whose $in reads the
	// whole collection, each identity is read by its key, which costs more per page but stays flat as
	// users are added.
	ListIdentities(ctx context.Context, userIDs ...string) ([]*Identity, error)
}

// Session is a login: the refresh token family and what minting an access token needs.
type Session struct {
	ID        string
	UserID    string
	UserType  string // the user's type, kept so that a refresh need not read the user
	DeviceID  string
	CreatedAt time.Time
	ExpiresAt time.Time // absolute expiry
	LastUsed  time.Time // for idle expiry
	// Rotating sessions (opened over gRPC) replace the refresh token on every use; others (App Services
	// HTTP API) keep one for life.
	Rotating bool
	// SecretHash is the hash of generation 0's refresh secret; later generations' hashes live in their
	// rotation records.
	SecretHash []byte
	// Revoked is read-only for callers: set it with RevokeSession or RevokeUserSessions (CreateSession
	// stores a session given as revoked as revoked).
	Revoked bool
}

// Rotation is the record of one use of a rotating session's refresh token of generation Generation.
// Inserting it is the claim that makes exactly one caller the winner of a refresh: its successor is the
// only live successor, and callers that lose the race (or retry within the grace window) get the same
// sealed successor back.
type Rotation struct {
	SessionID       string
	Generation      int64
	CreatedAt       time.Time
	SuccessorHash   []byte // hash of generation+1's secret
	SealedSuccessor []byte // the successor refresh token, sealed under the master key
}

// Sessions stores sessions and their refresh-token rotations.
type Sessions interface {
	// CreateSession inserts s; ErrAlreadyExists when its id is taken.
	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns the session, revoked or not, expired or not; ErrNotFound when there is none.
	GetSession(ctx context.Context, id string) (*Session, error)
	// TouchSession records a use (for idle expiry); ErrNotFound when there is no such session. It never
	// undoes a revocation made at the same time.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// RevokeSession marks one session revoked; revoking a revoked or missing session is not an error.
	RevokeSession(ctx context.Context, id string) error
	// UserSessionIDs returns the ids of the user's sessions, revoked or not, expired or not (until
	// swept), in one query.
	UserSessionIDs(ctx context.Context, userID string) ([]string, error)
	// RevokeUserSessions marks every live session of the user revoked and returns how many. Live means
	// not revoked yet (sessions past their expiry that were not swept yet count too). Each session is
	// counted by exactly one caller even when revocations race.
	RevokeUserSessions(ctx context.Context, userID string) (int, error)
	// ClaimRotation inserts r; ErrAlreadyExists when generation r.Generation was already rotated.
	ClaimRotation(ctx context.Context, r *Rotation) error
	// SessionForRefresh returns the session (with Revoked) and the rotation of generation prev (nil when
	// prev < 0 or not rotated) in as few round trips as the engine allows: a refresh needs both.
	// ErrNotFound when there is no session.
	SessionForRefresh(ctx context.Context, id string, prev int64) (*Session, *Rotation, error)
	// GetRotation returns the rotation of one generation; ErrNotFound when it has not been rotated.
	GetRotation(ctx context.Context, sessionID string, generation int64) (*Rotation, error)
	// DeleteExpiredSessions removes sessions (and their rotations) whose ExpiresAt is before t, and
	// returns how many sessions it removed.
	DeleteExpiredSessions(ctx context.Context, t time.Time) (int, error)
}

// Revocation says that a session has ended: every access token of it is refused. Every replica polls
// the log of revocations by sequence number, so a revocation bites within seconds, not at token
// expiry, and neither the poll nor the refusal compares clocks of replicas.
type Revocation struct {
	// Seq is set by AddRevocations: revocations are numbered in the order they are stored, across every
	// process writing to the store.
	Seq       int64
	SessionID string
	// At is when the revocation was recorded, by the recording process's clock: it only decides when
	// the revocation is swept.
	At time.Time
}

// Revocations is the shared log of ended sessions.
type Revocations interface {
	// AddRevocations stores rs, in order, under the next sequence numbers and sets their Seq. Numbers
	// start at 1 and only grow, across every process writing to the store; a revocation is visible to
	// RevocationsAfter before any later one is stored, so that a reader that has seen Seq n has seen
	// every revocation numbered up to n. Recording a session twice is harmless (both are returned).
	AddRevocations(ctx context.Context, rs ...*Revocation) error
	// RevocationsAfter returns the revocations with Seq > after, in order.
	RevocationsAfter(ctx context.Context, after int64) ([]Revocation, error)
	// DeleteRevocationsBefore removes revocations whose At is before t (their tokens have expired), but
	// never the latest one: the numbering goes on from it.
	DeleteRevocationsBefore(ctx context.Context, t time.Time) error
}

// StoredKey is a signing key at rest: the private part sealed under the master key.
type StoredKey struct {
	KID           string
	Alg           string
	PublicDER     []byte // PKIX
	SealedPrivate []byte
	CreatedAt     time.Time
}

// Keys stores signing keys. The current key is the newest; older keys stay until retired.
type Keys interface {
	// InsertKey stores k; ErrAlreadyExists when its KID is taken.
	InsertKey(ctx context.Context, k *StoredKey) error
	// ListKeys returns every stored key, oldest first (by CreatedAt).
	ListKeys(ctx context.Context) ([]*StoredKey, error)
	// DeleteKey removes a key; deleting a missing key is not an error (replicas retire keys at once).
	DeleteKey(ctx context.Context, kid string) error
}

// APIKey is a user or server API key; only a hash of its secret is stored.
type APIKey struct {
	ID         string
	UserID     string
	Name       string
	SecretHash []byte // SHA-256 of the key: keys are 256-bit random, so a slow hash adds nothing
	Disabled   bool
	CreatedAt  time.Time
}

// APIKeys stores API keys.
//
// The operations that take a user id act only on that user's keys: another user's key is ErrNotFound,
// like an unknown one.
type APIKeys interface {
	// CreateAPIKey inserts k; ErrAlreadyExists when the user has a key of that name (exactly one of
	// racing creates wins), or when k's id or secret hash is taken.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKeyBySecretHash returns the key with this hash; ErrNotFound when there is none.
	FindAPIKeyBySecretHash(ctx context.Context, hash []byte) (*APIKey, error)
	// GetAPIKey returns the user's key; ErrNotFound when the user has no key of that id.
	GetAPIKey(ctx context.Context, userID, id string) (*APIKey, error)
	// ListAPIKeys returns the user's keys, oldest first.
	ListAPIKeys(ctx context.Context, userID string) ([]*APIKey, error)
	// SetAPIKeyDisabled sets the disabled flag; ErrNotFound when the user has no key of that id.
	SetAPIKeyDisabled(ctx context.Context, userID, id string, disabled bool) error
	// DeleteAPIKey removes the key, frees its name and removes the user's identity of provider type
	// "api-key" whose provider id is the key's id; ErrNotFound when the user has no key of that id.
	DeleteAPIKey(ctx context.Context, userID, id string) error
}

// Password is the local-userpass record of one email.
type Password struct {
	Email     string // lowercased; unique
	UserID    string // empty until the user is confirmed (pending registrations have no user yet)
	Hash      string // argon2id PHC string; empty for imported users that must reset
	Confirmed bool
	CreatedAt time.Time
}

// ActionToken is a single-use confirmation or password-reset token; only its hash is stored.
type ActionToken struct {
	ID        string
	Kind      string // ActionConfirm or ActionReset
	Email     string
	Hash      []byte
	ExpiresAt time.Time
}

// Action token kinds.
const (
	ActionConfirm = "confirm"
	ActionReset   = "reset"
)

// Passwords stores email/password credentials and their action tokens.
type Passwords interface {
	// CreatePassword claims the email; ErrAlreadyExists when it is taken (exactly one of racing creates
	// wins).
	CreatePassword(ctx context.Context, p *Password) error
	// GetPassword returns the record of the email; ErrNotFound when there is none.
	GetPassword(ctx context.Context, email string) (*Password, error)
	// UpdatePassword replaces UserID, Hash and Confirmed of the record of p.Email (CreatedAt stays);
	// ErrNotFound when there is none.
	UpdatePassword(ctx context.Context, p *Password) error
	// DeletePassword removes the record of the email and its action tokens; deleting a missing record
	// is not an error (it undoes failed registrations).
	DeletePassword(ctx context.Context, email string) error
	// CreateActionToken stores t; ErrAlreadyExists when its id is taken.
	CreateActionToken(ctx context.Context, t *ActionToken) error
	// UseActionToken returns the token and marks it used with a unique-key claim, so that it works
	// once even when raced; ErrNotFound when unknown, used or expired at now (ExpiresAt <= now).
	UseActionToken(ctx context.Context, id string, now time.Time) (*ActionToken, error)
}

// AuthEvent is a CREATE, LOGIN or DELETE event. Seq is a gap-free sequence across all replicas, made of
// unique-key inserts, so that a watcher can resume after the last Seq it processed.
type AuthEvent struct {
	Seq       int64
	Type      string // EventCreate, EventLogin or EventDelete
	UserID    string
	Providers []string
	At        time.Time
	// User is what a DELETE event keeps of the deleted user (nil on other events, which read the user
	// from the store, and on DELETE events written before it was kept).
	User *UserSnapshot
}

// Auth event types.
const (
	EventCreate = "CREATE"
	EventLogin  = "LOGIN"
	EventDelete = "DELETE"
)

// AuthEvents is the durable log of auth events.
type AuthEvents interface {
	// AppendEvents stores events, in order, with the next sequence numbers and sets their Seq. Sequence
	// numbers start at 1 and have no gaps and no duplicates, across every process writing to the store;
	// an event is visible to EventsAfter before any later one is stored.
	AppendEvents(ctx context.Context, events ...*AuthEvent) error
	// EventsAfter returns up to limit events with Seq > after, in order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]*AuthEvent, error)
	// LastEventSeq returns the highest sequence number stored; 0 when there are no events. A reader that
	// starts there sees only the events appended afterwards.
	LastEventSeq(ctx context.Context) (int64, error)
}
