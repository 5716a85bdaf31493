package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
	"alleenwerken/gsm/modemsim"
	"alleenwerken/store"
)

var binary string

// TestMain builds the binary once for the tests that run it; the test bed
// (asterisk-conf/testbed.sh) is started by the first test that needs it
// and stopped after the tests if this run started it.
func TestMain(m *testing.M) {
	bin, err := testkit.Build(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = bin
	code := testbed.Main(m)
	os.RemoveAll(filepath.Dir(bin))
	os.Exit(code)
}

// daemon is one run of the real binary in demo mode.
type daemon struct {
	cmd            *exec.Cmd
	stdout, stderr *testkit.SyncBuffer
	url            string
	done           chan error
}

// demoArgs returns -set overrides that keep a test's files in dir.
func demoArgs(dir, listen string) []string {
	return []string{
		"-set", "listen=" + listen, "-set", "database=" + filepath.Join(dir, "aw.db"),
		"-set", "admin_socket=" + filepath.Join(dir, "admin.sock"), "-set", "backup_dir=" + filepath.Join(dir, "backups"),
		"-set", "settings.cancel_window=1s", "-set", "settings.ring_timeout=30s",
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startDaemon(t *testing.T, dir, listen string) *daemon {
	t.Helper()
	d := spawn(t, listen, append([]string{"demo"}, demoArgs(dir, listen)...)...)
	d.waitFor(t, "DEMO draait", 10*time.Second)
	return d
}

// spawn starts the binary with args serving on listen; it is killed at
// cleanup.
func spawn(t *testing.T, listen string, args ...string) *daemon {
	t.Helper()
	d := &daemon{stdout: &testkit.SyncBuffer{}, stderr: &testkit.SyncBuffer{}, url: "http://" + listen, done: make(chan error, 1)}
	d.cmd = exec.Command(binary, args...)
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() { d.cmd.Process.Kill(); <-d.done })
	return d
}

// startReal starts the real daemon (not the demo) with ARI on an address
// that does not answer, the modem at port and extra config lines; it
// returns the daemon and its config file.
func startReal(t *testing.T, port, extra string) (*daemon, string) {
	t.Helper()
	dir, listen := t.TempDir(), freeAddr(t)
	conf := fmt.Sprintf("listen = %s\ndatabase = %s/aw.db\nadmin_socket = %s/admin.sock\nbackup_dir = %s/backups\n"+
		"ari.url = http://%s/ari\nari.user = x\nari.password = y\nmodem.port = %s\n%s",
		listen, dir, dir, dir, freeAddr(t), port, extra)
	f := filepath.Join(dir, "aw.conf")
	if err := os.WriteFile(f, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return spawn(t, listen, "run", "-config", f), f
}

// restartReal stops d with SIGTERM and starts the real daemon again on
// config file f (written by startReal).
func restartReal(t *testing.T, d *daemon, f string) *daemon {
	t.Helper()
	d.stop(t)
	return rerunReal(t, f)
}

// rerunReal starts the real daemon again on config file f (written by
// startReal) after it was stopped.
func rerunReal(t *testing.T, f string) *daemon {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	listen := regexp.MustCompile(`(?m)^listen = (\S+)$`).FindSubmatch(b)
	if listen == nil {
		t.Fatalf("no listen in %s", f)
	}
	return spawn(t, string(listen[1]), "run", "-config", f)
}

// configToken creates an app token with the admin command for config f.
func configToken(t *testing.T, f string) string {
	t.Helper()
	out, err := exec.Command(binary, "token", "create", "-config", f, "-name", "t").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// waitFor waits for text on the daemon's standard output.
func (d *daemon) waitFor(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	d.waitIn(t, d.stdout, text, timeout)
}

// waitLog waits for text in the daemon's log (standard error).
func (d *daemon) waitLog(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	d.waitIn(t, d.stderr, text, timeout)
}

func (d *daemon) waitIn(t *testing.T, out *testkit.SyncBuffer, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(out.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s\nstdout:\n%s\nstderr:\n%s", text, timeout, d.stdout, d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newSim starts a modem simulator on a pseudo-terminal until the test ends.
func newSim(t *testing.T) *modemsim.Sim {
	t.Helper()
	sim, err := modemsim.New(modemsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func (d *daemon) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("daemon exit after SIGTERM: %v\n%s", err, d.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("daemon did not stop on SIGTERM")
	}
}

func newToken(t *testing.T, dir, listen string) string {
	t.Helper()
	out, err := exec.Command(binary, append([]string{"token", "create", "-demo", "-name", "test"}, demoArgs(dir, listen)...)...).Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func api(t *testing.T, d *daemon, token, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, d.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

const startBody = `{"worker":{"name":"Laura van Dijk","phone":"0617782201"},"alarm_numbers":["0612345671","0612345672","0612345673"],"duration_minutes":60}`

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func openStore(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "aw.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestKillWhileNumberTwoRings kills the daemon with SIGKILL while the second
// number rings, restarts it, and checks that attempt 2 is failed ("daemon
// restart"), number 3 is called next and the report number is unchanged.
func TestKillWhileNumberTwoRings(t *testing.T) {
	dir, listen := t.TempDir(), freeAddr(t)
	d := startDaemon(t, dir, listen)
	tok := newToken(t, dir, listen)
	s := api(t, d, tok, "POST", "/api/v1/sessions", startBody)
	id := s["id"].(string)
	api(t, d, tok, "POST", "/api/v1/sessions/"+id+"/alarm", "")
	d.waitFor(t, "+31612345672 gaat over", 15*time.Second)
	if !strings.Contains(d.stdout.String(), "melding #101") {
		t.Fatalf("first run output:\n%s", d.stdout)
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
	d.done <- nil

	d2 := startDaemon(t, dir, listen)
	d2.waitFor(t, "+31612345673 heeft de melding AANGENOMEN", 15*time.Second)
	out := d2.stdout.String()
	if strings.Contains(out, "BEL +31612345671") || strings.Contains(out, "BEL +31612345672") {
		t.Fatalf("numbers 1 or 2 called again after the restart:\n%s", out)
	}
	if !strings.Contains(out, "BEL +31612345673 (via de trunk) voor melding #101") || !strings.Contains(out, "ophangen aw-") {
		t.Fatalf("second run output:\n%s", out)
	}
	d2.stop(t)

	db := openStore(t, dir)
	defer db.Close()
	a, err := db.AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomesOf(a); got != "busy failed accepted" {
		t.Fatalf("outcomes = %s", got)
	}
	if a.Attempts[1].Reason != "daemon restart" || a.Attempts[2].Number != "+31612345673" || a.AcceptedBy != "+31612345673" {
		t.Fatalf("attempts = %+v", a.Attempts)
	}
}

// TestExpiredWhileStopped stops the daemon, lets a session's timer expire
// while it is down, and checks the alarm is raised right after start-up.
func TestExpiredWhileStopped(t *testing.T) {
	dir, listen := t.TempDir(), freeAddr(t)
	d := startDaemon(t, dir, listen)
	tok := newToken(t, dir, listen)
	id := api(t, d, tok, "POST", "/api/v1/sessions", startBody)["id"].(string)
	d.stop(t)
	// The first start took the scheduled backup at once (there was none).
	if bs, _ := filepath.Glob(filepath.Join(dir, "backups", "alleenwerken-*.db")); len(bs) != 1 {
		t.Fatalf("scheduled backups after the first start: %v", bs)
	}

	testkit.ExpireWhileStopped(t, filepath.Join(dir, "aw.db"), id)

	start := time.Now()
	d2 := startDaemon(t, dir, listen)
	d2.waitFor(t, "BEL +31612345671", 5*time.Second)
	t.Logf("alarm call %s after start-up", time.Since(start).Round(time.Millisecond))
	v := api(t, d2, tok, "GET", "/api/v1/sessions/"+id, "")
	if v["state"] != "alarm" || v["alarm"].(map[string]any)["number"].(float64) != 101 {
		t.Fatalf("session = %v", v)
	}
	d2.stop(t)
}

func TestConfigRefused(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ conf, want string }{
		"MissingDatabase": {"listen = 127.0.0.1:0\ndemo = true\n", `"database"`},
		"MissingListen":   {"database = " + dir + "/x.db\ndemo = true\n", `"listen"`},
		"NoTelephonyNoDemo": {"listen = 127.0.0.1:0\ndatabase = " + dir + "/x.db\n",
			"missing key(s) ari.url, ari.user, ari.password, modem.port"},
		"BadSetting":  {"listen = 127.0.0.1:0\ndatabase = " + dir + "/x.db\ndemo = true\nsettings.fallback_number = 0900-1234567\n", "settings.fallback_number"},
		"UnknownKey":  {"listen = 127.0.0.1:0\ndatabase = " + dir + "/x.db\ndemo = true\nsetings.language = nl\n", "key setings.language: unknown key"},
		"BadDuration": {"listen = 127.0.0.1:0\ndatabase = " + dir + "/x.db\ndemo = true\nsettings.ring_timeout = dertig\n", "key settings.ring_timeout"},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			f := filepath.Join(dir, name+".conf")
			os.WriteFile(f, []byte(c.conf), 0o600)
			out, err := exec.Command(binary, "run", "-config", f).CombinedOutput()
			if err == nil || !strings.Contains(string(out), c.want) {
				t.Fatalf("err %v, output %s; want %q", err, out, c.want)
			}
		})
	}
}

// TestAdminCommands creates a user and tokens, lists and revokes them, and
// takes a backup, with the daemon stopped (direct mode).
func TestAdminCommands(t *testing.T) {
	dir, listen := t.TempDir(), freeAddr(t)
	args := func(a ...string) []string { return append(append(a, "-demo"), demoArgs(dir, listen)...) }
	cmd := exec.Command(binary, args("user", "create", "-name", "beheer")...)
	cmd.Stdin = strings.NewReader("een-lang-wachtwoord\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Gebruiker beheer (super_admin) aangemaakt") {
		t.Fatalf("user create: %v %s", err, out)
	}
	tok := newToken(t, dir, listen)
	if !strings.HasPrefix(tok, "aw_") || len(tok) < 40 {
		t.Fatalf("token = %q", tok)
	}
	out, _ := exec.Command(binary, args("token", "list")...).Output()
	fields := strings.Fields(string(out))
	if len(fields) < 4 || fields[1] != "test" || fields[3] != "actief" {
		t.Fatalf("list = %s", out)
	}
	if out, err := exec.Command(binary, args("token", "revoke", "-id", fields[0])...).CombinedOutput(); err != nil {
		t.Fatalf("revoke: %v %s", err, out)
	}
	out, _ = exec.Command(binary, args("token", "list")...).Output()
	if !strings.Contains(string(out), "ingetrokken") {
		t.Fatalf("list after revoke = %s", out)
	}
	bak := filepath.Join(dir, "backup.db")
	if out, err := exec.Command(binary, args("backup", "-out", bak)...).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	db, err := store.Open(bak, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if u, err := db.UserByName(context.Background(), "beheer"); err != nil || u.Role != aw.RoleSuperAdmin || len(u.PasswordHash) == 0 {
		t.Fatalf("user in backup: %+v %v", u, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "aw.db"))
	if bytes.Contains(raw, []byte(tok)) || bytes.Contains(raw, []byte("een-lang-wachtwoord")) {
		t.Fatal("plaintext token or password in the database file")
	}
}

func outcomesOf(a *aw.Alarm) string {
	var o []string
	for _, at := range a.Attempts {
		o = append(o, string(at.Outcome))
	}
	return strings.Join(o, " ")
}

// TestExampleConfig checks the documented example config parses.
func TestExampleConfig(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("alleenwerken.conf.example")
	if err != nil {
		t.Fatal(err)
	}
	// Without TLS files and a reachable Asterisk the daemon cannot start here:
	// check the parse only, by refusing on the TLS file.
	conf := strings.ReplaceAll(string(b), "/var/lib/alleenwerken", dir)
	f := filepath.Join(dir, "x.conf")
	os.WriteFile(f, []byte(conf), 0o600)
	out, _ := exec.Command(binary, "run", "-config", f).CombinedOutput()
	if !strings.Contains(string(out), "tls.cert") {
		t.Fatalf("example config: %s", out)
	}
}

// TestRealModeWithPeersDown starts the real (non-demo) daemon with Asterisk
// and the modem absent: it must start, report both down in /healthz, and
// start sessions with warnings rather than refuse them.
func TestRealModeWithPeersDown(t *testing.T) {
	start := time.Now()
	d, f := startReal(t, filepath.Join(t.TempDir(), "no-modem"), "")
	var health map[string]any
	for {
		resp, err := http.Get(d.url + "/healthz")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("healthz status %d", resp.StatusCode)
			}
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("daemon did not serve within 10 s:\n%s", d.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("serving %s after start with Asterisk and modem absent", time.Since(start).Round(time.Millisecond))
	comp := health["components"].(map[string]any)
	if health["status"] != "down" || comp["telephony"].(map[string]any)["state"] != "down" ||
		comp["sms"].(map[string]any)["state"] != "down" || comp["storage"].(map[string]any)["state"] != "ok" {
		t.Fatalf("healthz = %v", health)
	}
	v := api(t, d, configToken(t, f), "POST", "/api/v1/sessions", startBody)
	w := fmt.Sprint(v["warnings"])
	if v["state"] != "active" || !strings.Contains(w, "telephony_down") || !strings.Contains(w, "sms_down") {
		t.Fatalf("session = %v", v)
	}
	d.stop(t)
}
