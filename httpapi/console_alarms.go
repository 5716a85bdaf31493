package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// MaxAlarmsListed is how many alarms the list shows.
const MaxAlarmsListed = 200

// alarmRow is one line of the alarms list: no personal data.
type alarmRow struct {
	Number     int
	State      string
	StateClass string
	Cause      string // why it went off, in words
	Time       string
	Age        string // how long it is open, or since it was accepted; empty once handled
	Test       bool
}

// home handles GET /console: the menu, and open alarms for those who
// respond.
func (c *Console) home(g *gin.Context) {
	u := currentUser(g)
	var open []alarmRow
	if u.Role != aw.RoleInstaller {
		alarms, err := c.cfg.Reports.Open(g.Request.Context())
		if err != nil {
			c.internal(g, err)
			return
		}
		open = c.rows(g, alarms)
	}
	c.render(g, http.StatusOK, "home", "home_title", open)
}

func (c *Console) rows(g *gin.Context, alarms []*aw.Alarm) []alarmRow {
	lang, loc, now := c.lang(g), c.settings(g).Location(), c.cfg.Clock.Now()
	rows := []alarmRow{}
	for _, a := range alarms {
		r := alarmRow{Number: a.Number, State: stateText(lang, a.State), StateClass: string(a.State), Cause: causeText(lang, a.Cause), Time: localTime(a.RaisedAt, loc, lang), Test: a.Test}
		switch {
		case a.State == aw.AlarmAccepted && a.AcceptedAt != nil:
			r.Age = fmt.Sprintf(texts[lang]["age_accepted"], age(lang, now, *a.AcceptedAt))
		case a.State != aw.AlarmHandled:
			r.Age = age(lang, now, a.RaisedAt)
		}
		rows = append(rows, r)
	}
	return rows
}

// alarmList handles GET /console/alarms; ?number= jumps to that alarm.
func (c *Console) alarmList(g *gin.Context) {
	if q := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(g.Query("number")), "#")); q != "" {
		if n, err := strconv.Atoi(q); err == nil && n > 0 {
			g.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/alarms/%d", n))
			return
		}
		c.fail(g, http.StatusNotFound, texts[c.lang(g)]["err_no_alarm"])
		return
	}
	alarms, err := c.cfg.Reports.Recent(g.Request.Context(), MaxAlarmsListed)
	if err != nil {
		c.internal(g, err)
		return
	}
	c.render(g, http.StatusOK, "alarms", "alarms_title", c.rows(g, alarms))
}

// alarmByParam loads the alarm of the :number parameter; 404 otherwise.
func (c *Console) alarmByParam(g *gin.Context) *aw.Alarm {
	n, err := strconv.Atoi(g.Param("number"))
	if err != nil || n <= 0 {
		c.fail(g, http.StatusNotFound, texts[c.lang(g)]["err_no_alarm"])
		return nil
	}
	a, err := c.cfg.Reports.ByNumber(g.Request.Context(), n)
	if aw.ErrorCode(err) == aw.ENOTFOUND {
		c.fail(g, http.StatusNotFound, texts[c.lang(g)]["err_no_alarm"])
		return nil
	} else if err != nil {
		c.internal(g, err)
		return nil
	}
	return a
}

// alarmPage handles GET /console/alarms/:number: a logged-in user needs
// only the number. Every view is audited.
func (c *Console) alarmPage(g *gin.Context) {
	if a := c.alarmByParam(g); a != nil {
		base := fmt.Sprintf("/console/alarms/%d", a.Number)
		c.showInfo(g, a, base, c.actor(g), false, "")
	}
}

// alarmLive handles GET /console/alarms/:number/live.
func (c *Console) alarmLive(g *gin.Context) {
	if a := c.alarmByParam(g); a != nil {
		c.liveInfo(g, a, fmt.Sprintf("/console/alarms/%d", a.Number), false)
	}
}

// alarmHandle handles POST /console/alarms/:number/handle.
func (c *Console) alarmHandle(g *gin.Context) {
	if a := c.alarmByParam(g); a != nil {
		c.handleInfo(g, a, fmt.Sprintf("/console/alarms/%d", a.Number), c.actor(g), false)
	}
}

// info builds the view of an alarm with its session.
func (c *Console) info(g *gin.Context, a *aw.Alarm, base string, askName bool) *infoView {
	r := c.cfg.Reports.Report(g.Request.Context(), a)
	v := buildInfo(c.lang(g), a, r.Session, r.SMS, c.settings(g), c.cfg.Clock.Now())
	v.LiveURL, v.HandleURL, v.AskName = base+"/live", base+"/handle", askName
	return v
}

// showInfo renders the information page and audits the view.
func (c *Console) showInfo(g *gin.Context, a *aw.Alarm, base string, by aw.Actor, askName bool, errMsg string) {
	v := c.info(g, a, base, askName)
	c.cfg.Reports.Viewed(g.Request.Context(), by, a)
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusUnprocessableEntity
	}
	c.render(g, status, "info", "info_title", v, func(p *page) {
		p.Title = fmt.Sprintf("%s #%d", p.T["info_title"], a.Number)
		p.Refresh = v.Open
		p.Error = errMsg
		if g.Query("handled") == "1" {
			p.Flash = p.T["flash_handled"]
		}
	})
}

// liveJSON is what the page's script polls while the ladder runs.
type liveJSON struct {
	Version string `json:"version"`
	State   string `json:"state"`
	Open    bool   `json:"open"`
	HTML    string `json:"html"`
}

// liveInfo answers the page's poll with the changing part of the page.
// Polls are not audited: the page view was.
func (c *Console) liveInfo(g *gin.Context, a *aw.Alarm, base string, askName bool) {
	v := c.info(g, a, base, askName)
	lang := c.lang(g)
	var b bytes.Buffer
	if err := c.pages["info"].ExecuteTemplate(&b, "live", &page{Lang: lang, T: texts[lang], Data: v}); err != nil {
		c.internal(g, err)
		return
	}
	g.Header("Cache-Control", "no-store")
	g.JSON(http.StatusOK, liveJSON{Version: v.Version, State: v.State, Open: v.Open, HTML: b.String()})
}

// handleInfo marks the alarm handled with the form's remark (the ladder
// stops); a responder without a log-in (askName) gives a name.
func (c *Console) handleInfo(g *gin.Context, a *aw.Alarm, base string, by aw.Actor, askName bool) {
	viewer := by
	if askName {
		by.Name = strings.TrimSpace(g.PostForm("name"))
	}
	_, err := c.cfg.Reports.Handle(g.Request.Context(), by, a, strings.TrimSpace(g.PostForm("remark")))
	switch {
	case err == nil:
		g.Redirect(http.StatusSeeOther, base+"?handled=1")
	case aw.ErrorField(err) == "name":
		c.showInfo(g, a, base, viewer, askName, texts[c.lang(g)]["err_name_needed"])
	case aw.ErrorCode(err) == aw.EINVALID || aw.ErrorCode(err) == aw.ECONFLICT:
		c.showInfo(g, a, base, viewer, askName, aw.ErrorMessage(err))
	default:
		c.internal(g, err)
	}
}
