package main_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alleenwerken/cmd/testkit"
)

// TestLostKeyFile runs the real daemon, saves a trunk and a connection in
// the console, then restarts it without its key file (a backup restored
// without it): the generated Asterisk file keeps its working passwords, the
// config file's connection is used, the health says what to enter again,
// and entering them again in the console makes it ok.
func TestLostKeyFile(t *testing.T) {
	simA := testkit.NewModemSim(t)
	simB := testkit.NewModemSim(t)
	confDir := t.TempDir()
	d := startReal(t, simA.Path(), "asterisk.config_dir = "+confDir+"\nsettings.reminder_lead = 55s\n")
	d.WaitHealthy("sms", 15*time.Second)
	gen := filepath.Join(confDir, "alleenwerken", "pjsip_alleenwerken.conf")
	dir := d.Dir

	c := loginInstaller(t, d)
	trunk := url.Values{"trunk_host": {"sip.example.nl"}, "trunk_user": {"0301234567"}, "trunk_password": {"Trunk-geheim-5521"}}
	conn := url.Values{"ari_mode": {"native"}, "ari_url": {"http://" + testkit.FreeAddr(t) + "/ari"}, "ari_user": {"x"},
		"ari_password": {"ARI-geheim-x82"}, "ari_app": {"alleenwerken"}, "modem_ports": {simB.Path()}, "force": {"1"}}
	save := func(c *consoleClient, path string, form url.Values) {
		t.Helper()
		if st, body := c.do("POST", path, form); st != http.StatusSeeOther {
			t.Fatalf("%s: %d %s\n%s", path, st, body, d.Stderr)
		}
	}
	save(c, "/console/installation/trunk", trunk)
	save(c, "/console/installation/connection", conn)
	generated, err := os.ReadFile(gen)
	if err != nil || !bytes.Contains(generated, []byte("password = Trunk-geheim-5521")) {
		t.Fatalf("generated file: %v\n%s", err, generated)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "aw.db")); bytes.Contains(b, []byte("Trunk-geheim-5521")) || bytes.Contains(b, []byte("ARI-geheim-x82")) {
		t.Fatal("a password as typed in the database file")
	}

	if err := os.Remove(filepath.Join(dir, "aw.db.key")); err != nil {
		t.Fatal(err)
	}
	d.Restart()
	d.WaitHealthy("sms", 15*time.Second)
	d.WaitLog(10*time.Second, 1, "cannot be read with the key file")
	d.WaitLog(10*time.Second, 1, "the connection set in the console cannot be used")
	if now, err := os.ReadFile(gen); err != nil || !bytes.Equal(now, generated) {
		t.Fatalf("the generated file was rewritten without its passwords (%v):\n%s", err, now)
	}
	storage := func() (string, string) {
		var h struct {
			Components map[string]struct{ State, Reason string }
		}
		if err := d.GetJSON("/healthz", &h); err != nil {
			t.Fatal(err)
		}
		return h.Components["storage"].State, h.Components["storage"].Reason
	}
	// The public /healthz says degraded in a fixed text; which secrets
	// are lost is on the installer's health page.
	if st, why := storage(); st != "degraded" || strings.Contains(why, "ari_password") {
		t.Fatalf("storage health %s: %s", st, why)
	}
	inst := &consoleClient{t: t, base: d.Base, http: c.http} // the log-in outlives the restart
	if _, page := inst.do("GET", "/console/health", nil); !strings.Contains(page, "(ari_password, trunk_password): voer ze opnieuw in op de pagina Installatie") {
		t.Fatalf("the health page does not name the lost secrets:\n%s", page)
	}
	// The config file's modem A sends, not the console's B.
	d.API(d.Admin("", "token", "create", "-name", "t"), "POST", "/api/v1/sessions",
		`{"worker":{"name":"Laura","phone":"06-17782201"},"alarm_numbers":["0650262703","0650929952"],"duration_minutes":1}`)
	d.WaitLog(10*time.Second, 1, "sms sent")
	if len(simA.Sent()) != 1 || len(simB.Sent()) != 0 {
		t.Fatalf("sent through A %d, B %d", len(simA.Sent()), len(simB.Sent()))
	}

	// Entered again: sealed with the new key, the health is ok.
	c = &consoleClient{t: t, base: d.Base, http: c.http}
	c.do("GET", "/console/installation", nil)
	save(c, "/console/installation/trunk", trunk)
	save(c, "/console/installation/connection", conn)
	if st, why := storage(); st != "ok" {
		t.Fatalf("storage health after entering them again %s: %s", st, why)
	}
}

// TestKeyRotate runs "alleenwerken key rotate": refused while the daemon
// runs; with it stopped, a new key file seals the secrets, and the daemon
// started again reads them (the generated Asterisk file keeps the trunk
// password, the storage health is ok) while the old key opens nothing.
func TestKeyRotate(t *testing.T) {
	sim := testkit.NewModemSim(t)
	confDir := t.TempDir()
	d := startReal(t, sim.Path(), "asterisk.config_dir = "+confDir+"\n")
	d.WaitHealthy("sms", 15*time.Second)
	gen := filepath.Join(confDir, "alleenwerken", "pjsip_alleenwerken.conf")
	keyPath := filepath.Join(d.Dir, "aw.db.key")
	c := loginInstaller(t, d)
	if st, body := c.do("POST", "/console/installation/trunk", url.Values{"trunk_host": {"sip.example.nl"}, "trunk_user": {"0301234567"}, "trunk_password": {"Trunk-geheim-6631"}}); st != http.StatusSeeOther {
		t.Fatalf("trunk: %d %s", st, body)
	}
	oldKey, _ := os.ReadFile(keyPath)
	rotate := func() (string, error) {
		out, err := d.Command("key", "rotate").CombinedOutput()
		return string(out), err
	}
	if out, err := rotate(); err == nil || !strings.Contains(out, "de dienst draait") {
		t.Fatalf("rotation while the daemon runs: %v %s", err, out)
	}
	d.Stop()
	start := time.Now()
	out, err := rotate()
	if err != nil {
		t.Fatalf("key rotate: %v %s", err, out)
	}
	t.Logf("key rotated in %v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
	newKey, _ := os.ReadFile(keyPath)
	if len(newKey) != len(oldKey) || bytes.Equal(newKey, oldKey) {
		t.Fatal("the key file did not change")
	}
	if _, err := os.Stat(keyPath + ".next"); !os.IsNotExist(err) {
		t.Fatalf("a new key left beside the key file: %v", err)
	}
	os.Remove(gen) // written again from the database at the start
	d.Run()
	d.WaitHealthy("storage", 15*time.Second)
	if b, err := os.ReadFile(gen); err != nil || !bytes.Contains(b, []byte("password = Trunk-geheim-6631")) {
		t.Fatalf("generated file after the rotation: %v\n%s", err, b)
	}
	d.Stop()
	// The old key opens nothing in the rotated file.
	if err := os.WriteFile(keyPath, oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	d.Run()
	d.WaitLog(10*time.Second, 1, "cannot be read with the key file")
	d.Stop()
}
