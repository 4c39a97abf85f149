// Package realmweb drives a live Lanyard with realm-web (npm realm-web@2.0.1, the App Services web SDK),
// unchanged: from Node (flow.mjs) and from headless Chromium on a page of another origin (browser.html).
//
// Setup: `npm ci --prefix interop/realmweb` (the tests fail without node_modules) and, for the browser
// test, Debian's Chromium (`apt-get install -y chromium`; without it the browser test fails when CI is
// set and is skipped, loudly, otherwise).
package realmweb

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/interop/internal/headless"
	"github.com/lanyardhq/lanyard/interop/internal/live"
	"github.com/lanyardhq/lanyard/server"
)

// requireNodeModules fails the test, loudly, when realm-web is not installed.
func requireNodeModules(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node_modules", "realm-web", "package.json")); err != nil {
		t.Fatalf("realm-web is not installed: run `npm ci --prefix interop/realmweb` first (%v)", err)
	}
}

// lanyard is a live server on loopback ports.
type lanyard struct {
	*server.Server
	cfg  server.Config
	url  string
	logs *live.Buffer
}

// freeAddr returns a loopback address that was free a moment ago. The HTTP address must be known
// before the server starts: it is the public URL that the location route answers.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startLanyard starts Lanyard in-process as `lanyard serve --app examples/sample-app` would (an App
// Services export, unchanged: anonymous, email/password with auto-confirm, custom JWT and API keys, custom
// data in sample.custom_user_data with owner rules), with the embedded engine reachable for the test's
// own driver.
func startLanyard(t *testing.T, corsOrigins ...string) *lanyard {
	t.Helper()
	l := startLanyardApp(t, "../../examples/sample-app", corsOrigins...)
	if l.cfg.AppID != "sample-app" {
		t.Fatalf("app id %q: the sample export was not read", l.cfg.AppID)
	}
	return l
}

// startLanyardApp starts Lanyard in-process serving the export in dir.
func startLanyardApp(t *testing.T, dir string, corsOrigins ...string) *lanyard {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{"LANYARD_SECRET_SAMPLETOKENKEY": "a-test-secret-of-at-least-32-bytes-long!"}
	args := []string{"--app", dir, "--grpc-addr", "127.0.0.1:0", "--http-addr", addr,
		"--public-url", "http://" + addr, "--data-dir", t.TempDir(), "--embedded-addr", "127.0.0.1:0",
		"--revocation-interval", "200ms", "--shutdown-grace", "5s", "--cors-origins", strings.Join(corsOrigins, ",")}
	cfg, err := server.LoadConfig(args, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	srv, logs := live.Start(t, cfg)
	return &lanyard{Server: srv, cfg: cfg, url: cfg.PublicURL, logs: logs}
}

// database connects to a database of the embedded engine, as an operator's own tool would.
func (l *lanyard) database(t *testing.T, name string) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + l.EmbeddedAddr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(name)
}

// insertCustomData inserts documents for a user straight into the embedded engine, as an operator's
// own tool (mongosh, a driver) would.
func (l *lanyard) insertCustomData(t *testing.T, docs ...bson.D) {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + l.EmbeddedAddr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	defer client.Disconnect(ctx)
	coll := client.Database(l.cfg.CustomDataDatabase).Collection(l.cfg.CustomDataCollection)
	for _, d := range docs {
		if _, err := coll.InsertOne(ctx, d); err != nil {
			t.Fatalf("inserting custom data: %v", err)
		}
	}
}

// grpcSet sets fields of the custom data of the access token's user through Lanyard's gRPC API.
func (l *lanyard) grpcSet(ctx context.Context, t *testing.T, accessToken string, set map[string]any) {
	t.Helper()
	conn, err := grpc.NewClient(l.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := structpb.NewStruct(set)
	if err != nil {
		t.Fatal(err)
	}
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+accessToken)
	if _, err := lanyardv1.NewCustomDataServiceClient(conn).UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: st}); err != nil {
		t.Fatalf("UpdateCustomData over gRPC: %v", err)
	}
}

// nodeScript is one of this directory's Node scripts, running: it prints one JSON object per line and
// reads the test's answers on stdin (see flow.mjs).
type nodeScript struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr live.Buffer
}

// startNode starts script with env added to the test's environment; it is killed when ctx ends.
func startNode(ctx context.Context, t *testing.T, script string, env ...string) *nodeScript {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	n := &nodeScript{cmd: exec.CommandContext(ctx, node, script)}
	n.cmd.Env = append(os.Environ(), env...)
	if n.stdin, err = n.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n.cmd.Stderr = &n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.lines = bufio.NewScanner(stdout)
	return n
}

// wait closes the script's stdin and waits for it to exit.
func (n *nodeScript) wait() error {
	_ = n.stdin.Close()
	return n.cmd.Wait()
}

// TestRealmWebNode runs flow.mjs: anonymous login, email/password registration and login, custom user
// data (first inserted wins) through refreshCustomData, MongoDB data access on it (findOne, count,
// updateOne, another user's document refused), collection.watch() delivering a gRPC write, the profile, the retry after an invalid access
// token, API keys and an API key login, unsupported routes, logout and deletion.
func TestRealmWebNode(t *testing.T) {
	requireNodeModules(t)
	l := startLanyard(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	n := startNode(ctx, t, "flow.mjs", "LANYARD_URL="+l.url, "LANYARD_APP_ID="+l.cfg.AppID,
		"LANYARD_EMAIL=Web.User@example.com", "LANYARD_PASSWORD=pw-realm-web-1")
	stdin, stderr := n.stdin, &n.stderr
	var steps []string
	sc := n.lines
	for sc.Scan() {
		line := sc.Text()
		var msg struct {
			Step        string         `json:"step"`
			UserID      string         `json:"user_id"`
			CustomData  map[string]any `json:"custom_data"`
			AccessToken string         `json:"access_token"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Logf("node: %s", line)
			continue
		}
		t.Logf("step %-28s %6.0f ms", msg.Step, float64(time.Since(start).Microseconds())/1000)
		steps = append(steps, msg.Step)
		switch msg.Step {
		case "need-custom-data":
			l.insertCustomData(t,
				bson.D{{Key: "user_id", Value: msg.UserID}, {Key: "name", Value: "first"}, {Key: "n", Value: int32(1)}},
				bson.D{{Key: "user_id", Value: msg.UserID}, {Key: "name", Value: "second"}, {Key: "n", Value: int32(2)}})
			if _, err := io.WriteString(stdin, "inserted\n"); err != nil {
				t.Fatal(err)
			}
		case "need-grpc-update":
			l.grpcSet(ctx, t, msg.AccessToken, map[string]any{"via": "grpc"})
			if _, err := io.WriteString(stdin, "updated\n"); err != nil {
				t.Fatal(err)
			}
		case "custom-data":
			if msg.CustomData["name"] != "first" {
				t.Errorf("customData = %v, want the first inserted document", msg.CustomData)
			}
		}
	}
	if err := n.wait(); err != nil {
		t.Fatalf("flow.mjs failed (%v) after steps %v:\n%s", err, steps, stderr.String())
	}
	want := []string{"anonymous", "email-password", "need-custom-data", "custom-data", "data-access", "need-grpc-update", "watch", "retry-after-invalid-session",
		"api-keys", "unsupported", "logout", "delete", "done"}
	if strings.Join(steps, " ") != strings.Join(want, " ") {
		t.Fatalf("steps %v, want %v\nstderr:\n%s", steps, want, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Logf("node stderr:\n%s", s)
	}
	if strings.Contains(l.logs.String(), `"level":"ERROR"`) {
		t.Errorf("Lanyard logged errors:\n%s", l.logs.String())
	}
	t.Logf("realm-web flow: %d steps in %s", len(steps), time.Since(start).Round(time.Millisecond))
}

// TestRealmWebFunctions runs functions.mjs against examples/functions-app: a custom-function login
// whose function checks a password in a collection, the user creation function's document in the first
// token, the confirmation function (pending, then confirmUser), the reset function, and the access token
// checked before an uncallable function is refused.
func TestRealmWebFunctions(t *testing.T) {
	requireNodeModules(t)
	l := startLanyardApp(t, "../../examples/functions-app")
	db := l.database(t, "myapp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := db.Collection("credentials").InsertOne(ctx, bson.D{{Key: "username", Value: "ada"},
		{Key: "password", Value: "lovelace"}, {Key: "name", Value: "Ada"}}); err != nil {
		t.Fatal(err)
	}
	n := startNode(ctx, t, "functions.mjs", "LANYARD_URL="+l.url, "LANYARD_APP_ID="+l.cfg.AppID)
	var steps []string
	sc := n.lines
	for sc.Scan() {
		var msg struct {
			Step  string `json:"step"`
			Email string `json:"email"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			t.Logf("node: %s", sc.Text())
			continue
		}
		steps = append(steps, msg.Step)
		if msg.Step == "need-token" {
			// The latest token the confirmation function left for the address.
			var sent struct {
				Token   string `bson:"token" json:"token"`
				TokenID string `bson:"tokenId" json:"tokenId"`
			}
			err := db.Collection("outbox").FindOne(ctx, bson.D{{Key: "username", Value: msg.Email}},
				options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&sent)
			if err != nil {
				t.Fatalf("the confirmation function's token for %s: %v", msg.Email, err)
			}
			line, _ := json.Marshal(sent)
			if _, err := fmt.Fprintf(n.stdin, "%s\n", line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := n.wait(); err != nil {
		t.Fatalf("functions.mjs failed (%v) after steps %v:\n%s\nLanyard's log:\n%s", err, steps, n.stderr.String(), l.logs.String())
	}
	want := "custom-function need-token confirmation-function reset-function done"
	if got := strings.Join(steps, " "); got != want {
		t.Fatalf("steps %q, want %q\nstderr:\n%s", got, want, n.stderr.String())
	}
}

// pageServer serves browser.html, realm-web's browser bundle and the page's configuration from its own
// origin, and stores custom data for the users the page reports (as an app's backend would).
type pageServer struct {
	*httptest.Server
	stored chan string // user ids whose custom data was stored
}

func newPageServer(t *testing.T, l *lanyard, lis net.Listener) *pageServer {
	t.Helper()
	page, err := os.ReadFile("browser.html")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := os.ReadFile(filepath.Join("node_modules", "realm-web", "dist", "bundle.iife.js"))
	if err != nil {
		t.Fatalf("realm-web's browser bundle: %v", err)
	}
	config, _ := json.Marshal(map[string]string{"url": l.url, "appId": l.cfg.AppID})
	ps := &pageServer{stored: make(chan string, 10)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /config.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "window.LANYARD = %s;\n", config)
	})
	mux.HandleFunc("GET /realm-web.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(bundle)
	})
	mux.HandleFunc("POST /custom-data", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("user_id")
		l.insertCustomData(t, bson.D{{Key: "user_id", Value: id}, {Key: "color", Value: "teal"}, {Key: "visits", Value: int32(3)}})
		ps.stored <- id
		w.WriteHeader(http.StatusNoContent)
	})
	ps.Server = httptest.NewUnstartedServer(mux)
	if lis != nil {
		_ = ps.Server.Listener.Close()
		ps.Server.Listener = lis
	}
	ps.Server.Start()
	t.Cleanup(ps.Close)
	return ps
}

// TestRealmWebBrowser: a page on another origin, allowed by LANYARD_CORS_ORIGINS, logs in anonymously
// with realm-web's browser bundle and shows the custom data its backend stored, reads and updates it
// through mongoClient (and is refused another user's document); the same page from an
// origin that is not allowed cannot reach Lanyard.
func TestRealmWebBrowser(t *testing.T) {
	requireNodeModules(t)
	chromium := headless.FindChromium(t)
	// The allowed origin must be configured before Lanyard starts, and the page needs Lanyard's URL:
	// bind the page's port first.
	pageLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pageOrigin := "http://" + pageLis.Addr().String()
	l := startLanyard(t, pageOrigin)
	allowed := newPageServer(t, l, pageLis)
	refused := newPageServer(t, l, nil)

	got := headless.Open(t, chromium, allowed.URL+"/")
	if !strings.HasPrefix(got, "OK ") {
		t.Fatalf("page from the allowed origin %s: %s", pageOrigin, got)
	}
	var res struct {
		UserID                  string `json:"user_id"`
		Before, Color, Provider string
		DeviceID                string `json:"device_id"`
		Visits                  int
		// Data access from the page: the document found, the update's matchedCount, the color after
		// refreshCustomData, and the error code of reading another user's document.
		Found, After, Refused string
		Matched               int
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got, "OK ")), &res); err != nil {
		t.Fatalf("page result %q: %v", got, err)
	}
	if res.Before != "{}" || res.Color != "teal" || res.Visits != 3 || res.Provider != "anon-user" || len(res.DeviceID) != 24 ||
		res.Found != "teal" || res.Matched != 1 || res.After != "navy" || res.Refused != "PermissionDenied" {
		t.Errorf("page result: %+v", res)
	}
	select {
	case id := <-allowed.stored:
		if id != res.UserID {
			t.Errorf("custom data stored for %s, page user %s", id, res.UserID)
		}
	default:
		t.Errorf("the page never asked its backend to store custom data")
	}

	got = headless.Open(t, chromium, refused.URL+"/")
	if !strings.HasPrefix(got, "ERROR ") {
		t.Fatalf("page from the origin %s, which is not allowed, reached Lanyard: %s", refused.URL, got)
	}
	t.Logf("page from a refused origin: %s", got)
	if len(refused.stored) != 0 {
		t.Errorf("a page on a refused origin logged in")
	}
}
