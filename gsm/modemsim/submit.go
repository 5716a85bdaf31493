package modemsim

import (
	"strconv"
	"strings"
	"time"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/pdumode"
	"github.com/warthog618/sms/encoding/tpdu"
)

// Submit is one SMS-SUBMIT PDU the simulator received.
type Submit struct {
	TPDU *tpdu.TPDU // decoded
	MR   int        // the message reference the simulator answered (-1: none)
	Hex  string     // as received
	At   time.Time
}

// Submits returns the PDUs received so far, including ones that got an error.
func (s *Sim) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submit(nil), s.submits...)
}

// Sent returns the PDUs that were answered with +CMGS (went out).
func (s *Sim) Sent() []Submit {
	var out []Submit
	for _, sub := range s.Submits() {
		if sub.MR >= 0 {
			out = append(out, sub)
		}
	}
	return out
}

func (s *Sim) submit(n int, hex string) {
	p, err := pdumode.UnmarshalHexString(hex)
	if err != nil || len(p.TPDU) != n {
		s.reply("+CMS ERROR: 304")
		return
	}
	t, err := sms.Unmarshal(p.TPDU, sms.AsMO)
	if err != nil {
		s.reply("+CMS ERROR: 304")
		return
	}
	s.mu.Lock()
	outcome := ""
	if len(s.sends) > 0 {
		outcome, s.sends = s.sends[0], s.sends[1:]
	}
	delay, auto := s.opts.SendDelay, s.opts.AutoReport
	sub := Submit{TPDU: t, MR: -1, Hex: hex, At: time.Now()}
	late, _ := time.ParseDuration(strings.TrimPrefix(outcome, "late:"))
	if outcome == "" || late > 0 {
		s.mr = (s.mr + 1) % 256
		sub.MR = s.mr
	}
	s.submits = append(s.submits, sub)
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	switch outcome {
	case "":
		s.reply("+CMGS: "+strconv.Itoa(sub.MR), "OK")
		if auto {
			go func() {
				time.Sleep(20 * time.Millisecond)
				s.StatusReport(sub.MR, t.DA.Number(), 0)
			}()
		}
	case "hang":
	default:
		if late > 0 { // the network answers after the caller gave up
			go func() {
				time.Sleep(late)
				s.reply("+CMGS: "+strconv.Itoa(sub.MR), "OK")
			}()
			return
		}
		s.reply("+CMS ERROR: " + outcome)
	}
}

// StatusReport sends a status report for message reference mr to number,
// with TP-ST status (0: delivered): unsolicited as +CDS with its PDU, or
// under Options.StoredReports stored and announced with +CDSI.
func (s *Sim) StatusReport(mr int, number string, status byte) error {
	s.mu.Lock()
	stored, mem := s.opts.StoredReports, s.opts.ReportMemory
	s.mu.Unlock()
	if stored {
		i, err := s.StoreReport(mr, number, status)
		if err != nil {
			return err
		}
		s.Unsolicited(`+CDSI: "` + mem + `",` + strconv.Itoa(i))
		return nil
	}
	t, err := statusReport(mr, number, status)
	if err != nil {
		return err
	}
	b, err := t.MarshalBinary()
	if err != nil {
		return err
	}
	p := pdumode.PDU{TPDU: b}
	hex, err := p.MarshalHexString()
	if err != nil {
		return err
	}
	s.write("\r\n+CDS: " + strconv.Itoa(len(b)) + "\r\n" + hex + "\r\n")
	return nil
}

// Unsolicited writes one unsolicited result code line, like
// `+CDSI: "SR",3`.
func (s *Sim) Unsolicited(line string) {
	s.write("\r\n" + line + "\r\n")
}
