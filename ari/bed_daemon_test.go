package ari_test

import (
	"alleenwerken/cmd/testkit"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"alleenwerken/gsm/modemsim"
	"alleenwerken/store"
)

// bedDaemon is the real daemon binary running against the test bed's
// Asterisk and a simulated modem on a real pseudo-terminal.
type bedDaemon struct {
	t      *testing.T
	dir    string
	bin    string
	conf   string
	base   string // http://host:port
	sim    *modemsim.Sim
	cmd    *exec.Cmd
	done   chan error
	stderr *testkit.SyncBuffer
}

// startBedDaemon builds and starts the daemon with the test bed's ARI; extra
// config lines are appended. It waits until /healthz shows telephony up and
// is killed at cleanup.
func startBedDaemon(t *testing.T, app, extra string) *bedDaemon {
	t.Helper()
	dir := t.TempDir()
	d := &bedDaemon{t: t, dir: dir, bin: filepath.Join(dir, "alleenwerken"), conf: filepath.Join(dir, "aw.conf"), stderr: &testkit.SyncBuffer{}}
	if out, err := exec.Command("go", "build", "-o", d.bin, "../cmd/alleenwerken").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sim, err := modemsim.New(modemsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	d.sim = sim
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	listen := ln.Addr().String()
	ln.Close()
	d.base = "http://" + listen
	conf := fmt.Sprintf("listen = %s\ndatabase = %s/aw.db\nadmin_socket = %s/admin.sock\nbackup_dir = %s/backups\n"+
		"ari.url = %s\nari.user = %s\nari.password = %s\nari.app = %s\nmodem.port = %s\n%s",
		listen, dir, dir, dir, ariURL, ariUser, ariPassword, app, sim.Path(), extra)
	if err := os.WriteFile(d.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	d.run()
	testkit.EventuallyWithin(t, 20*time.Second, "telephony up", func() bool { return d.telephonyUp() })
	return d
}

// run starts the daemon binary on its config file, its log in a fresh
// buffer; it is killed at cleanup.
func (d *bedDaemon) run() {
	d.t.Helper()
	d.stderr = &testkit.SyncBuffer{}
	d.cmd = exec.Command(d.bin, "run", "-config", d.conf)
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	cmd, done := d.cmd, make(chan error, 1)
	d.done = done
	go func() { done <- cmd.Wait() }()
	d.t.Cleanup(func() { cmd.Process.Kill() })
}

// kill kills the daemon with SIGKILL (a crash) and waits until it is gone.
func (d *bedDaemon) kill() {
	d.t.Helper()
	d.cmd.Process.Kill()
	<-d.done
}

// telephonyUp reports whether /healthz shows telephony ok or degraded.
func (d *bedDaemon) telephonyUp() bool {
	resp, err := http.Get(d.base + "/healthz")
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return strings.Contains(string(b), `"telephony":{"state":"ok"`) || strings.Contains(string(b), `"telephony":{"state":"degraded"`)
}

// admin runs an admin command of the binary against the running daemon.
func (d *bedDaemon) admin(stdin string, args ...string) string {
	d.t.Helper()
	cmd := exec.Command(d.bin, append(args, "-config", d.conf)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("%v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// stop sends SIGTERM and waits up to 20 s for a clean exit.
func (d *bedDaemon) stop() {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Fatalf("exit after SIGTERM: %v\n%s", err, d.stderr.String())
		}
	case <-time.After(20 * time.Second):
		d.t.Fatalf("no exit 20 s after SIGTERM\n%s", d.stderr.String())
	}
}

// openStore opens the stopped daemon's database; it is closed at cleanup.
func (d *bedDaemon) openStore() *store.DB {
	d.t.Helper()
	db, err := store.Open(filepath.Join(d.dir, "aw.db"), nil)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { db.Close() })
	return db
}

// raiseAlarm starts a session for these alarm numbers through the app API
// and presses Alarm.
func (d *bedDaemon) raiseAlarm(numbers ...string) {
	d.t.Helper()
	tok, id := d.startSession(numbers...)
	d.post(tok, "/api/v1/sessions/"+id+"/alarm", "")
}

// startSession starts a one-hour session for these alarm numbers through
// the app API, with a token made by the admin command; it returns the token
// and the session's id.
func (d *bedDaemon) startSession(numbers ...string) (token, id string) {
	d.t.Helper()
	tok := d.admin("", "token", "create", "-name", fmt.Sprintf("app-%d", time.Now().UnixNano()))
	nums, _ := json.Marshal(numbers)
	s := d.post(tok, "/api/v1/sessions", fmt.Sprintf(`{"worker":{"name":"Laura","phone":"0617782201"},"alarm_numbers":%s,"duration_minutes":60}`, nums))
	var sess struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(s), &sess); err != nil || sess.ID == "" {
		d.t.Fatalf("session: %v %s", err, s)
	}
	return tok, sess.ID
}

// post sends an app API request with the token; a status of 300 or more
// fails the test.
func (d *bedDaemon) post(tok, path, body string) string {
	d.t.Helper()
	req, _ := http.NewRequest("POST", d.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		d.t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}
