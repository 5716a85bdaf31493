package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// alarmByLink loads the alarm of the /m/:token link; 403 when it is unknown
// or expired (the two look the same).
func (c *Console) alarmByLink(g *gin.Context) *aw.Alarm {
	live := strings.HasSuffix(g.Request.URL.Path, "/live")
	a, err := c.cfg.Reports.ByLink(g.Request.Context(), g.Param("token"), clientIP(g), live)
	switch aw.ErrorCode(err) {
	case "":
		return a
	case aw.ETOOMANY:
		c.fail(g, http.StatusTooManyRequests, throttled(c.lang(g), err))
	case aw.EUNAUTHORIZED:
		c.fail(g, http.StatusForbidden, texts[c.lang(g)]["err_link"])
	default:
		c.internal(g, err)
	}
	return nil
}

// linkActor is the responder who opened a link.
func linkActor(g *gin.Context) aw.Actor { return aw.ResponderActor(aw.DoorLink, "", clientIP(g)) }

// linkBase is the path of a link's page.
func linkBase(g *gin.Context) string { return "/m/" + g.Param("token") }

// linkPage handles GET /m/:token: that one alarm's page without a log-in.
func (c *Console) linkPage(g *gin.Context) {
	if a := c.alarmByLink(g); a != nil {
		c.showInfo(g, a, linkBase(g), linkActor(g), true, "")
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
		c.handleInfo(g, a, linkBase(g), linkActor(g), true)
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
	// A right pair opens the page through a link of its own.
	tok, err := c.cfg.Reports.ByCode(g.Request.Context(), n, code, clientIP(g))
	switch aw.ErrorCode(err) {
	case "":
		g.Redirect(http.StatusSeeOther, "/m/"+tok)
	case aw.ETOOMANY:
		c.render(g, http.StatusTooManyRequests, "code", "code_title", form, func(p *page) { p.Error = throttled(c.lang(g), err) })
	case aw.EUNAUTHORIZED:
		c.render(g, http.StatusForbidden, "code", "code_title", form, func(p *page) { p.Error = t["err_code"] })
	default:
		c.internal(g, err)
	}
}

// throttled is the page's text for a lock-out error: how many minutes
// are left.
func throttled(lang string, err error) string {
	return fmt.Sprintf(texts[lang]["err_throttled"], int(math.Ceil(aw.ErrorWait(err).Minutes())))
}
