package httpapi

import (
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// testAlarmView is the last test alarm on the installation page: no
// personal data, so the installer may see it.
type testAlarmView struct {
	Number   int
	State    string
	Time     string
	Attempts []attemptView
}

// lastTestAlarm returns the newest test alarm, or nil.
func (c *Console) lastTestAlarm(g *gin.Context) *testAlarmView {
	a, err := c.cfg.Reports.LastTest(g.Request.Context(), MaxAlarmsListed)
	if err != nil || a == nil {
		return nil
	}
	lang, set := c.lang(g), c.settings(g)
	loc := set.Location()
	v := &testAlarmView{Number: a.Number, State: stateText(lang, a.State), Time: localTime(a.RaisedAt, loc, lang)}
	for _, t := range a.Attempts {
		v.Attempts = append(v.Attempts, attemptView{Number: set.NumberLabel(t.Number), Outcome: outcomeText(lang, t.Outcome), Class: "o-" + string(t.Outcome), Time: localTime(t.StartedAt, loc, lang)})
	}
	return v
}

// testAlarmCreate handles POST /console/installation/test-alarm.
func (c *Console) testAlarmCreate(g *gin.Context) {
	t := texts[c.lang(g)]
	if c.cfg.TestAlarms == nil {
		c.fail(g, http.StatusServiceUnavailable, t["err_no_test_alarms"])
		return
	}
	var numbers []string
	for _, n := range strings.FieldsFunc(g.PostForm("numbers"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if n = strings.TrimSpace(n); n != "" {
			numbers = append(numbers, n)
		}
	}
	_, err := c.cfg.TestAlarms.RaiseTestAlarm(g.Request.Context(), c.actor(g), numbers)
	switch aw.ErrorCode(err) {
	case "":
	case aw.EINVALID:
		c.renderInstall(g, http.StatusUnprocessableEntity, installView{TestNumbers: g.PostForm("numbers")}, aw.ErrorMessage(err))
		return
	default:
		c.internal(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/installation?done=test")
}
