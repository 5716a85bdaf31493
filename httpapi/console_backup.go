package httpapi

import (
	"fmt"
	"net/http"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// backup handles GET /console/backup (super admin): a consistent copy of
// the database as a download, taken while the appliance runs. It holds
// personal data, so it is audited.
func (c *Console) backup(g *gin.Context) {
	now := c.cfg.Clock.Now()
	name := fmt.Sprintf("alleenwerken-%s.db", now.UTC().Format("20060102-150405"))
	g.Header("Content-Type", "application/octet-stream")
	g.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	g.Status(http.StatusOK)
	if _, err := c.cfg.Backups.Backup(g.Request.Context(), c.actor(g), name, g.Writer); err != nil {
		// The status is sent already: the download breaks off.
		c.log.Error("console: backup download failed", "err", err)
	}
}

// backupHealth reports the age of the newest backup: the last scheduled one
// or the last one downloaded from the console (from the audit log).
func (c *Console) backupHealth(g *gin.Context, t map[string]string) aw.Health {
	reasonFmt := t["health_backup"]
	at, err := c.cfg.Backups.LastDownload(g.Request.Context(), MaxAuditListed)
	if err != nil {
		return aw.Health{State: aw.HealthDegraded, Reason: aw.ErrorMessage(err)}
	}
	if c.cfg.LastBackup != nil {
		if last, ok := c.cfg.LastBackup(); ok && last.After(at) {
			at, reasonFmt = last, t["health_backup_auto"]
		}
	}
	if at.IsZero() {
		return aw.Health{State: aw.HealthDegraded, Reason: t["health_no_backup"]}
	}
	reason := fmt.Sprintf(reasonFmt, age(c.lang(g), c.cfg.Clock.Now(), at))
	if c.cfg.Clock.Now().Sub(at) > BackupMaxAge {
		return aw.Health{State: aw.HealthDegraded, Reason: reason + " " + t["health_backup_old"]}
	}
	return aw.Health{State: aw.HealthOK, Reason: reason}
}
