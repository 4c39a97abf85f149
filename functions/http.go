package functions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// allowEntry is one host of the HTTP allow list; port "" allows every port of the host.
type allowEntry struct{ host, port string }

func parseAllow(hosts []string) ([]allowEntry, error) {
	var out []allowEntry
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if strings.Contains(h, "/") {
			return nil, fmt.Errorf("functions: HTTP allow list: %q is not a host or host:port", h)
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			host, port = strings.Trim(h, "[]"), ""
		}
		if host == "" {
			return nil, fmt.Errorf("functions: HTTP allow list: %q has no host", h)
		}
		out = append(out, allowEntry{strings.ToLower(host), port})
	}
	return out, nil
}

// allowed reports whether u's host may be reached.
func (e *Engine) allowed(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	for _, a := range e.allow {
		if a.host == host && (a.port == "" || a.port == port) {
			return true
		}
	}
	return false
}

// errRefusedHost is what a redirect to a host off the allow list fails with.
var errRefusedHost = errors.New("host not allowed")

// httpRequest is context.http.<method>(options): the Go work is done at once and the Promise returned
// already settled.
func (r *runner) httpRequest(c goja.FunctionCall) goja.Value {
	method := c.Argument(0).String()
	return r.async(func(goja.FunctionCall) (goja.Value, error) {
		return r.doHTTP(method, c.Argument(1))
	})(c)
}

func (r *runner) doHTTP(method string, opts goja.Value) (goja.Value, error) {
	label := "context.http." + strings.ToLower(method)
	o, ok := opts.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("%s: the argument must be an object with a url", label)
	}
	raw, ok := o.Get("url").Export().(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("%s: url is missing", label)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: %q is not an http or https URL", label, raw)
	}
	if !r.e.allowed(u) {
		return nil, fmt.Errorf("%s: host %q is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)", label, u.Host)
	}
	var body io.Reader
	if b := o.Get("body"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
		text := ""
		if enc := o.Get("encodeBodyAsJSON"); enc != nil && enc.ToBoolean() {
			j, err := b.ToObject(r.rt).MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("%s: the body cannot be encoded as JSON", label)
			}
			text = string(j)
		} else {
			text = b.String()
		}
		body = strings.NewReader(text)
	}
	req, err := http.NewRequestWithContext(r.ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: the request is not valid", label)
	}
	if h, ok := o.Get("headers").(*goja.Object); ok {
		for _, k := range h.Keys() {
			v := h.Get(k)
			if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
				for i := range int(arr.Get("length").ToInteger()) {
					req.Header.Add(k, arr.Get(fmt.Sprint(i)).String())
				}
			} else if v != nil && !goja.IsUndefined(v) {
				req.Header.Add(k, v.String())
			}
		}
	}
	follow := false
	if f := o.Get("followRedirects"); f != nil {
		follow = f.ToBoolean()
	}
	client := &http.Client{
		Transport: r.e.transport(),
		CheckRedirect: func(next *http.Request, _ []*http.Request) error {
			if !follow {
				return http.ErrUseLastResponse
			}
			if !r.e.allowed(next.URL) {
				return fmt.Errorf("%w: %s", errRefusedHost, next.URL.Host)
			}
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		switch {
		case errors.Is(err, errRefusedHost) && errors.As(err, &ue):
			host := "?"
			if p, perr := url.Parse(ue.URL); perr == nil {
				host = p.Host
			}
			return nil, fmt.Errorf("%s: a redirect to host %q is not allowed (LANYARD_FUNCTIONS_HTTP_ALLOW)", label, host)
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			return nil, fmt.Errorf("%s: %s: the call's deadline passed", label, u.Host)
		}
		r.e.log.Warn("functions: an HTTP request failed", "function", r.name, "host", u.Host, "error", err)
		return nil, fmt.Errorf("%s: the request to %s failed", label, u.Host)
	}
	defer resp.Body.Close()
	limit := r.e.cfg.HTTPMaxBody
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the response from %s failed", label, u.Host)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: the response from %s is larger than %d bytes", label, u.Host, limit)
	}
	return r.response(resp, data), nil
}

// response renders a response in App Services' shape: {status, statusCode, contentLength, headers,
// cookies, body}, headers as lists of values and body with text().
func (r *runner) response(resp *http.Response, data []byte) goja.Value {
	rt := r.rt
	out := rt.NewObject()
	_ = out.Set("status", resp.Status)
	_ = out.Set("statusCode", resp.StatusCode)
	_ = out.Set("contentLength", resp.ContentLength)
	headers := rt.NewObject()
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vals := make([]any, len(resp.Header[k]))
		for i, v := range resp.Header[k] {
			vals[i] = v
		}
		_ = headers.Set(k, rt.NewArray(vals...))
	}
	_ = out.Set("headers", headers)
	cookies := rt.NewObject()
	for _, ck := range resp.Cookies() {
		_ = cookies.Set(ck.Name, ck.Value)
	}
	_ = out.Set("cookies", cookies)
	if resp.Request == nil || resp.Request.Method != http.MethodHead {
		body := rt.NewObject()
		text := string(data)
		_ = body.Set("text", func(goja.FunctionCall) goja.Value { return rt.ToValue(text) })
		_ = body.Set("length", len(data))
		_ = out.Set("body", body)
	}
	return out
}

// transport reaches the network directly: no proxy from the environment, whose host the allow list
// would not see.
func (e *Engine) transport() http.RoundTripper {
	e.httpOnce.Do(func() {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.Proxy = nil
		e.httpTransport = t
	})
	return e.httpTransport
}
