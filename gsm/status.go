package gsm

import (
	"fmt"
	"strings"
	"time"

	aw "alleenwerken"
)

// Registration is the modem's network registration.
type Registration string

// Registration states from +CREG / +CEREG.
const (
	RegUnknown    Registration = ""
	RegHome       Registration = "home"
	RegRoaming    Registration = "roaming"
	RegSearching  Registration = "searching"
	RegDenied     Registration = "denied"
	RegNotLooking Registration = "not_registered"
)

// SIM states as the modem reports them (+CPIN?), plus NoSIM.
const (
	SIMReady = "READY"
	SIMPIN   = "SIM PIN"
	SIMPUK   = "SIM PUK"
	NoSIM    = "NO SIM"
)

// Status is what the console shows about one modem. Values are cached from
// the last poll; reading it never blocks on the port.
type Status struct {
	Name         string       `json:"name"`
	Port         string       `json:"port"`
	Connected    bool         `json:"connected"`
	SIM          string       `json:"sim"`           // READY, SIM PIN, SIM PUK, NO SIM, or "" (unknown)
	PINRejected  bool         `json:"pin_rejected"`  // the configured PIN was refused; not retried
	SignalDBm    int          `json:"signal_dbm"`    // 0: unknown
	Registration Registration `json:"registration"`  // home, roaming, searching, denied, not_registered
	Operator     string       `json:"operator"`      // from +COPS?
	Reports      bool         `json:"reports"`       // status reports enabled (+CNMI accepted)
	ReportsMode  string       `json:"reports_mode"`  // ReportsDirect (+CDS), ReportsStored (+CDSI, read from the modem's memory) or ReportsNone ("")
	Refusals     []string     `json:"refusals"`      // set-up commands the modem refused
	LastError    string       `json:"last_error"`    // last send or connection error
	LastErrorAt  time.Time    `json:"last_error_at"` // zero: none
	LastSentAt   time.Time    `json:"last_sent_at"`
	Sent         int          `json:"sent"`   // parts sent since start
	Failed       int          `json:"failed"` // sends that failed since start
	CheckedAt    time.Time    `json:"checked_at"`
	Health       aw.Health    `json:"health"`
}

// state is the cached modem state, guarded by Modem.mu.
type state struct {
	connected   bool
	connErr     string // why the port is not usable
	sim         string
	pinRejected bool
	rssi        int // 0-31, 99 unknown
	reg         Registration
	operator    string
	reports     string // ReportsNone, ReportsDirect or ReportsStored
	refusals    []string
	lastErr     string
	lastErrAt   time.Time
	sendErr     string // last send failure
	lastSentAt  time.Time
	sent        int
	failed      int
	failStreak  int
	pausedUntil time.Time
	checkedAt   time.Time
}

func dBm(rssi int) int {
	if rssi < 0 || rssi > 31 {
		return 0
	}
	return -113 + 2*rssi
}

var regNames = map[Registration]string{
	RegHome: "thuisnetwerk", RegRoaming: "roaming",
}

// health derives the health from the cached state at now.
func (s *state) health(name string, now time.Time) (aw.HealthState, string) {
	switch {
	case !s.connected:
		return aw.HealthDown, s.connErr
	case s.sim == NoSIM:
		return aw.HealthDown, fmt.Sprintf("Geen simkaart in modem %s.", name)
	case s.sim == SIMPUK:
		return aw.HealthDown, "Simkaart geblokkeerd: de PUK-code is nodig (voer die in een telefoon in)."
	case s.sim == SIMPIN && s.pinRejected:
		return aw.HealthDown, "Pincode geweigerd door de simkaart; niet opnieuw geprobeerd (na 3 foute pogingen blokkeert de simkaart). Stel de juiste pincode in."
	case s.sim == SIMPIN:
		return aw.HealthDown, "De simkaart vraagt een pincode, maar er is geen pincode ingesteld."
	case s.sim != SIMReady:
		return aw.HealthDown, "Simkaart nog niet gelezen."
	case s.reg == RegDenied:
		return aw.HealthDown, "Het netwerk weigert de simkaart (registratie geweigerd)."
	case s.reg == RegSearching:
		return aw.HealthDown, "Zoekt een netwerk; nog niet aangemeld."
	case s.reg != RegHome && s.reg != RegRoaming:
		return aw.HealthDown, "Niet aangemeld bij een netwerk."
	case now.Before(s.pausedUntil):
		return aw.HealthDown, fmt.Sprintf("Gepauzeerd na %d mislukte verzendingen op rij (laatste fout: %s).", s.failStreak, s.sendErr)
	}
	st := aw.HealthOK
	var b strings.Builder
	b.WriteString("Verbonden")
	if s.operator != "" {
		b.WriteString(" met " + s.operator)
	}
	b.WriteString(" (" + regNames[s.reg] + ")")
	if d := dBm(s.rssi); d != 0 {
		fmt.Fprintf(&b, ", signaal %d dBm", d)
		if s.rssi < 5 {
			st = aw.HealthDegraded
			b.WriteString(" (zwak)")
		}
	}
	b.WriteString(".")
	if len(s.refusals) > 0 {
		b.WriteString(" De modem weigerde: " + strings.Join(s.refusals, "; ") + ".")
	}
	switch s.reports {
	case ReportsNone:
		st = aw.HealthDegraded
		b.WriteString(" Geen ontvangstbevestigingen.")
	case ReportsStored:
		b.WriteString(" Ontvangstbevestigingen worden uit het modemgeheugen gelezen (+CDSI).")
	}
	if s.failStreak > 0 {
		st = aw.HealthDegraded
		fmt.Fprintf(&b, " Laatste verzending mislukt: %s.", s.sendErr)
	}
	return st, b.String()
}

// Health implements alleenwerken.HealthReporter: the sms component of this
// modem, from cached values.
func (m *Modem) Health() aw.Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.healthLocked()
}

func (m *Modem) healthLocked() aw.Health {
	st, reason := m.st.health(m.cfg.Name, m.clock.Now())
	if st != m.last.State || reason != m.last.Reason {
		m.last = aw.Health{State: st, Reason: reason, Since: m.clock.Now()}
	}
	return m.last
}

// Status returns the cached details for the console.
func (m *Modem) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.st
	return Status{
		Name: m.cfg.Name, Port: m.cfg.Port, Connected: s.connected, SIM: s.sim,
		PINRejected: s.pinRejected, SignalDBm: dBm(s.rssi), Registration: s.reg,
		Operator: s.operator, Reports: s.reports != ReportsNone, ReportsMode: s.reports, Refusals: append([]string(nil), s.refusals...),
		LastError: s.lastErr, LastErrorAt: s.lastErrAt, LastSentAt: s.lastSentAt,
		Sent: s.sent, Failed: s.failed, CheckedAt: s.checkedAt, Health: m.healthLocked(),
	}
}
