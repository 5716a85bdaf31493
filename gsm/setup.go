package gsm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/warthog618/modem/at"
)

// setup brings a freshly opened (or timed-out) modem into a known state. It
// tolerates what real firmware refuses, records each refusal for the health
// reason, and fails only when the modem does not answer or cannot do PDU
// mode. On success c becomes the modem's connection.
func (m *Modem) setup(c *conn) error {
	a := c.at
	c.memMu.Lock() // ATZ may change the memory stored reports are read from
	defer c.memMu.Unlock()
	c.readMem = ""
	a.Escape('\r', '\n') // end a half-sent SMS, flush the command buffer
	var refusals []string
	// try runs one set-up command; a refusal is recorded and tolerated, no
	// answer at all is fatal.
	try := func(cmd string) ([]string, bool, error) {
		info, err := a.Command(cmd)
		switch {
		case err == nil:
			return info, true, nil
		case errors.Is(err, at.ErrDeadlineExceeded), errors.Is(err, at.ErrClosed):
			return nil, false, fmt.Errorf("modem antwoordt niet op AT%s: %w", cmd, err)
		}
		m.log.Warn("modem refused a set-up command; carrying on", "cmd", "AT"+cmd, "err", err)
		return nil, false, nil
	}
	if _, ok, err := try("Z"); err != nil {
		return err
	} else if !ok {
		refusals = append(refusals, "ATZ")
	}
	if _, ok, err := try("E0"); err != nil {
		return err
	} else if !ok {
		refusals = append(refusals, "ATE0")
	}
	info, ok, err := try("+GCAP")
	if err != nil {
		return err
	}
	if !ok {
		refusals = append(refusals, "AT+GCAP")
	} else if !hasCGSM(info) {
		refusals = append(refusals, "AT+GCAP noemt geen +CGSM")
	}
	if _, err := a.Command("+CMGF=0"); err != nil {
		return fmt.Errorf("modem weigert PDU-modus (AT+CMGF=0): %w", err)
	}
	if _, ok, err := try("+CMEE=2"); err != nil {
		return err
	} else if !ok {
		refusals = append(refusals, "AT+CMEE=2")
		if _, ok, err := try("+CMEE=1"); err != nil {
			return err
		} else if !ok {
			refusals = append(refusals, "AT+CMEE=1 (geen foutcodes)")
		}
	}
	ack := true
	if _, ok, err := try("+CSMS=1"); err != nil {
		return err
	} else if !ok {
		refusals = append(refusals, "AT+CSMS=1")
		ack = false
	}
	// Status reports straight to the terminal (+CDS, ds=1), else stored in
	// the modem and announced (+CDSI, ds=2).
	reports := ReportsNone
	for _, cnmi := range []struct{ cmd, mode string }{
		{"+CNMI=1,2,0,1,0", ReportsDirect}, {"+CNMI=2,1,0,1,0", ReportsDirect},
		{"+CNMI=2,1,0,2,0", ReportsStored}, {"+CNMI=1,1,0,2,0", ReportsStored},
	} {
		_, ok, err := try(cnmi.cmd)
		if err != nil {
			return err
		}
		if ok {
			reports = cnmi.mode
			break
		}
		refusals = append(refusals, "AT"+cnmi.cmd)
	}
	c.ackReports = ack
	select {
	case <-a.Closed():
		return at.ErrClosed
	default:
	}
	m.mu.Lock()
	m.conn = c
	m.st.connected = true
	m.st.refusals = refusals
	m.st.reports = reports
	m.mu.Unlock()
	if reports == ReportsStored {
		c.stored.push(storedRef{scan: true}) // the ones stored while nobody read them
	}
	return nil
}

func hasCGSM(info []string) bool {
	for _, l := range info {
		if !strings.HasPrefix(l, "+GCAP:") {
			continue
		}
		for _, c := range strings.Split(strings.TrimPrefix(l, "+GCAP:"), ",") {
			if strings.TrimSpace(c) == "+CGSM" {
				return true
			}
		}
	}
	return false
}

// resetup runs the set-up again on the current port, after a timed-out
// send: a late answer could otherwise complete the next command.
func (m *Modem) resetup(c *conn) {
	if err := m.setup(c); err != nil {
		m.log.Error("modem set-up after a timeout failed", "err", err)
		return
	}
	m.log.Info("modem set up again after a timeout")
}
