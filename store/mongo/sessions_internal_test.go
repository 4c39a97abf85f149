package mongo

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestRevokeUserSessionsCompletesAFailedRun checks that RevokeUserSessions writes the markers earlier
// versions read for a session whose revocation was claimed by a call that failed before marking it, and
// counts only the sessions it revoked itself.
func TestRevokeUserSessionsCompletesAFailedRun(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		user := store.NewID()
		session := func() *store.Session {
			sess := &store.Session{ID: store.NewID(), UserID: user, UserType: store.UserTypeNormal, CreatedAt: now,
				ExpiresAt: now.Add(time.Hour), LastUsed: now, Rotating: true}
			mustDo(t, s.CreateSession(ctx, sess), "CreateSession")
			return sess
		}
		claimedOnly, live := session(), session()
		oid, _ := objectID(claimedOnly.ID)
		// What a call that failed right after its claim leaves.
		_, err := s.coll(collSessionRevocations).InsertOne(ctx, sessionRevocationDoc{ID: oid, UserID: user, At: now})
		mustDo(t, err, "insert a revocation claim")

		markers := func(id string) (inSessions, inRotations int64) {
			t.Helper()
			filter := bson.D{{Key: "_id", Value: revokedKey(id)}}
			inSessions, err := s.coll(collSessions).CountDocuments(ctx, filter)
			mustDo(t, err, "count markers in sessions")
			inRotations, err = s.coll(collRotations).CountDocuments(ctx, filter)
			mustDo(t, err, "count markers in rotations")
			return inSessions, inRotations
		}
		check := func(revoked ...*store.Session) {
			t.Helper()
			n, err := s.RevokeUserSessions(ctx, user)
			mustDo(t, err, "RevokeUserSessions")
			if n != 1 {
				t.Errorf("RevokeUserSessions = %d, want 1 (the session not revoked before)", n)
			}
			for _, sess := range revoked {
				if a, b := markers(sess.ID); a != 1 || b != 1 {
					t.Errorf("session %s: %d markers in sessions, %d in rotations; want one each", sess.ID, a, b)
				}
				if got, err := s.GetSession(ctx, sess.ID); err != nil || !got.Revoked {
					t.Errorf("session %s after RevokeUserSessions: %+v, %v", sess.ID, got, err)
				}
			}
		}
		check(claimedOnly, live)
		check(claimedOnly, live, session()) // a later call marks anew none of those marked
	})
}
