package testkit

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"alleenwerken/store"
)

// Build builds the daemon's command (the package in folder pkg, e.g. ".")
// into a new temporary folder and returns the binary's path; remove that
// folder (filepath.Dir of it) when done. TestMain calls it once.
func Build(pkg string) (string, error) {
	dir, err := os.MkdirTemp("", "aw-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "alleenwerken")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
}

// Daemon is the real daemon binary running on a config file in a
// temporary folder, its log in a buffer; it is killed at the end of the
// test. The tests where a real process must die (SIGKILL, SIGTERM, a
// restart) use it.
type Daemon struct {
	t      testing.TB
	Bin    string      // the binary
	Dir    string      // its files: the config file aw.conf, aw.db, admin.sock, backups
	Conf   string      // the config file
	Base   string      // http://host:port of the app API and the console
	Stderr *SyncBuffer // the log of the current run
	cmd    *exec.Cmd
	done   chan error
}

// StartDaemon writes a config file (a free listen address, the database,
// the admin socket and the backups in a temporary folder, then the extra
// lines) and runs bin on it.
func StartDaemon(tb testing.TB, bin, extra string) *Daemon {
	tb.Helper()
	dir := tb.TempDir()
	d := &Daemon{t: tb, Bin: bin, Dir: dir, Conf: filepath.Join(dir, "aw.conf")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	d.Base = "http://" + listen
	conf := fmt.Sprintf("listen = %s\ndatabase = %s/aw.db\nadmin_socket = %s/admin.sock\nbackup_dir = %s/backups\n%s",
		listen, dir, dir, dir, extra)
	if err := os.WriteFile(d.Conf, []byte(conf), 0o600); err != nil {
		tb.Fatal(err)
	}
	d.Run()
	return d
}

// Run starts the daemon binary on its config file, its log in a fresh
// buffer; it is killed at cleanup.
func (d *Daemon) Run() {
	d.t.Helper()
	d.Stderr = &SyncBuffer{}
	d.cmd = exec.Command(d.Bin, "run", "-config", d.Conf)
	d.cmd.Stderr = d.Stderr
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	cmd, done := d.cmd, make(chan error, 1)
	d.done = done
	go func() { done <- cmd.Wait() }()
	d.t.Cleanup(func() { cmd.Process.Kill() })
}

// Kill kills the daemon with SIGKILL (a crash) and waits until it is gone.
func (d *Daemon) Kill() {
	d.t.Helper()
	d.cmd.Process.Kill()
	<-d.done
}

// Stop sends SIGTERM and waits up to 20 s for a clean exit.
func (d *Daemon) Stop() {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Fatalf("exit after SIGTERM: %v\n%s", err, d.Stderr.String())
		}
	case <-time.After(20 * time.Second):
		d.t.Fatalf("no exit 20 s after SIGTERM\n%s", d.Stderr.String())
	}
}

// EditConfig replaces old by new in the config file (for the next run).
func (d *Daemon) EditConfig(old, new string) {
	d.t.Helper()
	b, err := os.ReadFile(d.Conf)
	if err != nil {
		d.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		d.t.Fatalf("config file has no %q:\n%s", old, b)
	}
	if err := os.WriteFile(d.Conf, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// Healthz reports whether /healthz shows component in one of states.
func (d *Daemon) Healthz(component string, states ...string) bool {
	resp, err := http.Get(d.Base + "/healthz")
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, s := range states {
		if strings.Contains(string(b), fmt.Sprintf(`%q:{"state":%q`, component, s)) {
			return true
		}
	}
	return false
}

// Admin runs an admin command of the binary against the running daemon,
// stdin as its input, and returns its output.
func (d *Daemon) Admin(stdin string, args ...string) string {
	d.t.Helper()
	cmd := exec.Command(d.Bin, append(args, "-config", d.Conf)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("%v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// OpenStore opens the stopped daemon's database; it is closed at cleanup.
func (d *Daemon) OpenStore() *store.DB {
	d.t.Helper()
	db, err := store.Open(filepath.Join(d.Dir, "aw.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { db.Close() })
	return db
}

// RaiseAlarm starts a session for these alarm numbers through the app API
// and presses Alarm.
func (d *Daemon) RaiseAlarm(numbers ...string) {
	d.t.Helper()
	tok, id := d.StartSession(numbers...)
	d.Post(tok, "/api/v1/sessions/"+id+"/alarm", "")
}

// StartSession starts a one-hour session for these alarm numbers through
// the app API, with a token made by the admin command; it returns the token
// and the session's id.
func (d *Daemon) StartSession(numbers ...string) (token, id string) {
	d.t.Helper()
	tok := d.Admin("", "token", "create", "-name", fmt.Sprintf("app-%d", time.Now().UnixNano()))
	nums, _ := json.Marshal(numbers)
	s := d.Post(tok, "/api/v1/sessions", fmt.Sprintf(`{"worker":{"name":"Laura","phone":"0617782201"},"alarm_numbers":%s,"duration_minutes":60}`, nums))
	var sess struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(s), &sess); err != nil || sess.ID == "" {
		d.t.Fatalf("session: %v %s", err, s)
	}
	return tok, sess.ID
}

// Post sends an app API request with the token and returns the answer; a
// status of 300 or more fails the test.
func (d *Daemon) Post(tok, path, body string) string {
	d.t.Helper()
	req, _ := http.NewRequest("POST", d.Base+path, strings.NewReader(body))
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
