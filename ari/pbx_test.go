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

	"alleenwerken"
	"alleenwerken/ari"
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
	if err := p.ApplyTrunk(ctx, alleenwerken.Trunk{Endpoint: "trunk2", Host: "sip.example.nl:5060", User: "0301234567", Password: "pw1"}); err != nil {
		t.Fatal(err)
	}
	if err := p.ApplyExtensions(ctx, []alleenwerken.ExtensionSecret{{Extension: alleenwerken.Extension{Number: "201", Name: "Portiersloge"}, Password: "pw2"}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "PUT /ari/asterisk/modules/res_pjsip.so u:p" {
		t.Fatalf("reloads: %q", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, ari.PBXFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"[trunk2-auth]", "password = pw1", "server_uri = sip:sip.example.nl:5060", "client_uri = sip:0301234567@sip.example.nl:5060", "match = sip.example.nl", "[201]\ntype = endpoint", "password = pw2", "context = internal"} {
		if !strings.Contains(s, want) {
			t.Errorf("generated file lacks %q:\n%s", want, s)
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, ari.PBXFile))
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Invalid input is refused with a field error and nothing is written.
	for _, tr := range []alleenwerken.Trunk{
		{Endpoint: "bad name", Host: "h", User: "u", Password: "p"},
		{Endpoint: "t", Host: "h;x", User: "u", Password: "p"},
		{Endpoint: "t", Host: "h", User: "u", Password: "a\nb"},
		{Endpoint: "201", Host: "h", User: "u", Password: "p"},
	} {
		if err := p.ApplyTrunk(ctx, tr); err == nil {
			t.Errorf("trunk %+v accepted", tr)
		}
	}
	if len(got) != 2 {
		t.Fatalf("reloaded after refused input: %q", got)
	}
}

func TestPBXReloadError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"Module could not be reloaded"}`, 409)
	}))
	defer srv.Close()
	p := &ari.PBX{ConfigDir: t.TempDir(), ARI: ari.Config{URL: srv.URL}}
	err := p.ApplyExtensions(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("err %v", err)
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
		t.Skip("no sox")
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
