package gsm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	aw "alleenwerken"

	"github.com/warthog618/modem/at"
	mgsm "github.com/warthog618/modem/gsm"
)

// SendSMS implements alleenwerken.SMSSender. It sends m.Text to m.To as one
// (possibly concatenated) message and returns the TP-MR of each part.
// Errors are *alleenwerken.SendError: Retry for what another attempt (or
// modem) may fix, Unknown when a part may have gone out (a timeout, or the
// modem vanishing mid-send), neither for a final failure (bad number).
func (m *Modem) SendSMS(ctx context.Context, msg *aw.SMS) (aw.SMSReceipt, error) {
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	if err := ctx.Err(); err != nil {
		return aw.SMSReceipt{}, &aw.SendError{Retry: true, Err: err}
	}
	// The library marks every number international: only E.164 will do.
	number, e164 := strings.CutPrefix(msg.To, "+")
	if !e164 || len(number) < 3 || len(number) > 15 || strings.Trim(number, "0123456789") != "" {
		return aw.SMSReceipt{}, m.failed(&aw.SendError{Err: fmt.Errorf("ongeldig nummer %q: niet in de vorm +31612345678", msg.To)}, false)
	}
	if msg.Text == "" {
		return aw.SMSReceipt{}, m.failed(&aw.SendError{Err: errors.New("lege tekst")}, false)
	}
	c := m.current()
	if c == nil || m.Health().State == aw.HealthDown {
		return aw.SMSReceipt{}, &aw.SendError{Retry: true, Err: fmt.Errorf("modem %s niet klaar: %s", m.cfg.Name, m.Health().Reason)}
	}
	parts, err := m.encode(msg.To, msg.Text)
	if err != nil {
		return aw.SMSReceipt{}, m.failed(&aw.SendError{Err: fmt.Errorf("tekst coderen: %w", err)}, false)
	}
	var refs []int
	for i, tp := range parts {
		start := m.clock.Now()
		results0 := c.tap.resultCount()
		rsp, err := c.g.SendPDU(tp, at.WithTimeout(m.cfg.SendTimeout))
		if err == nil && !c.tap.promptFirst() {
			// Completed without a prompt: the answer belonged to an earlier,
			// timed-out part, and this PDU was never written.
			err = errNotOurs
		} else if errors.Is(err, mgsm.ErrMalformedResponse) {
			err = errNoMR
		}
		if err != nil {
			se := classify(err)
			se.Err = fmt.Errorf("deel %d van %d: %w", i+1, len(parts), se.Err)
			m.log.Warn("sms part not sent", "sms", msg.ID, "part", i+1, "parts", len(parts), "err", err,
				"retry", se.Retry, "unknown", se.Unknown, "took", m.clock.Now().Sub(start))
			switch {
			case errors.Is(err, at.ErrDeadlineExceeded):
				if late := c.tap.waitResult(results0, m.cfg.LateAnswerWait); late != "" {
					m.log.Warn("late answer to the timed-out part", "sms", msg.ID, "part", i+1, "answer", late)
				}
				m.resetup(c)
			case errors.Is(err, errNotOurs), errors.Is(err, errNoMR):
				m.resetup(c)
			default:
				m.PollNow() // SIM or network trouble shows in the health at once
			}
			return aw.SMSReceipt{Refs: refs}, m.failed(se, true)
		}
		mr, _ := strconv.Atoi(strings.TrimSpace(rsp))
		refs = append(refs, mr)
		m.recordPart(msg, mr, i, len(parts))
	}
	m.mu.Lock()
	m.st.failStreak = 0
	m.st.lastSentAt = m.clock.Now()
	m.mu.Unlock()
	return aw.SMSReceipt{Refs: refs}, nil
}

// failed records a failed send; modemFault failures count towards pausing
// the modem so another one takes over.
func (m *Modem) failed(se *aw.SendError, modemFault bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.st.failed++
	m.st.lastErr, m.st.lastErrAt = se.Err.Error(), m.clock.Now()
	m.st.sendErr = se.Err.Error()
	if modemFault && (se.Retry || se.Unknown) {
		m.st.failStreak++
		if m.st.failStreak >= m.cfg.PauseAfter {
			m.st.pausedUntil = m.clock.Now().Add(m.cfg.Pause)
			m.log.Error("modem paused after repeated send failures", "failures", m.st.failStreak, "until", m.st.pausedUntil)
		}
	}
	return se
}

var (
	errNotOurs = errors.New("antwoord hoorde bij een eerder, verlopen deel; niet verstuurd")
	errNoMR    = errors.New("modem bevestigde zonder berichtreferentie")
)

// finalCMS are +CMS ERROR codes that another attempt will not fix: the
// message or the number is wrong, or the subscriber is barred.
var finalCMS = map[int]bool{
	1: true, 8: true, 10: true, 21: true, 28: true, 29: true, 30: true, 50: true,
	69: true, 81: true, 95: true, 96: true, 97: true, 98: true, 99: true, 111: true, 127: true,
	300: true, 301: true, 303: true, 304: true, 305: true, 306: true, 307: true,
}

// textCMS maps textual +CMS ERRORs (after AT+CMEE=2) to codes.
var textCMS = map[string]int{
	"invalid pdu mode parameter":  304,
	"invalid text mode parameter": 305,
	"operation not supported":     303,
	"operation not allowed":       302,
	"no network service":          331,
	"network timeout":             332,
	"unknown error":               500,
	"sim not inserted":            310,
	"sim pin required":            311,
	"sim puk required":            316,
	"memory full":                 322,
	"smsc address unknown":        330,
	"invalid memory index":        321,
}

// cmsCode returns the number of a +CMS ERROR, given as a number or (after
// AT+CMEE=2) as one of the texts of textCMS.
func cmsCode(err error) (int, bool) {
	var cms at.CMSError
	if !errors.As(err, &cms) {
		return 0, false
	}
	if code, convErr := strconv.Atoi(strings.TrimSpace(string(cms))); convErr == nil {
		return code, true
	}
	code, ok := textCMS[strings.ToLower(strings.TrimSpace(string(cms)))]
	return code, ok
}

// classify turns a send error into a SendError.
func classify(err error) *aw.SendError {
	switch {
	case errors.Is(err, at.ErrDeadlineExceeded):
		return &aw.SendError{Unknown: true, Err: fmt.Errorf("geen antwoord van de modem binnen de tijd; mogelijk toch verstuurd: %w", err)}
	case errors.Is(err, errNotOurs):
		return &aw.SendError{Retry: true, Err: err}
	case errors.Is(err, errNoMR):
		return &aw.SendError{Unknown: true, Err: fmt.Errorf("mogelijk toch verstuurd: %w", err)}
	case errors.Is(err, at.ErrClosed):
		return &aw.SendError{Unknown: true, Err: fmt.Errorf("modem verdween tijdens het versturen; mogelijk toch verstuurd: %w", err)}
	}
	if code, ok := cmsCode(err); ok {
		if finalCMS[code] {
			return &aw.SendError{Err: fmt.Errorf("geweigerd (+CMS ERROR %d): %w", code, err)}
		}
		return &aw.SendError{Retry: true, Err: fmt.Errorf("+CMS ERROR %d: %w", code, err)}
	}
	return &aw.SendError{Retry: true, Err: err}
}
