package gsm_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/gsm"
	"alleenwerken/gsm/modemsim"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"
)

// newSim starts a simulated modem on a pseudo-terminal.
func newSim(tb testing.TB, opts modemsim.Options) *modemsim.Sim {
	tb.Helper()
	s, err := modemsim.New(opts)
	if err != nil {
		tb.Fatalf("modem simulator: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func testLogger() *slog.Logger {
	if os.Getenv("GSM_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// fastConfig is a configuration with test-sized intervals.
func fastConfig(port string) gsm.Config {
	return gsm.Config{
		Name:           "test",
		Port:           port,
		SendTimeout:    2 * time.Second,
		LateAnswerWait: 300 * time.Millisecond,
		CommandTimeout: time.Second,
		PollInterval:   30 * time.Millisecond,
		ReconnectMin:   20 * time.Millisecond,
		ReconnectMax:   100 * time.Millisecond,
	}
}

// startModem runs a Modem on the simulator's port until the test ends.
func startModem(tb testing.TB, cfg gsm.Config) *gsm.Modem {
	tb.Helper()
	m, err := gsm.New(cfg, testLogger(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			tb.Error("modem Run did not stop")
		}
	})
	return m
}

// waitHealth waits until the modem's health has state and its reason
// contains every one of parts.
func waitHealth(tb testing.TB, m *gsm.Modem, state aw.HealthState, parts ...string) aw.Health {
	tb.Helper()
	var h aw.Health
	deadline := time.Now().Add(3 * time.Second)
	for {
		h = m.Health()
		ok := h.State == state
		for _, p := range parts {
			ok = ok && strings.Contains(h.Reason, p)
		}
		if ok {
			return h
		}
		if time.Now().After(deadline) {
			tb.Fatalf("health = %s %q, want %s containing %q", h.State, h.Reason, state, parts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// decoded is one message as the recipient's phone would assemble it.
type decoded struct {
	To    string
	Text  string
	Alpha tpdu.Alphabet
	Parts int
	Ref   int // concatenation reference; -1 for a single part
	SRR   bool
}

// decodeAll groups the submitted PDUs into messages, in order.
func decodeAll(tb testing.TB, subs []modemsim.Submit) []decoded {
	tb.Helper()
	var out []decoded
	for i := 0; i < len(subs); {
		t := subs[i].TPDU
		alpha, _ := t.Alphabet()
		d := decoded{To: t.DA.Number(), Alpha: alpha, Parts: 1, Ref: -1, SRR: t.FirstOctet.SRR()}
		segs := []*tpdu.TPDU{t}
		if n, seq, ref, ok := t.ConcatInfo(); ok {
			if seq != 1 {
				tb.Fatalf("PDU %d: part %d of %d first", i, seq, n)
			}
			d.Parts, d.Ref = n, ref
			for j := 1; j < n; j++ {
				if i+j >= len(subs) {
					tb.Fatalf("message ref %d: only %d of %d parts", ref, j, n)
				}
				u := subs[i+j].TPDU
				m, s, r, ok := u.ConcatInfo()
				if !ok || m != n || s != j+1 || r != ref {
					tb.Fatalf("PDU %d: concat (%d,%d,%d,%v), want (%d,%d,%d)", i+j, m, s, r, ok, n, j+1, ref)
				}
				d.SRR = d.SRR && u.FirstOctet.SRR()
				segs = append(segs, u)
			}
		}
		b, err := sms.Decode(segs)
		if err != nil {
			tb.Fatalf("decode: %v", err)
		}
		d.Text = string(b)
		out = append(out, d)
		i += d.Parts
	}
	return out
}

// outboxModem starts a modem on sim that records on db's outbox and waits
// until it is healthy.
func outboxModem(t *testing.T, sim *modemsim.Sim, db aw.Outbox) *gsm.Modem {
	t.Helper()
	cfg := fastConfig(sim.Path())
	cfg.Outbox = db
	m := startModem(t, cfg)
	waitHealth(t, m, aw.HealthOK)
	return m
}

// reportingModem starts a modem on a new simulator with opts that collects
// the delivery reports it matches.
func reportingModem(t *testing.T, opts modemsim.Options) (*modemsim.Sim, *gsm.Modem, *reports) {
	t.Helper()
	sim := newSim(t, opts)
	got := &reports{}
	cfg := fastConfig(sim.Path())
	cfg.OnReport = got.add
	return sim, startModem(t, cfg), got
}

// reports collects delivery reports.
type reports struct {
	mu  sync.Mutex
	got []gsm.DeliveryReport
}

func (r *reports) add(d gsm.DeliveryReport) { r.mu.Lock(); r.got = append(r.got, d); r.mu.Unlock() }
func (r *reports) all() []gsm.DeliveryReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]gsm.DeliveryReport(nil), r.got...)
}

func send(tb testing.TB, m *gsm.Modem, id, to, text string) (aw.SMSReceipt, error) {
	tb.Helper()
	return m.SendSMS(context.Background(), &aw.SMS{ID: id, Kind: aw.SMSReminder, To: to, Text: text})
}
