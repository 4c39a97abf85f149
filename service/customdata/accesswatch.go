package customdata

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"maps"
	"reflect"
	"slices"

	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// WatchMongo serves realm-web's collection.watch() on the custom data collection: the change events of
// the caller's own winning document, as MongoDB change events, from the moment the watch opens (no
// initial state, as a change stream). ready runs once the call is admitted (before it, errors are the
// call's answer); send gets each event as JSON. It returns when ctx ends or the server stops.
//
// Changes are learnt from the same hub as WatchCustomData (Lanyard's own writes at once, other writers by
// the batched poll), so several changes between two reads arrive as one event with the latest state.
// An event is "insert" when the document appears, "delete" when it goes, "update" otherwise, with the
// document as the caller may read it in fullDocument and the top-level fields that changed in
// updateDescription. A state the rules do not let the caller read is not sent. The ids and filter
// options are refused: the watch covers one document.
func (h *Service) WatchMongo(ctx context.Context, in MongoCall, ready func(), send func(json.RawMessage) error) error {
	if !h.enabled {
		return rpc.ErrCustomDataDisabled
	}
	action := in.Action
	in.Action = "findOne" // the namespace checks of a read
	if err := h.namespaceOK(in); err != nil {
		return err
	}
	if action != "watch" {
		return invalid("only watch is served as a stream (not %s)", action)
	}
	if in.Query != nil {
		return invalid("watch: ids and filter are not supported: the watch covers the caller's own custom data document")
	}
	p, err := rpc.Caller(ctx)
	if err != nil {
		return err
	}
	c := &customDataCall{p: p, userID: p.UserID, caller: rules.Caller{UserID: p.UserID, UserType: p.UserType, Server: p.IsServer()}}
	w := h.hub.subscribe(c.userID)
	defer h.hub.unsubscribe(w)
	h.metrics.WatchOpened()
	defer h.metrics.WatchClosed()
	if err := h.hub.baseline(ctx, c.userID); err != nil {
		return err
	}
	prev, err := h.load(ctx, c.userID)
	if err != nil {
		return err
	}
	if prev.doc != nil {
		if err := h.rules.Allow(rules.Read, c.judge(prev.userID, prev.doc), prev.doc, nil); err != nil {
			return err
		}
	}
	ready()
	var prevView map[string]any
	if prev.doc != nil {
		prevView = h.rules.FilterRead(c.judge(prev.userID, prev.doc), prev.doc)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.hub.stopping:
			return errWatchStopping
		case <-w.notify:
		}
		cur, err := h.load(ctx, c.userID)
		if err != nil {
			return err
		}
		if cur.ver == prev.ver && string(cur.raw) == string(prev.raw) {
			continue
		}
		ev, view := h.changeEvent(c, prev, prevView, cur)
		prev, prevView = cur, view
		if ev == nil {
			continue
		}
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := send(raw); err != nil {
			return err
		}
	}
}

// changeEvent is the change from prev to cur as the caller may see it, or nil when there is nothing the
// caller may read; view is what the caller may read of cur.
func (h *Service) changeEvent(c *customDataCall, prev *current, prevView map[string]any, cur *current) (map[string]any, map[string]any) {
	ns := map[string]any{"db": h.database, "coll": h.collection}
	token := map[string]any{"_data": hex.EncodeToString(fingerprintOf(cur))}
	if cur.doc == nil {
		if prev.doc == nil || prevView == nil {
			return nil, nil
		}
		return map[string]any{"_id": token, "operationType": "delete", "ns": ns,
			"documentKey": map[string]any{"_id": prev.doc["_id"]}}, nil
	}
	caller := c.judge(cur.userID, cur.doc)
	if h.rules.Allow(rules.Read, caller, cur.doc, nil) != nil {
		return nil, nil
	}
	view := h.rules.FilterRead(caller, cur.doc)
	ev := map[string]any{"_id": token, "ns": ns, "documentKey": map[string]any{"_id": cur.doc["_id"]}, "fullDocument": view}
	if prevView == nil || !reflect.DeepEqual(prev.doc["_id"], cur.doc["_id"]) {
		ev["operationType"] = "insert"
		return ev, view
	}
	updated := map[string]any{}
	for k, v := range view {
		if old, ok := prevView[k]; !ok || !reflect.DeepEqual(old, v) {
			updated[k] = v
		}
	}
	removed := []string{}
	for _, k := range slices.Sorted(maps.Keys(prevView)) {
		if _, ok := view[k]; !ok {
			removed = append(removed, k)
		}
	}
	if len(updated) == 0 && len(removed) == 0 {
		return nil, view
	}
	ev["operationType"] = "update"
	ev["updateDescription"] = map[string]any{"updatedFields": updated, "removedFields": removed}
	return ev, view
}

func fingerprintOf(cur *current) []byte {
	fp := fingerprint(&store.CustomDoc{JSON: cur.raw, Version: cur.ver})
	return fp[:]
}
