package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/examples/userhook/hook"
	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server"
)

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// withDriver exposes the embedded engine and returns the custom data collection as an operator sees it.
func withDriver(t testing.TB, cfg *server.Config) func() *mongo.Collection {
	cfg.EmbeddedAddr = freeAddr(t)
	return func() *mongo.Collection {
		client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + cfg.EmbeddedAddr + "/"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
		return client.Database(cfg.CustomDataDatabase).Collection(cfg.CustomDataCollection)
	}
}

func structOf(t testing.TB, js string) *structpb.Struct {
	t.Helper()
	st := &structpb.Struct{}
	if err := protojson.Unmarshal([]byte(js), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func jsonOf(t *testing.T, st *structpb.Struct) map[string]any {
	t.Helper()
	raw, err := protojson.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func whoAmIData(t *testing.T, ts *testServer, token string) map[string]any {
	t.Helper()
	who, err := ts.auth.WhoAmI(bearer(token), &lanyardv1.WhoAmIRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, who.GetUserData())
}

// TestFirstInsertedWins: documents an operator inserted directly decide what the API and the tokens show.
func TestFirstInsertedWins(t *testing.T) {
	cfg := testConfig(t)
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()
	ctx := context.Background()

	a := anonLogin(t, ts)
	first, second := bson.NewObjectID(), bson.NewObjectID() // first < second
	if _, err := c.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: second}, {Key: "user_id", Value: a.GetUserId()}, {Key: "which", Value: "second"}},
		bson.D{{Key: "_id", Value: first}, {Key: "user_id", Value: a.GetUserId()}, {Key: "which", Value: "first"}},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.data.GetCustomData(bearer(a.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if w := got.GetData().GetFields()["which"].GetStringValue(); w != "first" {
		t.Errorf("GetCustomData shows %q, want the first inserted", w)
	}
	ref, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: a.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	if w := whoAmIData(t, ts, ref.GetAccessToken())["which"]; w != "first" {
		t.Errorf("token carries %v, want the first inserted", w)
	}

	// A string-form id beats an ObjectId-form id, even inserted later.
	b := anonLogin(t, ts)
	oid, _ := bson.ObjectIDFromHex(b.GetUserId())
	if _, err := c.InsertOne(ctx, bson.D{{Key: "user_id", Value: oid}, {Key: "which", Value: "objectid"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InsertOne(ctx, bson.D{{Key: "user_id", Value: b.GetUserId()}, {Key: "which", Value: "string"}}); err != nil {
		t.Fatal(err)
	}
	got, err = ts.data.GetCustomData(bearer(b.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if w := got.GetData().GetFields()["which"].GetStringValue(); w != "string" {
		t.Errorf("GetCustomData shows %q, want the string-id document", w)
	}

	admin := serverKey(t, ts)
	shadowed, err := ts.admin.ListShadowedCustomData(bearer(admin), &lanyardv1.ListShadowedCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]*lanyardv1.ShadowedCustomData{}
	for _, u := range shadowed.GetUsers() {
		found[u.GetUserId()] = u
	}
	if u := found[a.GetUserId()]; u == nil || !strings.Contains(u.GetWinningId(), first.Hex()) || len(u.GetDocumentIds()) != 2 {
		t.Errorf("shadowed entry for a: %v", u)
	}
	if found[b.GetUserId()] == nil {
		t.Errorf("user b (string and ObjectId documents) not listed as shadowed")
	}
}

// TestStaleUntilRefresh: a token's custom data is as of its minting; RefreshCustomData re-mints;
// WatchCustomData pushes another writer's change within the poll interval.
func TestStaleUntilRefresh(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataPollInterval = 200 * time.Millisecond
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()
	ctx := context.Background()
	u := anonLogin(t, ts)
	upd, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"color": "red"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if whoAmIData(t, ts, upd.GetAccessToken())["color"] != "red" {
		t.Fatal("UpdateCustomData's token does not carry the update")
	}

	wctx, cancel := context.WithTimeout(bearer(u.GetAccessToken()), 10*time.Second)
	defer cancel()
	stream, err := ts.data.WatchCustomData(wctx, &lanyardv1.WatchCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	initial, err := stream.Recv()
	if err != nil || initial.GetData().GetFields()["color"].GetStringValue() != "red" {
		t.Fatalf("initial watch message: %v %v", initial, err)
	}

	if _, err := c.UpdateOne(ctx, bson.D{{Key: "user_id", Value: u.GetUserId()}}, bson.D{{Key: "$set", Value: bson.D{{Key: "color", Value: "blue"}}}}); err != nil {
		t.Fatal(err)
	}
	changedAt := time.Now()
	if whoAmIData(t, ts, upd.GetAccessToken())["color"] != "red" {
		t.Error("an old token must keep the data of its minting")
	}
	ref, err := ts.data.RefreshCustomData(bearer(upd.GetAccessToken()), &lanyardv1.RefreshCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.GetData().GetFields()["color"].GetStringValue() != "blue" || whoAmIData(t, ts, ref.GetAccessToken())["color"] != "blue" {
		t.Error("RefreshCustomData does not show the new data")
	}
	next, err := stream.Recv()
	if err != nil || next.GetData().GetFields()["color"].GetStringValue() != "blue" {
		t.Fatalf("watch did not see the change: %v %v", next, err)
	}
	if d := time.Since(changedAt); d > 2*cfg.CustomDataPollInterval+time.Second {
		t.Errorf("watch took %s, poll interval %s", d, cfg.CustomDataPollInterval)
	}
}

// TestConcurrentUpdatesOneDocument: 50 writers setting different fields and 50 incrementing a counter,
// racing the first write, leave one document with everything (on FerretDB, whose updates are not atomic).
func TestConcurrentUpdatesOneDocument(t *testing.T) {
	cfg := testConfig(t)
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	u := anonLogin(t, ts)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, fmt.Sprintf(`{"f%02d": %d}`, i, i))})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Inc: structOf(t, `{"counter": 1}`)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := coll().CountDocuments(context.Background(), bson.D{{Key: "user_id", Value: u.GetUserId()}})
	if err != nil || n != 1 {
		t.Fatalf("%d documents for the user (%v), want 1", n, err)
	}
	got, err := ts.data.GetCustomData(bearer(u.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	f := got.GetData().GetFields()
	for i := range 50 {
		if _, ok := f[fmt.Sprintf("f%02d", i)]; !ok {
			t.Errorf("field f%02d lost", i)
		}
	}
	if c := f["counter"].GetNumberValue(); c != 50 {
		t.Errorf("counter = %v, want 50", c)
	}
}

// TestCustomDataTypesRoundTrip: exact int64, dates, ObjectIds and nested arrays survive the API and the
// token; a field stored as int32 by a driver stays int32 after an unrelated update.
func TestCustomDataTypesRoundTrip(t *testing.T) {
	cfg := testConfig(t)
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	u := anonLogin(t, ts)
	c := coll()
	if _, err := c.InsertOne(context.Background(), bson.D{{Key: "user_id", Value: u.GetUserId()}, {Key: "small", Value: int32(7)}}); err != nil {
		t.Fatal(err)
	}
	oid := bson.NewObjectID().Hex()
	set := fmt.Sprintf(`{"big": {"$numberLong": "9007199254740993"}, "when": {"$date": "2026-11-23T10:00:00Z"},
		"ref": {"$oid": "%s"}, "nested": [{"n": [1, 2]}, {"a": [true, null, "x"]}]}`, oid)
	upd, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, set)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ts.data.GetCustomData(bearer(u.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]map[string]any{"get": jsonOf(t, got.GetData()), "token": whoAmIData(t, ts, upd.GetAccessToken())} {
		js, _ := json.Marshal(map[string]any{"big": data["big"], "when": data["when"], "ref": data["ref"], "nested": data["nested"]})
		want := fmt.Sprintf(`{"big":{"$numberLong":"9007199254740993"},"nested":[{"n":[1,2]},{"a":[true,null,"x"]}],"ref":{"$oid":"%s"},"when":{"$date":"2026-11-23T10:00:00Z"}}`, oid)
		if string(js) != want {
			t.Errorf("%s: %s\nwant %s", name, js, want)
		}
	}
	var raw bson.Raw
	if err := c.FindOne(context.Background(), bson.D{{Key: "user_id", Value: u.GetUserId()}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if typ := raw.Lookup("small").Type; typ != bson.TypeInt32 {
		t.Errorf("small is stored as %s after an unrelated update, want int32", typ)
	}
	if typ := raw.Lookup("big").Type; typ != bson.TypeInt64 {
		t.Errorf("big is stored as %s, want int64", typ)
	}
}

func TestCustomDataLimitsAndErrors(t *testing.T) {
	ts := startServer(t, testConfig(t))
	u := anonLogin(t, ts)
	ctx := bearer(u.GetAccessToken())
	big := strings.Repeat("x", 17000)
	_, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"blob": "`+big+`"}`)})
	st := wantError(t, err, codes.InvalidArgument, "CUSTOM_DATA_TOO_LARGE")
	if !strings.Contains(st.Message(), "16384") {
		t.Errorf("message %q does not name the limit", st.Message())
	}
	_, err = ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"$where": 1}`)})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	v := int64(5)
	_, err = ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"a": 1}`), ExpectedVersion: &v})
	wantError(t, err, codes.Aborted, "VERSION_MISMATCH")
	other := anonLogin(t, ts)
	_, err = ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{UserId: other.GetUserId()})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")
	_, err = ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{UserId: other.GetUserId(), Set: structOf(t, `{"a": 1}`)})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")
}

// TestSystemRulesPreset: with the system preset users cannot write their data; server principals can,
// for any user, and get no token for someone else.
func TestSystemRulesPreset(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataRules = "system"
	ts := startServer(t, cfg)
	u := anonLogin(t, ts)
	_, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"plan": "pro"}`)})
	wantError(t, err, codes.PermissionDenied, "RULE_DENIED")
	admin := serverKey(t, ts)
	resp, err := ts.data.UpdateCustomData(bearer(admin), &lanyardv1.UpdateCustomDataRequest{UserId: u.GetUserId(), Set: structOf(t, `{"plan": "pro"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetAccessToken() != "" {
		t.Error("a server principal updating another user's data got a token")
	}
	got, err := ts.data.GetCustomData(bearer(u.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil || got.GetData().GetFields()["plan"].GetStringValue() != "pro" {
		t.Fatalf("user reads its own document: %v %v", got, err)
	}
}

// startHook serves the example user creation hook on loopback.
func startHook(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	hooksv1.RegisterUserCreationHookServiceServer(g, &hook.Service{})
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)
	return l.Addr().String()
}

// TestUserCreationHook: the hook's document is in the very first token; a refusing, hanging or
// unreachable hook leaves no user, identity, session or document behind.
func TestUserCreationHook(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataOnUserCreation = startHook(t)
	cfg.CustomDataHookTimeout = time.Second
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()

	u := anonLogin(t, ts)
	data := whoAmIData(t, ts, u.GetAccessToken())
	if data["plan"] != "free" || data["created_by"] != "userhook" {
		t.Fatalf("first token's user_data = %v, want the hook's document", data)
	}

	admin := serverKey(t, ts)
	countUsers := func() int {
		resp, err := ts.admin.ListUsers(bearer(admin), &lanyardv1.ListUsersRequest{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.GetUsers())
	}
	users := countUsers()
	docs, _ := c.CountDocuments(context.Background(), bson.D{})
	// Email/password users are created at their first login, which the hook refuses.
	for _, email := range []string{"x@blocked.example", "x@slow.example", "x@down.example"} {
		if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: email, Password: "pw-long enough"}); err != nil {
			t.Fatal(err)
		}
		_, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: "pw-long enough"}}})
		wantError(t, err, codes.FailedPrecondition, "HOOK_FAILED")
	}
	if n := countUsers(); n != users {
		t.Errorf("%d users after refused registrations, want %d", n, users)
	}
	if n, _ := c.CountDocuments(context.Background(), bson.D{}); n != docs {
		t.Errorf("%d documents after refused registrations, want %d", n, docs)
	}

	// An unreachable hook.
	cfg2 := testConfig(t)
	cfg2.CustomDataOnUserCreation = freeAddr(t)
	cfg2.CustomDataHookTimeout = time.Second
	ts2 := startServer(t, cfg2)
	_, err := ts2.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}})
	wantError(t, err, codes.FailedPrecondition, "HOOK_FAILED")
}

// TestWatchAuthEvents: CREATE and LOGIN are recorded and served in order, resumable after an id.
func TestWatchAuthEvents(t *testing.T) {
	ts := startServer(t, testConfig(t))
	admin := serverKey(t, ts)
	u := anonLogin(t, ts)
	ctx, cancel := context.WithTimeout(bearer(admin), 10*time.Second)
	defer cancel()
	stream, err := ts.admin.WatchAuthEvents(ctx, &lanyardv1.WatchAuthEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	var lastID string
	for len(seen) < 4 {
		ev, err := stream.Recv()
		if err != nil {
			t.Fatalf("after %v: %v", seen, err)
		}
		seen = append(seen, ev.GetType().String()+":"+ev.GetUserId())
		lastID = ev.GetEventId()
	}
	// The server key's user (CREATE, LOGIN), then the anonymous user (CREATE, LOGIN).
	if !strings.HasPrefix(seen[2], "AUTH_EVENT_TYPE_CREATE:"+u.GetUserId()) || !strings.HasPrefix(seen[3], "AUTH_EVENT_TYPE_LOGIN:"+u.GetUserId()) {
		t.Errorf("events %v", seen)
	}
	u2 := anonLogin(t, ts)
	resumed, err := ts.admin.WatchAuthEvents(ctx, &lanyardv1.WatchAuthEventsRequest{AfterEventId: lastID})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := resumed.Recv()
	if err != nil || ev.GetUserId() != u2.GetUserId() || ev.GetType() != lanyardv1.AuthEventType_AUTH_EVENT_TYPE_CREATE {
		t.Fatalf("resumed stream starts with %v %v", ev, err)
	}
}

// TestLastLoginStampAndDeleteWithUser: the optional stamp lands on the user's document at login, and the
// document goes with the user when configured to.
func TestLastLoginStampAndDeleteWithUser(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataStampLastLogin = true
	cfg.CustomDataDeleteWithUser = true
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	c := coll()
	ctx := context.Background()
	if _, err := ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "stamp@example.com", Password: "pw-stamped"}); err != nil {
		t.Fatal(err)
	}
	login := func() *lanyardv1.LoginResponse {
		r, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "stamp@example.com", Password: "pw-stamped"}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := login()
	if _, err := c.InsertOne(ctx, bson.D{{Key: "user_id", Value: first.GetUserId()}, {Key: "plan", Value: "free"}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	second := login()
	var doc struct {
		LastLogin time.Time `bson:"last_login"`
	}
	if err := c.FindOne(ctx, bson.D{{Key: "user_id", Value: first.GetUserId()}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.LastLogin.Before(before) {
		t.Errorf("last_login = %v, want the second login's time", doc.LastLogin)
	}
	if _, err := ts.auth.DeleteMe(bearer(second.GetAccessToken()), &lanyardv1.DeleteMeRequest{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.CountDocuments(ctx, bson.D{{Key: "user_id", Value: first.GetUserId()}}); n != 0 {
		t.Errorf("%d documents left after the user was deleted", n)
	}
}
