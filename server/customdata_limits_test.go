package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// fieldJSON is one field of a Struct as compact JSON with sorted keys.
func fieldJSON(t *testing.T, st *structpb.Struct, name string) string {
	t.Helper()
	raw, err := json.Marshal(jsonOf(t, st)[name])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestCustomDataDepthBoundary: the deepest document a write accepts (a value at level 100, MongoDB's
// limit, an Extended JSON wrapper being one value) comes back whole from every read, token and stream; one
// level more is INVALID_ARGUMENT naming the field, the level and the limit, and stores nothing; a request
// too deep for protobuf itself is INVALID_ARGUMENT too.
func TestCustomDataDepthBoundary(t *testing.T) {
	ts := startServer(t, testConfig(t))
	u := anonLogin(t, ts)
	ctx := bearer(u.GetAccessToken())
	limit := store.MaxCustomDataDepth

	deepest := storetest.NestedJSON(limit, `{"$date":"2024-05-06T07:08:09.123Z"}`)
	upd, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"deep": `+deepest+`}`)})
	if err != nil {
		t.Fatalf("a write nested %d levels: %v", limit, err)
	}
	got, err := ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	refreshed, err := ts.data.RefreshCustomData(ctx, &lanyardv1.RefreshCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	who, err := ts.auth.WhoAmI(bearer(upd.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := ts.data.WatchCustomData(sctx, &lanyardv1.WatchCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	watched, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*structpb.Struct{"UpdateCustomData": upd.GetData(), "GetCustomData": got.GetData(),
		"RefreshCustomData": refreshed.GetData(), "the token": who.GetUserData(), "WatchCustomData": watched.GetData()} {
		if f := fieldJSON(t, st, "deep"); f != deepest {
			t.Errorf("%s: deep = %.120s…, want what was written", name, f)
		}
	}
	if who.GetUserDataOmitted() {
		t.Error("the token left out a document nested to the limit")
	}

	segs := slices.Repeat([]string{"p"}, limit)
	deeperInc := strings.Join(append(segs, "q"), ".")
	for _, tc := range []struct {
		req   *lanyardv1.UpdateCustomDataRequest
		field string
	}{
		{&lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"deeper": `+storetest.NestedJSON(limit+1, `1`)+`}`)}, "set.deeper"},
		{&lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"deeper": `+storetest.NestedJSON(limit+1, `{"$numberLong": "5"}`)+`}`)}, "set.deeper"},
		{&lanyardv1.UpdateCustomDataRequest{Inc: structOf(t, `{"`+deeperInc+`": 1}`)}, "inc." + deeperInc},
	} {
		_, err := ts.data.UpdateCustomData(ctx, tc.req)
		st := wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if f := violationFields(err); !slices.Equal(f, []string{tc.field}) {
			t.Errorf("field violations %.40q, want %.40q", f, tc.field)
		}
		if !strings.Contains(st.Message(), strconv.Itoa(limit+1)) || !strings.Contains(st.Message(), strconv.Itoa(limit)) {
			t.Errorf("message %.200q does not name the level %d and the limit %d", st.Message(), limit+1, limit)
		}
	}
	if _, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Inc: structOf(t, `{"`+strings.Join(segs, ".")+`": 1}`)}); err != nil {
		t.Errorf("an inc path of %d segments: %v", limit, err)
	}

	// Deeper than protobuf decodes (10,000 nested messages; a Struct level is three): grpc-go alone would
	// answer INTERNAL.
	v := structpb.NewNumberValue(1)
	for range 4000 {
		v = structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"a": v}})
	}
	_, err = ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: &structpb.Struct{Fields: map[string]*structpb.Value{"x": v}}})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

	after, err := ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
	if err != nil || after.GetVersion() != upd.GetVersion()+1 {
		t.Errorf("after refused writes: version %d (%v), want %d (the accepted inc only)", after.GetVersion(), err, upd.GetVersion()+1)
	}
}

// TestUnreadableCustomDataNeverLocksOut: a document another tool wrote deeper than MongoDB's limit, which
// Lanyard cannot render, never stops its user from logging in or refreshing, on gRPC or the App Services
// API: tokens leave it out and say so. Reads, the stream and writes that would leave it so answer
// FAILED_PRECONDITION naming the field; a server principal's write that unsets the field repairs it.
func TestUnreadableCustomDataNeverLocksOut(t *testing.T) {
	cfg := testConfig(t)
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()
	compat := newCompat(t, ts)

	const email, password = "deep@example.com", "pw-correct-horse"
	if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	loginEmail := func() *lanyardv1.LoginResponse {
		t.Helper()
		resp, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: password}}})
		if err != nil {
			t.Fatalf("login of a user whose document cannot be read: %v", err)
		}
		return resp
	}
	first := loginEmail()
	user := first.GetUserId()
	_, anonRefresh, anon := compat.mustLogin("anon-user", map[string]any{})
	for _, id := range []string{user, anon} {
		if _, err := c.InsertOne(context.Background(), bson.D{{Key: "user_id", Value: id}, {Key: "plan", Value: "pro"},
			{Key: "deep", Value: storetest.NestedBSON(store.MaxCustomDataDepth + 50)}}); err != nil {
			t.Fatal(err)
		}
	}
	omitted := func(how, token string) {
		t.Helper()
		who, err := ts.auth.WhoAmI(bearer(token), &lanyardv1.WhoAmIRequest{})
		if err != nil {
			t.Fatalf("%s: WhoAmI: %v", how, err)
		}
		if !who.GetUserDataOmitted() || len(who.GetUserData().GetFields()) != 0 {
			t.Errorf("%s: user_data %v, omitted %v; want it left out and flagged", how, who.GetUserData(), who.GetUserDataOmitted())
		}
	}

	login := loginEmail()
	omitted("gRPC Login", login.GetAccessToken())
	refreshed, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatalf("RefreshSession: %v", err)
	}
	omitted("gRPC RefreshSession", refreshed.GetAccessToken())
	httpAccess, _, _ := compat.mustLogin("local-userpass", userpassBody(email, password))
	omitted("HTTP local-userpass login", httpAccess)
	r := compat.do("POST", v2+"/auth/session", nil, auth(anonRefresh)...)
	if r.status != 201 {
		t.Fatalf("HTTP refresh: %s", r)
	}
	omitted("HTTP refresh", r.str("access_token"))
	if !strings.Contains(ts.logs.String(), "custom data document cannot be read: left out of the token") {
		t.Error("no warning in the log for a document left out of tokens")
	}

	ctx := bearer(refreshed.GetAccessToken())
	unreadable := func(what string, err error) {
		t.Helper()
		st := wantError(t, err, codes.FailedPrecondition, "CUSTOM_DATA_UNREADABLE")
		if !strings.Contains(st.Message(), `"deep"`) || !strings.Contains(st.Message(), strconv.Itoa(store.MaxCustomDataDepth)) {
			t.Errorf("%s: message %q does not name the field and the limit", what, st.Message())
		}
	}
	_, err = ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
	unreadable("GetCustomData", err)
	_, err = ts.data.RefreshCustomData(ctx, &lanyardv1.RefreshCustomDataRequest{})
	unreadable("RefreshCustomData", err)
	stream, err := ts.data.WatchCustomData(ctx, &lanyardv1.WatchCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	unreadable("WatchCustomData", err)
	_, err = ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"x": 1}`)})
	unreadable("the user's UpdateCustomData", err)
	admin := bearer(serverKey(t, ts))
	_, err = ts.data.UpdateCustomData(admin, &lanyardv1.UpdateCustomDataRequest{UserId: user, Set: structOf(t, `{"x": 1}`)})
	unreadable("a server principal's UpdateCustomData leaving the field", err)
	if n, err := c.CountDocuments(context.Background(), bson.D{{Key: "user_id", Value: user}, {Key: "x", Value: bson.D{{Key: "$exists", Value: true}}}}); err != nil || n != 0 {
		t.Errorf("a refused write was stored (%d, %v)", n, err)
	}

	if _, err := ts.data.UpdateCustomData(admin, &lanyardv1.UpdateCustomDataRequest{UserId: user, Unset: []string{"deep"}}); err != nil {
		t.Fatalf("a server principal unsetting the deep field: %v", err)
	}
	got, err := ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
	if err != nil || got.GetData().GetFields()["plan"].GetStringValue() != "pro" {
		t.Fatalf("GetCustomData after the repair: %v %v", got, err)
	}
	if data := whoAmIData(t, ts, loginEmail().GetAccessToken()); data["plan"] != "pro" {
		t.Errorf("token after the repair: %v", data)
	}
}

// TestCustomDataNonFiniteNumbers: NaN and ±Infinity, as Struct numbers or as $numberDouble wrappers, in
// set or inc, are INVALID_ARGUMENT naming each field, never INTERNAL.
func TestCustomDataNonFiniteNumbers(t *testing.T) {
	ts := startServer(t, testConfig(t))
	u := anonLogin(t, ts)
	ctx := bearer(u.GetAccessToken())
	num := structpb.NewNumberValue
	obj := func(fields map[string]*structpb.Value) *structpb.Struct { return &structpb.Struct{Fields: fields} }
	for _, tc := range []struct {
		req    *lanyardv1.UpdateCustomDataRequest
		fields []string
	}{
		{&lanyardv1.UpdateCustomDataRequest{Set: obj(map[string]*structpb.Value{"score": num(math.NaN())})}, []string{"set.score"}},
		{&lanyardv1.UpdateCustomDataRequest{Set: obj(map[string]*structpb.Value{"a": structpb.NewStructValue(obj(map[string]*structpb.Value{
			"b": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{num(1), num(math.Inf(1))}})}))})}, []string{"set.a.b.1"}},
		{&lanyardv1.UpdateCustomDataRequest{Inc: obj(map[string]*structpb.Value{"a.b": num(math.Inf(-1))})}, []string{"inc.a.b"}},
		{&lanyardv1.UpdateCustomDataRequest{Set: obj(map[string]*structpb.Value{"s": num(math.NaN())}),
			Inc: obj(map[string]*structpb.Value{"n": num(math.Inf(1))})}, []string{"set.s", "inc.n"}},
		{&lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"x": {"$numberDouble": "NaN"}}`)}, []string{"set.x"}},
		{&lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"x": {"y": {"$numberDouble": "Infinity"}}}`)}, []string{"set.x.y"}},
		{&lanyardv1.UpdateCustomDataRequest{Inc: structOf(t, `{"n": {"$numberDouble": "-Infinity"}}`)}, []string{"inc.n"}},
	} {
		_, err := ts.data.UpdateCustomData(ctx, tc.req)
		wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if f := violationFields(err); !slices.Equal(f, tc.fields) {
			t.Errorf("field violations %q, want %q", f, tc.fields)
		}
	}
	if strings.Contains(ts.logs.String(), `"level":"ERROR"`) {
		t.Error("a refused number was logged as an error")
	}

	// -0 is 0 (FerretDB v1 drops the sign): the write, the reads and the token agree.
	upd, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: obj(map[string]*structpb.Value{
		"z": num(math.Copysign(0, -1)), "zw": structpb.NewStructValue(structOf(t, `{"$numberDouble": "-0.0"}`))})})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	who, err := ts.auth.WhoAmI(bearer(upd.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*structpb.Struct{"UpdateCustomData": upd.GetData(), "GetCustomData": got.GetData(), "the token": who.GetUserData()} {
		for _, f := range []string{"z", "zw"} {
			if v := st.GetFields()[f]; v == nil || v.GetNumberValue() != 0 || math.Signbit(v.GetNumberValue()) {
				t.Errorf("%s: %s = %v, want 0", name, f, v)
			}
		}
	}
}

// deepHook is a user creation hook that gives normal users a document one level deeper than MongoDB
// stores (and server users none, so that the test has an administrator).
type deepHook struct {
	hooksv1.UnimplementedUserCreationHookServiceServer
}

func (deepHook) OnUserCreation(_ context.Context, req *hooksv1.OnUserCreationRequest) (*hooksv1.OnUserCreationResponse, error) {
	if req.GetType() == "server" {
		return &hooksv1.OnUserCreationResponse{}, nil
	}
	st := &structpb.Struct{}
	if err := st.UnmarshalJSON([]byte(`{"deep": ` + storetest.NestedJSON(store.MaxCustomDataDepth+1, `1`) + `}`)); err != nil {
		return nil, err
	}
	return &hooksv1.OnUserCreationResponse{CustomData: st}, nil
}

// TestUserCreationHookDocumentTooDeep: a hook's document Lanyard cannot store fails the login like a
// refusing hook (the hook's fault, not the caller's), naming why, and leaves no user behind.
func TestUserCreationHookDocumentTooDeep(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	hooksv1.RegisterUserCreationHookServiceServer(g, deepHook{})
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)
	cfg := testConfig(t)
	cfg.CustomDataOnUserCreation = l.Addr().String()
	cfg.CustomDataHookTimeout = 5 * time.Second
	ts := startServer(t, cfg)
	admin := bearer(serverKey(t, ts))
	users := func() int {
		resp, err := ts.admin.ListUsers(admin, &lanyardv1.ListUsersRequest{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.GetUsers())
	}
	before := users()
	_, err = ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}})
	st := wantError(t, err, codes.FailedPrecondition, "HOOK_FAILED")
	if !strings.Contains(st.Message(), strconv.Itoa(store.MaxCustomDataDepth+1)) {
		t.Errorf("message %q does not say why the document was refused", st.Message())
	}
	if n := users(); n != before {
		t.Errorf("%d users after the refused login, want %d", n, before)
	}
}
