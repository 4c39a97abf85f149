package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// stopNow stops the server (flushing its spans) and leaves the outcome for the cleanup's own stop.
func stopNow(t *testing.T, ts *testServer) {
	t.Helper()
	ts.cancel()
	err := <-ts.done
	ts.done <- err
	if err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// httpDo sends a request to the server's HTTP listener and returns the status and body.
func httpDo(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
