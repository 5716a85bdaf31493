// Package testbed is the tests' handle on the Asterisk test bed of
// asterisk-conf/testbed.sh: a real Asterisk 22 under chroot and SIPp phones
// on loopback, one per test number. The ari package's tests and the
// whole-system tests of cmd/alleenwerken share it.
//
// A test that needs the bed calls Need first; the test binary's TestMain
// runs its tests through Main, which stops the bed afterwards if this test
// binary started it. Like the rest of cmd/testkit, nothing outside tests
// should import it.
package testbed

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"alleenwerken/httpapi/browsertest"
)

// The test bed's ARI and its files, as testbed.sh sets them up.
const (
	URL      = "http://127.0.0.1:8088/ari"  // ARI of the bed's Asterisk
	User     = "alleenwerken"               // ARI user
	Password = "testbed-ari"                // ARI password
	StateDir = "/run/alleen-werken-testbed" // SIPp's message traces (sipp-NN.msg) and pid files

	Root      = "/var/cache/alleen-werken/sid"      // the chroot Asterisk runs in
	ConfigDir = Root + "/etc/asterisk"              // Asterisk's config dir, as the daemon sees it from outside
	SoundsDir = Root + "/usr/share/asterisk/sounds" // Asterisk's sounds dir, as the daemon sees it from outside
)

// The test numbers, each its own SIPp phone (dialled as PJSIP/{e164}@trunk).
const (
	NumSMSYes    = "+31612345101" // answers, 1, then 1 (SMS yes)
	NumSMSNo     = "+31612345102" // answers, 1, then 2 (SMS no)
	NumLate      = "+31612345103" // answers, 1 after the second "press 1"
	NumPress2    = "+31612345104" // answers, presses 2
	NumBusy      = "+31612345105" // 486
	NumDecline   = "+31612345106" // 603
	NumNoAnswer  = "+31612345107" // rings for ever
	NumVoicemail = "+31612345108" // answers, silent
)

var (
	mu      sync.Mutex
	tried   bool  // start was tried in this test binary
	bedErr  error // why the test bed is unavailable
	started bool  // this test binary started it (and Main stops it)
)

// Main runs the tests of m and then stops the test bed if this test binary
// started it; it returns m.Run's exit code. A TestMain calls
// os.Exit(testbed.Main(m)).
func Main(m *testing.M) int {
	defer Stop()
	return m.Run()
}

// Stop stops the test bed if this test binary started it; TestMain calls
// it (or Main) after the tests.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if !started {
		return
	}
	started = false
	script, err := Script()
	if err == nil {
		var out []byte
		if out, err = exec.Command(script, "stop").CombinedOutput(); err != nil {
			err = fmt.Errorf("%v\n%s", err, out)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "testbed stop: %v\n", err)
	}
}

// Need makes sure the test bed runs, starting it (once per test binary)
// when ARI does not answer. Without a test bed it skips the test loudly,
// or fails it when CI=true.
func Need(tb testing.TB) {
	tb.Helper()
	mu.Lock()
	if !tried {
		tried = true
		bedErr = start()
	}
	err := bedErr
	mu.Unlock()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("test bed missing (CI=true: failing, not skipping): %v. %s", err, browsertest.InstallStep)
	}
	tb.Skipf("SKIPPED: the Asterisk test bed is missing, so this test did not run: %v. %s", err, browsertest.InstallStep)
}

// start uses a running test bed or starts one; mu is held.
func start() error {
	if Up() {
		return nil
	}
	script, err := Script()
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("the test bed needs root (chroot, mount)")
	}
	if _, err := os.Stat(Root + "/usr/sbin/asterisk"); err != nil {
		return fmt.Errorf("no Asterisk root fs (run %s install): %v", script, err)
	}
	if _, err := exec.LookPath("sipp"); err != nil {
		return fmt.Errorf("sipp is missing (run %s install)", script)
	}
	started = true
	out, err := exec.Command(script, "start").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s start: %v\n%s", script, err, out)
	}
	return nil
}

// Script returns the path of asterisk-conf/testbed.sh, found in the module
// root: the first folder with a go.mod at or above the working directory.
func Script() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "asterisk-conf", "testbed.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory: cannot find asterisk-conf/testbed.sh")
		}
		dir = parent
	}
}

// Run runs a testbed.sh subcommand (asterisk-stop, asterisk-start, ...);
// an error fails the test.
func Run(tb testing.TB, sub string) {
	tb.Helper()
	script, err := Script()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(script, sub).CombinedOutput()
	if err != nil {
		tb.Fatalf("testbed.sh %s: %v\n%s", sub, err, out)
	}
	tb.Logf("testbed.sh %s: %s", sub, strings.TrimSpace(string(out)))
}

// RestartAsteriskAtEnd starts the bed's Asterisk again at the end of a
// test that stops it, if it is still down then.
func RestartAsteriskAtEnd(tb testing.TB) {
	tb.Helper()
	tb.Cleanup(func() {
		if !Up() {
			Run(tb, "asterisk-start")
		}
	})
}

// Get asks the test bed's ARI for path as its user, within 5 s.
func Get(path string) (*http.Response, error) {
	req, err := http.NewRequest("GET", URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(User, Password)
	return (&http.Client{Timeout: 5 * time.Second}).Do(req)
}

// Up reports whether the test bed's ARI answers.
func Up() bool {
	resp, err := Get("/asterisk/info")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
