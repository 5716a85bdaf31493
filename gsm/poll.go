package gsm

import (
	"errors"
	"strconv"
	"strings"

	"github.com/warthog618/modem/at"
)

// poll reads SIM, registration, signal and operator and caches them. A SIM
// that asks for its PIN gets it once (see enterPIN). It returns an error when
// the modem did not answer.
func (m *Modem) poll(c *conn) error {
	sim, err := readSIM(c.at)
	if err != nil {
		m.noteErr("AT+CPIN?: " + err.Error())
		return err
	}
	if sim == SIMPIN && m.enterPIN(c) {
		if sim, err = readSIM(c.at); err != nil {
			m.noteErr("AT+CPIN?: " + err.Error())
			return err
		}
	}
	reg, rssi, op := RegUnknown, 99, ""
	if sim == SIMReady {
		reg = readReg(c.at, "+CREG")
		if reg != RegHome && reg != RegRoaming {
			if r := readReg(c.at, "+CEREG"); r == RegHome || r == RegRoaming {
				reg = r
			}
		}
		if info, err := c.at.Command("+CSQ"); err == nil {
			if f := fields(info, "+CSQ:"); len(f) > 0 {
				if n, err := strconv.Atoi(f[0]); err == nil {
					rssi = n
				}
			}
		}
		if info, err := c.at.Command("+COPS?"); err == nil {
			if f := fields(info, "+COPS:"); len(f) >= 3 {
				op = strings.Trim(f[2], `"`)
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.sim != sim || m.st.reg != reg {
		m.log.Info("modem state", "sim", sim, "registration", reg, "operator", op, "signal_dbm", dBm(rssi))
	}
	m.st.sim, m.st.reg, m.st.operator = sim, reg, op
	if rssi != 99 || m.st.rssi == 0 {
		m.st.rssi = rssi
	}
	if sim != SIMPIN {
		m.st.pinRejected = false
	}
	m.st.checkedAt = m.clock.Now()
	return nil
}

// enterPIN enters the configured PIN once. A PIN the SIM refused is never
// entered again (a SIM locks after three wrong PINs); only a different PIN
// from the settings is tried. It reports whether a PIN was accepted.
func (m *Modem) enterPIN(c *conn) bool {
	pin := m.cfg.PIN()
	m.mu.Lock()
	bad := m.badPIN
	m.mu.Unlock()
	if pin == "" {
		m.log.Error("SIM asks for its PIN but no PIN is configured")
		return false
	}
	if pin == bad {
		m.mu.Lock()
		m.st.pinRejected = true
		m.mu.Unlock()
		return false
	}
	_, err := c.at.Command(`+CPIN="` + pin + `"`)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.badPIN = pin
		m.st.pinRejected = true
		m.st.lastErr, m.st.lastErrAt = "pincode geweigerd: "+err.Error(), m.clock.Now()
		m.log.Error("SIM refused the PIN; it is not tried again (a SIM locks after 3 wrong PINs): set the right PIN", "err", err)
		return false
	}
	m.st.pinRejected = false
	m.log.Info("SIM PIN accepted")
	return true
}

func readSIM(a *at.AT) (string, error) {
	info, err := a.Command("+CPIN?")
	var cme at.CMEError
	switch {
	case errors.As(err, &cme):
		switch strings.ToLower(string(cme)) {
		case "10", "sim not inserted":
			return NoSIM, nil
		case "11", "sim pin required":
			return SIMPIN, nil
		case "12", "sim puk required":
			return SIMPUK, nil
		}
		return "", err
	case err != nil:
		return "", err
	}
	for _, l := range info {
		if strings.HasPrefix(l, "+CPIN:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "+CPIN:")), nil
		}
	}
	return "", errors.New("geen +CPIN-antwoord")
}

// readReg reads +CREG? or +CEREG?.
func readReg(a *at.AT, cmd string) Registration {
	info, err := a.Command(cmd + "?")
	if err != nil {
		return RegUnknown
	}
	f := fields(info, cmd+":")
	if len(f) == 0 {
		return RegUnknown
	}
	stat := f[0]
	if len(f) > 1 {
		stat = f[1]
	}
	switch stat {
	case "0":
		return RegNotLooking
	case "1", "6", "9":
		return RegHome
	case "2":
		return RegSearching
	case "3", "8":
		return RegDenied
	case "5", "7", "10":
		return RegRoaming
	}
	return RegUnknown
}

// fields returns the comma-separated values of the first info line with
// prefix; unsolicited lines of other kinds are skipped.
func fields(info []string, prefix string) []string {
	for _, l := range info {
		if strings.HasPrefix(l, prefix) {
			f := strings.Split(strings.TrimPrefix(l, prefix), ",")
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			return f
		}
	}
	return nil
}

// onRSSI caches the signal from Huawei's ^RSSI:<n> flood.
func (m *Modem) onRSSI(info []string) {
	if len(info) == 0 {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(info[0], "^RSSI:")))
	if err != nil {
		return
	}
	m.mu.Lock()
	m.st.rssi = n
	m.mu.Unlock()
}

func (m *Modem) noteErr(msg string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.st.lastErr, m.st.lastErrAt = msg, m.clock.Now()
}
