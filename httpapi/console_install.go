package httpapi

import (
	"errors"
	"net/http"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// deviceRow is one app device.
type deviceRow struct {
	ID, Name, Created, Revoked string
}

// installView is the installation page; NewToken is shown once, right
// after it was made.
type installView struct {
	Devices     []deviceRow
	NewToken    string
	NewName     string
	TestAlarm   *testAlarmView
	TestNumbers string
	CanTest     bool
	Telephony   []settingField
	PBX         *pbxView  // nil: no PBX wired
	Conn        *connView // connection, modem ports and SIM PIN

	// A refused trunk, extensions or prompt form: the errors by field and
	// the host and user as typed.
	pbxErrs              map[string]string
	typedHost, typedUser string
}

// installDone is what the page says after a form was saved (?done=...):
// a text key, and whether it is a warning rather than good news.
var installDone = map[string]struct {
	key  string
	warn bool
}{
	"pbx": {"flash_pbx", false}, "pbx_pending": {"flash_pbx_pending", true}, "prompt": {"flash_prompt", false},
	"conn": {"flash_conn", false}, "conn_restart": {"flash_conn_restart", false}, "conn_failed": {"flash_conn_failed", true},
	"conn_wait": {"flash_conn_wait", true},
	"pin":       {"flash_pin", false}, "revoked": {"flash_revoked", false}, "test": {"flash_test", false}, "saved": {"flash_saved", false},
}

// installationPage handles GET /console/installation.
func (c *Console) installationPage(g *gin.Context) {
	c.renderInstall(g, http.StatusOK, installView{}, "")
}

func (c *Console) renderInstall(g *gin.Context, status int, v installView, errMsg string) {
	ds, err := c.cfg.Devices.Devices(g.Request.Context())
	if err != nil {
		c.internal(g, err)
		return
	}
	set, in := c.settings(g), c.installation(g)
	loc := set.Location()
	for _, d := range ds {
		r := deviceRow{ID: d.ID, Name: d.Name, Created: localTime(d.CreatedAt, loc, c.lang(g))}
		if d.RevokedAt != nil {
			r.Revoked = localTime(*d.RevokedAt, loc, c.lang(g))
		}
		v.Devices = append(v.Devices, r)
	}
	v.TestAlarm, v.CanTest = c.lastTestAlarm(g), c.cfg.TestAlarms != nil
	if v.Telephony == nil {
		v.Telephony = c.fieldsWith(g, aw.PageInstall, &set, nil)
	}
	v.PBX = c.pbxForm(set, in, v.typedHost, v.typedUser, v.pbxErrs)
	if v.Conn == nil {
		v.Conn = c.connForm(set, in)
	}
	c.render(g, status, "installation", "install_title", v, func(p *page) {
		p.Error = errMsg
		if d, ok := installDone[g.Query("done")]; ok && d.warn {
			p.Error = p.T[d.key]
		} else if ok {
			p.Flash = p.T[d.key]
		}
	})
}

// tokenCreate handles POST /console/installation/tokens: the token is shown
// once on the answer and only its hash is stored.
func (c *Console) tokenCreate(g *gin.Context) {
	d, tok, err := c.cfg.Devices.CreateDevice(g.Request.Context(), c.actor(g), g.PostForm("name"))
	switch aw.ErrorCode(err) {
	case "":
		c.renderInstall(g, http.StatusOK, installView{NewToken: tok, NewName: d.Name}, "")
	case aw.EINVALID:
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{}, texts[c.lang(g)]["err_device_name"])
	default:
		c.internal(g, err)
	}
}

// tokenRevoke handles POST /console/installation/tokens/:id/revoke.
func (c *Console) tokenRevoke(g *gin.Context) {
	_, err := c.cfg.Devices.RevokeDevice(g.Request.Context(), c.actor(g), g.Param("id"))
	switch aw.ErrorCode(err) {
	case "":
		g.Redirect(http.StatusSeeOther, "/console/installation?done=revoked")
	case aw.ENOTFOUND:
		c.fail(g, http.StatusNotFound, texts[c.lang(g)]["err_no_device"])
	default:
		c.internal(g, err)
	}
}

// telephonySave handles POST /console/installation/telephony: caller ID,
// dial template, trunk endpoint and extensions, validated and audited like
// the settings page; the next call attempt reads them. When the console
// manages the trunk or extensions, Asterisk is updated first: a name it
// refuses (written by hand) refuses the settings too.
func (c *Console) telephonySave(g *gin.Context) {
	var warn string
	fields, msg, ok := c.applySettings(g, aw.PageInstall, func(next aw.Settings) error {
		err := c.cfg.Installation.RewritePBX(g.Request.Context(), next)
		if errors.Is(err, aw.ErrNotReloaded) {
			warn = texts[c.lang(g)]["err_pbx_reapply"] + " " + aw.ErrorMessage(err)
			return nil
		}
		return err
	})
	switch {
	case ok && warn != "":
		c.renderInstall(g, http.StatusOK, installView{}, warn)
	case ok:
		g.Redirect(http.StatusSeeOther, "/console/installation?done=saved")
	case fields != nil:
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{Telephony: fields}, texts[c.lang(g)]["err_settings"]+" "+msg)
	}
}
