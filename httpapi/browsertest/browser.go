// Package browsertest drives a headless Chromium (Debian's chromium) for the
// console's browser tests: tabs with their own cookies, forms, uploads and
// screenshots. Without Chromium a test fails when CI=true and is skipped
// elsewhere.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium lives.
const chromiumPath = "/usr/bin/chromium"

// Browser is a headless Chromium; each Tab has cookies of its own.
type Browser struct {
	t    *testing.T // the running step: failures go here
	top  *testing.T // the whole walk-through: tabs live as long as it
	root context.Context
	base string
	out  string // screenshots
}

// InstallStep is what a test that lacks a real peer (Chromium, the
// Asterisk test bed, SIPp, sox) tells the reader to run: the README's
// install step, which installs every one of them.
const InstallStep = "Run the README's install step first, as root: asterisk-conf/testbed.sh install"

// New starts Chromium. Without it the test fails on CI (CI=true)
// and is skipped elsewhere.
func New(t *testing.T, base string) *Browser {
	t.Helper()
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		if p, err := exec.LookPath("chromium"); err == nil {
			path = p
		} else if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed; browser tests must run on CI. %s", InstallStep)
		} else {
			t.Skipf("SKIPPED: chromium is not installed, so this browser test did not run. %s", InstallStep)
		}
	}
	dir, err := os.MkdirTemp("", "aw-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's helpers may still write for a moment after it exits.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	out := os.Getenv("AW_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &Browser{t: t, top: t, root: root, base: base, out: out}
}

// Step runs one step of a walk-through as a subtest of t, with the tabs'
// failures going to it; a failed step ends the walk-through.
func (b *Browser) Step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, func(st *testing.T) {
		prev := b.t
		b.t = st
		defer func() { b.t = prev }()
		f(st)
	}) {
		t.FailNow()
	}
}

// Upload sets the file of a file input (by element id).
func (tb *Tab) Upload(id, file string) {
	tb.b.t.Helper()
	tb.Do(chromedp.SetUploadFiles(chromedp.ID(id), []string{file}))
}

// Tab is one person at the browser.
type Tab struct {
	b   *Browser
	ctx context.Context
}

// NewTab opens a tab in a browser context of its own (own cookies).
func (b *Browser) NewTab() *Tab {
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.top.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatal(err)
	}
	return &Tab{b: b, ctx: ctx}
}

// within runs a step with a time limit.
func (tb *Tab) within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, d)
}

// Do runs steps, failing the test on error.
func (tb *Tab) Do(steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := tb.within(15 * time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.b.t.Fatal(err)
	}
}

// Open navigates to a path and returns the response's status.
func (tb *Tab) Open(path string) int64 {
	tb.b.t.Helper()
	ctx, cancel := tb.within(15 * time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.b.base+path))
	if err != nil {
		tb.b.t.Fatal(err)
	}
	return resp.Status
}

// Submit clicks a button and waits for the page it leads to.
func (tb *Tab) Submit(button string) *network.Response {
	tb.b.t.Helper()
	ctx, cancel := tb.within(15 * time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		tb.b.t.Fatalf("submit %s: %v", button, err)
	}
	return resp
}

// Fill replaces the value of an input.
func (tb *Tab) Fill(id, value string) {
	tb.b.t.Helper()
	ctx, cancel := tb.within(10 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.getElementById(%q).value = "", true)`, id))); err != nil {
		tb.b.t.Fatalf("clearing %s: %v", id, err)
	}
	tb.Do(chromedp.SendKeys(chromedp.ID(id), value))
}

// Text returns an element's text.
func (tb *Tab) Text(sel string) string {
	tb.b.t.Helper()
	ctx, cancel := tb.within(10 * time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// WaitJS waits up to 15 s until a JavaScript expression is true.
func (tb *Tab) WaitJS(what, expr string) {
	tb.b.t.Helper()
	ctx, cancel := tb.within(16 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		tb.b.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression that yields a boolean.
func (tb *Tab) Eval(expr string) bool {
	tb.b.t.Helper()
	ctx, cancel := tb.within(10 * time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		tb.b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return ok
}

// Location returns the current URL's path.
func (tb *Tab) Location() string {
	tb.b.t.Helper()
	u, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.b.t.Fatal(err)
	}
	return strings.TrimPrefix(u, tb.b.base)
}

// Screenshot saves the whole page at a width as a PNG artefact.
func (tb *Tab) Screenshot(name string, width, height int64, mobile bool) {
	tb.b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	tb.Do(chromedp.EmulateViewport(width, height, opts...))
	ctx, cancel := tb.within(15 * time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.b.t.Fatal(err)
	}
	file := filepath.Join(tb.b.out, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
	tb.b.t.Logf("screenshot %s (%d bytes)", file, len(png))
	tb.Do(chromedp.EmulateViewport(1280, 900))
}

// Login logs a user in through the form.
func (tb *Tab) Login(name, password string) *network.Response {
	tb.b.t.Helper()
	tb.Open("/login")
	tb.Fill("name", name)
	tb.Fill("password", password)
	return tb.Submit("#login")
}
