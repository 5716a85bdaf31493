package testbed

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
)

// KeepPrompt puts a prompt file of the test bed back at the end of the
// test.
func KeepPrompt(tb testing.TB, lang, name string) {
	tb.Helper()
	target := filepath.Join(SoundsDir, lang, "aw-"+name+".wav")
	orig, err := os.ReadFile(target)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := os.WriteFile(target, orig, 0o644); err != nil {
			tb.Errorf("restore aw-%s: %v", name, err)
		}
	})
}

// ToneWAV writes secs seconds of tone as a 44.1 kHz stereo WAV, as a
// recording app would make it, and returns its path.
func ToneWAV(tb testing.TB, secs int) string {
	tb.Helper()
	wav := filepath.Join(tb.TempDir(), "upload.wav")
	if out, err := exec.Command("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth", strconv.Itoa(secs), "sine", "440", "vol", "0.3").CombinedOutput(); err != nil {
		tb.Fatalf("sox: %v %s", err, out)
	}
	return wav
}

// IntroPlayed calls the phone that answers and stays silent and returns
// how long after the answer aw-intro finished; it fails unless aw-intro is
// played first. app names the call's Stasis application.
func IntroPlayed(tb testing.TB, app string) time.Duration {
	tb.Helper()
	tel := MustOpen(tb, Config(app))
	req := Request(NumVoicemail)
	req.PromptRepeats = 1
	pr := &timedProgress{}
	res, err := tel.Call(context.Background(), req, pr)
	if err != nil {
		tb.Fatal(err)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	tb.Logf("%+v played %q", res, pr.played)
	if pr.answered.IsZero() || len(pr.played) == 0 || pr.played[0] != "sound:aw-intro" {
		tb.Fatalf("intro not played (done) first: answered %v, played %q", pr.answered, pr.played)
	}
	return pr.at[0].Sub(pr.answered)
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
