package ari_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
)

// The test bed's chroot: Asterisk's config and sounds dirs as the daemon sees
// them from outside.
const (
	bedRoot      = "/var/cache/alleen-werken/sid"
	bedConfigDir = bedRoot + "/etc/asterisk"
	bedSoundsDir = bedRoot + "/usr/share/asterisk/sounds"
)

func bedPBX(t *testing.T) *ari.PBX {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(bedConfigDir, "pjsip.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("#tryinclude "+ari.PBXFile)) {
		t.Fatalf("the test bed's pjsip.conf does not include %s (restart the test bed)", ari.PBXFile)
	}
	cfg := testConfig("pbx")
	return &ari.PBX{ConfigDir: bedConfigDir, SoundsDir: bedSoundsDir, ARI: cfg}
}

// ariEndpoint returns GET /endpoints/PJSIP/<name>: the status code and the
// endpoint's state.
func ariEndpoint(t *testing.T, name string) (int, string) {
	t.Helper()
	resp, err := ariGet("/endpoints/PJSIP/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ep struct {
		Resource string `json:"resource"`
		State    string `json:"state"`
	}
	json.NewDecoder(resp.Body).Decode(&ep)
	return resp.StatusCode, ep.State
}

// A trunk and extensions set through the PBX appear in Asterisk over ARI at
// once (res_pjsip reloaded over ARI, no shell), also after a rename.
func TestPBXTrunkChangeVisibleOverARI(t *testing.T) {
	needBed(t)
	p := bedPBX(t)
	gen := filepath.Join(bedConfigDir, ari.PBXFile)
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
	if code, _ := ariEndpoint(t, tr2); code != 404 {
		t.Fatalf("%s exists before the change: %d", tr2, code)
	}
	start := time.Now()
	ext305 := []aw.ExtensionSecret{{Extension: aw.Extension{Number: "305", Name: "Werkplaats"}, Password: "desk-305-pw"}}
	if err := p.Apply(ctx, &aw.Trunk{Endpoint: tr2, Host: "127.0.0.1:5099", User: "31301234567", Password: "s3cret-trunk"}, ext305); err != nil {
		t.Fatal(err)
	}
	code, state := ariEndpoint(t, tr2)
	code2, state2 := ariEndpoint(t, "305")
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
	if code, _ := ariEndpoint(t, tr3); code != 200 {
		t.Fatalf("renamed trunk not visible: %d", code)
	}
	// Asterisk keeps a removed endpoint's ARI snapshot after the reload; it
	// is only logged here.
	code, state = ariEndpoint(t, tr2)
	t.Logf("after the rename: PJSIP/%s %d %s (PJSIP/%s added)", tr2, code, state, tr3)
}

// timedProgress records when the call was answered and when each prompt
// finished.
type timedProgress struct {
	mu       sync.Mutex
	answered time.Time
	played   []string
	at       []time.Time
}

func (p *timedProgress) Answered() {
	p.mu.Lock()
	p.answered = time.Now()
	p.mu.Unlock()
}
func (p *timedProgress) Digit(string)            {}
func (p *timedProgress) Accepted() aw.AcceptPlan { return aw.AcceptPlan{} }
func (p *timedProgress) SMSChoice(string)        {}
func (p *timedProgress) Played(m string) {
	p.mu.Lock()
	p.played = append(p.played, m)
	p.at = append(p.at, time.Now())
	p.mu.Unlock()
}

// keepPrompt puts a prompt file of the test bed back at the end of the test.
func keepPrompt(t *testing.T, lang, name string) {
	t.Helper()
	target := filepath.Join(bedSoundsDir, lang, "aw-"+name+".wav")
	orig, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(target, orig, 0o644); err != nil {
			t.Errorf("restore aw-%s: %v", name, err)
		}
	})
}

// toneWAV writes secs seconds of tone as a 44.1 kHz stereo WAV, as a
// recording app would make it, and returns its path.
func toneWAV(t *testing.T, secs int) string {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "upload.wav")
	if out, err := exec.Command("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth", strconv.Itoa(secs), "sine", "440", "vol", "0.3").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	return wav
}

// introPlayed calls the phone that answers and stays silent and returns
// how long after the answer aw-intro finished; it fails unless aw-intro is
// played first.
func introPlayed(t *testing.T, app string) time.Duration {
	t.Helper()
	tel := MustOpen(t, testConfig(app))
	req := request(numVoicemail)
	req.PromptRepeats = 1
	pr := &timedProgress{}
	res, err := tel.Call(context.Background(), req, pr)
	if err != nil {
		t.Fatal(err)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	t.Logf("%+v played %q", res, pr.played)
	if pr.answered.IsZero() || len(pr.played) == 0 || pr.played[0] != "sound:aw-intro" {
		t.Fatalf("intro not played (done) first: answered %v, played %q", pr.answered, pr.played)
	}
	return pr.at[0].Sub(pr.answered)
}

// checkTestPrompts fails unless every answered attempt of a test alarm
// starts with "this is a test"; it returns how many were answered.
func checkTestPrompts(t *testing.T, a *aw.Alarm) int {
	t.Helper()
	if !a.Test {
		t.Fatalf("alarm #%d not marked test", a.Number)
	}
	answered := 0
	for i, at := range a.Attempts {
		t.Logf("attempt %d: %s %s played %q", i+1, at.Number, at.Outcome, at.Played)
		if len(at.Played) == 0 {
			continue // busy: nothing played
		}
		answered++
		if at.Played[0] != "sound:aw-test" {
			t.Fatalf("attempt %d starts with %q, want sound:aw-test: %q", i+1, at.Played[0], at.Played)
		}
	}
	return answered
}

// An uploaded WAV (12 s of speech-band tone, 44.1 kHz stereo, converted by
// InstallPrompt) is what Asterisk plays as aw-intro in the next call: the
// intro's playback finishes done about 12 s after the answer (the generated
// intro is about 6 s).
func TestPBXUploadedPromptPlayed(t *testing.T) {
	needBed(t)
	p := bedPBX(t)
	keepPrompt(t, "nl", "intro")
	f, err := os.Open(toneWAV(t, 12))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.InstallPrompt(context.Background(), "nl", "intro", f); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(bedSoundsDir, "nl", "aw-intro.wav")
	if out, err := exec.Command("soxi", target).CombinedOutput(); err != nil || !strings.Contains(string(out), "8000") || !strings.Contains(string(out), "00:00:12.00") {
		t.Fatalf("installed prompt not 8 kHz, 12 s: %v\n%s", err, out)
	}
	d := introPlayed(t, "pbxprompt")
	t.Logf("aw-intro finished %v after the answer", d.Round(10*time.Millisecond))
	if d < 11500*time.Millisecond || d > 14*time.Second {
		t.Fatalf("aw-intro took %v; the uploaded file is 12 s (the generated one about 6 s)", d)
	}
}

// A test alarm raised through the service (as the console's test alarm
// button does) calls through Asterisk and every call starts with "this is a
// test" (sound:aw-test) in the stored attempts.
func TestPBXTestAlarmMarkedInPrompts(t *testing.T) {
	needBed(t)
	e := openE2E(t, func(s *aw.Settings) { s.FallbackNumber = "" })
	a, err := e.svc.RaiseTestAlarm(context.Background(), aw.CLIActor("test"), []string{"0612345105", "0612345102"})
	if err != nil {
		t.Fatal(err)
	}
	a = e.waitCallEnded(a.ID, 1)
	t.Logf("TEST alarm #%d:\n%s", a.Number, attemptsString(a))
	if checkTestPrompts(t, a) == 0 {
		t.Fatal("no answered attempt played anything")
	}
}
