package httpapi

import (
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// CodeValidAfterHandled is how long the report number and access code open
// the page after the alarm was handled.
const CodeValidAfterHandled = aw.InfoTokenTTL

// Actors in the audit log for responders without a log-in.
const (
	actorLink = "sms-link"
	actorCode = "toegangscode"
)

// alarmByLink loads the alarm of the /m/:token link; 403 when it is unknown
// or expired (the two look the same).
func (c *Console) alarmByLink(g *gin.Context) *aw.Alarm {
	// Polls are neither throttled nor audited: a link's page left open
	// after it expired must not lock out a whole office behind one address.
	live := strings.HasSuffix(g.Request.URL.Path, "/live")
	ipKey := "ip:" + clientIP(g)
	if wait := c.linkThrottle.wait(ipKey); wait > 0 && !live {
		c.fail(g, http.StatusTooManyRequests, fmt.Sprintf(texts[c.lang(g)]["err_throttled"], int(math.Ceil(wait.Minutes()))))
		return nil
	}
	a, err := c.cfg.Store.AlarmByInfoToken(g.Request.Context(), g.Param("token"), c.cfg.Clock.Now())
	switch aw.ErrorCode(err) {
	case "":
		return a
	case aw.EUNAUTHORIZED, aw.ENOTFOUND:
		if !live {
			c.linkThrottle.fail(g.Request.Context(), ipKey)
			c.audit(g, aw.AuditEntry{Actor: actorLink, Action: aw.AuditAccessRefused, Detail: "link onbekend of verlopen"})
		}
		c.fail(g, http.StatusForbidden, texts[c.lang(g)]["err_link"])
	default:
		c.internal(g, err)
	}
	return nil
}

// linkBase is the path of a link's page.
func linkBase(g *gin.Context) string { return "/m/" + g.Param("token") }

// linkPage handles GET /m/:token: that one alarm's page without a log-in.
func (c *Console) linkPage(g *gin.Context) {
	if a := c.alarmByLink(g); a != nil {
		c.showInfo(g, a, linkBase(g), actorLink, true, "")
	}
}

// linkLive handles GET /m/:token/live.
func (c *Console) linkLive(g *gin.Context) {
	if a := c.alarmByLink(g); a != nil {
		c.liveInfo(g, a, linkBase(g), true)
	}
}

// linkHandle handles POST /m/:token/handle: the responder gives a name and
// a remark.
func (c *Console) linkHandle(g *gin.Context) {
	if a := c.alarmByLink(g); a != nil {
		c.handleInfo(g, a, linkBase(g), actorLink, actorLink, true)
	}
}

// codeForm is the public form: report number and access code.
type codeForm struct {
	Number    string
	NumberErr string
	CodeErr   string
}

// codePage handles GET /melding. A number in the query only fills the form.
func (c *Console) codePage(g *gin.Context) {
	c.render(g, http.StatusOK, "code", "code_title", codeForm{Number: g.Query("number")})
}

// codeSubmit handles POST /melding: both the report number and the access
// code are required; wrong pairs are throttled per IP and per number. A
// right pair opens the page through a fresh link of its own.
func (c *Console) codeSubmit(g *gin.Context) {
	t := texts[c.lang(g)]
	num := strings.TrimPrefix(strings.TrimSpace(g.PostForm("number")), "#")
	code := strings.TrimSpace(g.PostForm("code"))
	form := codeForm{Number: num}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		form.NumberErr = t["err_number"]
	}
	if code == "" {
		form.CodeErr = t["err_code_needed"]
	}
	if form.NumberErr != "" || form.CodeErr != "" {
		c.render(g, http.StatusUnprocessableEntity, "code", "code_title", form)
		return
	}
	ipKey, numKey := "ip:"+clientIP(g), "num:"+strconv.Itoa(n)
	if wait := max(c.codeThrottle.wait(ipKey), c.numThrottle.wait(numKey)); wait > 0 {
		c.render(g, http.StatusTooManyRequests, "code", "code_title", form, func(p *page) {
			p.Error = fmt.Sprintf(t["err_throttled"], int(math.Ceil(wait.Minutes())))
		})
		return
	}
	ctx := g.Request.Context()
	now := c.cfg.Clock.Now()
	a, err := c.cfg.Store.AlarmByNumber(ctx, n)
	if err != nil && aw.ErrorCode(err) != aw.ENOTFOUND {
		c.internal(g, err)
		return
	}
	ok := a != nil && a.AccessCode != "" && subtle.ConstantTimeCompare([]byte(a.AccessCode), []byte(code)) == 1
	if ok && a.State == aw.AlarmHandled && (a.HandledAt == nil || now.Sub(*a.HandledAt) >= CodeValidAfterHandled) {
		ok = false
	}
	if !ok {
		c.codeThrottle.fail(ctx, ipKey)
		c.numThrottle.fail(ctx, numKey)
		c.audit(g, aw.AuditEntry{Actor: actorCode, Action: aw.AuditAccessRefused, Target: "#" + strconv.Itoa(n), Detail: "verkeerde toegangscode of verlopen"})
		c.render(g, http.StatusForbidden, "code", "code_title", form, func(p *page) { p.Error = t["err_code"] })
		return
	}
	// The page is opened through a link of its own, valid as long as the
	// code is.
	tok, hash := aw.NewToken("")
	exp := now.Add(aw.InfoTokenTTL)
	if a.HandledAt != nil && a.HandledAt.Add(CodeValidAfterHandled).Before(exp) {
		exp = a.HandledAt.Add(CodeValidAfterHandled)
	}
	if _, err := c.cfg.Store.UpdateAlarm(ctx, a.ID, func(x *aw.Alarm) error {
		var keep []aw.InfoToken // expired links open nothing: drop them
		for _, it := range x.InfoTokens {
			if now.Before(it.ExpiresAt) {
				keep = append(keep, it)
			}
		}
		x.InfoTokens = append(keep, aw.InfoToken{Hash: hash, ExpiresAt: exp})
		return nil
	}); err != nil {
		c.internal(g, err)
		return
	}
	c.audit(g, aw.AuditEntry{Actor: actorCode, Action: aw.AuditAlarmViewed, Target: "#" + strconv.Itoa(n), Detail: "toegang met meldingsnummer en toegangscode"})
	g.Redirect(http.StatusSeeOther, "/m/"+tok)
}
