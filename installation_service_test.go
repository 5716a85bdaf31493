package alleenwerken_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

// recordingPBX records what the service writes into Asterisk.
type recordingPBX struct {
	trunk  *aw.Trunk
	err    error
	writes int
}

func (p *recordingPBX) Apply(_ context.Context, t *aw.Trunk, _ []aw.ExtensionSecret) error {
	p.writes++
	p.trunk = t
	return p.err
}
func (p *recordingPBX) InstallPrompt(context.Context, string, string, io.Reader) error { return nil }
func (p *recordingPBX) Prompts() []string                                              { return []string{"intro"} }

func newInstallation(t *testing.T) (*aw.InstallationService, *recordingPBX, func() []*aw.AuditEntry, *store.DB) {
	t.Helper()
	db := testkit.MustOpenDB(t)
	s := aw.NewInstallationService(db, aw.NewManualClock(t0), discardLog)
	pbx := &recordingPBX{}
	s.PBX = pbx
	return s, pbx, func() []*aw.AuditEntry {
		es, err := db.AuditEntries(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}, db
}

// The stored ARI password is kept for the same address and never sent to
// another; a connection Asterisk refuses is stored only when forced; the
// audit log names the changed fields but never a secret.
func TestInstallationConnection(t *testing.T) {
	ctx := context.Background()
	s, _, audit, _ := newInstallation(t)
	by := aw.CLIActor("root")
	base := aw.Connection{ARIURL: "http://127.0.0.1:8088/ari", ARIUser: "aw", ARIPassword: "geheim-1", ARIApp: "alleenwerken", ModemPorts: []string{"/dev/ttyUSB2"}}
	form := aw.ConnectionForm{ARIURL: base.ARIURL, ARIUser: "aw", ARIApp: "alleenwerken", ModemPorts: "/dev/ttyUSB2\n/dev/ttyUSB3"}
	got, err := s.ChangeConnection(ctx, by, base, form)
	if err != nil || got.ARIPassword != "geheim-1" || len(got.ModemPorts) != 2 {
		t.Fatalf("same address, empty password: %+v %v", got, err)
	}
	form.ARIURL = "http://10.0.0.9:8088/ari"
	if _, err := s.ChangeConnection(ctx, by, base, form); aw.ErrorField(err) != "ari_password" || !strings.Contains(aw.ErrorMessage(err), "veranderd") {
		t.Fatalf("other address without a password: %v", err)
	}
	form.ARIPassword = "geheim-2"
	s.Check = func(context.Context, aw.Connection) error { return errors.New("connection refused") }
	if _, err := s.ChangeConnection(ctx, by, base, form); aw.ErrorField(err) != "ari_url" {
		t.Fatalf("refused by the check: %v", err)
	}
	form.Force = true
	if got, err := s.ChangeConnection(ctx, by, base, form); err != nil || got.ARIPassword != "geheim-2" {
		t.Fatalf("forced: %+v %v", got, err)
	}
	var fields []string
	for _, e := range audit() {
		fields = append(fields, e.Field)
		if strings.Contains(fmt.Sprint(*e), "geheim") || e.Actor != "cli:root" {
			t.Fatalf("audit entry %+v", *e)
		}
	}
	if got := strings.Join(fields, " "); got != "ari_password ari_url modem_ports" {
		t.Fatalf("audited fields (newest first) = %s", got)
	}
	// The SIM PIN: checked, never audited as typed.
	if err := s.ChangeSIMPIN(ctx, by, "12", false); aw.ErrorField(err) != "sim_pin" {
		t.Fatalf("short PIN: %v", err)
	}
	if err := s.ChangeSIMPIN(ctx, by, "4321", false); err != nil {
		t.Fatal(err)
	}
	if e := audit()[0]; e.Action != aw.AuditSIMPIN || strings.Contains(fmt.Sprint(*e), "4321") {
		t.Fatalf("PIN audit %+v", *e)
	}
}

// The trunk password is kept for the same host only; a trunk written but
// not reloaded is stored (it loads when Asterisk runs).
func TestInstallationTrunk(t *testing.T) {
	ctx := context.Background()
	s, pbx, audit, _ := newInstallation(t)
	by := aw.SocketActor("root")
	if err := s.ChangeTrunk(ctx, by, "sip.example.nl", "u", "", false); aw.ErrorField(err) != "trunk_password" {
		t.Fatalf("no password: %v", err)
	}
	if err := s.ChangeTrunk(ctx, by, "sip.example.nl", "u", "trunk-geheim", false); err != nil {
		t.Fatal(err)
	}
	pbx.err = fmt.Errorf("reload: %w", aw.ErrNotReloaded)
	if err := s.ChangeTrunk(ctx, by, "sip.example.nl", "u2", "", false); !errors.Is(err, aw.ErrNotReloaded) || pbx.trunk.Password != "trunk-geheim" {
		t.Fatalf("same host: %v %+v", err, pbx.trunk)
	}
	if in, _ := s.Installation(ctx); in.Trunk == nil || in.Trunk.User != "u2" {
		t.Fatalf("not stored although written: %+v", in.Trunk)
	}
	pbx.err = nil
	if err := s.ChangeTrunk(ctx, by, "sip.other.nl", "u2", "", false); aw.ErrorField(err) != "trunk_password" || pbx.writes != 2 {
		t.Fatalf("other host: %v, writes %d", err, pbx.writes)
	}
	for _, e := range audit() {
		if strings.Contains(fmt.Sprint(*e), "geheim") || e.Actor != "socket:root" {
			t.Fatalf("audit entry %+v", *e)
		}
	}
}

// Extension passwords: a new one replaces, an empty one keeps, clear drops
// it; the audit names the extension, never the password. A prompt must be
// a known one in a known language, and a WAV.
func TestInstallationExtensionsAndPrompts(t *testing.T) {
	ctx := context.Background()
	s, pbx, audit, db := newInstallation(t)
	by := aw.CLIActor("root")
	set := aw.DefaultSettings()
	set.Extensions = []aw.Extension{{Number: "201", Name: "Portier"}, {Number: "202", Name: "Receptie"}}
	if err := db.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeExtensionPasswords(ctx, by, map[string]string{"201": "geheim-201", "202": "geheim-202"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeExtensionPasswords(ctx, by, map[string]string{"201": ""}, map[string]bool{"202": true}); err != nil {
		t.Fatal(err)
	}
	if in, _ := s.Installation(ctx); len(in.ExtensionPasswords) != 1 || in.ExtensionPasswords["201"] != "geheim-201" || pbx.writes != 2 {
		t.Fatalf("passwords %v, writes %d", in.ExtensionPasswords, pbx.writes)
	}
	// A changed extension list is written into Asterisk before it is stored.
	set.Extensions = set.Extensions[:1]
	if err := s.RewritePBX(ctx, set); err != nil || pbx.writes != 3 {
		t.Fatalf("rewrite: %v, writes %d", err, pbx.writes)
	}
	for _, e := range audit() {
		if strings.Contains(fmt.Sprint(*e), "geheim") {
			t.Fatalf("secret in the audit log: %+v", *e)
		}
	}
	wav := strings.NewReader("RIFF\x00\x00\x00\x00WAVEfmt ")
	if err := s.InstallPrompt(ctx, by, "fr", "intro", "x.wav", 20, wav); aw.ErrorField(err) != "prompt" {
		t.Fatalf("unknown language: %v", err)
	}
	if err := s.InstallPrompt(ctx, by, "nl", "intro", "x.mp3", 3, strings.NewReader("ID3")); aw.ErrorField(err) != "prompt_file" {
		t.Fatalf("not a WAV: %v", err)
	}
	if err := s.InstallPrompt(ctx, by, "nl", "intro", "x.wav", 20, wav); err != nil {
		t.Fatal(err)
	}
	if e := audit()[0]; e.Action != aw.AuditPromptUploaded || e.Target != "nl/aw-intro" || strings.Contains(e.Detail, "geheim") {
		t.Fatalf("prompt audit %+v", *e)
	}
}
