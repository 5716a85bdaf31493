package httpapi

import (
	"net/http"
	"slices"
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
	old, err := c.cfg.Store.Installation(ctx)
	if err != nil {
		c.internal(g, err)
		return
	}
	if c.cfg.Connection == nil {
		c.fail(g, http.StatusNotFound, t["err_not_found"])
		return
	}
	cur := c.cfg.Connection()
	if old.Connection != nil {
		cur = *old.Connection
	}
	next := aw.Connection{
		ARIURL: strings.TrimSpace(g.PostForm("ari_url")), ARIUser: strings.TrimSpace(g.PostForm("ari_user")),
		ARIPassword: g.PostForm("ari_password"), ARIApp: strings.TrimSpace(g.PostForm("ari_app")),
	}
	if g.PostForm("ari_mode") == "proxy" {
		next.NATSURL = strings.TrimSpace(g.PostForm("nats_url"))
	}
	if next.ARIPassword == "" && next.ARIURL == cur.ARIURL {
		// A stored password never goes to an address it was not given for.
		next.ARIPassword = cur.ARIPassword
	}
	for _, p := range strings.FieldsFunc(g.PostForm("modem_ports"), func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(next.ModemPorts, p) {
			next.ModemPorts = append(next.ModemPorts, p)
		}
	}
	err = next.Validate()
	if (err == nil || aw.ErrorField(err) == "ari_password") && next.ARIURL != "" && next.ARIPassword == "" {
		msg := "Vul het ARI-wachtwoord in."
		if cur.ARIPassword != "" && next.ARIURL != cur.ARIURL {
			msg = "Het ARI-adres is veranderd: vul het wachtwoord opnieuw in."
		}
		err = aw.FieldError("ari_password", "%s", msg)
	}
	if err == nil && c.cfg.CheckConnection != nil && g.PostForm("force") == "" {
		err = c.cfg.CheckConnection(ctx, next)
		if err != nil && aw.ErrorCode(err) != aw.EINVALID {
			err = aw.FieldError("ari_url", "%s", err.Error())
		}
	}
	if err != nil {
		v := c.connForm(c.settings(g), old)
		v.Proxy, v.URL, v.User, v.App, v.NATSURL, v.Ports = next.NATSURL != "" || g.PostForm("ari_mode") == "proxy", next.ARIURL, next.ARIUser, next.ARIApp, g.PostForm("nats_url"), g.PostForm("modem_ports")
		v.Errors = map[string]string{aw.ErrorField(err): aw.ErrorMessage(err)}
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{Conn: v}, t["err_conn"]+" "+aw.ErrorMessage(err))
		return
	}
	in := old
	in.Connection = &next
	if err := c.cfg.Store.SaveInstallation(ctx, in); err != nil {
		c.internal(g, err)
		return
	}
	actor := currentUser(g).Name
	for _, f := range [][3]string{
		{"ari_url", cur.ARIURL, next.ARIURL}, {"ari_user", cur.ARIUser, next.ARIUser}, {"ari_app", cur.ARIApp, next.ARIApp},
		{"nats_url", cur.NATSURL, next.NATSURL}, {"modem_ports", strings.Join(cur.ModemPorts, ", "), strings.Join(next.ModemPorts, ", ")},
	} {
		if f[1] != f[2] {
			c.audit(g, aw.AuditEntry{Actor: actor, Action: aw.AuditConnection, Target: "verbinding", Field: f[0], Old: f[1], New: f[2]})
		}
	}
	if cur.ARIPassword != next.ARIPassword {
		c.audit(g, aw.AuditEntry{Actor: actor, Action: aw.AuditConnection, Target: "verbinding", Field: "ari_password", New: secretWord(next.ARIPassword)})
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
	ctx := g.Request.Context()
	t := texts[c.lang(g)]
	old, err := c.cfg.Store.Settings(ctx)
	if err != nil {
		c.internal(g, err)
		return
	}
	next := old
	next.AdminNumbers = slices.Clone(old.AdminNumbers)
	next.SIMPIN = strings.TrimSpace(g.PostForm("sim_pin"))
	if g.PostForm("clear") != "" {
		next.SIMPIN = ""
	} else if next.SIMPIN == "" {
		next.SIMPIN = "x" // refused below: an empty field is not a PIN
	}
	if err := next.Validate(); err != nil {
		v := c.connForm(old, c.installation(g))
		v.PINError = aw.ErrorMessage(err)
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{Conn: v}, t["err_conn"]+" "+v.PINError)
		return
	}
	if err := c.cfg.Store.SaveSettings(ctx, next); err != nil {
		c.internal(g, err)
		return
	}
	if old.SIMPIN != next.SIMPIN {
		c.audit(g, aw.AuditEntry{Actor: currentUser(g).Name, Action: aw.AuditSIMPIN, Target: "modem", Field: "sim_pin", New: secretWord(next.SIMPIN)})
	}
	g.Redirect(http.StatusSeeOther, "/console/installation?done=pin#connection")
}
