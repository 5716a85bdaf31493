package ari_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"

	ariv5 "github.com/CyCoreSystems/ari/v5"
	"golang.org/x/net/websocket"
)

// fakeARI is a tiny ARI server: enough for the adapter to connect, place a
// call that is answered at once, play prompts that finish at once, and hang
// up. Tests push extra events and drop the websocket.
type fakeARI struct {
	*httptest.Server
	mu       sync.Mutex
	ws       []*websocket.Conn
	conns    int
	channels map[string]bool
	hangups  []string
	answer   bool
	down     bool // refuse the event websocket (Asterisk not up)
	failPlay bool // every playback fails (a missing sound file)
	holdPlay bool // playbacks never finish
}

func newFakeARI(t *testing.T) *fakeARI {
	f := &fakeARI{channels: map[string]bool{}, answer: true}
	mux := http.NewServeMux()
	events := websocket.Handler(func(ws *websocket.Conn) {
		f.mu.Lock()
		f.ws = append(f.ws, ws)
		f.conns++
		f.mu.Unlock()
		var b []byte
		for websocket.Message.Receive(ws, &b) == nil {
		}
	})
	mux.HandleFunc("/ari/events", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		down := f.down
		f.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		events.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /ari/asterisk/info", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"system":{"version":"22.0.0-fake","entity_id":"02:00:00:00:00:99"}}`)
	})
	mux.HandleFunc("GET /ari/endpoints/PJSIP/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"technology":"PJSIP","resource":%q,"state":"online"}`, r.PathValue("name"))
	})
	mux.HandleFunc("GET /ari/channels", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var list []map[string]string
		for id := range f.channels {
			list = append(list, map[string]string{"id": id})
		}
		json.NewEncoder(w).Encode(list)
	})
	mux.HandleFunc("POST /ari/channels", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ChannelID string `json:"channelId"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		f.channels[req.ChannelID] = true
		answer := f.answer
		f.mu.Unlock()
		fmt.Fprintf(w, `{"id":%q}`, req.ChannelID)
		if answer {
			go f.push(fmt.Sprintf(`{"type":"StasisStart","channel":{"id":%q,"state":"Up"}}`, req.ChannelID))
		}
	})
	mux.HandleFunc("POST /ari/channels/{id}/play/{pb}", func(w http.ResponseWriter, r *http.Request) {
		id, pb, media := r.PathValue("id"), r.PathValue("pb"), r.URL.Query().Get("media")
		var body struct {
			Media string `json:"media"`
		}
		if json.NewDecoder(r.Body).Decode(&body) == nil && body.Media != "" {
			media = body.Media
		}
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"id":%q,"media_uri":%q}`, pb, media)
		f.mu.Lock()
		state, hold := "done", f.holdPlay
		if f.failPlay {
			state = "failed"
		}
		f.mu.Unlock()
		if hold {
			return
		}
		go f.push(fmt.Sprintf(`{"type":"PlaybackFinished","playback":{"id":%q,"media_uri":%q,"target_uri":"channel:%s","state":%q}}`, pb, media, id, state))
	})
	mux.HandleFunc("DELETE /ari/playbacks/{pb}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("DELETE /ari/channels/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		f.mu.Lock()
		exists := f.channels[id]
		delete(f.channels, id)
		f.hangups = append(f.hangups, id)
		f.mu.Unlock()
		if !exists {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"message":"Channel not found"}`)
			return
		}
		w.WriteHeader(204)
		go f.push(fmt.Sprintf(`{"type":"ChannelDestroyed","cause":16,"cause_txt":"Normal Clearing","channel":{"id":%q}}`, id))
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// push sends one event to every connected websocket.
func (f *fakeARI) push(event string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ws := range f.ws {
		websocket.Message.Send(ws, event)
	}
}

// drop closes every websocket (a network blip or an Asterisk restart).
func (f *fakeARI) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ws := range f.ws {
		ws.Close()
	}
	f.ws = nil
}

func (f *fakeARI) config() ari.Config {
	cfg := ari.DefaultConfig()
	cfg.URL = f.URL + "/ari"
	cfg.Password = "fake"
	cfg.BackoffMin, cfg.BackoffMax = 50*time.Millisecond, 100*time.Millisecond
	cfg.WatchdogInterval = time.Hour
	return cfg
}

// Asterisk 22 sends event types ari/v5 does not know; its bus would
// dereference nil and crash the daemon. The adapter ignores them and goes on.
func TestUnknownEventType(t *testing.T) {
	if e, _ := ariv5.DecodeEvent([]byte(`{"type":"ChannelToneDetected"}`)); e != nil {
		t.Log("ari/v5 now decodes ChannelToneDetected")
	}
	f := newFakeARI(t)
	tel, err := ari.New(f.config(), nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	testkit.Eventually(t, "connection", tel.Connected)
	for _, e := range []string{
		`{"type":"ChannelToneDetected","channel":{"id":"x"}}`,
		`{"type":"CallBroadcast","channel":{"id":"x"}}`,
		`{"type":"ChannelTransfer"}`,
		`{"type":"RESTResponse"}`,
		`{"type":`,
		`{}`,
	} {
		f.push(e)
	}
	f.push(`{"type":"EndpointStateChange","endpoint":{"technology":"PJSIP","resource":"trunk","state":"offline"}}`)
	testkit.Eventually(t, "trunk offline", func() bool { return tel.TrunkState() == "offline" })
	if h := tel.Health(); h.State != aw.HealthDegraded || !strings.Contains(h.Reason, "trunk") {
		t.Fatalf("health %+v, want degraded for the trunk", h)
	}
	if !tel.Connected() {
		t.Fatal("connection lost after unknown events")
	}
}

// The prompt rounds run on the injected clock: "press 1" three times with a
// wait of PromptWait after each, then the call is hung up as no_answer.
func TestPromptTimingOnClock(t *testing.T) {
	f := newFakeARI(t)
	clock := aw.NewManualClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	tel, err := ari.New(f.config(), clock, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	testkit.Eventually(t, "connection", tel.Connected)
	req := testbed.Request("+31612345678")
	req.Test = true
	r := newRecorder(aw.AcceptPlan{})
	done := make(chan aw.CallResult, 1)
	go func() {
		res, err := tel.Call(context.Background(), req, r)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	for round := 1; round <= 3; round++ {
		testkit.Eventually(t, fmt.Sprintf("press 1 #%d", round), func() bool {
			_, played, _, _ := r.snapshot()
			return count(played, "sound:aw-press1") == round
		})
		time.Sleep(20 * time.Millisecond) // the wait timer is set right after
		select {
		case res := <-done:
			t.Fatalf("call ended before its wait: %+v", res)
		default:
		}
		clock.Advance(4 * time.Second)
		time.Sleep(20 * time.Millisecond)
		if _, played, _, _ := r.snapshot(); count(played, "sound:aw-press1") != round {
			t.Fatalf("round %d: next prompt before the 5 s wait was over", round)
		}
		clock.Advance(time.Second)
	}
	res := <-done
	_, played, _, _ := r.snapshot()
	if res.Outcome != aw.OutcomeNoAnswer || played[0] != "sound:aw-test" || played[1] != "sound:aw-intro" {
		t.Fatalf("result %+v played %q", res, played)
	}
}

// A websocket drop during a call: the call ends failed ("call lost"), the
// adapter reconnects and hangs up the lost call's channel.
func TestReconnectReconciles(t *testing.T) {
	f := newFakeARI(t)
	tel, err := ari.New(f.config(), nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	testkit.Eventually(t, "connection", tel.Connected)
	f.mu.Lock()
	f.answer = false // keeps ringing
	f.mu.Unlock()
	req := testbed.Request("+31612345678")
	req.RingTimeout = time.Minute
	done := make(chan aw.CallResult, 1)
	go func() {
		res, _ := tel.Call(context.Background(), req, newRecorder(aw.AcceptPlan{}))
		done <- res
	}()
	testkit.Eventually(t, "originate", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.channels[req.ID] })
	f.drop()
	res := <-done
	if res.Outcome != aw.OutcomeFailed || !strings.Contains(res.Reason, "verloren") {
		t.Fatalf("result %+v, want failed: call lost", res)
	}
	testkit.Eventually(t, "reconnect", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.conns >= 2 })
	testkit.Eventually(t, "reconcile hang-up", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return !f.channels[req.ID]
	})
	testkit.Eventually(t, "connected", tel.Connected)
}

// New never blocks, even when nothing listens.
func TestNewDoesNotBlock(t *testing.T) {
	cfg := ari.DefaultConfig()
	cfg.URL = "http://127.0.0.1:1/ari"
	cfg.Password = "x"
	start := time.Now()
	tel, err := ari.New(cfg, nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("New took %v", d)
	}
	testkit.Eventually(t, "a reason", func() bool { return strings.Contains(tel.Health().Reason, "Geen verbinding") })
	if h := tel.Health(); h.State != aw.HealthDown {
		t.Fatalf("health %+v", h)
	}
}

// A hang-up asked for while Asterisk is not connected (the daemon's start-up
// hangs up calls left from before its restart) is done once it connects.
func TestHangupQueuedUntilConnected(t *testing.T) {
	f := newFakeARI(t)
	f.mu.Lock()
	f.down = true
	f.channels["aw-left-from-before"] = true
	f.mu.Unlock()
	tel, err := ari.New(f.config(), nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	if err := tel.Hangup(context.Background(), "aw-left-from-before"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if tel.Connected() {
		t.Fatal("connected while down")
	}
	f.mu.Lock()
	f.down = false
	f.mu.Unlock()
	testkit.Eventually(t, "queued hang-up", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return !f.channels["aw-left-from-before"]
	})
}

// A prompt that fails to play (a missing file) makes a silent call: the
// attempt is failed, not "no answer", and nothing is reported as played.
func TestFailedPromptFailsTheCall(t *testing.T) {
	f := newFakeARI(t)
	f.mu.Lock()
	f.failPlay = true
	f.mu.Unlock()
	cfg := f.config()
	cfg.PromptWait = 10 * time.Millisecond
	tel, err := ari.New(cfg, nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	testkit.Eventually(t, "connection", tel.Connected)
	r := newRecorder(aw.AcceptPlan{})
	res, err := tel.Call(context.Background(), testbed.Request("+31612345678"), r)
	if err != nil {
		t.Fatal(err)
	}
	_, played, _, _ := r.snapshot()
	if res.Outcome != aw.OutcomeFailed || !strings.Contains(res.Reason, "sound:aw-") || len(played) != 0 {
		t.Fatalf("result %+v played %q, want failed for the prompt", res, played)
	}
}

// The person hangs up right after pressing 1: the call is still accepted.
func TestDroppedAfterAcceptIsAccepted(t *testing.T) {
	f := newFakeARI(t)
	f.mu.Lock()
	f.holdPlay = true
	f.mu.Unlock()
	tel, err := ari.New(f.config(), nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	testkit.Eventually(t, "connection", tel.Connected)
	req := testbed.Request("+31612345678")
	r := newRecorder(aw.AcceptPlan{OfferSMS: true})
	done := make(chan aw.CallResult, 1)
	go func() {
		res, _ := tel.Call(context.Background(), req, r)
		done <- res
	}()
	testkit.Eventually(t, "answer", func() bool { log, _, _, _ := r.snapshot(); return len(log) > 0 })
	f.push(fmt.Sprintf(`{"type":"ChannelDtmfReceived","digit":"1","channel":{"id":%q}}`, req.ID))
	testkit.Eventually(t, "accept", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.accepted })
	f.push(fmt.Sprintf(`{"type":"ChannelHangupRequest","cause":16,"channel":{"id":%q}}`, req.ID))
	f.push(fmt.Sprintf(`{"type":"ChannelDestroyed","cause":16,"cause_txt":"Normal Clearing","channel":{"id":%q}}`, req.ID))
	res := <-done
	if res.Outcome != aw.OutcomeAccepted || res.Cause != 16 {
		t.Fatalf("result %+v, want accepted", res)
	}
	if _, _, _, choice := r.snapshot(); choice != "" {
		t.Fatalf("SMS choice %q reported for a call that dropped before the offer", choice)
	}
}

// Close ends the call in progress and a call waiting for a slot is never
// placed.
func TestCloseWithWaitingCall(t *testing.T) {
	f := newFakeARI(t)
	f.mu.Lock()
	f.holdPlay = true
	f.mu.Unlock()
	cfg := f.config()
	cfg.MaxCalls = 1
	tel, err := ari.New(cfg, nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "connection", tel.Connected)
	type result struct {
		res aw.CallResult
		err error
	}
	first, second := make(chan result, 1), make(chan result, 1)
	r1 := newRecorder(aw.AcceptPlan{})
	req1, req2 := testbed.Request("+31612345678"), testbed.Request("+31612345679")
	go func() { res, err := tel.Call(context.Background(), req1, r1); first <- result{res, err} }()
	testkit.Eventually(t, "answer", func() bool { log, _, _, _ := r1.snapshot(); return len(log) > 0 })
	go func() {
		res, err := tel.Call(context.Background(), req2, newRecorder(aw.AcceptPlan{}))
		second <- result{res, err}
	}()
	time.Sleep(50 * time.Millisecond)
	tel.Close()
	if r := <-first; r.err != nil || r.res.Outcome != aw.OutcomeFailed {
		t.Fatalf("call in progress: %+v %v", r.res, r.err)
	}
	if r := <-second; aw.ErrorCode(r.err) != aw.EUNAVAILABLE {
		t.Fatalf("waiting call: %+v %v, want not placed", r.res, r.err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.channels) != 0 {
		t.Fatalf("channels left: %v", f.channels)
	}
}
