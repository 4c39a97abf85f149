package functions

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHTTP(t *testing.T) {
	// other is a second server, on a host:port the allow list does not name.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "you should not see this")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hello":
			w.Header().Set("X-Test", "yes")
			_, _ = io.WriteString(w, "hello "+r.Header.Get("X-Who"))
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
			_, _ = io.WriteString(w, r.Method+" "+string(b))
		case "/redirect-out":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/redirect-in":
			http.Redirect(w, r, "/hello", http.StatusFound)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 2048))
		case "/slow":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	e, _ := newEngine(t, Config{HTTPAllow: []string{host}, HTTPMaxBody: 1024, Timeout: backstop},
		src("get", `exports = async function (url) {
			const r = await context.http.get({url, headers: {"X-Who": ["Ada"]}});
			return {status: r.status, statusCode: r.statusCode, header: r.headers["X-Test"], body: r.body.text()};
		};`),
		src("post", `exports = async function (url) {
			const r = await context.http.post({url, body: {a: 1, b: [true]}, encodeBodyAsJSON: true,
				headers: {"Content-Type": ["application/json"]}});
			return r.body.text();
		};`),
		src("fails", `exports = async function (url, follow) {
			try { await context.http.get({url, followRedirects: follow}); return "no error"; } catch (e) { return e.message; }
		};`),
		src("redirect", `exports = async function (url) {
			const r = await context.http.get({url, followRedirects: true});
			return r.body.text();
		};`),
		src("head", `exports = async function (url) { const r = await context.http.head({url}); return [r.statusCode, r.body === undefined]; };`),
	)
	got := call(t, e, "get", srv.URL+"/hello")
	want := map[string]any{"status": "200 OK", "statusCode": 200.0, "header": []any{"yes"}, "body": "hello Ada"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("get = %#v", got)
	}
	if got := call(t, e, "post", srv.URL+"/echo"); got != `POST {"a":1,"b":[true]}` {
		t.Errorf("post = %#v", got)
	}
	if got := call(t, e, "redirect", srv.URL+"/redirect-in"); got != "hello " {
		t.Errorf("redirect = %#v", got)
	}
	if got := call(t, e, "head", srv.URL+"/hello"); !reflect.DeepEqual(got, []any{200.0, true}) {
		t.Errorf("head = %#v", got)
	}
	otherHost := strings.TrimPrefix(other.URL, "http://")
	cases := []struct {
		url    string
		follow bool
		want   string
	}{
		{other.URL + "/", false, `context.http.get: host "` + otherHost + `" is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)`},
		{"http://example.com/", false, `context.http.get: host "example.com" is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)`},
		{srv.URL + "/redirect-out", true, `context.http.get: a redirect to host "` + otherHost + `" is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)`},
		{srv.URL + "/big", false, `context.http.get: the response from ` + host + ` is larger than 1024 bytes`},
		{"file:///etc/passwd", false, `context.http.get: "file:///etc/passwd" is not an http or https URL`},
	}
	for _, c := range cases {
		if got := call(t, e, "fails", c.url, c.follow); got != c.want {
			t.Errorf("%s: %q\nwant %q", c.url, got, c.want)
		}
	}
	// Not following a redirect answers the redirect itself, wherever it points.
	if got := call(t, e, "fails", srv.URL+"/redirect-out", false); got != "no error" {
		t.Errorf("unfollowed redirect: %q", got)
	}

	// The call's deadline bounds a request.
	fe := callErr(t, e, Call{Name: "fails", Args: []any{srv.URL + "/slow", false}, Timeout: 100 * time.Millisecond})
	if !fe.Timeout {
		t.Errorf("slow request: %+v", fe)
	}

	// No allow list: no network at all.
	closed, _ := newEngine(t, Config{}, src("fails", `exports = async function (url) {
		try { await context.http.get({url}); return "no error"; } catch (e) { return e.message; } };`))
	u, _ := url.Parse(srv.URL)
	if got := call(t, closed, "fails", srv.URL+"/hello"); got != `context.http.get: host "`+u.Host+`" is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)` {
		t.Errorf("no allow list: %q", got)
	}
}

func TestHTTPAllowListParsing(t *testing.T) {
	e, err := New(Config{HTTPAllow: []string{"api.example.com", "127.0.0.1:8080", " "}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for raw, want := range map[string]bool{
		"https://api.example.com/x":    true,
		"http://API.example.com:9999/": true,
		"http://127.0.0.1:8080/":       true,
		"http://127.0.0.1:8081/":       false,
		"http://127.0.0.1/":            false,
		"http://evil.api.example.com/": false,
		"http://api.example.com.evil/": false,
	} {
		u, _ := url.Parse(raw)
		if got := e.allowed(u); got != want {
			t.Errorf("%s: allowed = %v", raw, got)
		}
	}
	if _, err := New(Config{HTTPAllow: []string{"http://x/"}}); err == nil {
		t.Error("a URL in the allow list was accepted")
	}
}
