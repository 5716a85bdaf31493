package main_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleClient logs in to the real daemon's console as a browser without
// JavaScript would.
type consoleClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

// loginInstaller creates an installer with the admin command and logs in
// to d's console as that user, on the installation page.
func loginInstaller(t *testing.T, d *testkit.Daemon) *consoleClient {
	t.Helper()
	user := d.Command("user", "create", "-name", "inst", "-role", "installer")
	user.Stdin = strings.NewReader("Installateur-wachtwoord-1\n")
	if out, err := user.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v %s", err, out)
	}
	c := loginConsole(t, d, "inst", "Installateur-wachtwoord-1")
	c.do("GET", "/console/installation", nil)
	return c
}

// loginConsole logs in to d's console as an existing user.
func loginConsole(t *testing.T, d *testkit.Daemon, name, password string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &consoleClient{t: t, base: d.Base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.do("GET", "/login", nil)
	if st, body := c.do("POST", "/login", url.Values{"name": {name}, "password": {password}}); st != http.StatusSeeOther {
		t.Fatalf("login: %d %s", st, body)
	}
	return c
}

func (c *consoleClient) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", c.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

// TestConsoleSwapsModem runs the real daemon with modem A, moves it to
// modem B in the console's connection form while it runs, and the next SMS
// (a reminder) goes out through B: the modems are replaced without a
// restart and nothing is sent twice. The ARI password is stored sealed.
func TestConsoleSwapsModem(t *testing.T) {
	simA := testkit.NewModemSim(t)
	simB := testkit.NewModemSim(t)
	d := startReal(t, simA.Path(), "settings.reminder_lead = 55s\n")
	d.WaitHealthy("sms", 15*time.Second)

	c := loginInstaller(t, d)
	form := url.Values{"ari_mode": {"native"}, "ari_url": {"http://" + testkit.FreeAddr(t) + "/ari"},
		"ari_user": {"x"}, "ari_password": {"ARI-geheim-x81"}, "ari_app": {"alleenwerken"}, "modem_ports": {simB.Path()}}
	// Asterisk does not answer there: refused next to the field, nothing
	// saved, modem A still in use.
	if st, body := c.do("POST", "/console/installation/connection", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error-ari_url"`) || !strings.Contains(body, "ARI antwoordt niet") {
		t.Fatalf("dead ARI accepted: %d %s", st, body)
	}
	// Saved anyway when the installer says so (Asterisk is not up yet here).
	form.Set("modem_ports", simB.Path())
	form.Set("force", "1")
	start := time.Now()
	st, body := c.do("POST", "/console/installation/connection", form)
	if st != http.StatusSeeOther {
		t.Fatalf("save connection: %d %s", st, body)
	}
	t.Logf("connection saved and applied in %v", time.Since(start).Round(time.Millisecond))
	if _, page := c.do("GET", "/console/installation?done=conn", nil); !strings.Contains(page, "verbinden opnieuw") || !strings.Contains(page, simB.Path()) {
		t.Fatalf("page after save: %s", page)
	}
	d.WaitHealthy("sms", 15*time.Second)

	d.API(d.Admin("", "token", "create", "-name", "t"), "POST", "/api/v1/sessions",
		`{"worker":{"name":"Laura","phone":"06-17782201"},"alarm_numbers":["0650262703","0650929952"],"duration_minutes":1}`)
	deadline := time.Now().Add(20 * time.Second)
	for len(simB.Sent()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no reminder through modem B\n%s", d.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(simA.Sent()); n != 0 {
		t.Fatalf("the replaced modem A sent %d", n)
	}
	time.Sleep(time.Second)
	if n := len(simB.Sent()); n != 1 {
		t.Fatalf("modem B sent %d, want 1", n)
	}
	if !strings.Contains(d.Stderr.String(), "reconnecting with the connection set in the console") {
		t.Fatalf("no log line for the reconnect\n%s", d.Stderr)
	}
	// The ARI password from the form is sealed in the database file, with
	// the key file the daemon made beside it.
	dir := d.Dir
	if b, err := os.ReadFile(filepath.Join(dir, "aw.db")); err != nil || bytes.Contains(b, []byte("ARI-geheim-x81")) {
		t.Fatalf("ARI password as typed in the database file (read: %v)", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "aw.db.key")); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != store.KeySize {
		t.Fatalf("key file: %v %v", fi, err)
	}
}
