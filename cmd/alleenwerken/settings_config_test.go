package main

import (
	"strings"
	"testing"

	aw "alleenwerken"
)

// Every declared setting has a config key, "settings.<key>", that the
// parser accepts with the setting's default as the console shows it, and
// that seeds the same value.
func TestConfigTakesEverySetting(t *testing.T) {
	def := aw.DefaultSettings()
	def.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
	for _, d := range aw.SettingDefs {
		t.Run(d.Key, func(t *testing.T) {
			v := strings.ReplaceAll(d.Get(&def), "\n", ",")
			c, err := ParseConfig(strings.NewReader("listen = 127.0.0.1:0\ndatabase = /tmp/x.db\ndemo = true\nsettings." + d.Key + " = " + v + "\n"))
			if err != nil {
				t.Fatalf("settings.%s = %s: %v", d.Key, v, err)
			}
			if got, want := d.Get(&c.Settings), d.Get(&def); got != want {
				t.Fatalf("seeded %q, want %q", got, want)
			}
		})
	}
}
