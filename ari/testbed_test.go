package ari_test

import (
	"os"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit/testbed"
)

// The test bed (asterisk-conf/testbed.sh) is started by the first test that
// needs it and stopped after the tests if this run started it.
func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

// recorder is a CallProgress that records what happened.
type recorder struct {
	mu       sync.Mutex
	plan     aw.AcceptPlan
	log      []string
	digits   string
	played   []string
	choice   string
	accepted bool
	start    time.Time
	acceptAt time.Duration
}

func newRecorder(plan aw.AcceptPlan) *recorder {
	return &recorder{plan: plan, start: time.Now()}
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *recorder) Answered() { r.add("answered") }
func (r *recorder) Digit(d string) {
	r.add("digit " + d)
	r.mu.Lock()
	r.digits += d
	r.mu.Unlock()
}
func (r *recorder) Accepted() aw.AcceptPlan {
	r.add("accepted")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted = true
	r.acceptAt = time.Since(r.start)
	return r.plan
}
func (r *recorder) SMSChoice(c string) {
	r.add("sms " + c)
	r.mu.Lock()
	r.choice = c
	r.mu.Unlock()
}
func (r *recorder) Played(m string) {
	r.add("played " + m)
	r.mu.Lock()
	r.played = append(r.played, m)
	r.mu.Unlock()
}

func (r *recorder) snapshot() (log []string, played []string, digits, choice string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{}, r.log...), append([]string{}, r.played...), r.digits, r.choice
}

// count returns how often media was played.
func count(played []string, media string) int {
	n := 0
	for _, p := range played {
		if p == media {
			n++
		}
	}
	return n
}
