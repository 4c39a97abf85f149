package customdata

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// customDataCall is what every CustomDataService handler starts from: the caller, the user the call is
// about, and the caller in the terms of the rules.
type customDataCall struct {
	p      *authn.Principal
	userID string
	caller rules.Caller
}

// about returns the caller for a decision on doc, the stored document of the user the call is about.
// Only server principals name another user, and they bypass the rules, so for everyone the rules judge
// that document is the caller's own custom data (%%user.custom_data): the winning document, as stored
// now, which is also what the next token will carry. It is read fresh rather than taken from the access
// token so that a server principal's change to it counts from the next call. Pass nil when the user has
// no document yet: an insert is judged with no custom data, never with the document it would create.
func (c *customDataCall) about(doc map[string]any) rules.Caller {
	caller := c.caller
	if c.userID == c.p.UserID {
		caller.CustomData = doc
	}
	return caller
}

func (h *Service) customDataCall(ctx context.Context, requested string) (*customDataCall, error) {
	if !h.enabled {
		return nil, rpc.ErrCustomDataDisabled
	}
	id, err := rpc.TargetUser(ctx, requested)
	if err != nil {
		return nil, err
	}
	p, err := rpc.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return &customDataCall{p: p, userID: id, caller: rules.Caller{UserID: p.UserID, UserType: p.UserType, Server: p.IsServer()}}, nil
}

// readable returns the document as the caller may see it (field-level read rules applied), as a Struct.
func (h *Service) readable(c *customDataCall, doc *store.CustomDoc) (*structpb.Struct, error) {
	if doc.JSON == nil {
		return nil, nil
	}
	m, err := decodeDoc(doc.JSON)
	if err != nil {
		return nil, err
	}
	caller := c.about(m)
	if err := h.rules.Allow(rules.Read, caller, m, nil); err != nil {
		return nil, err
	}
	return mapStruct(h.rules.FilterRead(caller, m))
}

// decodeDoc decodes a JSON object keeping numbers exact, for the rules to look at.
func decodeDoc(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	return m, dec.Decode(&m)
}

func mapStruct(m map[string]any) (*structpb.Struct, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return jsonStruct(raw)
}

// FiniteNumbers refuses NaN and ±Infinity anywhere in an update's set and inc, naming each by its path
// ("set.a.b.1"): JSON cannot carry them (structJSON would fail), and no engine Lanyard runs on stores them
// alike (FerretDB v1 fails on NaN and refuses infinities), so custom data never holds them. It is Go
// rather than a field rule in the proto because a rule cannot walk a Struct to any depth (CEL has no
// recursion). The same numbers in $numberDouble wrappers, and the nesting limit, are the store's checks.
func FiniteNumbers(req *lanyardv1.UpdateCustomDataRequest) error {
	set, inc := structpb.NewStructValue(req.GetSet()), structpb.NewStructValue(req.GetInc())
	if finite(set) && finite(inc) {
		return nil
	}
	var v rpc.Violations
	nonFinite(&v, "set", set)
	nonFinite(&v, "inc", inc)
	return v.Err()
}

// finite is nonFinite's question without the paths, which cost an allocation per member: almost every
// update has only finite numbers.
func finite(val *structpb.Value) bool {
	switch k := val.GetKind().(type) {
	case *structpb.Value_NumberValue:
		return !math.IsNaN(k.NumberValue) && !math.IsInf(k.NumberValue, 0)
	case *structpb.Value_StructValue:
		for _, x := range k.StructValue.GetFields() {
			if !finite(x) {
				return false
			}
		}
	case *structpb.Value_ListValue:
		for _, x := range k.ListValue.GetValues() {
			if !finite(x) {
				return false
			}
		}
	}
	return true
}

func nonFinite(v *rpc.Violations, path string, val *structpb.Value) {
	switch k := val.GetKind().(type) {
	case *structpb.Value_NumberValue:
		if f := k.NumberValue; math.IsNaN(f) || math.IsInf(f, 0) {
			v.Add(path, strconv.FormatFloat(f, 'g', -1, 64)+" cannot be stored: custom data numbers are finite")
		}
	case *structpb.Value_StructValue:
		for _, key := range slices.Sorted(maps.Keys(k.StructValue.GetFields())) {
			nonFinite(v, path+"."+key, k.StructValue.GetFields()[key])
		}
	case *structpb.Value_ListValue:
		for i, x := range k.ListValue.GetValues() {
			nonFinite(v, path+"."+strconv.Itoa(i), x)
		}
	}
}

func structJSON(st *structpb.Struct) (json.RawMessage, error) {
	if st == nil {
		return nil, nil
	}
	return protojson.Marshal(st)
}

func (h *Service) GetCustomData(ctx context.Context, req *lanyardv1.GetCustomDataRequest) (*lanyardv1.GetCustomDataResponse, error) {
	c, err := h.customDataCall(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	doc, err := h.store.GetCustomData(ctx, c.userID)
	if err != nil {
		return nil, err
	}
	data, err := h.readable(c, doc)
	if err != nil {
		return nil, err
	}
	return &lanyardv1.GetCustomDataResponse{Data: data, Version: doc.Version}, nil
}

func (h *Service) UpdateCustomData(ctx context.Context, req *lanyardv1.UpdateCustomDataRequest) (_ *lanyardv1.UpdateCustomDataResponse, err error) {
	defer func() { h.metrics.CustomDataWrite(err) }()
	if err := FiniteNumbers(req); err != nil {
		return nil, err
	}
	c, err := h.customDataCall(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	u := store.CustomDataUpdate{Unset: req.GetUnset()}
	if req.ExpectedVersion != nil {
		v := req.GetExpectedVersion()
		u.ExpectedVersion = &v
	}
	if u.Set, err = structJSON(req.GetSet()); err != nil {
		return nil, err
	}
	if u.Inc, err = structJSON(req.GetInc()); err != nil {
		return nil, err
	}
	if err := h.allowWrite(ctx, c, req); err != nil {
		return nil, err
	}
	doc, err := h.store.UpdateCustomData(ctx, c.userID, u)
	if err != nil {
		return nil, err
	}
	h.hub.changed(c.userID)
	resp := &lanyardv1.UpdateCustomDataResponse{Version: doc.Version}
	if resp.Data, err = h.readable(c, doc); err != nil {
		return nil, err
	}
	// Callers updating their own data get a token that carries it; never a token for someone else.
	if c.userID == c.p.UserID {
		if resp.AccessToken, err = h.auth.MintAccessForSession(ctx, c.p, h.tokens.tokenData(c.userID, doc)); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// allowWrite applies the write (or, for a user without a document, insert) rules to the fields the
// update names.
func (h *Service) allowWrite(ctx context.Context, c *customDataCall, req *lanyardv1.UpdateCustomDataRequest) error {
	if c.caller.Server {
		return nil
	}
	current, err := h.store.GetCustomData(ctx, c.userID)
	if err != nil {
		return err
	}
	var fields []string
	for k := range req.GetSet().GetFields() {
		fields = append(fields, k)
	}
	for k := range req.GetInc().GetFields() {
		fields = append(fields, k)
	}
	fields = append(fields, req.GetUnset()...)
	if current.JSON == nil {
		// Judge the insert by the document it would create.
		doc := map[string]any{h.userIDField: c.userID}
		for k, v := range req.GetSet().AsMap() {
			doc[k] = v
		}
		return h.rules.Allow(rules.Insert, c.about(nil), doc, fields)
	}
	doc, err := decodeDoc(current.JSON)
	if err != nil {
		return err
	}
	return h.rules.Allow(rules.Write, c.about(doc), doc, fields)
}

func (h *Service) DeleteCustomData(ctx context.Context, req *lanyardv1.DeleteCustomDataRequest) (_ *lanyardv1.DeleteCustomDataResponse, err error) {
	defer func() { h.metrics.CustomDataWrite(err) }()
	c, err := h.customDataCall(ctx, req.GetUserId())
	if err != nil {
		return nil, err
	}
	if !c.caller.Server {
		current, err := h.store.GetCustomData(ctx, c.userID)
		if err != nil {
			return nil, err
		}
		if current.JSON == nil {
			return &lanyardv1.DeleteCustomDataResponse{}, nil
		}
		doc, err := decodeDoc(current.JSON)
		if err != nil {
			return nil, err
		}
		if err := h.rules.Allow(rules.Delete, c.about(doc), doc, nil); err != nil {
			return nil, err
		}
	}
	deleted, err := h.store.DeleteCustomData(ctx, c.userID)
	if err != nil {
		return nil, err
	}
	h.hub.changed(c.userID)
	return &lanyardv1.DeleteCustomDataResponse{Deleted: deleted}, nil
}

func (h *Service) RefreshCustomData(ctx context.Context, req *lanyardv1.RefreshCustomDataRequest) (*lanyardv1.RefreshCustomDataResponse, error) {
	return rpc.Authed(h.refreshCustomData)(ctx, req)
}

func (h *Service) refreshCustomData(ctx context.Context, p *authn.Principal, req *lanyardv1.RefreshCustomDataRequest) (*lanyardv1.RefreshCustomDataResponse, error) {
	if req.GetUserId() != "" && req.GetUserId() != p.UserID {
		return nil, rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED,
			"RefreshCustomData mints a token for the caller only; leave user_id empty")
	}
	c, err := h.customDataCall(ctx, "")
	if err != nil {
		return nil, err
	}
	doc, err := h.store.GetCustomData(ctx, c.userID)
	if err != nil {
		return nil, err
	}
	resp := &lanyardv1.RefreshCustomDataResponse{}
	if resp.Data, err = h.readable(c, doc); err != nil {
		return nil, err
	}
	if resp.AccessToken, err = h.auth.MintAccessForSession(ctx, p, h.tokens.tokenData(c.userID, doc)); err != nil {
		return nil, err
	}
	return resp, nil
}

// jsonStruct decodes a JSON object into a Struct. encoding/json and structpb are several times faster
// than protojson here, and an empty document (most tokens) costs nothing.
func jsonStruct(raw json.RawMessage) (*structpb.Struct, error) {
	if len(raw) == 0 || string(raw) == "{}" {
		return &structpb.Struct{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}
