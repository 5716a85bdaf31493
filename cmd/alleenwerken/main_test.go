package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
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

// demoSettings keep the demo's alarms short to wait for and its calls
// ringing long enough to act on.
const demoSettings = "settings.cancel_window = 1s\nsettings.ring_timeout = 30s\n"

// newDemo writes the config of the demo daemon, its files in a temporary
// folder, without starting it (the admin commands run in direct mode).
func newDemo(t *testing.T) *testkit.Daemon {
	t.Helper()
	d := testkit.NewDaemon(t, binary, demoSettings)
	d.Demo = true
	return d
}

// runDemo runs the demo daemon d and waits until it says it runs.
func runDemo(d *testkit.Daemon) {
	d.Run()
	d.WaitStdout("DEMO draait", 10*time.Second)
}

// startDemo starts the demo daemon, its files in a temporary folder.
func startDemo(t *testing.T) *testkit.Daemon {
	t.Helper()
	d := newDemo(t)
	runDemo(d)
	return d
}

// startReal starts the real daemon (not the demo) with ARI on an address
// that does not answer, the modem at port and extra config lines.
func startReal(t *testing.T, port, extra string) *testkit.Daemon {
	t.Helper()
	return testkit.StartDaemon(t, binary, fmt.Sprintf("ari.url = http://%s/ari\nari.user = x\nari.password = y\nmodem.port = %s\n%s",
		testkit.FreeAddr(t), port, extra))
}

const startBody = `{"worker":{"name":"Laura van Dijk","phone":"0617782201"},"alarm_numbers":["0612345671","0612345672","0612345673"],"duration_minutes":60}`

// TestKillWhileNumberTwoRings kills the daemon with SIGKILL while the second
// number rings, restarts it, and checks that attempt 2 is failed ("daemon
// restart"), number 3 is called next and the report number is unchanged.
func TestKillWhileNumberTwoRings(t *testing.T) {
	d := startDemo(t)
	tok := d.Admin("", "token", "create", "-name", "test")
	s := d.API(tok, "POST", "/api/v1/sessions", startBody)
	id := s["id"].(string)
	d.API(tok, "POST", "/api/v1/sessions/"+id+"/alarm", "")
	d.WaitStdout("+31612345672 gaat over", 15*time.Second)
	if !strings.Contains(d.Stdout.String(), "melding #101") {
		t.Fatalf("first run output:\n%s", d.Stdout)
	}
	d.Kill()

	runDemo(d)
	d.WaitStdout("+31612345673 heeft de melding AANGENOMEN", 15*time.Second)
	out := d.Stdout.String()
	if strings.Contains(out, "BEL +31612345671") || strings.Contains(out, "BEL +31612345672") {
		t.Fatalf("numbers 1 or 2 called again after the restart:\n%s", out)
	}
	if !strings.Contains(out, "BEL +31612345673 (via de trunk) voor melding #101") || !strings.Contains(out, "ophangen aw-") {
		t.Fatalf("second run output:\n%s", out)
	}
	d.Stop()

	a, err := d.OpenStore().AlarmByNumber(context.Background(), 101)
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
	d := startDemo(t)
	tok := d.Admin("", "token", "create", "-name", "test")
	id := d.API(tok, "POST", "/api/v1/sessions", startBody)["id"].(string)
	d.Stop()
	// The first start took the scheduled backup at once (there was none).
	if bs, _ := filepath.Glob(filepath.Join(d.Dir, "backups", "alleenwerken-*.db")); len(bs) != 1 {
		t.Fatalf("scheduled backups after the first start: %v", bs)
	}

	testkit.ExpireWhileStopped(t, filepath.Join(d.Dir, "aw.db"), id)

	start := time.Now()
	runDemo(d)
	d.WaitStdout("BEL +31612345671", 5*time.Second)
	t.Logf("alarm call %s after start-up", time.Since(start).Round(time.Millisecond))
	v := d.API(tok, "GET", "/api/v1/sessions/"+id, "")
	if v["state"] != "alarm" || v["alarm"].(map[string]any)["number"].(float64) != 101 {
		t.Fatalf("session = %v", v)
	}
	d.Stop()
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
	d := newDemo(t)
	cmd := d.Command("user", "create", "-name", "beheer")
	cmd.Stdin = strings.NewReader("een-lang-wachtwoord\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Gebruiker beheer (super_admin) aangemaakt") {
		t.Fatalf("user create: %v %s", err, out)
	}
	tok := d.Admin("", "token", "create", "-name", "test")
	if !strings.HasPrefix(tok, "aw_") || len(tok) < 40 {
		t.Fatalf("token = %q", tok)
	}
	out, _ := d.Command("token", "list").Output()
	fields := strings.Fields(string(out))
	if len(fields) < 4 || fields[1] != "test" || fields[3] != "actief" {
		t.Fatalf("list = %s", out)
	}
	if out, err := d.Command("token", "revoke", "-id", fields[0]).CombinedOutput(); err != nil {
		t.Fatalf("revoke: %v %s", err, out)
	}
	out, _ = d.Command("token", "list").Output()
	if !strings.Contains(string(out), "ingetrokken") {
		t.Fatalf("list after revoke = %s", out)
	}
	bak := filepath.Join(d.Dir, "backup.db")
	if out, err := d.Command("backup", "-out", bak).CombinedOutput(); err != nil {
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
	raw, _ := os.ReadFile(filepath.Join(d.Dir, "aw.db"))
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
	d := startReal(t, filepath.Join(t.TempDir(), "no-modem"), "")
	var health map[string]any
	for {
		resp, err := http.Get(d.Base + "/healthz")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("healthz status %d", resp.StatusCode)
			}
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("daemon did not serve within 10 s:\n%s", d.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("serving %s after start with Asterisk and modem absent", time.Since(start).Round(time.Millisecond))
	comp := health["components"].(map[string]any)
	if health["status"] != "down" || comp["telephony"].(map[string]any)["state"] != "down" ||
		comp["sms"].(map[string]any)["state"] != "down" || comp["storage"].(map[string]any)["state"] != "ok" {
		t.Fatalf("healthz = %v", health)
	}
	v := d.API(d.Admin("", "token", "create", "-name", "t"), "POST", "/api/v1/sessions", startBody)
	w := fmt.Sprint(v["warnings"])
	if v["state"] != "active" || !strings.Contains(w, "telephony_down") || !strings.Contains(w, "sms_down") {
		t.Fatalf("session = %v", v)
	}
	d.Stop()
}
