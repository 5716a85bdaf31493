package httpapi

import (
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// connView is the ARI/NATS and modem part of the installation page; the
// ARI password is never put in it.
type connView struct {
	Proxy       bool
	URL, User   string
	PasswordSet bool
	App         string
	NATSURL     string
	Ports       string
	Stored      bool // set in the console (else: the config file)
	Editable    bool // the daemon takes a connection from the console
	Errors      map[string]string
	PINSet      bool
	PINError    string
}

// connForm returns the connection in use for the page.
func (c *Console) connForm(set aw.Settings, in aw.Installation) *connView {
	var conn aw.Connection
	if c.cfg.Connection != nil {
		conn = c.cfg.Connection()
	}
	stored := false
	if in.Connection != nil {
		conn, stored = *in.Connection, true
	}
	return &connView{Proxy: conn.NATSURL != "", URL: conn.ARIURL, User: conn.ARIUser, PasswordSet: conn.ARIPassword != "",
		App: conn.ARIApp, NATSURL: conn.NATSURL, Ports: strings.Join(conn.ModemPorts, "\n"), Stored: stored,
		PINSet: set.SIMPIN != "", Editable: c.cfg.Connection != nil}
}

// connectionSave handles POST /console/installation/connection: ARI native
// or ari-proxy over NATS, and the modem ports. It is stored, then the
// adapters reconnect (Reconnect) without a restart of the daemon.
func (c *Console) connectionSave(g *gin.Context) {
	ctx := g.Request.Context()
	t := texts[c.lang(g)]
	if c.cfg.Connection == nil {
		c.fail(g, http.StatusNotFound, t["err_not_found"])
		return
	}
	form := aw.ConnectionForm{
		Proxy: g.PostForm("ari_mode") == "proxy", ARIURL: g.PostForm("ari_url"), ARIUser: g.PostForm("ari_user"),
		ARIPassword: g.PostForm("ari_password"), ARIApp: g.PostForm("ari_app"), NATSURL: g.PostForm("nats_url"),
		ModemPorts: g.PostForm("modem_ports"), Force: g.PostForm("force") != "",
	}
	next, err := c.cfg.Installation.ChangeConnection(ctx, c.actor(g), c.cfg.Connection(), form)
	if aw.ErrorCode(err) == aw.EINVALID {
		v := c.connForm(c.settings(g), c.installation(g))
		v.Proxy, v.URL, v.User, v.App, v.NATSURL, v.Ports = form.Proxy, next.ARIURL, next.ARIUser, next.ARIApp, form.NATSURL, form.ModemPorts
		v.Errors = map[string]string{aw.ErrorField(err): aw.ErrorMessage(err)}
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{Conn: v}, t["err_conn"]+" "+aw.ErrorMessage(err))
		return
	} else if err != nil {
		c.internal(g, err)
		return
	}
	done := "conn"
	if c.cfg.Reconnect == nil {
		done = "conn_restart"
	} else if waiting, err := c.cfg.Reconnect(ctx, next); err != nil {
		c.log.Error("console: reconnecting failed", "err", err)
		done = "conn_failed"
	} else if waiting > 0 {
		done = "conn_wait"
	}
	g.Redirect(http.StatusSeeOther, "/console/installation?done="+done+"#connection")
}

// simPINSave handles POST /console/installation/sim-pin: the modems' SIM
// PIN (4 to 8 digits), or "clear" for a SIM without PIN. The modems try a
// new PIN at their next poll; the PIN itself is never shown or logged.
func (c *Console) simPINSave(g *gin.Context) {
	err := c.cfg.Installation.ChangeSIMPIN(g.Request.Context(), c.actor(g), g.PostForm("sim_pin"), g.PostForm("clear") != "")
	if aw.ErrorCode(err) == aw.EINVALID {
		v := c.connForm(c.settings(g), c.installation(g))
		v.PINError = aw.ErrorMessage(err)
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{Conn: v}, texts[c.lang(g)]["err_conn"]+" "+v.PINError)
		return
	} else if err != nil {
		c.internal(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/installation?done=pin#connection")
}
