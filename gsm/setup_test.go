package gsm_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/gsm"
	"alleenwerken/gsm/modemsim"
)

// Real firmware refuses parts of the standard set-up; each such modem still
// sends, and the health reason says what it refused.
func TestQuirkyModems(t *testing.T) {
	tests := []struct {
		name   string
		opts   modemsim.Options
		state  aw.HealthState
		reason []string
	}{
		{"NoCGSM", modemsim.Options{NoCGSM: true}, aw.HealthOK, []string{"De modem weigerde: AT+GCAP noemt geen +CGSM."}},
		{"RejectCMEE2", modemsim.Options{RejectCMEE2: true}, aw.HealthOK, []string{"De modem weigerde: AT+CMEE=2."}},
		{"RejectCMEE", modemsim.Options{RejectCMEE: true}, aw.HealthOK, []string{"AT+CMEE=2; AT+CMEE=1 (geen foutcodes)"}},
		{"RejectCSMS", modemsim.Options{RejectCSMS: true}, aw.HealthOK, []string{"De modem weigerde: AT+CSMS=1."}},
		{"RejectCNMI", modemsim.Options{RejectCNMI: true}, aw.HealthDegraded, []string{"AT+CNMI=1,2,0,1,0; AT+CNMI=2,1,0,1,0", "Geen ontvangstbevestigingen."}},
		{"HuaweiRSSIFlood", modemsim.Options{RSSIFlood: time.Millisecond, RSSI: 25}, aw.HealthOK, []string{"Verbonden met KPN NL (thuisnetwerk)"}},
		{"EchoStaysOn", modemsim.Options{Echo: true}, aw.HealthOK, []string{"Verbonden met KPN NL"}},
		{"AllAtOnce", modemsim.Options{NoCGSM: true, RejectCMEE2: true, RejectCSMS: true, RejectCNMI: true, RSSIFlood: 2 * time.Millisecond},
			aw.HealthDegraded, []string{"AT+GCAP noemt geen +CGSM; AT+CMEE=2; AT+CSMS=1; AT+CNMI=1,2,0,1,0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, tt.opts)
			m := startModem(t, fastConfig(sim.Path()))
			h := waitHealth(t, m, tt.state, tt.reason...)
			t.Logf("health: %s %q", h.State, h.Reason)
			for i := 0; i < 3; i++ {
				if _, err := send(t, m, "s", "+31617782201", reminderNL); err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
			}
			msgs := decodeAll(t, sim.Sent())
			if len(msgs) != 3 || msgs[2].Text != reminderNL {
				t.Fatalf("sent %+v", msgs)
			}
			if st := m.Status(); !st.Connected || st.SIM != gsm.SIMReady || st.Registration != gsm.RegHome || st.SignalDBm == 0 {
				t.Fatalf("status = %+v", st)
			}
		})
	}
}

func TestSIM(t *testing.T) {
	t.Run("PIN", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{SIM: "SIM PIN", PIN: "1234"})
		cfg := fastConfig(sim.Path())
		cfg.PIN = func() string { return "1234" }
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthOK)
		time.Sleep(100 * time.Millisecond) // several polls
		if got := sim.PINAttempts(); !slices.Equal(got, []string{"1234"}) {
			t.Fatalf("PIN attempts = %q, want one", got)
		}
		if _, err := send(t, m, "s", "+31617782201", "x"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrWrongPIN", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{SIM: "SIM PIN", PIN: "1234"})
		var pin atomic.Value
		pin.Store("0000")
		cfg := fastConfig(sim.Path())
		cfg.PIN = func() string { return pin.Load().(string) }
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthDown, "Pincode geweigerd", "niet opnieuw geprobeerd")
		time.Sleep(150 * time.Millisecond) // several polls, and a reconnect must not retry either
		if got := sim.PINAttempts(); !slices.Equal(got, []string{"0000"}) {
			t.Fatalf("PIN attempts = %q, want exactly one", got)
		}
		if st := m.Status(); !st.PINRejected || st.SIM != gsm.SIMPIN {
			t.Fatalf("status = %+v", st)
		}
		_, err := send(t, m, "s", "+31617782201", "x")
		if !isRetry(err) {
			t.Fatalf("send with a locked SIM: %v, want retry", err)
		}
		// The admin sets the right PIN: that one is entered, once.
		pin.Store("1234")
		m.PollNow()
		waitHealth(t, m, aw.HealthOK)
		if got := sim.PINAttempts(); !slices.Equal(got, []string{"0000", "1234"}) {
			t.Fatalf("PIN attempts = %q", got)
		}
	})
	t.Run("ErrNoPINConfigured", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{SIM: "SIM PIN", PIN: "1234"})
		m := startModem(t, fastConfig(sim.Path()))
		waitHealth(t, m, aw.HealthDown, "geen pincode ingesteld")
		if len(sim.PINAttempts()) != 0 {
			t.Fatal("a PIN was entered")
		}
	})
	t.Run("ErrPUK", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{SIM: "SIM PUK", PIN: "1234"})
		cfg := fastConfig(sim.Path())
		cfg.PIN = func() string { return "1234" }
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthDown, "PUK")
		if len(sim.PINAttempts()) != 0 {
			t.Fatal("a PIN was entered at a PUK lock")
		}
	})
	t.Run("ErrNoSIM", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{SIM: "NOSIM"})
		m := startModem(t, fastConfig(sim.Path()))
		waitHealth(t, m, aw.HealthDown, "Geen simkaart")
	})
}

func TestRegistration(t *testing.T) {
	sim := newSim(t, modemsim.Options{Reg: 2})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthDown, "Zoekt een netwerk")
	sim.Configure(func(o *modemsim.Options) { o.Reg = 3 })
	waitHealth(t, m, aw.HealthDown, "registratie geweigerd")
	sim.Configure(func(o *modemsim.Options) { o.Reg, o.RSSI = 5, 2 })
	waitHealth(t, m, aw.HealthDegraded, "(roaming)", "-109 dBm (zwak)")
	if st := m.Status(); st.Registration != gsm.RegRoaming || st.SignalDBm != -109 {
		t.Fatalf("status = %+v", st)
	}
}
