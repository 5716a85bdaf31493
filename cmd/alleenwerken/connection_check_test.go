package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	aw "alleenwerken"
)

// checkConnection names the field that is wrong: ARI not answering, ARI
// refusing the password, NATS not answering, a modem port that is missing.
func TestCheckConnection(t *testing.T) {
	ari := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "aw" || p != "goed" || r.URL.Path != "/ari/asterisk/info" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer ari.Close()
	port := filepath.Join(t.TempDir(), "modem")
	os.WriteFile(port, nil, 0o600)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	nats, _ := net.Listen("tcp", "127.0.0.1:0")
	defer nats.Close()

	ok := aw.Connection{ARIURL: ari.URL + "/ari", ARIUser: "aw", ARIPassword: "goed", ARIApp: "alleenwerken", ModemPorts: []string{port}}
	for _, tc := range []struct {
		name  string
		edit  func(c *aw.Connection)
		field string
	}{
		{"ok", func(*aw.Connection) {}, ""},
		{"wrong password", func(c *aw.Connection) { c.ARIPassword = "fout" }, "ari_password"},
		{"ARI down", func(c *aw.Connection) { c.ARIURL = "http://" + deadAddr + "/ari" }, "ari_url"},
		{"no modem", func(c *aw.Connection) { c.ModemPorts = []string{port + "-weg"} }, "modem_ports"},
		{"NATS up", func(c *aw.Connection) { c.NATSURL = "nats://" + nats.Addr().String() }, ""},
		{"NATS down", func(c *aw.Connection) { c.NATSURL = "nats://" + deadAddr }, "nats_url"},
	} {
		c := ok
		tc.edit(&c)
		err := checkConnection(context.Background(), c)
		if aw.ErrorField(err) != tc.field || (tc.field == "" && err != nil) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
