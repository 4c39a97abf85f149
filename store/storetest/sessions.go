package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var sessionsBehaviours = []behaviour{
	{name: "Sessions/CreateTouchRevoke", run: sessionsCreateTouchRevoke},
	{name: "Sessions/RevokeUserSessions", run: sessionsRevokeUserSessions},
	{name: "Sessions/RacingRevocationsCountEachSessionOnce", run: sessionsRacingRevocationsCountEachSessionOnce},
	{name: "Sessions/RevocationSurvivesRacingTouches", run: sessionsRevocationSurvivesRacingTouches},
	{name: "Sessions/RacingRotationsHaveOneWinner", run: sessionsRacingRotationsHaveOneWinner},
	{name: "Sessions/SessionForRefresh", run: sessionsSessionForRefresh},
	{name: "Sessions/DeleteExpired", run: sessionsDeleteExpired},
}

func newSession(t *testing.T, s store.Store, userID string, expires time.Time) *store.Session {
	t.Helper()
	at := now()
	sess := &store.Session{ID: store.NewID(), UserID: userID, DeviceID: store.NewID(), CreatedAt: at,
		ExpiresAt: expires, LastUsed: at, Rotating: true, SecretHash: []byte("secret-" + userID)}
	must(t, s.CreateSession(testContext(t), sess), "CreateSession")
	return sess
}

func sessionsCreateTouchRevoke(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	at := now()
	want := &store.Session{ID: store.NewID(), UserID: store.NewID(), DeviceID: "device-1", CreatedAt: at,
		ExpiresAt: at.Add(60 * 24 * time.Hour), LastUsed: at, Rotating: false, SecretHash: []byte{0, 1, 2, 255}}
	must(t, s.CreateSession(ctx, want), "CreateSession")
	wantErr(t, s.CreateSession(ctx, want), store.ErrAlreadyExists, "CreateSession with a taken id")

	got, err := s.GetSession(ctx, want.ID)
	must(t, err, "GetSession")
	if got.ID != want.ID || got.UserID != want.UserID || got.DeviceID != want.DeviceID || got.Rotating ||
		got.Revoked || !bytes.Equal(got.SecretHash, want.SecretHash) {
		t.Errorf("GetSession = %+v, want %+v", got, want)
	}
	sameTime(t, got.CreatedAt, want.CreatedAt, "CreatedAt")
	sameTime(t, got.ExpiresAt, want.ExpiresAt, "ExpiresAt")

	used := at.Add(time.Minute)
	must(t, s.TouchSession(ctx, want.ID, used), "TouchSession")
	got, err = s.GetSession(ctx, want.ID)
	must(t, err, "GetSession")
	sameTime(t, got.LastUsed, used, "LastUsed after TouchSession")
	wantErr(t, s.TouchSession(ctx, store.NewID(), used), store.ErrNotFound, "TouchSession of an unknown session")

	must(t, s.RevokeSession(ctx, want.ID), "RevokeSession")
	got, err = s.GetSession(ctx, want.ID)
	must(t, err, "GetSession")
	if !got.Revoked {
		t.Error("session not revoked after RevokeSession")
	}
	must(t, s.RevokeSession(ctx, want.ID), "RevokeSession again")
	must(t, s.RevokeSession(ctx, store.NewID()), "RevokeSession of an unknown session")
	must(t, s.RevokeSession(ctx, "nope"), "RevokeSession of a malformed id")
	must(t, s.TouchSession(ctx, want.ID, used.Add(time.Minute)), "TouchSession of a revoked session")
	if got, _ := s.GetSession(ctx, want.ID); got == nil || !got.Revoked {
		t.Error("TouchSession undid the revocation")
	}

	_, err = s.GetSession(ctx, store.NewID())
	wantErr(t, err, store.ErrNotFound, "GetSession of an unknown id")
	_, err = s.GetSession(ctx, "nope")
	wantErr(t, err, store.ErrNotFound, "GetSession of a malformed id")

	revoked := &store.Session{ID: store.NewID(), UserID: want.UserID, CreatedAt: at, ExpiresAt: at.Add(time.Hour), Revoked: true}
	must(t, s.CreateSession(ctx, revoked), "CreateSession of a revoked session")
	if got, err := s.GetSession(ctx, revoked.ID); err != nil || !got.Revoked {
		t.Errorf("a session created revoked: %+v, %v", got, err)
	}
}

func sessionsRevokeUserSessions(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	user, other := store.NewID(), store.NewID()
	later := now().Add(time.Hour)
	var mine []*store.Session
	for range 3 {
		mine = append(mine, newSession(t, s, user, later))
	}
	theirs := newSession(t, s, other, later)
	must(t, s.RevokeSession(ctx, mine[0].ID), "RevokeSession")
	ids, err := s.UserSessionIDs(ctx, user)
	must(t, err, "UserSessionIDs")
	slices.Sort(ids)
	want := []string{mine[0].ID, mine[1].ID, mine[2].ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("UserSessionIDs = %v, want %v (revoked or not, not another user's)", ids, want)
	}

	n, err := s.RevokeUserSessions(ctx, user)
	must(t, err, "RevokeUserSessions")
	if ids, err := s.UserSessionIDs(ctx, user); err != nil || len(ids) != 3 {
		t.Errorf("UserSessionIDs after RevokeUserSessions = %v, %v; want the 3 sessions", ids, err)
	}
	if n != 2 {
		t.Errorf("RevokeUserSessions = %d, want 2 (one of three was revoked already)", n)
	}
	for _, sess := range mine {
		if got, err := s.GetSession(ctx, sess.ID); err != nil || !got.Revoked {
			t.Errorf("session %s: %+v, %v; want revoked", sess.ID, got, err)
		}
	}
	if got, err := s.GetSession(ctx, theirs.ID); err != nil || got.Revoked {
		t.Errorf("another user's session: %+v, %v; want live", got, err)
	}
	n, err = s.RevokeUserSessions(ctx, user)
	must(t, err, "RevokeUserSessions again")
	if n != 0 {
		t.Errorf("RevokeUserSessions again = %d, want 0", n)
	}
	if ids, err := s.UserSessionIDs(ctx, store.NewID()); err != nil || len(ids) != 0 {
		t.Errorf("UserSessionIDs of a user without sessions = %v, %v", ids, err)
	}
	n, err = s.RevokeUserSessions(ctx, store.NewID())
	must(t, err, "RevokeUserSessions of a user without sessions")
	if n != 0 {
		t.Errorf("RevokeUserSessions of a user without sessions = %d", n)
	}
}

func sessionsRacingRevocationsCountEachSessionOnce(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	user := store.NewID()
	for range 4 {
		newSession(t, s, user, now().Add(time.Hour))
	}
	counts := make([]int, 5)
	errs := race(len(counts), func(i int) error {
		var err error
		counts[i], err = s.RevokeUserSessions(ctx, user)
		return err
	})
	total := 0
	for i, err := range errs {
		must(t, err, "RevokeUserSessions %d", i)
		total += counts[i]
	}
	if total != 4 {
		t.Errorf("racing RevokeUserSessions counted %v = %d sessions, want 4", counts, total)
	}
}

func sessionsRevocationSurvivesRacingTouches(t *testing.T, h harness) {
	// On FerretDB v1 an update rewrites the whole document: a use
	// recorded while the session is revoked must not revive it.
	s := h.open(t)
	ctx := testContext(t)
	for round := range 5 {
		sess := newSession(t, s, store.NewID(), now().Add(time.Hour))
		errs := race(6, func(i int) error {
			if i == 0 {
				return s.RevokeSession(ctx, sess.ID)
			}
			return s.TouchSession(ctx, sess.ID, now())
		})
		for i, err := range errs {
			must(t, err, "round %d call %d", round, i)
		}
		got, err := s.GetSession(ctx, sess.ID)
		must(t, err, "GetSession")
		if !got.Revoked {
			t.Fatalf("round %d: a racing TouchSession undid RevokeSession", round)
		}
	}
}

func sessionsRacingRotationsHaveOneWinner(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	sess := newSession(t, s, store.NewID(), now().Add(time.Hour))
	const n = 20
	errs := race(n, func(i int) error {
		return s.ClaimRotation(ctx, &store.Rotation{SessionID: sess.ID, Generation: 3, CreatedAt: now(),
			SuccessorHash: []byte{byte(i)}, SealedSuccessor: []byte{byte(i), 0xff}})
	})
	w := oneWinner(t, errs, store.ErrAlreadyExists, "ClaimRotation")
	r, err := s.GetRotation(ctx, sess.ID, 3)
	must(t, err, "GetRotation")
	if r.SessionID != sess.ID || r.Generation != 3 || !bytes.Equal(r.SuccessorHash, []byte{byte(w)}) ||
		!bytes.Equal(r.SealedSuccessor, []byte{byte(w), 0xff}) {
		t.Errorf("GetRotation = %+v, want the winner's (%d)", r, w)
	}
	_, err = s.GetRotation(ctx, sess.ID, 2)
	wantErr(t, err, store.ErrNotFound, "GetRotation of a generation not rotated")
	_, err = s.GetRotation(ctx, store.NewID(), 3)
	wantErr(t, err, store.ErrNotFound, "GetRotation of another session")
	must(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: sess.ID, Generation: 4, CreatedAt: now()}), "ClaimRotation of the next generation")
}

func sessionsSessionForRefresh(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	user := store.NewID()
	sess := newSession(t, s, user, now().Add(time.Hour))
	got, rot, err := s.SessionForRefresh(ctx, sess.ID, -1)
	must(t, err, "SessionForRefresh")
	if got.ID != sess.ID || got.UserID != user || got.Revoked || rot != nil {
		t.Fatalf("SessionForRefresh(-1) = %+v, %+v", got, rot)
	}
	must(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: sess.ID, Generation: 0, CreatedAt: now(), SuccessorHash: []byte{7}}), "ClaimRotation")
	_, rot, err = s.SessionForRefresh(ctx, sess.ID, 0)
	must(t, err, "SessionForRefresh")
	if rot == nil || rot.Generation != 0 || !bytes.Equal(rot.SuccessorHash, []byte{7}) {
		t.Fatalf("rotation of generation 0 = %+v", rot)
	}
	if _, rot, _ = s.SessionForRefresh(ctx, sess.ID, 1); rot != nil {
		t.Fatalf("generation 1 was never rotated, got %+v", rot)
	}
	must(t, s.RevokeSession(ctx, sess.ID), "RevokeSession")
	got, rot, err = s.SessionForRefresh(ctx, sess.ID, 0)
	must(t, err, "SessionForRefresh")
	if !got.Revoked || rot == nil {
		t.Fatalf("after RevokeSession: revoked %v, rotation %+v", got.Revoked, rot)
	}
	other := newSession(t, s, user, now().Add(time.Hour))
	_, err = s.RevokeUserSessions(ctx, user)
	must(t, err, "RevokeUserSessions")
	if got, _, _ := s.SessionForRefresh(ctx, other.ID, -1); !got.Revoked {
		t.Fatal("RevokeUserSessions left a session refreshable")
	}
	_, _, err = s.SessionForRefresh(ctx, store.NewID(), -1)
	wantErr(t, err, store.ErrNotFound, "SessionForRefresh of an unknown session")
}

func sessionsDeleteExpired(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	cut := now()
	user := store.NewID()
	gone1 := newSession(t, s, user, cut.Add(-time.Hour))
	gone2 := newSession(t, s, user, cut.Add(-time.Millisecond))
	edge := newSession(t, s, user, cut)
	live := newSession(t, s, user, cut.Add(time.Hour))
	must(t, s.RevokeSession(ctx, gone2.ID), "RevokeSession")
	for _, sess := range []*store.Session{gone1, live} {
		must(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: sess.ID, Generation: 0, CreatedAt: cut}), "ClaimRotation")
	}

	n, err := s.DeleteExpiredSessions(ctx, cut)
	must(t, err, "DeleteExpiredSessions")
	if n != 2 {
		t.Errorf("DeleteExpiredSessions = %d, want 2", n)
	}
	for _, sess := range []*store.Session{gone1, gone2} {
		_, err := s.GetSession(ctx, sess.ID)
		wantErr(t, err, store.ErrNotFound, "GetSession of an expired session")
	}
	_, err = s.GetRotation(ctx, gone1.ID, 0)
	wantErr(t, err, store.ErrNotFound, "GetRotation of an expired session")
	for _, sess := range []*store.Session{edge, live} {
		if _, err := s.GetSession(ctx, sess.ID); err != nil {
			t.Errorf("session expiring at or after the cut: %v", err)
		}
	}
	if _, err := s.GetRotation(ctx, live.ID, 0); err != nil {
		t.Errorf("rotation of a live session: %v", err)
	}
	n, err = s.DeleteExpiredSessions(ctx, cut)
	if err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions again = %d, %v", n, err)
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Error("DeleteExpiredSessions with nothing to delete reported ErrNotFound")
	}
}
