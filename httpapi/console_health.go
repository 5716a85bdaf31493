package httpapi

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// Disk space thresholds of the health page.
const (
	DiskRedBytes   = 200 << 20 // below this much free space: red
	DiskAmberBytes = 1 << 30   // below this: amber
	// BackupMaxAge is the age after which the last backup shows amber.
	BackupMaxAge = 48 * time.Hour
)

// SMSQueueMaxAge is how long an SMS may wait in the outbox before the
// health page shows amber.
const SMSQueueMaxAge = 5 * time.Minute

// HealthDetail is one more line of the health page, from an adapter the
// daemon wires (for example a modem's SIM, signal and registration).
type HealthDetail struct {
	Name   string
	Health aw.Health
}

// healthRow is one line of the health page.
type healthRow struct {
	Name   string
	State  aw.HealthState
	Label  string // Goed / Let op / Storing
	Reason string
}

// healthView is the health page.
type healthView struct {
	Overall         healthRow
	Rows            []healthRow
	ActiveSessions  int
	ConsoleSessions int
}

// healthLabel names a state in words.
func healthLabel(t map[string]string, s aw.HealthState) string {
	return t["health_"+string(s)]
}

// healthPage handles GET /console/health: components, disk space, counts
// and the last test alarm, each green/amber/red with the reason in words.
func (c *Console) healthPage(g *gin.Context) {
	t := texts[c.lang(g)]
	ctx := g.Request.Context()
	v := healthView{}
	names := append([]string{}, HealthComponents...)
	var extra []string
	for n := range c.cfg.Health {
		if !slices.Contains(names, n) {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	var states []aw.HealthState
	add := func(name string, h aw.Health) {
		v.Rows = append(v.Rows, healthRow{Name: name, State: h.State, Label: healthLabel(t, h.State), Reason: h.Reason})
		states = append(states, h.State)
	}
	for _, n := range append(names, extra...) {
		h := aw.Health{State: aw.HealthDown, Reason: t["health_not_configured"]}
		if r := c.cfg.Health[n]; r != nil {
			h = r.Health()
		}
		label := t["comp_"+n]
		if label == "" {
			label = n
		}
		add(label, h)
	}
	if c.cfg.Details != nil {
		for _, d := range c.cfg.Details(ctx) {
			add(d.Name, d.Health)
		}
	}
	add(t["comp_queue"], c.queueHealth(g, t))
	add(t["comp_disk"], c.diskHealth(t))

	active, err := c.cfg.Sessions.ActiveSessions(ctx)
	if err != nil {
		add(t["comp_sessions"], aw.Health{State: aw.HealthDown, Reason: aw.ErrorMessage(err)})
	} else {
		v.ActiveSessions = active
	}
	v.ConsoleSessions, _ = c.cfg.Logins.Active(ctx)
	add(t["comp_test_alarm"], c.testAlarmHealth(g, t))
	add(t["comp_backup"], c.backupHealth(g, t))

	overall := aw.Worst(states...)
	v.Overall = healthRow{State: overall, Label: healthLabel(t, overall)}
	c.render(g, http.StatusOK, "health", "health_title", v)
}

// diskHealth reports the free space of the database's file system.
func (c *Console) diskHealth(t map[string]string) aw.Health {
	if c.cfg.DatabasePath == "" {
		return aw.Health{State: aw.HealthDegraded, Reason: t["health_disk_unknown"]}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(c.cfg.DatabasePath), &st); err != nil {
		return aw.Health{State: aw.HealthDegraded, Reason: t["health_disk_unknown"]}
	}
	free := st.Bavail * uint64(st.Bsize)
	total := st.Blocks * uint64(st.Bsize)
	reason := fmt.Sprintf(t["health_disk"], gib(free), gib(total))
	switch {
	case free < DiskRedBytes:
		return aw.Health{State: aw.HealthDown, Reason: reason + " " + t["health_disk_full"]}
	case free < DiskAmberBytes:
		return aw.Health{State: aw.HealthDegraded, Reason: reason + " " + t["health_disk_low"]}
	}
	return aw.Health{State: aw.HealthOK, Reason: reason}
}

func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

// testAlarmHealth reports the last test alarm and how it went.
func (c *Console) testAlarmHealth(g *gin.Context, t map[string]string) aw.Health {
	a, err := c.cfg.Reports.LastTest(g.Request.Context(), MaxAlarmsListed)
	if err != nil {
		return aw.Health{State: aw.HealthDown, Reason: aw.ErrorMessage(err)}
	}
	if a == nil {
		return aw.Health{State: aw.HealthDegraded, Reason: t["health_no_test"]}
	}
	lang, loc := c.lang(g), c.settings(g).Location()
	reason := fmt.Sprintf(t["health_test"], a.Number, localTime(a.RaisedAt, loc, lang), stateText(lang, a.State))
	if a.AcceptedAt == nil && a.State != aw.AlarmEscalating {
		return aw.Health{State: aw.HealthDegraded, Reason: reason + " " + t["health_test_unaccepted"]}
	}
	return aw.Health{State: aw.HealthOK, Reason: reason}
}

// queueHealth counts the SMS waiting in the outbox (counts only, no numbers
// or texts) and says how long the oldest has waited.
func (c *Console) queueHealth(g *gin.Context, t map[string]string) aw.Health {
	waiting, oldest, err := c.cfg.Outbox.Queue(g.Request.Context())
	if err != nil {
		return aw.Health{State: aw.HealthDown, Reason: aw.ErrorMessage(err)}
	}
	if waiting == 0 {
		return aw.Health{State: aw.HealthOK, Reason: t["health_queue_empty"]}
	}
	now := c.cfg.Clock.Now()
	reason := fmt.Sprintf(t["health_queue"], waiting, age(c.lang(g), now, oldest))
	if now.Sub(oldest) > SMSQueueMaxAge {
		return aw.Health{State: aw.HealthDegraded, Reason: reason}
	}
	return aw.Health{State: aw.HealthOK, Reason: reason}
}
