package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
)

// Six alarms at once through the app API with the simultaneous-call setting
// at 4: never more than 4 calls at a time, and every alarm is called.
func TestEndToEndSixAlarmsAtOnce(t *testing.T) {
	testbed.Need(t)
	e := openE2E(t, "settings.simultaneous_calls = 4", "settings.ladder_loops = 1", "settings.fallback_number =")
	// Channels an earlier test left (its own adapter's) are not this test's.
	before := map[string]bool{}
	for _, id := range testbed.Channels(t) {
		before[id] = true
	}
	if len(before) > 0 {
		t.Logf("channels left by earlier tests, not counted: %q", testbed.Channels(t))
	}
	tokens := map[string]string{} // session id -> its device's token
	var ids []string
	for i := 0; i < 6; i++ {
		e.token = e.newDevice(fmt.Sprintf("telefoon %d", i))
		id := e.pressAlarm([]string{"0612345107", "0612345105"})
		ids, tokens[id] = append(ids, id), e.token
	}
	var mu sync.Mutex
	maxActive, maxChannels := 0, 0
	stop := make(chan struct{})
	done := make(chan struct{})
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-done
	}()
	tel := e.adapter()
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			n := tel.ActiveCalls()
			c, err := e.liveChannels(func(id string) bool { return strings.HasPrefix(id, "aw-") && !before[id] })
			if err != nil {
				c = -1
			}
			mu.Lock()
			maxActive, maxChannels = max(maxActive, n), max(maxChannels, c)
			mu.Unlock()
		}
	}()
	for _, id := range ids {
		e.token = tokens[id]
		a := e.waitAlarm(id, "unanswered")
		checkLadder(t, a, [][2]string{{"+31612345107", "no_answer"}, {"+31612345105", "busy"}})
	}
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	t.Logf("at most %d calls active, %d of our channels in Asterisk", maxActive, maxChannels)
	if maxActive != 4 || maxChannels > 4 {
		t.Fatalf("max active %d, channels %d; want 4 and at most 4", maxActive, maxChannels)
	}
}

// One full ladder in English: busy, then an acceptor who declines the SMS
// hears the report number and access code twice.
func TestEndToEndEnglish(t *testing.T) {
	testbed.Need(t)
	e := openE2E(t, "settings.language = en", "settings.fallback_number =")
	a := e.alarmRaised([]string{"0612345105", "0612345102"}, "accepted")
	a = e.waitCallEnded(a.ID, 1)
	checkLadder(t, a, [][2]string{{"+31612345105", "busy"}, {"+31612345102", "accepted"}})
	at := a.Attempts[1]
	played := strings.Join(at.Played, " ")
	t.Logf("played: %s", played)
	if at.SMSChoice != "no" || strings.Count(played, fmt.Sprintf("digits:%d", a.Number)) != 2 ||
		strings.Count(played, "digits:"+a.AccessCode) != 2 {
		t.Fatalf("choice %q, played %s; want the report number %d and code %s twice", at.SMSChoice, played, a.Number, a.AccessCode)
	}
}

// The same ladder through ari-proxy over an embedded NATS server: busy, then
// an acceptor who wants the SMS; the responder SMS is queued.
func TestEndToEndThroughProxy(t *testing.T) {
	testbed.Need(t)
	app := testbed.App("e2e")
	e := openE2EApp(t, app, "settings.fallback_number =", "nats.url = "+testbed.StartProxy(t, app))
	a := e.alarmRaised([]string{"0612345105", "0612345101"}, "accepted")
	checkLadder(t, a, [][2]string{{"+31612345105", "busy"}, {"+31612345101", "accepted"}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, _ := e.DB.ListSMS(context.Background(), 0)
		if len(all) == 1 && all[0].Kind == aw.SMSResponder && all[0].To == "+31612345101" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("responder SMS: %+v", all)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Asterisk restarts in the middle of a ladder: the daemon survives, the
// attempt in progress is failed, and the next numbers are called.
func TestEndToEndAsteriskRestart(t *testing.T) {
	testbed.Need(t)
	testbed.RestartAsteriskAtEnd(t)
	e := openE2E(t, "settings.fallback_number = 0612345105", "settings.prompt_repeats = 3", "settings.ladder_loops = 1")
	id := e.pressAlarm([]string{"0612345108", "0612345106"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if a := e.storedAlarm(id); a != nil && len(a.Attempts) > 0 && a.Attempts[0].AnsweredAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first call not answered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	testbed.Run(t, "asterisk-stop")
	time.Sleep(time.Second)
	testbed.Run(t, "asterisk-start")
	a := e.waitAlarm(id, "unanswered")
	t.Logf("alarm #%d %s\n%s", a.Number, a.State, testkit.FormatAttempts(a))
	first := a.Attempts[0]
	if first.Number != "+31612345108" || first.Outcome != aw.OutcomeFailed {
		t.Fatalf("first attempt %s %s, want +31612345108 failed", first.Number, first.Outcome)
	}
	// Calls not placed while Asterisk was away are failed attempts of the
	// same number; then the decline and the busy fallback follow.
	var placed []string
	for _, at := range a.Attempts[1:] {
		if !strings.HasPrefix(at.Reason, "call not placed") {
			placed = append(placed, at.Number+" "+string(at.Outcome))
		}
	}
	if got, want := strings.Join(placed, ", "), "+31612345106 declined, +31612345105 busy"; got != want {
		t.Fatalf("after the restart: %s, want %s", got, want)
	}
}

// A test alarm raised through the service (as the console's test alarm
// button does) calls through Asterisk and every call starts with "this is a
// test" (sound:aw-test) in the stored attempts.
func TestPBXTestAlarmMarkedInPrompts(t *testing.T) {
	testbed.Need(t)
	e := openE2E(t, "settings.fallback_number =")
	a, err := e.Service.RaiseTestAlarm(context.Background(), aw.CLIActor("test"), []string{"0612345105", "0612345102"})
	if err != nil {
		t.Fatal(err)
	}
	a = e.waitCallEnded(a.ID, 1)
	t.Logf("TEST alarm #%d:\n%s", a.Number, testkit.FormatAttempts(a))
	if checkTestPrompts(t, a) == 0 {
		t.Fatal("no answered attempt played anything")
	}
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
