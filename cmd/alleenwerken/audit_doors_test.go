package main_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	aw "alleenwerken"
)

// socketClient talks HTTP over the daemon's admin socket, as curl
// --unix-socket does.
func socketClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// TestEveryDoorAudited creates a user and a device token through each door
// (the CLI with the daemon stopped, the admin socket, the console) and finds
// exactly one audit entry for each, naming who did it and through which door.
func TestEveryDoorAudited(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	d := newDemo(t)
	dir := d.Dir

	// The CLI, daemon stopped: direct mode.
	cmd := d.Command("user", "create", "-name", "cli-beheer", "-role", "super_admin")
	cmd.Stdin = strings.NewReader("Beheer-wachtwoord-1\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cli user create: %v %s", err, out)
	}
	if out, err := d.Command("token", "create", "-name", "cli-toestel").CombinedOutput(); err != nil {
		t.Fatalf("cli token create: %v %s", err, out)
	}
	if out, err := d.Command("backup", "-out", filepath.Join(dir, "cli-backup.db")).CombinedOutput(); err != nil {
		t.Fatalf("cli backup: %v %s", err, out)
	}

	runDemo(d)

	// The admin socket.
	hc := socketClient(filepath.Join(dir, "admin.sock"))
	resp, err := hc.Post("http://admin/users", "application/json", strings.NewReader(`{"name":"socket-inst","role":"installer","password":"Socket-wachtwoord-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusCreated; got != want {
		t.Fatalf("socket user create: status %d, want %d", got, want)
	}
	resp, err = hc.Post("http://admin/tokens?name=socket-toestel", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(tok.Token, "aw_") {
		t.Fatalf("socket token create: status %d, token %q", resp.StatusCode, tok.Token)
	}

	resp, err = hc.Get("http://admin/backup")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n == 0 {
		t.Fatalf("socket backup: %d bytes, %v", n, err)
	}
	resp.Body.Close()

	// The console, as the super admin the CLI made.
	c := loginConsole(t, d, "cli-beheer", "Beheer-wachtwoord-1")
	c.do("GET", "/console/users", nil)
	if st, body := c.do("POST", "/console/users", url.Values{"name": {"console-hulp"}, "role": {"responder"}, "password": {"Console-wachtwoord-1"}}); st != http.StatusSeeOther {
		t.Fatalf("console user create: %d %s", st, body)
	}
	c.do("GET", "/console/installation", nil)
	if st, body := c.do("POST", "/console/installation/tokens", url.Values{"name": {"console-toestel"}}); st != http.StatusOK || !strings.Contains(body, "aw_") {
		t.Fatalf("console token create: %d %s", st, body)
	}
	d.Stop()

	entries, err := d.OpenStore().AuditEntries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ action, target, actor, ip string }{
		{aw.AuditUserCreated, "cli-beheer", "cli:" + me.Username, ""},
		{aw.AuditBackup, "", "cli:" + me.Username, ""},
		{aw.AuditBackup, "", "socket:" + me.Username, ""},
		{aw.AuditTokenCreated, "cli-toestel", "cli:" + me.Username, ""},
		{aw.AuditUserCreated, "socket-inst", "socket:" + me.Username, ""},
		{aw.AuditTokenCreated, "socket-toestel", "socket:" + me.Username, ""},
		{aw.AuditUserCreated, "console-hulp", "cli-beheer", "127.0.0.1"},
		{aw.AuditTokenCreated, "console-toestel", "cli-beheer", "127.0.0.1"},
	} {
		var found []*aw.AuditEntry
		for _, e := range entries {
			if e.Action == w.action && e.Target == w.target && (w.action != aw.AuditBackup || e.Actor == w.actor) {
				found = append(found, e)
			}
		}
		if got, want := len(found), 1; got != want {
			t.Errorf("%s %s: %d audit entries, want %d", w.action, w.target, got, want)
			continue
		}
		if got, want := found[0].Actor, w.actor; got != want {
			t.Errorf("%s %s: actor %q, want %q", w.action, w.target, got, want)
		}
		if got, want := found[0].IP, w.ip; got != want {
			t.Errorf("%s %s: ip %q, want %q", w.action, w.target, got, want)
		}
	}
	if t.Failed() {
		for _, e := range entries {
			t.Logf("audit: %+v", *e)
		}
	}
}
