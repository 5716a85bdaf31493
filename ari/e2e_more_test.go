package ari_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/ari"
)

// Six alarms at once through the app API with the simultaneous-call setting
// at 4: never more than 4 calls at a time, and every alarm is called.
func TestEndToEndSixAlarmsAtOnce(t *testing.T) {
	needBed(t)
	e := openE2E(t, func(s *aw.Settings) { s.SimultaneousCall = 4; s.LadderLoops = 1; s.FallbackNumber = "" })
	// Channels an earlier test left (its own adapter's) are not this test's.
	before := map[string]bool{}
	for _, id := range channels(t) {
		before[id] = true
	}
	if len(before) > 0 {
		t.Logf("channels left by earlier tests, not counted: %q", channels(t))
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
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			n := e.tel.ActiveCalls()
			c, err := e.calls.liveChannels(func(id string) bool { return strings.HasPrefix(id, "aw-") && !before[id] })
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
	needBed(t)
	e := openE2E(t, func(s *aw.Settings) { s.Language = "en"; s.FallbackNumber = "" })
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
	needBed(t)
	e := openE2E(t, func(s *aw.Settings) { s.FallbackNumber = "" }, func(c *ari.Config) {
		c.NATSURL = startProxy(t, c.App)
	})
	a := e.alarmRaised([]string{"0612345105", "0612345101"}, "accepted")
	checkLadder(t, a, [][2]string{{"+31612345105", "busy"}, {"+31612345101", "accepted"}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, _ := e.db.ListSMS(context.Background(), 0)
		if len(all) == 1 && all[0].Kind == aw.SMSResponder && all[0].To == "+31612345101" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("responder SMS: %+v", all)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newDevice creates another app device and returns its token.
func (e *e2e) newDevice(name string) string {
	e.t.Helper()
	token, hash := aw.NewToken("aw_")
	if err := e.db.CreateDevice(context.Background(), &aw.Device{Name: name, TokenHash: hash, CreatedAt: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	return token
}

// waitCallEnded waits until attempt i of an alarm has ended.
func (e *e2e) waitCallEnded(alarmID string, i int) *aw.Alarm {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		a, err := e.db.Alarm(context.Background(), alarmID)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(a.Attempts) > i && a.Attempts[i].EndedAt != nil {
			return a
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("attempt %d of alarm #%d did not end", i+1, a.Number)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
