package customdata

import (
	"crypto/sha256"
	"encoding/binary"

	"google.golang.org/grpc"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

func (h *Service) WatchCustomData(req *lanyardv1.WatchCustomDataRequest, stream grpc.ServerStreamingServer[lanyardv1.WatchCustomDataResponse]) error {
	ctx := stream.Context()
	c, err := h.customDataCall(ctx, req.GetUserId())
	if err != nil {
		return err
	}
	w := h.hub.subscribe(c.userID)
	defer h.hub.unsubscribe(w)
	h.metrics.WatchOpened()
	defer h.metrics.WatchClosed()
	// This goroutine only waits: reading, rendering and sending run on the hub's (see Hub), so that
	// what stays behind per stream is a small stack.
	var last [sha256.Size]byte // of the document sent last; before the first, zero, which no document will hash to
	read := func() (*lanyardv1.WatchCustomDataResponse, error) {
		if last == ([sha256.Size]byte{}) {
			if err := h.hub.baseline(ctx, c.userID); err != nil {
				return nil, err
			}
		}
		doc, err := h.store.GetCustomData(ctx, c.userID)
		if err != nil {
			return nil, err
		}
		fp := fingerprint(doc)
		if fp == last {
			return nil, nil
		}
		data, err := h.readable(c, doc)
		if err != nil {
			return nil, err
		}
		last = fp
		return &lanyardv1.WatchCustomDataResponse{Data: data, Version: doc.Version}, nil
	}
	for {
		if err := h.hub.update(ctx, read, stream.Send); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.hub.stopping:
			return errWatchStopping
		case <-w.notify:
		}
	}
}

// fingerprint identifies a state of a document for the stream, so that a notification that changes
// nothing sends nothing. A digest rather than the document itself: every stream keeps one.
func fingerprint(doc *store.CustomDoc) [sha256.Size]byte {
	h := sha256.New()
	var version [8]byte
	binary.BigEndian.PutUint64(version[:], uint64(doc.Version))
	h.Write(version[:])
	// A document ({...}) and no document (nil, which writes nothing) never share a digest.
	h.Write(doc.JSON)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
