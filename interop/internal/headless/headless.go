// Package headless runs the interop tests' pages in Debian's headless Chromium: a page writes its outcome
// into <p id="result"> and sets data-done on it; Open loads the page and returns that text.
package headless

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// flags are the flags headless Chromium needs on these machines (no sandbox as root; no background
// connections, which a closed network refuses).
var flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync"}

// FindChromium returns Debian's Chromium. Without it a browser test fails when CI is set (tools/setup.sh
// installs it) and is skipped, loudly, otherwise.
func FindChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "headless Chromium is not installed (apt-get install -y chromium, or bash tools/setup.sh): the browser test cannot run"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, "SKIP:", msg)
	t.Skip(msg)
	return ""
}

var resultRE = regexp.MustCompile(`<p id="result"( data-done="1")?>([^<]*)</p>`)

// Open loads url in headless Chromium and returns the text of #result once the page's script has
// finished. Chromium runs on virtual time, which skips the page's timers and waits for its requests but
// not for a response still streaming: a page that reads a stream needs OpenLive.
func Open(t testing.TB, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(append([]string{}, flags...), "--user-data-dir="+t.TempDir(), "--virtual-time-budget=30000", "--dump-dom", url)
	start := time.Now()
	out, err := exec.CommandContext(ctx, chromium, args...).Output()
	if err != nil {
		var stderr string
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("chromium: %v\n%s", err, stderr)
	}
	m := resultRE.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no #result in the page Chromium dumped:\n%.2000s", out)
	}
	if m[1] == "" {
		t.Fatalf("the page's script did not finish within Chromium's time budget: #result is %q", m[2])
	}
	t.Logf("Chromium loaded %s in %s", url, time.Since(start).Round(time.Millisecond))
	return html.UnescapeString(m[2])
}

// OpenLive loads url in headless Chromium, driven over the DevTools protocol in real time, and returns
// the text of #result once the page has set data-done on it, or fails the test after timeout.
func OpenLive(t testing.TB, chromium, url string, timeout time.Duration) string {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir())}
	for _, f := range flags {
		opts = append(opts, chromedp.Flag(strings.TrimPrefix(f, "--"), true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	defer cancelTimeout()
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(`#result[data-done]`)); err != nil {
		t.Fatalf("Chromium on %s: %v (the page never set data-done on #result)", url, err)
	}
	text, err := chromedp.Run(ctx, chromedp.TextContent(`#result`))
	if err != nil {
		t.Fatalf("Chromium on %s: reading #result: %v", url, err)
	}
	t.Logf("Chromium ran %s in %s", url, time.Since(start).Round(time.Millisecond))
	return text
}
