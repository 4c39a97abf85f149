package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestLogDurationsReadable: the durations of the server's own lines (an App Services call's, the stop's
// grace) read as Go writes durations, not as nanoseconds.
func TestLogDurationsReadable(t *testing.T) {
	cfg := testConfig(t)
	ts := startServer(t, cfg)
	if code, body := httpDo(t, "GET", "http://"+ts.HTTPAddr()+"/api/client/v2.0/app/"+cfg.AppID+"/location", ""); code != http.StatusOK {
		t.Fatalf("GET location: %d %s", code, body)
	}
	stopNow(t, ts)
	var call, stopping map[string]any
	for _, l := range strings.Split(ts.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			continue
		}
		switch m["msg"] {
		case "http call":
			call = m
		case "stopping":
			stopping = m
		}
	}
	if text, _ := call["duration"].(string); !durationText(text) {
		t.Errorf("the http call line's duration is %v, want a readable positive duration; line %v", call["duration"], call)
	}
	if got, want := stopping["grace"], cfg.ShutdownGrace.String(); got != want {
		t.Errorf("the stopping line's grace is %v, want %q", got, want)
	}
}
