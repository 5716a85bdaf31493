package ari_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
)

// placeAsync starts a call on tel; the returned channel gets its error.
// The call is ended (its context cancelled) at the end of the test.
func placeAsync(t *testing.T, tel *ari.Telephony, req aw.CallRequest) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() {
		_, err := tel.Call(ctx, req, newRecorder(aw.AcceptPlan{}))
		done <- err
	}()
	return done
}

func (f *fakeARI) hasChannel(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.channels[id]
}

func (f *fakeARI) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// Just after the adapter starts (the daemon restarted), a call waits for
// the first connection instead of failing as "not placed", and is placed
// the moment Asterisk answers; OnConnected is called then.
func TestCallWaitsForFirstConnection(t *testing.T) {
	f := newFakeARI(t)
	f.answer = false
	f.setDown(true)
	cfg := f.config()
	var connects atomic.Int32
	cfg.OnConnected = func() { connects.Add(1) }
	tel, err := ari.New(cfg, nil, testbed.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Close()
	req := testbed.Request(testbed.NumBusy)
	done := placeAsync(t, tel, req)
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("call returned while Asterisk was not connected yet: %v", err)
	default:
	}
	if f.hasChannel(req.ID) || connects.Load() != 0 {
		t.Fatal("placed or connected while Asterisk refused")
	}
	f.setDown(false)
	testkit.Eventually(t, "the call placed after the connection", func() bool { return f.hasChannel(req.ID) })
	if n := connects.Load(); n != 1 {
		t.Fatalf("OnConnected called %d times, want 1", n)
	}
}

// During a real outage (down for longer than the grace) a call is
// reported as not placed at once, so the ladder backs off and the SMS goes
// out; after a lost connection a new call waits the grace again.
func TestCallDuringOutageNotPlaced(t *testing.T) {
	f := newFakeARI(t)
	f.answer = false
	cfg := f.config()
	cfg.ConnectGrace = 300 * time.Millisecond
	var connects atomic.Int32
	cfg.OnConnected = func() { connects.Add(1) }
	tel := testbed.MustOpen(t, cfg)

	f.setDown(true)
	f.drop()
	testkit.Eventually(t, "the lost connection", func() bool { return !tel.Connected() })
	// Within the grace: the call waits for the connection to come back.
	req := testbed.Request(testbed.NumBusy)
	done := placeAsync(t, tel, req)
	f.setDown(false)
	testkit.Eventually(t, "the call placed after the reconnect", func() bool { return f.hasChannel(req.ID) })
	if n := connects.Load(); n != 2 {
		t.Fatalf("OnConnected called %d times, want 2", n)
	}
	_ = done

	f.setDown(true)
	f.drop()
	testkit.Eventually(t, "the lost connection", func() bool { return !tel.Connected() })
	time.Sleep(cfg.ConnectGrace + 50*time.Millisecond)
	start := time.Now()
	_, err := tel.Call(context.Background(), testbed.Request(testbed.NumBusy), newRecorder(aw.AcceptPlan{}))
	if aw.ErrorCode(err) != aw.EUNAVAILABLE {
		t.Fatalf("call during the outage: %v, want unavailable", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("call during the outage took %v to fail, want at once", d)
	}
}
