package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
)

var appSeq atomic.Int64

// Config returns an adapter configuration for the test bed with its own
// Stasis application name, made from name.
func Config(name string) ari.Config {
	cfg := ari.DefaultConfig()
	cfg.URL = URL
	cfg.Username = User
	cfg.Password = Password
	cfg.App = App(name)
	cfg.MaxCalls = 20
	cfg.WatchdogInterval = time.Second
	cfg.BackoffMin = 200 * time.Millisecond
	cfg.BackoffMax = time.Second
	return cfg
}

// App returns a Stasis application name made from name, unique in this
// test binary and starting with "awtest-".
func App(name string) string {
	return fmt.Sprintf("awtest-%s-%d", name, appSeq.Add(1))
}

// MustOpen returns an adapter connected to the test bed, closed at the end
// of the test.
func MustOpen(tb testing.TB, cfg ari.Config) *ari.Telephony {
	tb.Helper()
	t, err := ari.New(cfg, nil, Logger(tb))
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

// Logger returns the adapter's logger in tests: nowhere, or to standard
// error at debug level when ARI_TEST_LOG is set.
func Logger(tb testing.TB) *slog.Logger {
	if os.Getenv("ARI_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", tb.Name())
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var callSeq atomic.Int64

// Request returns a call request for a test number with short timers.
func Request(number string) aw.CallRequest {
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

// Channels returns the ids of the channels in the test bed's Asterisk; an
// error fails the test.
func Channels(tb testing.TB) []string {
	tb.Helper()
	ids, err := ListChannels()
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// ListChannels returns the ids of the channels in the test bed's Asterisk.
// It does not fail the test: it runs in polling goroutines.
func ListChannels() ([]string, error) {
	resp, err := Get("/channels")
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

// Endpoint returns GET /endpoints/PJSIP/<name>: the status code and the
// endpoint's state.
func Endpoint(tb testing.TB, name string) (int, string) {
	tb.Helper()
	resp, err := Get("/endpoints/PJSIP/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var ep struct {
		Resource string `json:"resource"`
		State    string `json:"state"`
	}
	json.NewDecoder(resp.Body).Decode(&ep)
	return resp.StatusCode, ep.State
}

// Application returns the status of GET /applications/<name>: 200 while a
// websocket has that Stasis application registered.
func Application(tb testing.TB, name string) int {
	tb.Helper()
	resp, err := Get("/applications/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
