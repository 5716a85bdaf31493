package ari_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/httpapi/browsertest"
)

// The test bed of asterisk-conf/testbed.sh: a real Asterisk 22 and SIPp
// phones on loopback, one per test number.
const (
	ariURL      = "http://127.0.0.1:8088/ari"
	ariUser     = "alleenwerken"
	ariPassword = "testbed-ari"
	bedState    = "/run/alleen-werken-testbed"

	numSMSYes    = "+31612345101" // answers, 1, then 1 (SMS yes)
	numSMSNo     = "+31612345102" // answers, 1, then 2 (SMS no)
	numLate      = "+31612345103" // answers, 1 after the second "press 1"
	numPress2    = "+31612345104" // answers, presses 2
	numBusy      = "+31612345105" // 486
	numDecline   = "+31612345106" // 603
	numNoAnswer  = "+31612345107" // rings for ever
	numVoicemail = "+31612345108" // answers, silent
)

var (
	bedErr     error // why the test bed is unavailable
	bedStarted bool  // this test run started it (and stops it)
	bedScript  string
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		bedErr = startTestbed()
		if bedStarted {
			defer func() {
				out, err := exec.Command(bedScript, "stop").CombinedOutput()
				if err != nil {
					fmt.Fprintf(os.Stderr, "testbed stop: %v\n%s", err, out)
				}
			}()
		}
		return m.Run()
	}())
}

// startTestbed uses a running test bed or starts one.
func startTestbed() error {
	bedScript, _ = filepath.Abs("../asterisk-conf/testbed.sh")
	if ariUp() {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("the test bed needs root (chroot, mount)")
	}
	if _, err := os.Stat("/var/cache/alleen-werken/sid/usr/sbin/asterisk"); err != nil {
		return fmt.Errorf("no Asterisk root fs (run %s install): %v", bedScript, err)
	}
	if _, err := exec.LookPath("sipp"); err != nil {
		return fmt.Errorf("sipp is missing (run %s install)", bedScript)
	}
	bedStarted = true
	out, err := exec.Command(bedScript, "start").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s start: %v\n%s", bedScript, err, out)
	}
	return nil
}

// ariGet asks the test bed's ARI for path as its user, within 5 s.
func ariGet(path string) (*http.Response, error) {
	req, _ := http.NewRequest("GET", ariURL+path, nil)
	req.SetBasicAuth(ariUser, ariPassword)
	return (&http.Client{Timeout: 5 * time.Second}).Do(req)
}

func ariUp() bool {
	resp, err := ariGet("/asterisk/info")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// needBed skips the test without a test bed, or fails it when CI=true.
func needBed(tb testing.TB) {
	tb.Helper()
	if bedErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("test bed missing (CI=true: failing, not skipping): %v. %s", bedErr, browsertest.InstallStep)
	}
	tb.Skipf("SKIPPED: the Asterisk test bed is missing, so this test did not run: %v. %s", bedErr, browsertest.InstallStep)
}

// bed runs a testbed.sh subcommand.
func bed(tb testing.TB, sub string) {
	tb.Helper()
	out, err := exec.Command(bedScript, sub).CombinedOutput()
	if err != nil {
		tb.Fatalf("testbed.sh %s: %v\n%s", sub, err, out)
	}
	tb.Logf("testbed.sh %s: %s", sub, strings.TrimSpace(string(out)))
}

var appSeq atomic.Int64

// testConfig returns an adapter configuration for the test bed with its own
// Stasis application name.
func testConfig(name string) ari.Config {
	cfg := ari.DefaultConfig()
	cfg.URL = ariURL
	cfg.Username = ariUser
	cfg.Password = ariPassword
	cfg.App = fmt.Sprintf("awtest-%s-%d", name, appSeq.Add(1))
	cfg.MaxCalls = 20
	cfg.WatchdogInterval = time.Second
	cfg.BackoffMin = 200 * time.Millisecond
	cfg.BackoffMax = time.Second
	return cfg
}

// MustOpen returns a connected adapter, closed at the end of the test.
func MustOpen(tb testing.TB, cfg ari.Config) *ari.Telephony {
	tb.Helper()
	t, err := ari.New(cfg, nil, testLogger(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { t.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := t.WaitConnected(ctx); err != nil {
		tb.Fatal(err)
	}
	return t
}

func testLogger(tb testing.TB) *slog.Logger {
	if os.Getenv("ARI_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", tb.Name())
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var callSeq atomic.Int64

// request returns a call request for a test number with short timers.
func request(number string) aw.CallRequest {
	return aw.CallRequest{
		ID:            fmt.Sprintf("awtest-%d-%d", time.Now().UnixNano()%1e9, callSeq.Add(1)),
		Number:        number,
		Language:      "nl",
		RingTimeout:   4 * time.Second,
		PromptRepeats: 3,
		CallerID:      "+31301234567",
		AlarmNumber:   897,
	}
}

// recorder is a CallProgress that records what happened.
type recorder struct {
	mu       sync.Mutex
	plan     aw.AcceptPlan
	log      []string
	digits   string
	played   []string
	choice   string
	accepted bool
	start    time.Time
	acceptAt time.Duration
}

func newRecorder(plan aw.AcceptPlan) *recorder {
	return &recorder{plan: plan, start: time.Now()}
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *recorder) Answered() { r.add("answered") }
func (r *recorder) Digit(d string) {
	r.add("digit " + d)
	r.mu.Lock()
	r.digits += d
	r.mu.Unlock()
}
func (r *recorder) Accepted() aw.AcceptPlan {
	r.add("accepted")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted = true
	r.acceptAt = time.Since(r.start)
	return r.plan
}
func (r *recorder) SMSChoice(c string) {
	r.add("sms " + c)
	r.mu.Lock()
	r.choice = c
	r.mu.Unlock()
}
func (r *recorder) Played(m string) {
	r.add("played " + m)
	r.mu.Lock()
	r.played = append(r.played, m)
	r.mu.Unlock()
}

func (r *recorder) snapshot() (log []string, played []string, digits, choice string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{}, r.log...), append([]string{}, r.played...), r.digits, r.choice
}

// count returns how often media was played.
func count(played []string, media string) int {
	n := 0
	for _, p := range played {
		if p == media {
			n++
		}
	}
	return n
}

// channels returns the ids of Asterisk's channels.
func channels(tb testing.TB) []string {
	tb.Helper()
	ids, err := listChannels()
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// listChannels returns the ids of the channels in the test bed's Asterisk.
func listChannels() ([]string, error) {
	resp, err := ariGet("/channels")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /channels: %s", resp.Status)
	}
	var list []struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids, nil
}
