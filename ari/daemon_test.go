package ari_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alleenwerken/gsm/modemsim"
	"alleenwerken/store"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestDaemonSIGTERMLeavesNoChannels runs the real daemon binary against the
// test bed's Asterisk: while an alarm call rings, SIGTERM stops the daemon
// cleanly, no channel is left in Asterisk, and the attempt is recorded.
func TestDaemonSIGTERMLeavesNoChannels(t *testing.T) {
	needBed(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "alleenwerken")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/alleenwerken").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sim, err := modemsim.New(modemsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	listen := ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf("listen = %s\ndatabase = %s/aw.db\nadmin_socket = %s/admin.sock\nbackup_dir = %s/backups\n"+
		"ari.url = %s\nari.user = %s\nari.password = %s\nari.app = awtest-daemon\nmodem.port = %s\n"+
		"settings.cancel_window = 1s\nsettings.ring_timeout = 30s\n",
		listen, dir, dir, dir, ariURL, ariUser, ariPassword, sim.Path())
	f := filepath.Join(dir, "aw.conf")
	os.WriteFile(f, []byte(conf), 0o600)
	var stderr lockedBuffer
	cmd := exec.Command(bin, "run", "-config", f)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { cmd.Process.Kill() }()

	base := "http://" + listen
	waitWithin(t, "telephony ok", 20*time.Second, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), `"telephony":{"state":"ok"`) || strings.Contains(string(b), `"telephony":{"state":"degraded"`)
	})
	out, err := exec.Command(bin, "token", "create", "-config", f, "-name", "t").Output()
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(out))
	post := func(path, body string) string {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	s := post("/api/v1/sessions", fmt.Sprintf(`{"worker":{"name":"Laura","phone":"0617782201"},"alarm_numbers":[%q,%q],"duration_minutes":60}`, numNoAnswer, numBusy))
	id := s[strings.Index(s, `"id":"`)+6:]
	id = id[:strings.Index(id, `"`)]
	before := len(channels(t))
	post("/api/v1/sessions/"+id+"/alarm", "")
	waitWithin(t, "the alarm call ringing in Asterisk", 15*time.Second, func() bool { return len(channels(t)) > before })

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20 s after SIGTERM\n%s", stderr.String())
	}
	t.Logf("daemon stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	waitWithin(t, "no channels left", 3*time.Second, func() bool { return len(channels(t)) == before })

	db, err := store.Open(filepath.Join(dir, "aw.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Attempts) != 1 || a.Attempts[0].Number != numNoAnswer || a.Attempts[0].Outcome != "failed" || a.Attempts[0].Reason != "daemon shutdown" {
		t.Fatalf("attempts = %+v", a.Attempts)
	}
}

// waitWithin polls cond for up to d.
func waitWithin(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
