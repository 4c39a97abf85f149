package customdata

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/store"
)

// TokenDocs reads the custom data document tokens carry. authn needs it before the service exists (a
// login puts the document in the token), so it stands apart from Service.
type TokenDocs struct {
	Store store.Store
	Log   *slog.Logger
	// MaxSize is the largest document a token carries, in bytes.
	MaxSize int
}

// UserData is the custom data document an access token carries: the winning document as stored (rules
// are for API reads; the token is the user's own). A document over the size limit, or one that cannot be
// read, is left out, flagged and logged, never truncated, and never fails the login or the refresh.
func (t TokenDocs) UserData(ctx context.Context, userID string) (json.RawMessage, bool, error) {
	doc, err := t.Store.GetCustomData(ctx, userID)
	if errors.Is(err, store.ErrCustomDataUnreadable) {
		t.Log.Warn("custom data document cannot be read: left out of the token", "user_id", userID, "error", err.Error())
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	d := t.tokenData(userID, doc)
	return d.JSON, d.Omitted, nil
}

// tokenData is a document as tokens carry it.
func (t TokenDocs) tokenData(userID string, doc *store.CustomDoc) authn.UserData {
	if doc.JSON != nil && doc.Size > t.MaxSize {
		t.Log.Warn("custom data document too large for the token: left out", "user_id", userID,
			"size", doc.Size, "limit", t.MaxSize)
		return authn.UserData{Omitted: true}
	}
	return authn.UserData{JSON: doc.JSON}
}
