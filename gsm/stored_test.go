package gsm_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/gsm"
	"alleenwerken/gsm/modemsim"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"
)

// Modems that refuse status reports on the port (+CNMI ds=1) but store
// them (ds=2): each report is announced by +CDSI, read with +CMGR, matched
// like a +CDS report and deleted.

func enqueueTo(tb testing.TB, db aw.Outbox, to, text string) *aw.SMS {
	tb.Helper()
	m := &aw.SMS{Kind: aw.SMSResponder, To: to, Text: text}
	if err := db.EnqueueSMS(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// statusReports returns the status reports stored in the simulator's mem.
func statusReports(sim *modemsim.Sim, mem string) []modemsim.Stored {
	var out []modemsim.Stored
	for _, s := range sim.Stored(mem) {
		if s.TPDU.SmsType() == tpdu.SmsStatusReport {
			out = append(out, s)
		}
	}
	return out
}

func hasPrefix(cmds []string, prefix string) int {
	n := 0
	for _, c := range cmds {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func TestStoredReports(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
		sim := newSim(t, modemsim.Options{StoredReports: true})
		var got reports
		cfg := fastConfig(sim.Path())
		cfg.Outbox, cfg.OnReport = db, got.add
		m := startModem(t, cfg)
		waitHealth(t, m, aw.HealthOK, "modemgeheugen")
		delivered := enqueueTo(t, db, "+31617782201", "ALARM Alleen Werken #897")
		failed := enqueueTo(t, db, "+31612345678", "ALARM Alleen Werken #897")
		runDispatcher(t, db, fastClock(t), m)
		ms := waitAllFinal(t, db, 5*time.Second)
		delivered, failed = ms[delivered.ID], ms[failed.ID]
		if len(delivered.Refs) != 1 || len(failed.Refs) != 1 {
			t.Fatalf("sent: %+v %+v", delivered, failed)
		}
		if err := sim.StatusReport(delivered.Refs[0], delivered.To, 0x00); err != nil {
			t.Fatal(err)
		}
		if err := sim.StatusReport(failed.Refs[0], failed.To, 0x46); err != nil {
			t.Fatal(err)
		}
		testkit.EventuallyWithin(t, 2*time.Second, "both reports recorded and deleted", func() bool {
			ms = states(t, db)
			return ms[delivered.ID].Delivery == gsm.DeliveryDelivered && ms[failed.ID].Delivery == gsm.DeliveryFailed &&
				len(sim.Stored("SR")) == 0
		})
		if s := ms[delivered.ID]; !slices.Equal(s.PartStatus, []int{0}) || s.DeliveryAt == nil {
			t.Fatalf("delivered: parts %v at %v", s.PartStatus, s.DeliveryAt)
		}
		if s := ms[failed.ID]; !slices.Equal(s.PartStatus, []int{0x46}) || s.DeliveryAt == nil {
			t.Fatalf("failed: parts %v at %v", s.PartStatus, s.DeliveryAt)
		}
		byID := map[string]gsm.DeliveryReport{}
		for _, r := range got.all() {
			byID[r.SMSID] = r
		}
		if r := byID[delivered.ID]; len(got.all()) != 2 || r.Delivery != gsm.DeliveryDelivered || r.To != "31617782201" || r.MR != delivered.Refs[0] {
			t.Fatalf("reports %+v", got.all())
		}
		if r := byID[failed.ID]; r.Delivery != gsm.DeliveryFailed || r.Status != 0x46 {
			t.Fatalf("report for the failed one: %+v", r)
		}
		cmds := sim.Commands()
		if hasPrefix(cmds, "+CMGR=") != 2 || hasPrefix(cmds, "+CMGD=") != 2 || count(cmds, "+CNMA") != 0 || count(cmds, "+CNMI=2,1,0,2,0") != 1 {
			t.Fatalf("commands %q", cmds)
		}
		if st := m.Status(); st.ReportsMode != gsm.ReportsStored || !st.Reports {
			t.Fatalf("status %+v", st)
		}
	})
	t.Run("Concatenated", func(t *testing.T) {
		sim := concatenatedReports(t, modemsim.Options{StoredReports: true, AutoReport: true})
		testkit.EventuallyWithin(t, 2*time.Second, "both reports deleted", func() bool { return len(sim.Stored("SR")) == 0 })
	})
	// Announcements that lead nowhere are logged; the modem carries on, an
	// incoming SMS an announcement points at is left alone, and the next
	// report is read.
	t.Run("ErrUnreadable", func(t *testing.T) {
		sim, m, got := reportingModem(t, modemsim.Options{StoredReports: true})
		waitHealth(t, m, aw.HealthOK)
		rcpt, err := send(t, m, "a", "+31617782201", "een")
		if err != nil {
			t.Fatal(err)
		}
		in, err := sim.StoreSMS("+31687654321", "Ik ben er")
		if err != nil {
			t.Fatal(err)
		}
		sim.Unsolicited(`+CDSI: "SR",7`) // nothing there
		sim.Unsolicited(`+CDSI: "SR",x`)
		sim.Unsolicited(`+CDSI: "SM",` + strconv.Itoa(in)) // not a report
		if err := sim.StatusReport(rcpt.Refs[0], "+31617782201", 0x00); err != nil {
			t.Fatal(err)
		}
		// Handlers run on goroutines of their own: the announcements are
		// read in any order.
		var cmds []string
		testkit.EventuallyWithin(t, 2*time.Second, "every announcement handled", func() bool {
			cmds = sim.Commands()
			return len(got.all()) == 1 && len(sim.Stored("SR")) == 0 && slices.Contains(cmds, "+CMGR=7") &&
				slices.Contains(cmds, "+CMGR="+strconv.Itoa(in))
		})
		if r := got.all()[0]; r.SMSID != "a" || r.Delivery != gsm.DeliveryDelivered {
			t.Fatalf("report %+v", r)
		}
		if i := slices.Index(cmds, `+CPMS="SM"`); i < 0 || !slices.Contains(cmds[i:], "+CMGR="+strconv.Itoa(in)) {
			t.Fatalf("commands %q", cmds)
		}
		time.Sleep(50 * time.Millisecond) // a wrong +CMGD would follow the read at once
		if sm := sim.Stored("SM"); len(sm) != 1 || sm[0].Index != in || sm[0].TPDU.SmsType() != tpdu.SmsDeliver {
			t.Fatalf("SM memory %+v", sm)
		}
		waitHealth(t, m, aw.HealthOK)
		if _, err := send(t, m, "b", "+31617782201", "twee"); err != nil {
			t.Fatal(err)
		}
	})
}

// Reports the modem stored while no adapter ran are read, matched through
// the outbox and deleted when the next one connects; an incoming SMS in the
// same listing stays. In "SM" the reports share the memory with it.
func TestStoredReportsAtConnect(t *testing.T) {
	for _, mem := range []string{"SR", "SM"} {
		t.Run(mem, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "aw.db")
			sim := newSim(t, modemsim.Options{StoredReports: true, ReportMemory: mem})
			var delivered, failed *aw.SMS
			t.Run("BeforeRestart", func(t *testing.T) {
				db := openStore(t, path)
				m := outboxModem(t, sim, db)
				delivered = enqueueTo(t, db, "+31617782201", "een")
				failed = enqueueTo(t, db, "+31612345678", "twee")
				runDispatcher(t, db, aw.SystemClock{}, m)
				ms := waitAllFinal(t, db, 5*time.Second)
				delivered, failed = ms[delivered.ID], ms[failed.ID]
				if len(delivered.Refs) != 1 || len(failed.Refs) != 1 {
					t.Fatalf("sent: %+v %+v", delivered, failed)
				}
			})
			in, err := sim.StoreSMS("+31687654321", "Ik ben er")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sim.StoreReport(delivered.Refs[0], delivered.To, 0x00); err != nil {
				t.Fatal(err)
			}
			if _, err := sim.StoreReport(failed.Refs[0], failed.To, 0x45); err != nil {
				t.Fatal(err)
			}
			if n := len(statusReports(sim, mem)); n != 2 {
				t.Fatalf("%d reports stored", n)
			}
			before := len(sim.Commands())

			db := openStore(t, path)
			var got reports
			cfg := fastConfig(sim.Path())
			cfg.Outbox, cfg.OnReport = db, got.add
			cfg.CommandTimeout = 250 * time.Millisecond // the reopened port loses the first ATZ
			startModem(t, cfg)
			var ms map[string]*aw.SMS
			testkit.EventuallyWithin(t, 2*time.Second, "stored reports recorded and deleted", func() bool {
				ms = states(t, db)
				return ms[delivered.ID].Delivery == gsm.DeliveryDelivered && ms[failed.ID].Delivery == gsm.DeliveryFailed &&
					len(statusReports(sim, mem)) == 0
			})
			if !slices.Equal(ms[delivered.ID].PartStatus, []int{0}) || !slices.Equal(ms[failed.ID].PartStatus, []int{0x45}) || len(got.all()) != 2 {
				t.Fatalf("parts %v %v, reports %+v", ms[delivered.ID].PartStatus, ms[failed.ID].PartStatus, got.all())
			}
			sm := sim.Stored("SM")
			if len(sm) != 1 || sm[0].Index != in || sm[0].TPDU.SmsType() != tpdu.SmsDeliver {
				t.Fatalf("SM memory %+v", sm)
			}
			if text, err := sms.Decode([]*tpdu.TPDU{sm[0].TPDU}); err != nil || string(text) != "Ik ben er" {
				t.Fatalf("incoming SMS %q %v", text, err)
			}
			cmds := sim.Commands()[before:]
			if count(cmds, "+CMGL=4") == 0 || hasPrefix(cmds, "+CMGR=") != 0 || hasPrefix(cmds, "+CMGD=") != 2 {
				t.Fatalf("commands after the restart %q", cmds)
			}
		})
	}
}

// A report stored while the modem was unplugged is read when it is back:
// the set-up after each reconnect lists the memories.
func TestStoredReportsAfterUnplug(t *testing.T) {
	sim, m, got := reportingModem(t, modemsim.Options{StoredReports: true})
	waitHealth(t, m, aw.HealthOK)
	rcpt, err := send(t, m, "a", "+31617782201", "een")
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, m, aw.HealthDown, "opnieuw verbinden")
	if _, err := sim.StoreReport(rcpt.Refs[0], "+31617782201", 0x00); err != nil {
		t.Fatal(err)
	}
	testkit.EventuallyWithin(t, 3*time.Second, "the stored report", func() bool { return len(got.all()) == 1 && len(sim.Stored("SR")) == 0 })
	if r := got.all()[0]; r.SMSID != "a" || r.Delivery != gsm.DeliveryDelivered {
		t.Fatalf("report %+v", r)
	}
}

// Which +CNMI the modem accepts decides how reports arrive; the default
// modem keeps them on the port and its memory is never touched.
func TestReportsMode(t *testing.T) {
	tests := []struct {
		name     string
		opts     modemsim.Options
		mode     string
		state    aw.HealthState
		refusals []string
	}{
		{"Direct", modemsim.Options{AutoReport: true}, gsm.ReportsDirect, aw.HealthOK, nil},
		{"Stored", modemsim.Options{StoredReports: true, AutoReport: true}, gsm.ReportsStored, aw.HealthOK,
			[]string{"AT+CNMI=1,2,0,1,0", "AT+CNMI=2,1,0,1,0"}},
		{"None", modemsim.Options{RejectCNMI: true}, gsm.ReportsNone, aw.HealthDegraded,
			[]string{"AT+CNMI=1,2,0,1,0", "AT+CNMI=2,1,0,1,0", "AT+CNMI=2,1,0,2,0", "AT+CNMI=1,1,0,2,0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, m, got := reportingModem(t, tt.opts)
			waitHealth(t, m, tt.state)
			st := m.Status()
			if st.ReportsMode != tt.mode || st.Reports != (tt.mode != gsm.ReportsNone) || !slices.Equal(st.Refusals, tt.refusals) {
				t.Fatalf("status: mode %q reports %v refusals %q", st.ReportsMode, st.Reports, st.Refusals)
			}
			if _, err := send(t, m, "s", "+31617782201", "x"); err != nil {
				t.Fatal(err)
			}
			if tt.mode != gsm.ReportsNone {
				testkit.EventuallyWithin(t, 2*time.Second, "the report", func() bool { return len(got.all()) == 1 })
			}
			time.Sleep(50 * time.Millisecond) // polls
			cmds := sim.Commands()
			memory := hasPrefix(cmds, "+CPMS") + hasPrefix(cmds, "+CMGL") + hasPrefix(cmds, "+CMGR") + hasPrefix(cmds, "+CMGD")
			if (tt.mode == gsm.ReportsStored) != (memory > 0) {
				t.Fatalf("%d memory commands in mode %q: %q", memory, tt.mode, cmds)
			}
			if n := count(cmds, "+CNMA"); (tt.mode == gsm.ReportsDirect) != (n == 1) {
				t.Fatalf("%d +CNMA in mode %q", n, tt.mode)
			}
		})
	}
}
