package httpapi_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// Upload sends a multipart form with one file and the client's CSRF token.
func (c *Client) Upload(path string, fields url.Values, fileField, fileName string, data []byte) *Page {
	c.e.tb.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if _, ok := fields["csrf"]; !ok {
		w.WriteField("csrf", c.CSRF)
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(fileField, fileName)
	fw.Write(data)
	w.Close()
	req, err := http.NewRequest("POST", c.e.HTTP.URL+path, &b)
	if err != nil {
		c.e.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// wavHeader is the start of a RIFF/WAVE file; enough for the console's check.
var wavHeader = []byte("RIFF\x24\x00\x00\x00WAVEfmt ")

// auditWithout fails unless action has at least n audit entries and none
// of them holds secret.
func (e *ConsoleEnv) auditWithout(t *testing.T, action, secret string, n int) {
	t.Helper()
	entries := e.Audit(action)
	for _, a := range entries {
		if strings.Contains(a.Old+a.New+a.Detail, secret) {
			t.Fatalf("secret in the audit log: %+v", a)
		}
	}
	if len(entries) < n {
		t.Fatalf("%d %s audit entries, want at least %d", len(entries), action, n)
	}
}

// installation returns the stored installation.
func (e *ConsoleEnv) installation() aw.Installation {
	e.tb.Helper()
	in, err := e.DB.Installation(context.Background())
	if err != nil {
		e.tb.Fatal(err)
	}
	return in
}

// The trunk form writes host, user and password into Asterisk under the
// trunk name of the telephony settings, stores them, never shows or logs
// the password, keeps it when left empty, and shows a refused field next to
// the field with nothing stored.
func TestConsoleTrunk(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	p := c.Get("/console/installation")
	if !strings.Contains(p.Body, `id="trunk-form"`) || !strings.Contains(p.Body, `id="trunk-endpoint">trunk<`) {
		t.Fatalf("no trunk form: %s", p.Body)
	}
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"sip.provider.nl:5060"}, "trunk_user": {"0301234567"}, "trunk_password": {"Geheim-trunk-1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "done=pbx") {
		t.Fatalf("save: %d %s %s", p.Status, p.Location, p.Body)
	}
	want := aw.Trunk{Endpoint: "trunk", Host: "sip.provider.nl:5060", User: "0301234567", Password: "Geheim-trunk-1"}
	if e.PBX.Trunk == nil || *e.PBX.Trunk != want {
		t.Fatalf("applied %+v", e.PBX.Trunk)
	}
	if in := e.installation(); in.Trunk == nil || in.Trunk.Password != "Geheim-trunk-1" {
		t.Fatalf("stored %+v", in.Trunk)
	}
	p = c.Get(p.Location)
	if strings.Contains(p.Body, "Geheim-trunk-1") || !strings.Contains(p.Body, "Opgeslagen en in Asterisk gezet") || !strings.Contains(p.Body, `value="sip.provider.nl:5060"`) {
		t.Fatalf("page after save: %s", p.Body)
	}

	// An empty password keeps the stored one, but never for another host.
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"sip.provider.nl:5060"}, "trunk_user": {"0301234568"}, "trunk_password": {""}})
	if p.Status != http.StatusSeeOther || e.PBX.Trunk.Password != "Geheim-trunk-1" || e.PBX.Trunk.User != "0301234568" {
		t.Fatalf("keep password: %d %+v", p.Status, e.PBX.Trunk)
	}
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"evil.example.com"}, "trunk_user": {"0301234568"}, "trunk_password": {""}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-trunk_password"`) || e.PBX.Trunk.Host != "sip.provider.nl:5060" {
		t.Fatalf("stored password for another host: %d %+v", p.Status, e.PBX.Trunk)
	}
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"sip2.provider.nl"}, "trunk_user": {"0301234567"}, "trunk_password": {"Geheim-trunk-1"}})
	if p.Status != http.StatusSeeOther || e.PBX.Trunk.Host != "sip2.provider.nl" {
		t.Fatalf("new host: %d %+v", p.Status, e.PBX.Trunk)
	}

	// A refused host: next to the field, nothing stored, the typed value kept.
	applies := e.PBX.Applies
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"bad host;x"}, "trunk_user": {"0301234567"}, "trunk_password": {"x"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-trunk_host"`) || !strings.Contains(p.Body, `value="bad host;x"`) {
		t.Fatalf("refused host: %d %s", p.Status, p.Body)
	}
	if in := e.installation(); in.Trunk.Host != "sip2.provider.nl" {
		t.Fatalf("refused host stored: %+v", in.Trunk)
	}
	if e.PBX.Applies != applies || e.PBX.Trunk.Host != "sip2.provider.nl" {
		t.Fatalf("applies %d", e.PBX.Applies)
	}

	// Asterisk down: stored (the file is written), and the page says so.
	e.PBX.NotReloaded = true
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"sip3.provider.nl"}, "trunk_user": {"0301234567"}, "trunk_password": {"Geheim-trunk-1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "done=pbx_pending") {
		t.Fatalf("not reloaded: %d %s", p.Status, p.Location)
	}
	if in := e.installation(); in.Trunk.Host != "sip3.provider.nl" {
		t.Fatalf("not stored when only the reload failed: %+v", in.Trunk)
	}
	if p = c.Get(p.Location); !strings.Contains(p.Body, "zodra Asterisk weer draait") {
		t.Fatalf("no warning: %s", p.Body)
	}
	e.PBX.NotReloaded = false

	// The trunk renamed under Telephony: Asterisk gets it under the new name.
	p = c.Post("/console/installation/telephony", url.Values{"trunk_endpoint": {"provider"}, "dial_template": {"PJSIP/{e164}@provider"}})
	if p.Status != http.StatusSeeOther || e.PBX.Trunk.Endpoint != "provider" {
		t.Fatalf("rename: %d %+v %s", p.Status, e.PBX.Trunk, p.Body)
	}

	// A name Asterisk has by hand: the telephony settings are refused too,
	// next to the field, and nothing changes.
	p = c.Post("/console/installation/telephony", url.Values{"trunk_endpoint": {"handwritten"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-trunk_endpoint"`) || !strings.Contains(p.Body, "met de hand") {
		t.Fatalf("hand-written name: %d %s", p.Status, p.Body)
	}
	if set, _ := e.DB.Settings(context.Background()); set.TrunkEndpoint != "provider" || e.PBX.Trunk.Endpoint != "provider" {
		t.Fatalf("refused rename changed something: %q %+v", set.TrunkEndpoint, e.PBX.Trunk)
	}

	// A new trunk without a password is refused.
	p = c.Post("/console/installation/trunk", url.Values{"remove": {"1"}})
	if p.Status != http.StatusSeeOther || e.PBX.Trunk != nil || e.installation().Trunk != nil {
		t.Fatalf("remove: %d %+v", p.Status, e.PBX.Trunk)
	}
	p = c.Post("/console/installation/trunk", url.Values{"trunk_host": {"sip.provider.nl"}, "trunk_user": {"u"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-trunk_password"`) {
		t.Fatalf("no password: %d %s", p.Status, p.Body)
	}

	e.auditWithout(t, aw.AuditPBXChanged, "Geheim", 4)
}

// Extension passwords: set, kept when empty, refused next to the field,
// cleared; extensions without a password stay out of the generated setup.
func TestConsoleExtensionPasswords(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	c.Get("/console/installation")
	p := c.Post("/console/installation/extensions", url.Values{"password_201": {"desk-Geheim"}})
	if p.Status != http.StatusSeeOther || len(e.PBX.Exts) != 1 || e.PBX.Exts[0].Number != "201" || e.PBX.Exts[0].Password != "desk-Geheim" {
		t.Fatalf("set: %d %+v", p.Status, e.PBX.Exts)
	}
	p = c.Get("/console/installation")
	if strings.Contains(p.Body, "desk-Geheim") || !strings.Contains(p.Body, "ingesteld; leeg laten om te houden") {
		t.Fatalf("page: %s", p.Body)
	}
	p = c.Post("/console/installation/extensions", url.Values{"password_201": {"a;b"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-password_201"`) {
		t.Fatalf("refused: %d %s", p.Status, p.Body)
	}
	if e.installation().ExtensionPasswords["201"] != "desk-Geheim" {
		t.Fatal("refused password stored")
	}
	p = c.Post("/console/installation/extensions", url.Values{"password_201": {""}})
	if p.Status != http.StatusSeeOther || e.PBX.Exts[0].Password != "desk-Geheim" {
		t.Fatalf("keep: %+v", e.PBX.Exts)
	}
	p = c.Post("/console/installation/extensions", url.Values{"clear_201": {"1"}})
	if p.Status != http.StatusSeeOther || len(e.PBX.Exts) != 0 || len(e.installation().ExtensionPasswords) != 0 {
		t.Fatalf("clear: %+v", e.PBX.Exts)
	}
	if n := len(e.Audit(aw.AuditPBXChanged)); n != 2 {
		t.Fatalf("%d audit entries, want 2 (set, cleared)", n)
	}
}

// A WAV upload reaches the PBX for the chosen language and prompt; other
// files, unknown prompts and oversized bodies are refused.
func TestConsolePromptUpload(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	c.Get("/console/installation")
	// 2 MB: a real recording is far larger than the API's body limit.
	wav := append(append([]byte(nil), wavHeader...), bytes.Repeat([]byte{1}, 2<<20)...)
	p := c.Upload("/console/installation/prompt", url.Values{"lang": {"nl"}, "prompt": {"intro"}}, "prompt_file", "intro.wav", wav)
	if p.Status != http.StatusSeeOther || !bytes.Equal(e.PBX.Installed["nl/intro"], wav) {
		t.Fatalf("upload: %d %s", p.Status, p.Body)
	}
	if a := e.Audit(aw.AuditPromptUploaded); len(a) != 1 || a[0].Target != "nl/aw-intro" || !strings.Contains(a[0].Detail, "intro.wav") {
		t.Fatalf("audit %+v", a)
	}
	for _, tc := range []struct {
		lang, prompt string
		data         []byte
		want         string
	}{
		{"nl", "intro", []byte("ID3 an mp3"), "RIFF/WAVE"},
		{"de", "intro", wav, "Kies een opname en een taal"},
		{"nl", "../../etc", wav, "Kies een opname en een taal"},
		{"en", "press1", append(append([]byte(nil), wavHeader...), []byte("corrupt")...), "kon niet worden omgezet"},
	} {
		c.Get("/console/installation")
		p := c.Upload("/console/installation/prompt", url.Values{"lang": {tc.lang}, "prompt": {tc.prompt}}, "prompt_file", "x.wav", tc.data)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, tc.want) || !strings.Contains(p.Body, `id="error-prompt_file"`) {
			t.Errorf("%s/%s: %d %s", tc.lang, tc.prompt, p.Status, p.Body)
		}
	}
	c.Get("/console/installation")
	big := append(append([]byte(nil), wavHeader...), make([]byte, httpapi.MaxPromptBytes+2<<20)...)
	if p := c.Upload("/console/installation/prompt", url.Values{"lang": {"nl"}, "prompt": {"intro"}}, "prompt_file", "big.wav", big); p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d", p.Status)
	}
	if len(e.PBX.Installed) != 1 {
		t.Fatalf("installed %v", len(e.PBX.Installed))
	}
}

// The connection form: the config file's values until saved, then the
// stored ones; ari-proxy needs a NATS address; the password is kept when
// empty and never shown or logged; saving reconnects.
func TestConsoleConnection(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	p := c.Get("/console/installation")
	if !strings.Contains(p.Body, `value="http://127.0.0.1:8088/ari"`) || !strings.Contains(p.Body, "uit het configuratiebestand") || strings.Contains(p.Body, "file-ari-pw") {
		t.Fatalf("page: %s", p.Body)
	}
	form := url.Values{"ari_mode": {"proxy"}, "ari_url": {""}, "ari_user": {""}, "ari_app": {"alleenwerken"}, "nats_url": {"http://x"}, "modem_ports": {"/dev/alleenwerken-modem\n/dev/ttyUSB4"}}
	p = c.Post("/console/installation/connection", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-nats_url"`) || len(e.Reconnects) != 0 {
		t.Fatalf("bad nats: %d %s", p.Status, p.Body)
	}
	form.Set("nats_url", "nats://10.0.0.5:4222")
	// The connection is tried first: refused next to the field unless forced.
	e.CheckErr = aw.FieldError("nats_url", "NATS antwoordt niet op 10.0.0.5:4222.")
	p = c.Post("/console/installation/connection", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "NATS antwoordt niet") || len(e.Reconnects) != 0 || e.installation().Connection != nil {
		t.Fatalf("failed check: %d %s", p.Status, p.Body)
	}
	form.Set("force", "1")
	p = c.Post("/console/installation/connection", form)
	e.CheckErr = nil
	form.Del("force")
	if p.Status != http.StatusSeeOther || len(e.Reconnects) != 1 {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	got := e.Reconnects[0]
	if got.NATSURL != "nats://10.0.0.5:4222" || got.ARIPassword != "" || len(got.ModemPorts) != 2 || got.ModemPorts[1] != "/dev/ttyUSB4" {
		t.Fatalf("reconnect with %+v", got)
	}
	if in := e.installation(); in.Connection == nil || in.Connection.NATSURL != "nats://10.0.0.5:4222" {
		t.Fatalf("stored %+v", in.Connection)
	}
	p = c.Get("/console/installation")
	if !strings.Contains(p.Body, "in de console ingesteld") || !strings.Contains(p.Body, `id="ari-proxy" checked`) {
		t.Fatalf("page after save: %s", p.Body)
	}
	// Another ARI address without the password: the stored one is not sent there.
	p = c.Post("/console/installation/connection", url.Values{"ari_mode": {"native"}, "ari_url": {"http://10.0.0.9:8088/ari"}, "ari_user": {"aw"}, "ari_app": {"alleenwerken"}, "modem_ports": {"/dev/ttyUSB2"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-ari_password"`) || len(e.Reconnects) != 1 {
		t.Fatalf("stored password for another address: %d %d %s", p.Status, len(e.Reconnects), p.Body)
	}
	// Back to native ARI with a new password.
	p = c.Post("/console/installation/connection", url.Values{"ari_mode": {"native"}, "ari_url": {"http://10.0.0.9:8088/ari"}, "ari_user": {"aw"}, "ari_password": {"Nieuw-ari-pw"}, "ari_app": {"alleenwerken"}, "modem_ports": {"/dev/ttyUSB2"}})
	if p.Status != http.StatusSeeOther || len(e.Reconnects) != 2 || e.Reconnects[1].NATSURL != "" || e.Reconnects[1].ARIPassword != "Nieuw-ari-pw" {
		t.Fatalf("native: %d %+v", p.Status, e.Reconnects)
	}
	if p = c.Get("/console/installation"); strings.Contains(p.Body, "Nieuw-ari-pw") {
		t.Fatal("password shown")
	}
	// With an alarm call in progress the page says telephony waits for it.
	e.Waiting = 1
	p = c.Post("/console/installation/connection", url.Values{"ari_mode": {"native"}, "ari_url": {"http://10.0.0.9:8088/ari"}, "ari_user": {"aw"}, "ari_app": {"alleenwerken2"}, "modem_ports": {"/dev/ttyUSB2"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "done=conn_wait") || len(e.Reconnects) != 3 {
		t.Fatalf("save during a call: %d %q", p.Status, p.Location)
	}
	if p = c.Get(p.Location); !strings.Contains(p.Body, "Er loopt nu een alarmgesprek") || !strings.Contains(p.Body, "niemand wordt afgebroken") {
		t.Fatalf("page after saving during a call: %s", p.Body)
	}
	e.auditWithout(t, aw.AuditConnection, "ari-pw", 6)
	// Through ari-proxy the trunk and recording forms say that they reach
	// only this machine's Asterisk.
	if p = c.Get("/console/installation"); strings.Contains(p.Body, `id="pbx-proxy-note"`) {
		t.Fatal("proxy note with native ARI")
	}
	form.Set("force", "1")
	if p = c.Post("/console/installation/connection", form); p.Status != http.StatusSeeOther {
		t.Fatalf("back to ari-proxy: %d", p.Status)
	}
	if p = c.Get("/console/installation"); !strings.Contains(p.Body, `id="pbx-proxy-note"`) || !strings.Contains(p.Body, "alleen naar de Asterisk op deze machine") {
		t.Fatalf("no proxy note: %s", p.Body)
	}
}

// The SIM PIN: 4 to 8 digits, stored in the settings the modems read, never
// shown or logged; it can be cleared.
func TestConsoleSIMPIN(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	c.Get("/console/installation")
	for _, bad := range []string{"12", "12a4", "", "123456789"} {
		p := c.Post("/console/installation/sim-pin", url.Values{"sim_pin": {bad}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-sim_pin"`) {
			t.Errorf("%q: %d", bad, p.Status)
		}
	}
	p := c.Post("/console/installation/sim-pin", url.Values{"sim_pin": {"4821"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	set, _ := e.DB.Settings(context.Background())
	if set.SIMPIN != "4821" {
		t.Fatalf("stored %q", set.SIMPIN)
	}
	if p = c.Get("/console/installation"); strings.Contains(p.Body, "4821") {
		t.Fatal("PIN shown")
	}
	if p = c.Post("/console/installation/sim-pin", url.Values{"clear": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("clear: %d", p.Status)
	}
	if set, _ = e.DB.Settings(context.Background()); set.SIMPIN != "" {
		t.Fatal("not cleared")
	}
	a := e.Audit(aw.AuditSIMPIN)
	if len(a) != 2 || strings.Contains(a[0].New+a[1].New, "4821") {
		t.Fatalf("audit %+v", a)
	}
}
