package ari_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/httpapi/browsertest"
)

func TestPBXRenderAndReload(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, pw, _ := r.BasicAuth()
		got = append(got, r.Method+" "+r.URL.Path+" "+u+":"+pw)
		w.WriteHeader(204)
	}))
	defer srv.Close()
	dir := t.TempDir()
	p := &ari.PBX{ConfigDir: dir, ARI: ari.Config{URL: srv.URL + "/ari", Username: "u", Password: "p"}}
	ctx := context.Background()
	ext201 := []aw.ExtensionSecret{{Extension: aw.Extension{Number: "201", Name: "Portiersloge"}, Password: "pw2"}}
	if err := p.Apply(ctx, &aw.Trunk{Endpoint: "trunk2", Host: "sip.example.nl:5060", User: "0301234567", Password: "pw1"}, ext201); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "PUT /ari/asterisk/modules/res_pjsip.so u:p" {
		t.Fatalf("reloads: %q", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, ari.PBXFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"[trunk2-auth]", "password = pw1", "server_uri = sip:sip.example.nl:5060", "client_uri = sip:0301234567@sip.example.nl:5060", "[201]\ntype = endpoint", "password = pw2", "context = internal"} {
		if !strings.Contains(s, want) {
			t.Errorf("generated file lacks %q:\n%s", want, s)
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, ari.PBXFile))
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Invalid input is refused with a field error and nothing is written.
	for _, tr := range []aw.Trunk{
		{Endpoint: "bad name", Host: "h", User: "u", Password: "p"},
		{Endpoint: "t", Host: "h;x", User: "u", Password: "p"},
		{Endpoint: "t", Host: "h", User: "u", Password: "a\nb"},
		{Endpoint: "201", Host: "h", User: "u", Password: "p"},
	} {
		if err := p.Apply(ctx, &tr, ext201); aw.ErrorCode(err) != aw.EINVALID {
			t.Errorf("trunk %+v: %v", tr, err)
		}
	}
	bad := []aw.ExtensionSecret{{Extension: aw.Extension{Number: "305"}, Password: ""}}
	if err := p.Apply(ctx, nil, bad); aw.ErrorField(err) != "password_305" {
		t.Errorf("empty extension password: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("reloaded after refused input: %q", got)
	}
	if strings.Contains(s, "type = identify") {
		t.Errorf("an identify section claims the provider's address:\n%s", s)
	}
	after, _ := os.ReadFile(filepath.Join(dir, ari.PBXFile))
	if string(after) != s {
		t.Fatal("refused input changed the generated file")
	}
}

// Names written by hand in pjsip.conf or pjsip_local.conf are refused with
// a field error naming the file: the console never defines a section twice.
func TestPBXRefusesHandWrittenNames(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pjsip.conf"), []byte("[global]\ntype = global\n;[old]\n[trunk]\ntype = endpoint\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "pjsip_local.conf"), []byte("[202]\ntype = endpoint\n"), 0o644)
	p := &ari.PBX{ConfigDir: dir, ARI: ari.Config{URL: srv.URL}}
	ctx := context.Background()
	err := p.Apply(ctx, &aw.Trunk{Endpoint: "trunk", Host: "h", User: "u", Password: "p"}, nil)
	if aw.ErrorField(err) != "trunk_endpoint" || !strings.Contains(err.Error(), "pjsip.conf") {
		t.Errorf("trunk: %v", err)
	}
	err = p.Apply(ctx, nil, []aw.ExtensionSecret{{Extension: aw.Extension{Number: "202"}, Password: "pw"}})
	if aw.ErrorField(err) != "password_202" || !strings.Contains(err.Error(), "pjsip_local.conf") {
		t.Errorf("extension: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ari.PBXFile)); err == nil {
		t.Error("written despite the clash")
	}
	if err := p.Apply(ctx, &aw.Trunk{Endpoint: "provider", Host: "h", User: "u", Password: "p"}, []aw.ExtensionSecret{{Extension: aw.Extension{Number: "201"}, Password: "pw"}}); err != nil {
		t.Fatal(err)
	}
}

func TestPBXReloadError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"Module could not be reloaded"}`, 409)
	}))
	defer srv.Close()
	p := &ari.PBX{ConfigDir: t.TempDir(), ARI: ari.Config{URL: srv.URL}}
	err := p.Apply(context.Background(), nil, nil)
	if !errors.Is(err, aw.ErrNotReloaded) || !strings.Contains(err.Error(), "409") {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(filepath.Join(p.ConfigDir, ari.PBXFile)); err != nil {
		t.Fatalf("not written when only the reload failed: %v", err)
	}
}

func TestPBXInstallPrompt(t *testing.T) {
	dir := t.TempDir()
	p := &ari.PBX{SoundsDir: dir}
	ctx := context.Background()
	for _, c := range [][2]string{{"nl", "../x"}, {"de", "intro"}, {"nl", "beep"}, {"../nl", "intro"}} {
		if err := p.InstallPrompt(ctx, c[0], c[1], strings.NewReader("x")); !errors.Is(err, ari.ErrUnknownPrompt) {
			t.Errorf("%q: %v", c, err)
		}
	}
	if err := p.InstallPrompt(ctx, "nl", "intro", strings.NewReader("not a wav")); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "nl", "aw-intro.wav")); err == nil {
		t.Error("garbage installed")
	}
	if _, err := exec.LookPath("sox"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sox is missing. %s", browsertest.InstallStep)
		}
		t.Skipf("SKIPPED: sox is missing, so this test did not run. %s", browsertest.InstallStep)
	}
	in := filepath.Join(t.TempDir(), "in.wav")
	if out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "2", in, "synth", "1.5", "sine", "440").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	f, _ := os.Open(in)
	defer f.Close()
	if err := p.InstallPrompt(ctx, "en", "sms-offer", f); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("soxi", filepath.Join(dir, "en", "aw-sms-offer.wav")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": 8000") || !strings.Contains(string(out), ": 1\n") || !strings.Contains(string(out), "16-bit") {
		t.Fatalf("%v\n%s", err, out)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "en", ".*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %q", left)
	}
}
