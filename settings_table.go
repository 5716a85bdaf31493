package alleenwerken

import (
	"strconv"
	"strings"
	"time"
)

// SettingKind is how a setting is shown and typed.
type SettingKind string

// Setting kinds.
const (
	KindText    SettingKind = "text"
	KindInt     SettingKind = "int"
	KindSeconds SettingKind = "seconds" // a duration typed in seconds
	KindMinutes SettingKind = "minutes" // a duration typed in minutes
	KindList    SettingKind = "list"    // numbers separated by commas
	KindLang    SettingKind = "lang"    // one of Languages
	KindLines   SettingKind = "lines"   // one entry a line
)

// SettingPage is the console page a setting is edited on.
type SettingPage string

// Setting pages.
const (
	PageSettings SettingPage = "settings"     // the super admin's "Alleen werken" page
	PageInstall  SettingPage = "installation" // the installer's page
)

// SettingDef declares one setting, once: the config file
// ("settings.<Key>"), the console's forms and the audit log's labels all
// come from it. Its default is DefaultSettings' value, checked by
// Settings.Validate, whose errors name Key.
type SettingDef struct {
	Key   string      // form field, config key after "settings.", audit field, error field
	Kind  SettingKind //
	Page  SettingPage // where it is edited
	Role  Role        // who edits it (the page's role)
	Label [2]string   // Dutch, English
	Help  [2]string   // Dutch, English; may be empty
	// Get shows the value as a person types it; Set reads what a person
	// typed (in the console or the config file). A Set error names Key.
	Get func(s *Settings) string
	Set func(s *Settings, v string) error
}

// LabelIn returns the label in lang ("nl" or "en").
func (d SettingDef) LabelIn(lang string) string { return d.Label[langIndex(lang)] }

// HelpIn returns the help text in lang ("nl" or "en").
func (d SettingDef) HelpIn(lang string) string { return d.Help[langIndex(lang)] }

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// SettingByKey returns the declaration of a setting.
func SettingByKey(key string) (SettingDef, bool) {
	for _, d := range SettingDefs {
		if d.Key == key {
			return d, true
		}
	}
	return SettingDef{}, false
}

// SettingKeys returns the keys of the settings edited on page, in form
// order.
func SettingKeys(page SettingPage) []string {
	var out []string
	for _, d := range SettingDefs {
		if d.Page == page {
			out = append(out, d.Key)
		}
	}
	return out
}

// SettingDefs are the run-time settings, in form order. Adding a setting is
// a field of Settings, its default and check, and one entry here.
var SettingDefs = []SettingDef{
	textSetting("fallback_number", PageSettings, func(s *Settings) *string { return &s.FallbackNumber },
		[2]string{"Terugvalnummer", "Fallback number"},
		[2]string{"Wordt gebeld als niemand van de opgegeven nummers de melding aanneemt.", "Called when none of the given numbers accepts the alarm."}),
	{Key: "admin_numbers", Kind: KindList, Page: PageSettings, Role: RoleSuperAdmin,
		Label: [2]string{"Beheerdersnummers (mobiel)", "Admin numbers (mobile)"},
		Help:  [2]string{"Krijgen een sms als niemand aanneemt of een onderdeel uitvalt. Scheid met komma's.", "Get an SMS when nobody accepts or a part fails. Separate with commas."},
		Get:   func(s *Settings) string { return strings.Join(s.AdminNumbers, ", ") },
		Set: func(s *Settings, v string) error {
			s.AdminNumbers = splitList(v)
			return nil
		}},
	{Key: "allowed_countries", Kind: KindText, Page: PageSettings, Role: RoleSuperAdmin,
		Label: [2]string{"Toegestane landen", "Allowed countries"},
		Help: [2]string{"Alleen nummers uit deze landen worden aangenomen en gebeld (landcodes, gescheiden door komma's). Beschermt tegen belfraude naar dure bestemmingen.",
			"Only numbers of these countries are accepted and called (country codes, separated by commas). Guards against toll fraud to costly destinations."},
		Get: func(s *Settings) string { return strings.Join(s.AllowedCountries, ", ") },
		Set: func(s *Settings, v string) error {
			s.AllowedCountries = splitList(v)
			return nil
		}},
	durationSetting("max_ahead", KindMinutes, func(s *Settings) *time.Duration { return &s.MaxAhead },
		[2]string{"Hoogstens vooruit", "At most ahead"},
		[2]string{"Verder dan dit kan het einde van een sessie niet liggen, ook niet na verlengen.", "A session's end cannot lie further ahead than this, not even after extensions."}),
	durationSetting("cancel_window", KindSeconds, func(s *Settings) *time.Duration { return &s.CancelWindow },
		[2]string{"Annuleertijd na Alarm", "Cancel window after Alarm"},
		[2]string{"Zo lang kan de medewerker een ingedrukt alarm nog annuleren.", "This long the worker can still cancel a pressed alarm."}),
	durationSetting("reminder_lead", KindMinutes, func(s *Settings) *time.Duration { return &s.ReminderLead },
		[2]string{"Herinnering voor het einde", "Reminder before the end"},
		[2]string{"De herinnerings-sms komt zo lang voor het aflopen van de timer.", "The reminder SMS comes this long before the timer ends."}),
	durationSetting("default_extension", KindMinutes, func(s *Settings) *time.Duration { return &s.DefaultExtension },
		[2]string{"Standaardverlenging", "Default extension"}, [2]string{}),
	durationSetting("ring_timeout", KindSeconds, func(s *Settings) *time.Duration { return &s.RingTimeout },
		[2]string{"Beltijd per nummer", "Ring time per number"},
		[2]string{"Zo lang gaat de telefoon over voor we het volgende nummer bellen.", "This long a phone rings before the next number is called."}),
	intSetting("prompt_repeats", func(s *Settings) *int { return &s.PromptRepeats },
		[2]string{"Herhalingen van “druk op 1”", "Repeats of “press 1”"}, [2]string{}),
	intSetting("ladder_loops", func(s *Settings) *int { return &s.LadderLoops },
		[2]string{"Rondes langs alle nummers", "Rounds past all numbers"},
		[2]string{"Daarna heet de melding ‘niet aangenomen’ en bellen we elke herhaaltijd opnieuw.", "After that the alarm is ‘not accepted’ and the numbers are called again every repeat interval."}),
	durationSetting("loop_pause", KindSeconds, func(s *Settings) *time.Duration { return &s.LoopPause },
		[2]string{"Pauze tussen rondes", "Pause between rounds"},
		[2]string{"Zo lang wachten we na een ronde zonder aanname voor we weer bij het eerste nummer beginnen.", "This long we wait after a round nobody accepted before calling the first number again."}),
	durationSetting("repeat_interval", KindMinutes, func(s *Settings) *time.Duration { return &s.RepeatInterval },
		[2]string{"Herhaaltijd na de laatste ronde", "Repeat interval after the last round"}, [2]string{}),
	durationSetting("unhandled_reminder", KindMinutes, func(s *Settings) *time.Duration { return &s.UnhandledReminder },
		[2]string{"Herinnering bij aangenomen, niet afgehandelde melding", "Reminder for an accepted alarm not yet handled"},
		[2]string{"Zo lang na het aannemen, en daarna steeds weer na deze tijd, krijgen de aannemer (als die mobiel is) en de beheerders een sms tot iemand de melding afsluit.",
			"This long after acceptance, and again after each such interval, the acceptor (if mobile) and the admins get an SMS until someone closes the alarm."}),
	intSetting("simultaneous_calls", func(s *Settings) *int { return &s.SimultaneousCall },
		[2]string{"Gelijktijdige gesprekken", "Simultaneous calls"}, [2]string{}),
	func() SettingDef {
		d := textSetting("language", PageSettings, func(s *Settings) *string { return &s.Language },
			[2]string{"Taal van gesprekken en sms", "Language of calls and SMS"}, [2]string{})
		d.Kind = KindLang
		return d
	}(),
	textSetting("time_zone", PageSettings, func(s *Settings) *string { return &s.TimeZone },
		[2]string{"Tijdzone", "Time zone"}, [2]string{"Bijvoorbeeld Europe/Amsterdam.", "For example Europe/Amsterdam."}),
	textSetting("public_base_url", PageSettings, func(s *Settings) *string { return &s.PublicBaseURL },
		[2]string{"Adres van deze site", "Address of this site"},
		[2]string{"Voor de link in de sms, bijvoorbeeld https://alleenwerken.bedrijf.nl.", "For the link in the SMS, for example https://workingalone.example.com."}),
	textSetting("caller_id", PageInstall, func(s *Settings) *string { return &s.CallerID },
		[2]string{"Nummerweergave", "Caller ID"}, [2]string{}),
	textSetting("dial_template", PageInstall, func(s *Settings) *string { return &s.DialTemplate },
		[2]string{"Belsjabloon", "Dial template"},
		[2]string{"Bijvoorbeeld PJSIP/{e164}@trunk of PJSIP/{national}@trunk.", "For example PJSIP/{e164}@trunk or PJSIP/{national}@trunk."}),
	textSetting("trunk_endpoint", PageInstall, func(s *Settings) *string { return &s.TrunkEndpoint },
		[2]string{"Trunk-endpoint", "Trunk endpoint"}, [2]string{}),
	{Key: "extensions", Kind: KindLines, Page: PageInstall, Role: RoleInstaller,
		Label: [2]string{"Interne toestellen", "Internal extensions"},
		Help: [2]string{"Eén per regel: nummer, naam[, endpoint]. Bijvoorbeeld: 201, Portiersloge",
			"One a line: number, name[, endpoint]. For example: 201, Porter's lodge"},
		Get: formatExtensions, Set: parseExtensions},
}

func textSetting(key string, page SettingPage, p func(s *Settings) *string, label, help [2]string) SettingDef {
	role := RoleSuperAdmin
	if page == PageInstall {
		role = RoleInstaller
	}
	return SettingDef{Key: key, Kind: KindText, Page: page, Role: role, Label: label, Help: help,
		Get: func(s *Settings) string { return *p(s) },
		Set: func(s *Settings, v string) error { *p(s) = strings.TrimSpace(v); return nil }}
}

func intSetting(key string, p func(s *Settings) *int, label, help [2]string) SettingDef {
	return SettingDef{Key: key, Kind: KindInt, Page: PageSettings, Role: RoleSuperAdmin, Label: label, Help: help,
		Get: func(s *Settings) string { return strconv.Itoa(*p(s)) },
		Set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return FieldError(key, "Vul een heel getal in.")
			}
			*p(s) = n
			return nil
		}}
}

func durationSetting(key string, kind SettingKind, p func(s *Settings) *time.Duration, label, help [2]string) SettingDef {
	unit := time.Second
	if kind == KindMinutes {
		unit = time.Minute
	}
	return SettingDef{Key: key, Kind: kind, Page: PageSettings, Role: RoleSuperAdmin, Label: label, Help: help,
		Get: func(s *Settings) string { return FormatDuration(*p(s), unit) },
		Set: func(s *Settings, v string) error {
			d, err := ParseDuration(v, unit)
			if err != nil {
				return FieldError(key, "Vul een getal in (bijvoorbeeld 10 of 1m30s).")
			}
			*p(s) = d
			return nil
		}}
}

// splitList splits a list of numbers as typed: commas, semicolons or lines.
func splitList(v string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// formatExtensions shows extensions one a line: "201, Portiersloge[, endpoint]".
func formatExtensions(s *Settings) string {
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

// parseExtensions reads extensions one a line ("201, Portiersloge[,
// endpoint]"), or on one line as the config file has them
// ("201:Portiersloge, 202:Receptie[:endpoint]").
func parseExtensions(s *Settings, v string) error {
	s.Extensions = nil
	sep, field := "\n", ","
	if strings.Contains(v, ":") {
		sep, field = ",", ":"
	}
	for _, line := range strings.Split(v, sep) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, field, 3)
		x := Extension{Number: strings.TrimSpace(parts[0])}
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

// ParseDuration reads a duration as a person types it: a number in unit
// ("10"), with a unit ("10 s", "5 min", "1 uur") or Go's form ("1m30s").
func ParseDuration(v string, unit time.Duration) (time.Duration, error) {
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

// FormatDuration shows d as a number of units when it is whole, else in
// Go's form.
func FormatDuration(d, unit time.Duration) string {
	if d%unit == 0 {
		return strconv.FormatInt(int64(d/unit), 10)
	}
	return d.String()
}
