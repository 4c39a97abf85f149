package mongo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Sessions and their refresh-token rotations.
//
// A revocation is not a field of the session document but a claim of its
// own in session_revocations, {_id: session id}, for the reason the
// disabled flag of users is one (see users.go): FerretDB v1 rewrites the
// whole document on update, so a TouchSession racing RevokeSession could
// write "not revoked" back. The claim is also what RevokeUserSessions
// counts, once per session however many callers race.
//
// A session is read by _id, and its revocation claim by _id: two reads by
// key, the only reads FerretDB v1 on SQLite serves from the key (see
// users.go). The previous version read a session with its revocation in
// one query on the field sid, which that engine answers by decoding every
// session ever stored. Sessions still get sid, and a revocation still
// leaves its markers, {_id: "session id:revoked", sid} beside the session
// and another among its rotations (where the version before that looked),
// so that replicas of the previous version still read sessions and their
// revocations right: as far as sessions go, those replicas may keep running
// during a rolling upgrade (identities need them stopped; see
// migrations_keyed.go), and a rollback sees the revocations made since. The
// claim goes in first: it is what this version reads, and a revocation
// retried after a failure writes the markers it missed. The marker has no
// user_id or expires_at, so that queries on those fields never see it.
//
// A rotation's _id is "session id:generation": inserting it is the claim
// that makes exactly one refresh of a generation win.

type sessionDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	SID        string        `bson:"sid"` // ID in hex: earlier versions read a session and its revocation marker by it
	UserID     string        `bson:"user_id"`
	UserType   string        `bson:"user_type"`
	DeviceID   string        `bson:"device_id"`
	CreatedAt  time.Time     `bson:"created_at"`
	ExpiresAt  time.Time     `bson:"expires_at"`
	LastUsed   time.Time     `bson:"last_used"`
	Rotating   bool          `bson:"rotating"`
	SecretHash []byte        `bson:"secret_hash"`
}

func (d *sessionDoc) session(revoked bool) *store.Session {
	return &store.Session{
		ID:         d.ID.Hex(),
		UserID:     d.UserID,
		UserType:   d.UserType,
		DeviceID:   d.DeviceID,
		CreatedAt:  utc(d.CreatedAt),
		ExpiresAt:  utc(d.ExpiresAt),
		LastUsed:   utc(d.LastUsed),
		Rotating:   d.Rotating,
		SecretHash: d.SecretHash,
		Revoked:    revoked,
	}
}

// sessionRevocationDoc is the claim that a session is revoked.
type sessionRevocationDoc struct {
	ID     bson.ObjectID `bson:"_id"`
	UserID string        `bson:"user_id"`
	At     time.Time     `bson:"at"`
}

type rotationDoc struct {
	ID              string    `bson:"_id"`
	SessionID       string    `bson:"session_id"`
	Generation      int64     `bson:"generation"`
	CreatedAt       time.Time `bson:"created_at"`
	SuccessorHash   []byte    `bson:"successor_hash"`
	SealedSuccessor []byte    `bson:"sealed_successor"`
}

func rotationKey(sessionID string, generation int64) string {
	return sessionID + ":" + strconv.FormatInt(generation, 10)
}

// revokedKey is the _id of the marker a revocation leaves beside the session (and, for replicas of the
// previous version, among its rotations).
func revokedKey(sessionID string) string { return sessionID + ":revoked" }

// revokedMarkerDoc is the marker a revocation leaves in the sessions collection.
type revokedMarkerDoc struct {
	ID  string    `bson:"_id"`
	SID string    `bson:"sid"`
	At  time.Time `bson:"at"`
}

// CreateSession inserts the session (and its revocation claim when it is
// created revoked).
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	oid, err := mustObjectID("session", sess.ID)
	if err != nil {
		return err
	}
	d := &sessionDoc{
		ID:         oid,
		SID:        sess.ID,
		UserID:     sess.UserID,
		UserType:   sess.UserType,
		DeviceID:   sess.DeviceID,
		CreatedAt:  sess.CreatedAt,
		ExpiresAt:  sess.ExpiresAt,
		LastUsed:   sess.LastUsed,
		Rotating:   sess.Rotating,
		SecretHash: sess.SecretHash,
	}
	if _, err := s.coll(collSessions).InsertOne(ctx, d); err != nil {
		return translate(ctx, err)
	}
	if sess.Revoked {
		_, err := s.claimRevocation(ctx, oid, sess.UserID)
		return err
	}
	return nil
}

// GetSession reads the session and its revocation claim, both by _id.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	sess, err := findOne[sessionDoc](ctx, s.coll(collSessions), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	revoked, err := exists(ctx, s.coll(collSessionRevocations), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	return sess.session(revoked), nil
}

// TouchSession sets the session's last use. Only TouchSession updates a
// session document, so the worst a race does is keep one of two
// near-identical times.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	oid, ok := objectID(id)
	if !ok {
		return store.ErrNotFound
	}
	res, err := s.coll(collSessions).UpdateOne(ctx, D{{Key: "_id", Value: oid}},
		D{{Key: "$set", Value: D{{Key: "last_used", Value: at}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// RevokeSession claims the session's revocation.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	oid, ok := objectID(id)
	if !ok {
		return nil
	}
	d, err := findOne[sessionDoc](ctx, s.coll(collSessions), D{{Key: "_id", Value: oid}},
		options.FindOne().SetProjection(D{{Key: "user_id", Value: 1}}))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.claimRevocation(ctx, oid, d.UserID)
	return err
}

// claimRevocation inserts a session's revocation claim, then the markers
// earlier versions read, and reports whether this call made the claim
// (false: the session was revoked already).
func (s *Store) claimRevocation(ctx context.Context, id bson.ObjectID, userID string) (bool, error) {
	now := time.Now()
	_, err := s.coll(collSessionRevocations).InsertOne(ctx, sessionRevocationDoc{ID: id, UserID: userID, At: now})
	won := true
	switch err := translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		won = false
	case err != nil:
		return false, err
	}
	return won, s.writeRevocationMarkers(ctx, []sessionRevocationDoc{{ID: id, At: now}})
}

// writeRevocationMarkers inserts the markers of revoked sessions that earlier versions read, one insert
// per collection; those written before are left as they are.
func (s *Store) writeRevocationMarkers(ctx context.Context, revoked []sessionRevocationDoc) error {
	inSessions := make([]any, len(revoked))
	inRotations := make([]any, len(revoked))
	for i, r := range revoked {
		id := r.ID.Hex()
		inSessions[i] = revokedMarkerDoc{ID: revokedKey(id), SID: id, At: r.At}
		inRotations[i] = rotationDoc{ID: revokedKey(id), SessionID: id, CreatedAt: r.At}
	}
	if _, err := insertAll(ctx, s.coll(collSessions), inSessions); err != nil {
		return err
	}
	_, err := insertAll(ctx, s.coll(collRotations), inRotations)
	return err
}

// UserSessionIDs lists the ids of the user's sessions (revocation markers have no user_id).
func (s *Store) UserSessionIDs(ctx context.Context, userID string) ([]string, error) {
	docs, err := findAll[sessionDoc](ctx, s.coll(collSessions), D{{Key: "user_id", Value: userID}},
		options.Find().SetProjection(D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID.Hex()
	}
	return ids, nil
}

// RevokeUserSessions claims the revocation of each of the user's sessions
// not revoked yet, and counts the claims it won. Then it writes the markers
// of every revoked session of the user, also of those an earlier call
// claimed but failed to mark, so that calling it again after a failure
// completes what the failed call left.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	idOnly := options.Find().SetProjection(D{{Key: "_id", Value: 1}})
	sessions, err := findAll[sessionDoc](ctx, s.coll(collSessions), D{{Key: "user_id", Value: userID}}, idOnly)
	if err != nil || len(sessions) == 0 {
		return 0, err
	}
	claimed, err := findAll[sessionRevocationDoc](ctx, s.coll(collSessionRevocations), D{{Key: "user_id", Value: userID}},
		options.Find().SetProjection(D{{Key: "_id", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return 0, err
	}
	revoked := make(map[bson.ObjectID]time.Time, len(claimed))
	for _, c := range claimed {
		revoked[c.ID] = c.At
	}
	now := time.Now()
	marks := make([]sessionRevocationDoc, 0, len(sessions))
	n := 0
	for _, d := range sessions {
		at, ok := revoked[d.ID]
		if !ok {
			at = now
			_, err := s.coll(collSessionRevocations).InsertOne(ctx, sessionRevocationDoc{ID: d.ID, UserID: userID, At: now})
			switch err := translate(ctx, err); {
			case err == nil:
				n++
			case !errors.Is(err, store.ErrAlreadyExists): // claimed meanwhile by another caller, who counts it
				return n, err
			}
		}
		marks = append(marks, sessionRevocationDoc{ID: d.ID, At: at})
	}
	return n, s.writeRevocationMarkers(ctx, marks)
}

// ClaimRotation inserts the rotation: its _id is the claim.
func (s *Store) ClaimRotation(ctx context.Context, r *store.Rotation) error {
	d := &rotationDoc{
		ID:              rotationKey(r.SessionID, r.Generation),
		SessionID:       r.SessionID,
		Generation:      r.Generation,
		CreatedAt:       r.CreatedAt,
		SuccessorHash:   r.SuccessorHash,
		SealedSuccessor: r.SealedSuccessor,
	}
	_, err := s.coll(collRotations).InsertOne(ctx, d)
	return translate(ctx, err)
}

// SessionForRefresh reads a session with its revocation claim and, in one more read by key, the rotation
// of generation prev (none when prev < 0).
func (s *Store) SessionForRefresh(ctx context.Context, id string, prev int64) (*store.Session, *store.Rotation, error) {
	sess, err := s.GetSession(ctx, id)
	if err != nil || prev < 0 {
		return sess, nil, err
	}
	rot, err := s.GetRotation(ctx, id, prev)
	if errors.Is(err, store.ErrNotFound) {
		return sess, nil, nil
	}
	return sess, rot, err
}

// GetRotation returns the rotation of one generation.
func (s *Store) GetRotation(ctx context.Context, sessionID string, generation int64) (*store.Rotation, error) {
	d, err := findOne[rotationDoc](ctx, s.coll(collRotations), D{{Key: "_id", Value: rotationKey(sessionID, generation)}})
	if err != nil {
		return nil, err
	}
	return &store.Rotation{
		SessionID:       d.SessionID,
		Generation:      d.Generation,
		CreatedAt:       utc(d.CreatedAt),
		SuccessorHash:   d.SuccessorHash,
		SealedSuccessor: d.SealedSuccessor,
	}, nil
}

// DeleteExpiredSessions removes the sessions that expired before t.
func (s *Store) DeleteExpiredSessions(ctx context.Context, t time.Time) (int, error) {
	return s.deleteSessionsCounted(ctx, D{{Key: "expires_at", Value: D{{Key: "$lt", Value: t}}}})
}

// deleteSessions removes the sessions matching filter with their rotations
// and revocation claims.
func (s *Store) deleteSessions(ctx context.Context, filter D) error {
	_, err := s.deleteSessionsCounted(ctx, filter)
	return err
}

// sessionBatch bounds the ids of one $in.
const sessionBatch = 500

func (s *Store) deleteSessionsCounted(ctx context.Context, filter D) (int, error) {
	total := 0
	for {
		docs, err := findAll[sessionDoc](ctx, s.coll(collSessions), filter,
			options.Find().SetProjection(D{{Key: "_id", Value: 1}}).SetLimit(sessionBatch))
		if err != nil || len(docs) == 0 {
			return total, err
		}
		oids := make([]bson.ObjectID, len(docs))
		hexes := make([]string, len(docs))
		markers := make([]string, len(docs))
		for i := range docs {
			oids[i], hexes[i], markers[i] = docs[i].ID, docs[i].ID.Hex(), revokedKey(docs[i].ID.Hex())
		}
		// Rotations first, so that none outlives its session; revocation
		// markers and claims last, so that a revoked session never looks live.
		if _, err := s.coll(collRotations).DeleteMany(ctx, D{{Key: "session_id", Value: D{{Key: "$in", Value: hexes}}}}); err != nil {
			return total, translate(ctx, err)
		}
		res, err := s.coll(collSessions).DeleteMany(ctx, D{{Key: "_id", Value: D{{Key: "$in", Value: oids}}}})
		if err != nil {
			return total, translate(ctx, err)
		}
		if _, err := s.coll(collSessions).DeleteMany(ctx, D{{Key: "_id", Value: D{{Key: "$in", Value: markers}}}}); err != nil {
			return total, translate(ctx, err)
		}
		if _, err := s.coll(collSessionRevocations).DeleteMany(ctx, D{{Key: "_id", Value: D{{Key: "$in", Value: oids}}}}); err != nil {
			return total, translate(ctx, err)
		}
		total += int(res.DeletedCount)
		if len(docs) < sessionBatch {
			return total, nil
		}
	}
}
