package gsm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	aw "alleenwerken"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/pdumode"
	"github.com/warthog618/sms/encoding/tpdu"
)

// Delivery values written to SMS.Delivery (see aw.DeliveryDelivered).
const (
	DeliveryDelivered = aw.DeliveryDelivered
	DeliveryPending   = aw.DeliveryPending
	DeliveryFailed    = aw.DeliveryFailed
)

// DeliveryReport is a status report matched to a sent message.
type DeliveryReport struct {
	SMSID    string
	To       string
	MR       int
	Part     int // 1-based
	Parts    int
	Status   byte      // TP-ST: 0 delivered, 0x20-0x3F temporary, 0x40+ failed
	Delivery string    // the message's delivery state after this report
	At       time.Time // discharge time from the network, or receipt time
}

// sentPart remembers a sent part until its status report arrives.
type sentPart struct {
	id     string
	to     string // digits only
	mr     int
	part   int
	parts  int
	at     time.Time
	status int // -1 none yet
}

func digits(number string) string { return strings.TrimPrefix(number, "+") }

func (m *Modem) recordPart(msg *aw.SMS, mr, part, parts int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	m.st.sent++
	keep := m.sentLog[:0]
	for _, p := range m.sentLog {
		if now.Sub(p.at) < m.cfg.ReportWindow {
			keep = append(keep, p)
		}
	}
	m.sentLog = append(keep, sentPart{id: msg.ID, to: digits(msg.To), mr: mr, part: part + 1, parts: parts, at: now, status: -1})
}

// onStatusReport handles "+CDS: <length>" and the PDU line after it. The
// library's UnmarshalTPDU cannot parse this form, so it is parsed here.
func (m *Modem) onStatusReport(c *conn) func([]string) {
	return func(info []string) {
		if c.ackReports {
			if _, err := c.at.Command("+CNMA"); err != nil {
				m.log.Warn("acknowledging a status report failed", "err", err)
			}
		}
		t, err := parseCDS(info)
		if err != nil {
			m.log.Warn("unreadable status report", "info", info, "err", err)
			return
		}
		m.matchReport(t)
	}
}

func parseCDS(info []string) (*tpdu.TPDU, error) {
	if len(info) < 2 {
		return nil, errors.New("status report without PDU")
	}
	f := strings.Split(strings.TrimPrefix(info[0], "+CDS:"), ",")
	t, err := parsePDU(f[len(f)-1], info[1])
	if err != nil {
		return nil, err
	}
	if t.SmsType() != tpdu.SmsStatusReport {
		return nil, fmt.Errorf("not a status report: %v", t.SmsType())
	}
	return t, nil
}

// parsePDU decodes a PDU-mode line (SMSC address and TPDU, in hex) of a
// message to this modem; length is the TPDU length its header gave.
func parsePDU(length, line string) (*tpdu.TPDU, error) {
	n, err := strconv.Atoi(strings.TrimSpace(length))
	if err != nil {
		return nil, fmt.Errorf("length %q: %w", length, err)
	}
	p, err := pdumode.UnmarshalHexString(strings.TrimSpace(line))
	if err != nil {
		return nil, err
	}
	if len(p.TPDU) != n {
		return nil, fmt.Errorf("length %d, PDU has %d", n, len(p.TPDU))
	}
	return sms.Unmarshal(p.TPDU, sms.AsMT)
}

// reportScan is how many of the newest outbox messages a status report
// that matches no part sent since the start is looked up in.
const reportScan = 1000

// matchReport finds the part by (MR, recipient, most recent within the
// window), since MR wraps at 255, and records the message's delivery. A
// part sent before a restart is found in the outbox (its Refs).
func (m *Modem) matchReport(t *tpdu.TPDU) {
	// Handlers run on goroutines of their own: one report at a time, so the
	// last write to the outbox reflects every part seen.
	m.reportMu.Lock()
	defer m.reportMu.Unlock()
	to := digits(t.RA.Number())
	p, ok := m.sentPartFor(int(t.MR), to, t.ST)
	if !ok {
		p, ok = m.outboxPartFor(int(t.MR), to, t.ST)
	}
	if !ok {
		m.log.Warn("status report for no known message", "mr", t.MR, "to", to, "status", t.ST)
		return
	}
	at := m.clock.Now()
	if !t.DT.IsZero() {
		at = t.DT.Time
	}
	delivery := p.delivery
	if m.cfg.Outbox != nil {
		stored, err := m.cfg.Outbox.UpdateSMS(context.Background(), p.id, func(s *aw.SMS) error {
			s.PartStatus = padded(s.PartStatus, p.parts)
			s.PartStatus[p.part-1] = int(t.ST)
			s.Delivery, s.DeliveryAt = deliveryOf(s.PartStatus), &at
			return nil
		})
		if err != nil {
			m.log.Warn("recording a delivery report failed", "sms", p.id, "err", err)
		} else {
			delivery = stored.Delivery
		}
	}
	r := DeliveryReport{SMSID: p.id, To: p.to, MR: p.mr, Part: p.part, Parts: p.parts, Status: t.ST, Delivery: delivery, At: at}
	m.log.Info("sms status report", "sms", r.SMSID, "part", r.Part, "parts", r.Parts, "status", fmt.Sprintf("0x%02x", t.ST), "delivery", delivery)
	if m.cfg.OnReport != nil {
		m.cfg.OnReport(r)
	}
}

// reportedPart is the part a status report is about, with the delivery of
// its message as far as this modem has seen reports since the start.
type reportedPart struct {
	sentPart
	delivery string
}

// sentPartFor matches a report to a part sent since the start, records its
// status st and returns the part.
func (m *Modem) sentPartFor(mr int, to string, st byte) (reportedPart, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	for i := len(m.sentLog) - 1; i >= 0; i-- {
		p := m.sentLog[i]
		if p.mr != mr || p.to != to || now.Sub(p.at) >= m.cfg.ReportWindow {
			continue
		}
		m.sentLog[i].status = int(st)
		statuses := padded(nil, p.parts)
		for _, q := range m.sentLog {
			if q.id == p.id {
				statuses[q.part-1] = q.status
			}
		}
		return reportedPart{sentPart: m.sentLog[i], delivery: deliveryOf(statuses)}, true
	}
	return reportedPart{}, false
}

// outboxPartFor matches a report with status st to a part this modem sent
// before the start: the newest sent message to the recipient within the
// window whose Refs hold mr.
func (m *Modem) outboxPartFor(mr int, to string, st byte) (reportedPart, bool) {
	if m.cfg.Outbox == nil {
		return reportedPart{}, false
	}
	msgs, err := m.cfg.Outbox.ListSMS(context.Background(), reportScan)
	if err != nil {
		m.log.Warn("looking up a status report in the outbox failed", "mr", mr, "err", err)
		return reportedPart{}, false
	}
	now := m.clock.Now()
	var best *aw.SMS
	part := 0
	for _, s := range msgs {
		if s.State != aw.SMSSent || s.SentAt == nil || s.Modem != m.cfg.Name || digits(s.To) != to ||
			now.Sub(*s.SentAt) >= m.cfg.ReportWindow || (best != nil && !s.SentAt.After(*best.SentAt)) {
			continue
		}
		for i, ref := range s.Refs {
			if ref == mr {
				best, part = s, i+1
				break
			}
		}
	}
	if best == nil {
		return reportedPart{}, false
	}
	statuses := padded(best.PartStatus, len(best.Refs))
	statuses[part-1] = int(st)
	p := sentPart{id: best.ID, to: to, mr: mr, part: part, parts: len(best.Refs), at: *best.SentAt, status: int(st)}
	return reportedPart{sentPart: p, delivery: deliveryOf(statuses)}, true
}

// padded returns a copy of statuses with n parts, -1 (no report yet) for
// the parts it lacks.
func padded(statuses []int, n int) []int {
	out := make([]int, max(n, len(statuses)))
	for i := range out {
		out[i] = -1
	}
	copy(out, statuses)
	return out
}

// deliveryOf is a message's delivery from the TP-ST of its parts (-1: no
// report yet).
func deliveryOf(statuses []int) string {
	delivery := DeliveryDelivered
	for _, st := range statuses {
		switch {
		case st >= 0x40:
			delivery = DeliveryFailed
		case st < 0 || st >= 0x20:
			if delivery != DeliveryFailed {
				delivery = DeliveryPending
			}
		}
	}
	return delivery
}
