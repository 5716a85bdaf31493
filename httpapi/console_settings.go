package httpapi

import (
	"net/http"
	"strings"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// settingField is one field of a settings form, from its declaration in
// aw.SettingDefs: how it is shown and what was typed.
type settingField struct {
	Name  string // form name, the same as the field an error names
	Kind  string // text, int, seconds, minutes, list, lang, lines
	Label string
	Help  string
	Unit  string
	Value string
	Error string
}

// settingsView is the settings page.
type settingsView struct {
	Fields []settingField
	// RemindsNobody: with these settings an alarm accepted by an
	// extension or landline and not handled reminds nobody.
	RemindsNobody bool
}

// fieldsWith returns the fields of the settings edited on page, with
// labels and values; vals (as typed) override s.
func (c *Console) fieldsWith(g *gin.Context, page aw.SettingPage, s *aw.Settings, vals map[string]string) []settingField {
	lang := c.lang(g)
	t := texts[lang]
	var fields []settingField
	for _, d := range aw.SettingDefs {
		if d.Page != page {
			continue
		}
		f := settingField{Name: d.Key, Kind: string(d.Kind), Label: d.LabelIn(lang), Help: d.HelpIn(lang), Value: d.Get(s)}
		switch d.Kind {
		case aw.KindSeconds:
			f.Unit = t["unit_seconds"]
		case aw.KindMinutes:
			f.Unit = t["unit_minutes"]
		}
		if v, ok := vals[f.Name]; ok {
			f.Value = v
		}
		fields = append(fields, f)
	}
	return fields
}

// settingsPage handles GET /console/settings.
func (c *Console) settingsPage(g *gin.Context) {
	s, err := c.cfg.Settings.Settings(g.Request.Context())
	if err != nil {
		c.internal(g, err)
		return
	}
	fields := c.fieldsWith(g, aw.PageSettings, &s, nil)
	v := settingsView{Fields: fields, RemindsNobody: s.UnhandledReminderReachesNobody()}
	c.render(g, http.StatusOK, "settings", "settings_title", v, func(p *page) {
		if g.Query("saved") == "1" {
			p.Flash = p.T["flash_saved"]
		}
	})
}

// settingsSave handles POST /console/settings: every field is read, the
// settings validated (the error shown next to its field), stored, and each
// changed field written to the audit log with its old and new value.
func (c *Console) settingsSave(g *gin.Context) {
	fields, msg, ok := c.applySettings(g, aw.PageSettings, nil)
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

// applySettings reads the posted fields of the settings on page, validates
// and stores the settings and audits each changed field (SettingsService).
// On an invalid value it returns the page's fields as typed, with
// the error next to its field, the error's message and false; after an
// internal error it has answered already and returns nil fields. before,
// when set, runs on the valid new settings just before they are stored; its
// field error refuses them like an invalid value.
func (c *Console) applySettings(g *gin.Context, page aw.SettingPage, before func(next aw.Settings) error) ([]settingField, string, bool) {
	vals := map[string]string{}
	for _, key := range aw.SettingKeys(page) {
		if v, ok := g.GetPostForm(key); ok {
			vals[key] = v
		}
	}
	old, verr := c.cfg.Settings.Change(g.Request.Context(), c.actor(g), page, vals, before)
	if verr == nil {
		c.log.Info("settings changed", "by", currentUser(g).Name)
		return nil, "", true
	}
	if aw.ErrorCode(verr) != aw.EINVALID {
		c.internal(g, verr)
		return nil, "", false
	}
	field := aw.ErrorField(verr)
	switch {
	case field == "number", field == "name", field == "endpoint", strings.HasPrefix(field, "password_"):
		field = "extensions"
	}
	fields := c.fieldsWith(g, page, &old, vals)
	for i := range fields {
		if fields[i].Name == field {
			fields[i].Error = aw.ErrorMessage(verr)
		}
	}
	return fields, aw.ErrorMessage(verr), false
}
