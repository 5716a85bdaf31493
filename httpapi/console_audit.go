package httpapi

import (
	"net/http"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// MaxAuditListed is how many audit entries the page shows.
const MaxAuditListed = 500

// auditRow is one line of the audit page.
type auditRow struct {
	Time, Actor, Action, Target, Field, Old, New, Detail, IP string
}

// auditPage handles GET /console/audit (super admin).
func (c *Console) auditPage(g *gin.Context) {
	entries, err := c.cfg.Audit.Entries(g.Request.Context(), MaxAuditListed)
	if err != nil {
		c.internal(g, err)
		return
	}
	lang := c.lang(g)
	t := texts[lang]
	loc := c.settings(g).Location()
	rows := []auditRow{}
	for _, e := range entries {
		action := t["audit_"+e.Action]
		if action == "" {
			action = e.Action
		}
		rows = append(rows, auditRow{Time: localTime(e.At, loc, lang), Actor: e.Actor, Action: action, Target: e.Target,
			Field: auditField(e, lang), Old: e.Old, New: e.New, Detail: e.Detail, IP: e.IP})
	}
	c.render(g, http.StatusOK, "audit", "audit_title", rows)
}

// auditField is how an entry's field is shown: a setting by its label.
func auditField(e *aw.AuditEntry, lang string) string {
	if d, ok := aw.SettingByKey(e.Field); ok && e.Action == aw.AuditSettingChanged {
		return d.LabelIn(lang)
	}
	return e.Field
}
