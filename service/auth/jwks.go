package auth

import (
	"context"
	"log/slog"
	"sync/atomic"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// jwksCache holds the GetJwks response built from the keyring's current JWKS, rebuilt only when the
// keyring changes, so that GetJwks is answered from memory.
type jwksCache struct {
	entry atomic.Pointer[jwksEntry]
}

type jwksEntry struct {
	raw  []byte
	resp *lanyardv1.GetJwksResponse
}

// load returns the response for the current keys.
func (c *jwksCache) load(keys *authn.Service, log *slog.Logger) *lanyardv1.GetJwksResponse {
	raw := keys.JWKSJSON()
	if e := c.entry.Load(); e != nil && len(e.raw) == len(raw) && (len(raw) == 0 || &e.raw[0] == &raw[0]) {
		return e.resp
	}
	resp := &lanyardv1.GetJwksResponse{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, resp); err != nil {
		log.Error("building the JWKS response", "error", err.Error())
	}
	c.entry.Store(&jwksEntry{raw: raw, resp: resp})
	return resp
}

func (h *Service) GetJwks(context.Context, *lanyardv1.GetJwksRequest) (*lanyardv1.GetJwksResponse, error) {
	return h.jwks.load(h.auth, h.log), nil
}
