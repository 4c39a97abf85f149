package admin

import (
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// eventTypes maps stored event types to the API's.
var eventTypes = map[string]lanyardv1.AuthEventType{
	store.EventCreate: lanyardv1.AuthEventType_AUTH_EVENT_TYPE_CREATE,
	store.EventLogin:  lanyardv1.AuthEventType_AUTH_EVENT_TYPE_LOGIN,
	store.EventDelete: lanyardv1.AuthEventType_AUTH_EVENT_TYPE_DELETE,
}

// WatchAuthEvents sends the stored events after the given id, then polls for new ones. Events are
// durable and numbered without gaps across replicas, so a client that resumes after the last id it
// processed misses nothing (at-least-once: it may see its last event again if it saved the id late).
func (h *Service) WatchAuthEvents(req *lanyardv1.WatchAuthEventsRequest, stream grpc.ServerStreamingServer[lanyardv1.WatchAuthEventsResponse]) error {
	ctx := stream.Context()
	var after int64
	if req.GetAfterEventId() != "" {
		after, _ = strconv.ParseInt(req.GetAfterEventId(), 10, 64) // validated
	}
	tick := time.NewTicker(h.pollInterval)
	defer tick.Stop()
	for {
		events, err := h.store.EventsAfter(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := stream.Send(&lanyardv1.WatchAuthEventsResponse{EventId: strconv.FormatInt(e.Seq, 10), Type: eventTypes[e.Type],
				UserId: e.UserID, Providers: e.Providers, Time: timestamppb.New(e.At)}); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(events) == 500 {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.stopping:
			return rpc.NewError(codes.Unavailable, lanyardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, "the server is stopping; resume elsewhere")
		case <-tick.C:
		}
	}
}
