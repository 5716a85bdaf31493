package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"alleenwerken"

	"github.com/gin-gonic/gin"
)

// settingField is one field of the settings form: how it is shown and how
// what a person typed is read.
type settingField struct {
	Name  string // form name, the same as the field an error names
	Kind  string // text, int, seconds, minutes, list, lang, lines
	get   func(s *alleenwerken.Settings) string
	set   func(s *alleenwerken.Settings, v string) error
	Label string
	Help  string
	Unit  string
	Value string
	Error string
}

// TelephonyFields are the settings the installer changes on the
// installation page.
var TelephonyFields = []string{"caller_id", "dial_template", "trunk_endpoint", "extensions"}

// settingFields lists every field of alleenwerken.Settings in form order.
func settingFields() []settingField {
	str := func(p func(s *alleenwerken.Settings) *string) (func(*alleenwerken.Settings) string, func(*alleenwerken.Settings, string) error) {
		return func(s *alleenwerken.Settings) string { return *p(s) },
			func(s *alleenwerken.Settings, v string) error { *p(s) = strings.TrimSpace(v); return nil }
	}
	num := func(name string, p func(s *alleenwerken.Settings) *int) (func(*alleenwerken.Settings) string, func(*alleenwerken.Settings, string) error) {
		return func(s *alleenwerken.Settings) string { return strconv.Itoa(*p(s)) },
			func(s *alleenwerken.Settings, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return alleenwerken.FieldError(name, "Vul een heel getal in.")
				}
				*p(s) = n
				return nil
			}
	}
	dur := func(name string, unit time.Duration, p func(s *alleenwerken.Settings) *time.Duration) (func(*alleenwerken.Settings) string, func(*alleenwerken.Settings, string) error) {
		return func(s *alleenwerken.Settings) string { return formatDuration(*p(s), unit) },
			func(s *alleenwerken.Settings, v string) error {
				d, err := parseDuration(v, unit)
				if err != nil {
					return alleenwerken.FieldError(name, "Vul een getal in (bijvoorbeeld 10 of 1m30s).")
				}
				*p(s) = d
				return nil
			}
	}
	f := func(name, kind string, get func(*alleenwerken.Settings) string, set func(*alleenwerken.Settings, string) error) settingField {
		return settingField{Name: name, Kind: kind, get: get, set: set}
	}
	var out []settingField
	add := func(x settingField) { out = append(out, x) }
	g, s := str(func(s *alleenwerken.Settings) *string { return &s.FallbackNumber })
	add(f("fallback_number", "text", g, s))
	add(f("admin_numbers", "list",
		func(s *alleenwerken.Settings) string { return strings.Join(s.AdminNumbers, ", ") },
		func(s *alleenwerken.Settings, v string) error {
			s.AdminNumbers = nil
			for _, x := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
				if x = strings.TrimSpace(x); x != "" {
					s.AdminNumbers = append(s.AdminNumbers, x)
				}
			}
			return nil
		}))
	g, s = dur("cancel_window", time.Second, func(s *alleenwerken.Settings) *time.Duration { return &s.CancelWindow })
	add(f("cancel_window", "seconds", g, s))
	g, s = dur("reminder_lead", time.Minute, func(s *alleenwerken.Settings) *time.Duration { return &s.ReminderLead })
	add(f("reminder_lead", "minutes", g, s))
	g, s = dur("default_extension", time.Minute, func(s *alleenwerken.Settings) *time.Duration { return &s.DefaultExtension })
	add(f("default_extension", "minutes", g, s))
	g, s = dur("ring_timeout", time.Second, func(s *alleenwerken.Settings) *time.Duration { return &s.RingTimeout })
	add(f("ring_timeout", "seconds", g, s))
	g, s = num("prompt_repeats", func(s *alleenwerken.Settings) *int { return &s.PromptRepeats })
	add(f("prompt_repeats", "int", g, s))
	g, s = num("ladder_loops", func(s *alleenwerken.Settings) *int { return &s.LadderLoops })
	add(f("ladder_loops", "int", g, s))
	g, s = dur("repeat_interval", time.Minute, func(s *alleenwerken.Settings) *time.Duration { return &s.RepeatInterval })
	add(f("repeat_interval", "minutes", g, s))
	g, s = num("simultaneous_calls", func(s *alleenwerken.Settings) *int { return &s.SimultaneousCall })
	add(f("simultaneous_calls", "int", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.Language })
	add(f("language", "lang", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.TimeZone })
	add(f("time_zone", "text", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.PublicBaseURL })
	add(f("public_base_url", "text", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.CallerID })
	add(f("caller_id", "text", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.DialTemplate })
	add(f("dial_template", "text", g, s))
	g, s = str(func(s *alleenwerken.Settings) *string { return &s.TrunkEndpoint })
	add(f("trunk_endpoint", "text", g, s))
	add(f("extensions", "lines", formatExtensions, parseExtensions))
	return out
}

// formatExtensions shows extensions one a line: "201, Portiersloge[, endpoint]".
func formatExtensions(s *alleenwerken.Settings) string {
	var lines []string
	for _, x := range s.Extensions {
		l := x.Number + ", " + x.Name
		if x.Endpoint != "" {
			l += ", " + x.Endpoint
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func parseExtensions(s *alleenwerken.Settings, v string) error {
	s.Extensions = nil
	for _, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, ",", 3)
		x := alleenwerken.Extension{Number: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			x.Name = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			x.Endpoint = strings.TrimSpace(parts[2])
		}
		s.Extensions = append(s.Extensions, x)
	}
	return nil
}

// parseDuration reads a duration as a person types it: a number in unit
// ("10"), with a unit ("10 s", "5 min", "1 uur") or Go's form ("1m30s").
func parseDuration(v string, unit time.Duration) (time.Duration, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	v = strings.ReplaceAll(v, ",", ".")
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(f * float64(unit)), nil
	}
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"seconden", time.Second}, {"seconds", time.Second}, {"sec", time.Second}, {"s", time.Second},
		{"minuten", time.Minute}, {"minutes", time.Minute}, {"min", time.Minute},
		{"uur", time.Hour}, {"hours", time.Hour}, {"u", time.Hour}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(n), 64); err == nil {
				return time.Duration(f * float64(u.d)), nil
			}
		}
	}
	return time.ParseDuration(strings.ReplaceAll(v, " ", ""))
}

// formatDuration shows d as a number of units when it is whole, else in Go's
// form.
func formatDuration(d, unit time.Duration) string {
	if d%unit == 0 {
		return strconv.FormatInt(int64(d/unit), 10)
	}
	return d.String()
}

// settingsView is the settings page.
type settingsView struct {
	Fields []settingField
}

// fieldsWith fills labels and values; vals (as typed) override s.
func (c *Console) fieldsWith(g *gin.Context, s *alleenwerken.Settings, vals map[string]string) []settingField {
	t := texts[c.lang(g)]
	fields := settingFields()
	for i := range fields {
		f := &fields[i]
		f.Label, f.Help = t["set_"+f.Name], t["set_"+f.Name+"_help"]
		switch f.Kind {
		case "seconds":
			f.Unit = t["unit_seconds"]
		case "minutes":
			f.Unit = t["unit_minutes"]
		}
		f.Value = f.get(s)
		if v, ok := vals[f.Name]; ok {
			f.Value = v
		}
	}
	return fields
}

// settingsPage handles GET /console/settings.
func (c *Console) settingsPage(g *gin.Context) {
	s, err := c.cfg.Store.Settings(g.Request.Context())
	if err != nil {
		c.internal(g, err)
		return
	}
	c.render(g, http.StatusOK, "settings", "settings_title", settingsView{Fields: c.fieldsWith(g, &s, nil)}, func(p *page) {
		if g.Query("saved") == "1" {
			p.Flash = p.T["flash_saved"]
		}
	})
}

// settingsSave handles POST /console/settings: every field is read, the
// settings validated (the error shown next to its field), stored, and each
// changed field written to the audit log with its old and new value.
func (c *Console) settingsSave(g *gin.Context) {
	fields, msg, ok := c.applySettings(g, nil, nil)
	if ok {
		g.Redirect(http.StatusSeeOther, "/console/settings?saved=1")
	} else if fields != nil {
		c.render(g, http.StatusUnprocessableEntity, "settings", "settings_title", settingsView{Fields: fields}, withFieldError(fields, msg))
	}
}

// withFieldError sets the page's error: a pointer to the field in red, and
// the message itself when no shown field has it.
func withFieldError(fields []settingField, msg string) func(*page) {
	return func(p *page) {
		p.Error = p.T["err_settings"]
		for _, f := range fields {
			if f.Error != "" {
				return
			}
		}
		p.Error += " " + msg
	}
}

// applySettings reads the posted fields (only those named in allowed; all
// when nil), validates and stores the settings and audits each changed
// field. On an invalid value it returns the allowed fields as typed, with
// the error next to its field, the error's message and false; after an
// internal error it has answered already and returns nil fields. before,
// when set, runs on the valid new settings just before they are stored; its
// field error refuses them like an invalid value.
func (c *Console) applySettings(g *gin.Context, allowed []string, before func(next alleenwerken.Settings) error) ([]settingField, string, bool) {
	ctx := g.Request.Context()
	old, err := c.cfg.Store.Settings(ctx)
	if err != nil {
		c.internal(g, err)
		return nil, "", false
	}
	next := old
	next.AdminNumbers = append([]string(nil), old.AdminNumbers...)
	next.Extensions = append([]alleenwerken.Extension(nil), old.Extensions...)
	vals := map[string]string{}
	var verr error
	for _, f := range settingFields() {
		v, ok := g.GetPostForm(f.Name)
		if !ok || (allowed != nil && !slices.Contains(allowed, f.Name)) {
			continue
		}
		vals[f.Name] = v
		if err := f.set(&next, v); err != nil && verr == nil {
			verr = err
		}
	}
	if verr == nil {
		verr = next.Validate()
	}
	if verr == nil && before != nil {
		verr = before(next)
	}
	if verr == nil {
		verr = c.cfg.Store.SaveSettings(ctx, next)
	}
	if verr != nil {
		if alleenwerken.ErrorCode(verr) != alleenwerken.EINVALID {
			c.internal(g, verr)
			return nil, "", false
		}
		field := alleenwerken.ErrorField(verr)
		switch {
		case field == "number", field == "name", field == "endpoint", strings.HasPrefix(field, "password_"):
			field = "extensions"
		}
		var fields []settingField
		for _, f := range c.fieldsWith(g, &old, vals) {
			if allowed != nil && !slices.Contains(allowed, f.Name) {
				continue
			}
			if f.Name == field {
				f.Error = alleenwerken.ErrorMessage(verr)
			}
			fields = append(fields, f)
		}
		return fields, alleenwerken.ErrorMessage(verr), false
	}
	actor := currentUser(g).Name
	for _, f := range settingFields() {
		if o, n := f.get(&old), f.get(&next); o != n {
			c.audit(g, alleenwerken.AuditEntry{Actor: actor, Action: alleenwerken.AuditSettingChanged, Target: "instellingen", Field: f.Name, Old: o, New: n})
		}
	}
	c.log.Info("settings changed", "by", actor)
	return nil, "", true
}
