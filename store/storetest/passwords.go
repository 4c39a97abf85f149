package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

var passwordsBehaviours = []behaviour{
	{name: "Passwords/CRUD", run: passwordsCRUD},
	{name: "Passwords/RacingCreatesOfOneEmailHaveOneWinner", run: passwordsRacingCreatesOfOneEmailHaveOneWinner},
	{name: "Passwords/ActionTokens", run: passwordsActionTokens},
	{name: "Passwords/RacingUsesOfATokenHaveOneWinner", run: passwordsRacingUsesOfATokenHaveOneWinner},
}

func passwordsCRUD(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	at := now()
	p := &store.Password{Email: "ada@example.com", Hash: "$argon2id$v=19$one", CreatedAt: at}
	must(t, s.CreatePassword(ctx, p), "CreatePassword")
	wantErr(t, s.CreatePassword(ctx, &store.Password{Email: p.Email, Hash: "other", CreatedAt: at}), store.ErrAlreadyExists, "CreatePassword of a taken email")

	got, err := s.GetPassword(ctx, p.Email)
	must(t, err, "GetPassword")
	if got.Email != p.Email || got.UserID != "" || got.Hash != p.Hash || got.Confirmed {
		t.Errorf("GetPassword = %+v, want %+v", got, p)
	}
	sameTime(t, got.CreatedAt, at, "CreatedAt")
	_, err = s.GetPassword(ctx, "nobody@example.com")
	wantErr(t, err, store.ErrNotFound, "GetPassword of an unknown email")

	upd := &store.Password{Email: p.Email, UserID: store.NewID(), Hash: "$argon2id$v=19$two", Confirmed: true, CreatedAt: at.Add(time.Hour)}
	must(t, s.UpdatePassword(ctx, upd), "UpdatePassword")
	got, err = s.GetPassword(ctx, p.Email)
	must(t, err, "GetPassword")
	if got.UserID != upd.UserID || got.Hash != upd.Hash || !got.Confirmed {
		t.Errorf("after UpdatePassword: %+v, want %+v", got, upd)
	}
	sameTime(t, got.CreatedAt, at, "CreatedAt after UpdatePassword")
	wantErr(t, s.UpdatePassword(ctx, &store.Password{Email: "nobody@example.com"}), store.ErrNotFound, "UpdatePassword of an unknown email")

	tok := &store.ActionToken{ID: store.NewID(), Kind: store.ActionConfirm, Email: p.Email, Hash: []byte{9}, ExpiresAt: at.Add(time.Hour)}
	must(t, s.CreateActionToken(ctx, tok), "CreateActionToken")
	must(t, s.DeletePassword(ctx, p.Email), "DeletePassword")
	_, err = s.GetPassword(ctx, p.Email)
	wantErr(t, err, store.ErrNotFound, "GetPassword after DeletePassword")
	_, err = s.UseActionToken(ctx, tok.ID, at)
	wantErr(t, err, store.ErrNotFound, "UseActionToken of a deleted email's token")
	must(t, s.DeletePassword(ctx, p.Email), "DeletePassword of a missing record")
	must(t, s.CreatePassword(ctx, p), "CreatePassword of a freed email")
}

func passwordsRacingCreatesOfOneEmailHaveOneWinner(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	const n = 50 // like the other races: below the pool size, so that no call waits 2 s for a connection
	errs := race(n, func(i int) error {
		return s.CreatePassword(ctx, &store.Password{Email: "race@example.com", Hash: string(rune('a' + i%26)), CreatedAt: now()})
	})
	oneWinner(t, errs, store.ErrAlreadyExists, "CreatePassword")
}

func passwordsActionTokens(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	at := now()
	tok := &store.ActionToken{ID: store.NewID(), Kind: store.ActionReset, Email: "ada@example.com", Hash: []byte{1, 2, 3}, ExpiresAt: at.Add(time.Hour)}
	must(t, s.CreateActionToken(ctx, tok), "CreateActionToken")
	wantErr(t, s.CreateActionToken(ctx, tok), store.ErrAlreadyExists, "CreateActionToken with a taken id")

	_, err := s.UseActionToken(ctx, tok.ID, tok.ExpiresAt)
	wantErr(t, err, store.ErrNotFound, "UseActionToken at its expiry")
	got, err := s.UseActionToken(ctx, tok.ID, at)
	must(t, err, "UseActionToken")
	if got.ID != tok.ID || got.Kind != tok.Kind || got.Email != tok.Email || !bytes.Equal(got.Hash, tok.Hash) {
		t.Errorf("UseActionToken = %+v, want %+v", got, tok)
	}
	sameTime(t, got.ExpiresAt, tok.ExpiresAt, "ExpiresAt")
	_, err = s.UseActionToken(ctx, tok.ID, at)
	wantErr(t, err, store.ErrNotFound, "UseActionToken again")
	_, err = s.UseActionToken(ctx, store.NewID(), at)
	wantErr(t, err, store.ErrNotFound, "UseActionToken of an unknown id")
	_, err = s.UseActionToken(ctx, "nope", at)
	wantErr(t, err, store.ErrNotFound, "UseActionToken of a malformed id")
}

func passwordsRacingUsesOfATokenHaveOneWinner(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	at := now()
	tok := &store.ActionToken{ID: store.NewID(), Kind: store.ActionConfirm, Email: "ada@example.com", Hash: []byte{1}, ExpiresAt: at.Add(time.Hour)}
	must(t, s.CreateActionToken(ctx, tok), "CreateActionToken")
	errs := race(20, func(int) error {
		_, err := s.UseActionToken(ctx, tok.ID, at)
		return err
	})
	oneWinner(t, errs, store.ErrNotFound, "UseActionToken")
}
