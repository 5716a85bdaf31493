package alleenwerken_test

import (
	"reflect"
	"strings"
	"testing"

	aw "alleenwerken"
)

// Every setting is declared once, completely: labels in both languages, a
// page and the role of that page, and a default that reads back through
// its own Get and Set and passes validation. Every field of Settings but
// the SIM PIN (its own form) is declared.
func TestSettingsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range aw.SettingDefs {
		t.Run(d.Key, func(t *testing.T) {
			if seen[d.Key] {
				t.Fatal("declared twice")
			}
			seen[d.Key] = true
			if d.LabelIn("nl") == "" || d.LabelIn("en") == "" || d.LabelIn("nl") == d.LabelIn("en") {
				t.Fatalf("labels %q / %q", d.LabelIn("nl"), d.LabelIn("en"))
			}
			if (d.HelpIn("nl") == "") != (d.HelpIn("en") == "") {
				t.Fatalf("help in one language only: %q / %q", d.HelpIn("nl"), d.HelpIn("en"))
			}
			switch {
			case d.Page == aw.PageSettings && d.Role == aw.RoleSuperAdmin:
			case d.Page == aw.PageInstall && d.Role == aw.RoleInstaller:
			default:
				t.Fatalf("page %q role %q", d.Page, d.Role)
			}
			def := aw.DefaultSettings()
			v := d.Get(&def)
			s := aw.DefaultSettings()
			if err := d.Set(&s, v); err != nil {
				t.Fatalf("Set(%q): %v", v, err)
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("default %q: %v", v, err)
			}
			if got := d.Get(&s); got != v {
				t.Fatalf("read back %q, want %q", got, v)
			}
			if got, ok := aw.SettingByKey(d.Key); !ok || got.Key != d.Key {
				t.Fatal("not found by key")
			}
		})
	}
	st := reflect.TypeFor[aw.Settings]()
	for i := range st.NumField() {
		key, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		if key != "-" && !seen[key] {
			t.Errorf("Settings.%s (%s) is not declared in SettingDefs", st.Field(i).Name, key)
		}
	}
}

// A value typed wrongly is an error that names the setting.
func TestSettingsTableRefuses(t *testing.T) {
	for key, v := range map[string]string{"ring_timeout": "dertig", "prompt_repeats": "drie", "reminder_lead": "5 jaar"} {
		d, _ := aw.SettingByKey(key)
		s := aw.DefaultSettings()
		if err := d.Set(&s, v); aw.ErrorField(err) != key {
			t.Errorf("%s = %q: %v, want an error on %s", key, v, err, key)
		}
	}
	// The config file's one-line form of the extensions and the console's
	// lines read the same.
	d, _ := aw.SettingByKey("extensions")
	a, b := aw.DefaultSettings(), aw.DefaultSettings()
	d.Set(&a, "201:Portiersloge, 202:Receptie:balie")
	d.Set(&b, "201, Portiersloge\n202, Receptie, balie")
	if d.Get(&a) != d.Get(&b) || len(a.Extensions) != 2 || a.Extensions[1].Endpoint != "balie" {
		t.Fatalf("config form %+v, console form %+v", a.Extensions, b.Extensions)
	}
}
