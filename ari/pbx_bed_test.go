package ari_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit/testbed"
)

// bedPBX returns a PBX writer for the test bed's Asterisk, whose pjsip.conf
// must include the generated file.
func bedPBX(t *testing.T) *ari.PBX {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testbed.ConfigDir, "pjsip.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("#tryinclude "+ari.PBXFile)) {
		t.Fatalf("the test bed's pjsip.conf does not include %s (restart the test bed)", ari.PBXFile)
	}
	cfg := testbed.Config("pbx")
	return &ari.PBX{ConfigDir: testbed.ConfigDir, SoundsDir: testbed.SoundsDir, ARI: cfg}
}

// A trunk and extensions set through the PBX appear in Asterisk over ARI at
// once (res_pjsip reloaded over ARI, no shell), also after a rename.
func TestPBXTrunkChangeVisibleOverARI(t *testing.T) {
	testbed.Need(t)
	p := bedPBX(t)
	gen := filepath.Join(testbed.ConfigDir, ari.PBXFile)
	t.Cleanup(func() {
		os.Remove(gen)
		if err := p.Reload(context.Background()); err != nil {
			t.Errorf("reload after cleanup: %v", err)
		}
	})
	ctx := context.Background()
	// Names new to this Asterisk: it keeps a removed endpoint's snapshot.
	sfx := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	tr2, tr3 := "aw-trunk-"+sfx, "aw-trunk3-"+sfx
	if code, _ := testbed.Endpoint(t, tr2); code != 404 {
		t.Fatalf("%s exists before the change: %d", tr2, code)
	}
	start := time.Now()
	ext305 := []aw.ExtensionSecret{{Extension: aw.Extension{Number: "305", Name: "Werkplaats"}, Password: "desk-305-pw"}}
	if err := p.Apply(ctx, &aw.Trunk{Endpoint: tr2, Host: "127.0.0.1:5099", User: "31301234567", Password: "s3cret-trunk"}, ext305); err != nil {
		t.Fatal(err)
	}
	code, state := testbed.Endpoint(t, tr2)
	code2, state2 := testbed.Endpoint(t, "305")
	t.Logf("after %v: PJSIP/%s %d %s, PJSIP/305 %d %s", time.Since(start).Round(time.Millisecond), tr2, code, state, code2, state2)
	if code != 200 || code2 != 200 {
		t.Fatalf("new endpoints not visible over ARI: trunk %d, extension %d", code, code2)
	}
	fi, err := os.Stat(gen)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o007 != 0 {
		t.Fatalf("generated file is world-readable: %v", fi.Mode())
	}
	// The trunk renamed: the old endpoint goes, the new one comes.
	if err := p.Apply(ctx, &aw.Trunk{Endpoint: tr3, Host: "127.0.0.1:5099", User: "31301234567", Password: "s3cret-trunk"}, ext305); err != nil {
		t.Fatal(err)
	}
	if code, _ := testbed.Endpoint(t, tr3); code != 200 {
		t.Fatalf("renamed trunk not visible: %d", code)
	}
	// Asterisk keeps a removed endpoint's ARI snapshot after the reload; it
	// is only logged here.
	code, state = testbed.Endpoint(t, tr2)
	t.Logf("after the rename: PJSIP/%s %d %s (PJSIP/%s added)", tr2, code, state, tr3)
}

// An uploaded WAV (12 s of speech-band tone, 44.1 kHz stereo, converted by
// InstallPrompt) is what Asterisk plays as aw-intro in the next call: the
// intro's playback finishes done about 12 s after the answer (the generated
// intro is about 6 s).
func TestPBXUploadedPromptPlayed(t *testing.T) {
	testbed.Need(t)
	p := bedPBX(t)
	testbed.KeepPrompt(t, "nl", "intro")
	f, err := os.Open(testbed.ToneWAV(t, 12))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.InstallPrompt(context.Background(), "nl", "intro", f); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(testbed.SoundsDir, "nl", "aw-intro.wav")
	if out, err := exec.Command("soxi", target).CombinedOutput(); err != nil || !strings.Contains(string(out), "8000") || !strings.Contains(string(out), "00:00:12.00") {
		t.Fatalf("installed prompt not 8 kHz, 12 s: %v\n%s", err, out)
	}
	d := testbed.IntroPlayed(t, "pbxprompt")
	t.Logf("aw-intro finished %v after the answer", d.Round(10*time.Millisecond))
	if d < 11500*time.Millisecond || d > 14*time.Second {
		t.Fatalf("aw-intro took %v; the uploaded file is 12 s (the generated one about 6 s)", d)
	}
}
