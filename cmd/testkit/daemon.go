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

	"alleenwerken/gsm/modemsim"
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
// temporary folder, its output and log in buffers; it is killed at the end
// of the test. The tests where a real process must die (SIGKILL, SIGTERM, a
// restart) or where the admin commands run against it use it.
type Daemon struct {
	t      testing.TB
	Bin    string      // the binary
	Dir    string      // its files: the config file aw.conf, aw.db, admin.sock, backups
	Conf   string      // the config file
	Base   string      // http://host:port of the app API and the console
	Demo   bool        // run the demo: its embedded config, then the config file
	Stdout *SyncBuffer // the standard output of the current run (the demo's story)
	Stderr *SyncBuffer // the log of the current run
	run    *daemonRun
}

// daemonRun is one run of the binary; exited is closed when it has exited,
// err then holds its exit value. The cleanup waits on exited, so a run
// that Stop or Kill already waited for does not hold it up.
type daemonRun struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// FreeAddr returns a loopback address with a port that was free just now.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// NewDaemon writes a config file (a free listen address, the database,
// the admin socket and the backups in a temporary folder, then the extra
// lines) for bin without running it: Command runs the admin commands in
// direct mode, Run starts the daemon.
func NewDaemon(tb testing.TB, bin, extra string) *Daemon {
	tb.Helper()
	dir := tb.TempDir()
	d := &Daemon{t: tb, Bin: bin, Dir: dir, Conf: filepath.Join(dir, "aw.conf")}
	listen := FreeAddr(tb)
	d.Base = "http://" + listen
	conf := fmt.Sprintf("listen = %s\ndatabase = %s/aw.db\nadmin_socket = %s/admin.sock\nbackup_dir = %s/backups\n%s",
		listen, dir, dir, dir, extra)
	if err := os.WriteFile(d.Conf, []byte(conf), 0o600); err != nil {
		tb.Fatal(err)
	}
	return d
}

// StartDaemon writes a config file as NewDaemon does and runs bin on it.
func StartDaemon(tb testing.TB, bin, extra string) *Daemon {
	tb.Helper()
	d := NewDaemon(tb, bin, extra)
	d.Run()
	return d
}

// Run starts the daemon binary on its config file ("demo" if Demo is set,
// else "run"), its output and log in fresh buffers; it is killed at
// cleanup.
func (d *Daemon) Run() {
	d.t.Helper()
	d.Stdout, d.Stderr = &SyncBuffer{}, &SyncBuffer{}
	sub := "run"
	if d.Demo {
		sub = "demo"
	}
	r := &daemonRun{cmd: exec.Command(d.Bin, sub, "-config", d.Conf), exited: make(chan struct{})}
	r.cmd.Stdout, r.cmd.Stderr = d.Stdout, d.Stderr
	if err := r.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.run = r
	go func() { r.err = r.cmd.Wait(); close(r.exited) }()
	d.t.Cleanup(func() { r.cmd.Process.Kill(); <-r.exited })
}

// Restart stops the daemon with SIGTERM (as Stop) and runs it again.
func (d *Daemon) Restart() {
	d.t.Helper()
	d.Stop()
	d.Run()
}

// Kill kills the daemon with SIGKILL (a crash) and waits until it is gone.
func (d *Daemon) Kill() {
	d.t.Helper()
	d.run.cmd.Process.Kill()
	<-d.run.exited
}

// Stop sends SIGTERM and waits up to 20 s for a clean exit; an exit with
// an error or none in time fails the test (the cleanup still kills it and
// waits).
func (d *Daemon) Stop() {
	d.t.Helper()
	r := d.run
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
		if r.err != nil {
			d.t.Fatalf("exit after SIGTERM: %v\n%s", r.err, d.Stderr.String())
		}
	case <-time.After(20 * time.Second):
		d.t.Fatalf("no exit 20 s after SIGTERM\n%s", d.Stderr.String())
	}
}

// WaitStdout waits up to timeout for text on the daemon's standard output
// (the demo's story of the calls).
func (d *Daemon) WaitStdout(text string, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(d.Stdout.String(), text) {
		if time.Now().After(deadline) {
			d.t.Fatalf("no %q within %s\nstdout:\n%s\nstderr:\n%s", text, timeout, d.Stdout.String(), d.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// LogLines returns the lines of the current run's log that contain every
// one of parts.
func (d *Daemon) LogLines(parts ...string) []LogLine {
	d.t.Helper()
	return LogLines(d.t, d.Stderr.String(), parts...)
}

// WaitLog waits up to timeout for the n-th line (1-based) of the current
// run's log with every one of parts and returns it.
func (d *Daemon) WaitLog(timeout time.Duration, n int, parts ...string) LogLine {
	d.t.Helper()
	return WaitLog(d.t, d.Stderr, timeout, n, parts...)
}

// WaitHealthy waits up to timeout until /healthz shows component ok.
func (d *Daemon) WaitHealthy(component string, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for !d.Healthz(component, "ok") {
		if time.Now().After(deadline) {
			d.t.Fatalf("%s not ok within %s\n%s", component, timeout, d.Stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
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

// Command returns the admin command args of the binary on the daemon's
// config file (with -demo if Demo is set), to run with the daemon running
// or, in direct mode, stopped.
func (d *Daemon) Command(args ...string) *exec.Cmd {
	args = append(args, "-config", d.Conf)
	if d.Demo {
		args = append(args, "-demo")
	}
	return exec.Command(d.Bin, args...)
}

// Admin runs an admin command of the binary on the daemon's config file,
// stdin as its input, and returns its output; an error fails the test.
func (d *Daemon) Admin(stdin string, args ...string) string {
	d.t.Helper()
	cmd := d.Command(args...)
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

// Post sends an app API POST request with the token and returns the
// answer; a status of 300 or more fails the test.
func (d *Daemon) Post(tok, path, body string) string {
	d.t.Helper()
	return d.Request(tok, "POST", path, body)
}

// API sends an app API request with the token and returns its JSON
// answer; a status of 300 or more fails the test.
func (d *Daemon) API(tok, method, path, body string) map[string]any {
	d.t.Helper()
	var m map[string]any
	json.Unmarshal([]byte(d.Request(tok, method, path, body)), &m)
	return m
}

// Request sends an app API request with the token (a body as JSON) and
// returns the answer; a status of 300 or more fails the test.
func (d *Daemon) Request(tok, method, path, body string) string {
	d.t.Helper()
	req, _ := http.NewRequest(method, d.Base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		d.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return string(b)
}

// GetJSON decodes the JSON answer of a GET of path (e.g. /healthz).
func (d *Daemon) GetJSON(path string, v any) error {
	resp, err := http.Get(d.Base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// NewModemSim starts a modem simulator on a real pseudo-terminal for the
// daemon's modem.port; it is closed at cleanup.
func NewModemSim(tb testing.TB) *modemsim.Sim {
	tb.Helper()
	sim, err := modemsim.New(modemsim.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	return sim
}
