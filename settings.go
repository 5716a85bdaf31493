package alleenwerken

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Settings are the run-time settings an admin changes. They live in the store,
// are seeded from the config file on first start, and are read afresh for
// each call attempt and each SMS.
type Settings struct {
	FallbackNumber   string        `json:"fallback_number"`
	AdminNumbers     []string      `json:"admin_numbers"`
	CancelWindow     time.Duration `json:"cancel_window"`
	ReminderLead     time.Duration `json:"reminder_lead"`
	DefaultExtension time.Duration `json:"default_extension"`
	RingTimeout      time.Duration `json:"ring_timeout"`
	PromptRepeats    int           `json:"prompt_repeats"`
	LadderLoops      int           `json:"ladder_loops"`
	LoopPause        time.Duration `json:"loop_pause"` // between the loops of the ladder
	RepeatInterval   time.Duration `json:"repeat_interval"`
	// UnhandledReminder is how long after acceptance, and then again how
	// often, the acceptor (if mobile) and the admins are reminded of an
	// alarm nobody has marked handled.
	UnhandledReminder time.Duration `json:"unhandled_reminder"`
	SimultaneousCall  int           `json:"simultaneous_calls"`
	Language          string        `json:"language"`  // "nl" or "en"
	TimeZone          string        `json:"time_zone"` // IANA name
	PublicBaseURL     string        `json:"public_base_url"`
	CallerID          string        `json:"caller_id"`
	DialTemplate      string        `json:"dial_template"`  // e.g. "PJSIP/{e164}@trunk" or "PJSIP/{national}@trunk"
	TrunkEndpoint     string        `json:"trunk_endpoint"` // PJSIP endpoint of the SIP trunk, for health
	Extensions        []Extension   `json:"extensions"`
	SIMPIN            string        `json:"-"` // the modem's SIM PIN; never shown
	// AllowedCountries are the countries (ISO 3166) whose numbers may be
	// entered as worker, alarm, fallback, admin or test number.
	AllowedCountries []string `json:"allowed_countries"`
	// MaxAhead is how far a session's end may lie ahead: extensions do
	// not add up beyond it.
	MaxAhead time.Duration `json:"max_ahead"`
}

// Languages are the languages of the prompts, the SMS texts and the
// console: Dutch first.
var Languages = []string{"nl", "en"}

// DefaultSettings returns the safe defaults of the customer's document.
func DefaultSettings() Settings {
	return Settings{
		CancelWindow:      10 * time.Second,
		ReminderLead:      5 * time.Minute,
		DefaultExtension:  60 * time.Minute,
		RingTimeout:       30 * time.Second,
		PromptRepeats:     3,
		LadderLoops:       2,
		LoopPause:         60 * time.Second,
		RepeatInterval:    5 * time.Minute,
		UnhandledReminder: 30 * time.Minute,
		SimultaneousCall:  4,
		Language:          "nl",
		TimeZone:          "Europe/Amsterdam",
		PublicBaseURL:     "https://alleenwerken.local",
		DialTemplate:      "PJSIP/{e164}@trunk",
		TrunkEndpoint:     "trunk",
		AllowedCountries:  slices.Clone(DefaultCountries),
		MaxAhead:          24 * time.Hour,
	}
}

// Validate checks the settings and normalises the numbers in place. Errors
// name the field.
func (s *Settings) Validate() error {
	for _, x := range s.Extensions {
		if err := x.Validate(); err != nil {
			return err
		}
	}
	countries, err := CheckCountries(s.AllowedCountries)
	if err != nil {
		return err
	}
	s.AllowedCountries = countries
	if s.FallbackNumber != "" {
		n, err := ParseAlarmNumber("fallback_number", s.FallbackNumber, s.Extensions, s.AllowedCountries)
		if err != nil {
			return err
		}
		s.FallbackNumber = n
	}
	for i, a := range s.AdminNumbers {
		n, err := ParseMobileNumber("admin_numbers", a, s.AllowedCountries)
		if err != nil {
			return err
		}
		s.AdminNumbers[i] = n
	}
	switch {
	case s.CancelWindow < time.Second || s.CancelWindow > 5*time.Minute:
		return FieldError("cancel_window", "De annuleertijd ligt tussen 1 seconde en 5 minuten.")
	case s.ReminderLead < 0 || s.ReminderLead > 2*time.Hour:
		return FieldError("reminder_lead", "De herinnering komt 0 tot 120 minuten voor het einde.")
	case s.DefaultExtension < time.Minute || s.DefaultExtension > 24*time.Hour:
		return FieldError("default_extension", "De standaardverlenging ligt tussen 1 minuut en 24 uur.")
	case s.RingTimeout < time.Second || s.RingTimeout > 2*time.Minute:
		return FieldError("ring_timeout", "De beltijd ligt tussen 1 en 120 seconden.")
	case s.PromptRepeats < 1 || s.PromptRepeats > 10:
		return FieldError("prompt_repeats", "Het aantal herhalingen ligt tussen 1 en 10.")
	case s.LadderLoops < 1 || s.LadderLoops > 10:
		return FieldError("ladder_loops", "Het aantal rondes ligt tussen 1 en 10.")
	case s.MaxAhead < time.Hour || s.MaxAhead > 7*24*time.Hour:
		return FieldError("max_ahead", "Een sessie loopt 1 tot 168 uur vooruit.")
	case s.LoopPause < 0 || s.LoopPause > time.Hour:
		return FieldError("loop_pause", "De pauze tussen rondes ligt tussen 0 seconden en 60 minuten.")
	case s.RepeatInterval < time.Second || s.RepeatInterval > time.Hour:
		return FieldError("repeat_interval", "De herhaaltijd ligt tussen 1 seconde en 60 minuten.")
	case s.UnhandledReminder < time.Second || s.UnhandledReminder > 24*time.Hour:
		return FieldError("unhandled_reminder", "De herinnering bij een niet afgehandelde melding ligt tussen 1 seconde en 24 uur.")
	case s.SimultaneousCall < 1 || s.SimultaneousCall > 100:
		return FieldError("simultaneous_calls", "Het aantal gelijktijdige gesprekken ligt tussen 1 en 100.")
	case !slices.Contains(Languages, s.Language):
		return FieldError("language", "De taal is nl of en.")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		return FieldError("time_zone", "%q is geen bekende tijdzone.", s.TimeZone)
	}
	if s.SIMPIN != "" && (len(s.SIMPIN) < 4 || len(s.SIMPIN) > 8 || strings.Trim(s.SIMPIN, "0123456789") != "") {
		return FieldError("sim_pin", "Een pincode heeft 4 tot 8 cijfers.")
	}
	if !strings.Contains(s.DialTemplate, "{e164}") && !strings.Contains(s.DialTemplate, "{national}") {
		return FieldError("dial_template", "Het belsjabloon bevat {e164} of {national}.")
	}
	u, err := url.Parse(s.PublicBaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return FieldError("public_base_url", "Het adres begint met http:// of https:// en heeft een host.")
	}
	s.PublicBaseURL = strings.TrimRight(s.PublicBaseURL, "/")
	return nil
}

// DialString fills the dial template for an E.164 number.
func (s Settings) DialString(e164 string) string {
	r := strings.NewReplacer("{e164}", e164, "{national}", NationalNumber(e164))
	return r.Replace(s.DialTemplate)
}

// clone returns a copy of s that shares no slice with it (Validate
// rewrites the admin numbers in place).
func (s Settings) clone() Settings {
	s.AdminNumbers = slices.Clone(s.AdminNumbers)
	s.Extensions = slices.Clone(s.Extensions)
	return s
}

// Dial is what dials number: an extension's endpoint, else the dial
// template filled for the E.164 number.
func (s Settings) Dial(number string) string {
	if x, ok := s.Extension(number); ok {
		return x.Dial()
	}
	return s.DialString(number)
}

// Location returns the settings' time zone, or UTC when it cannot be loaded.
func (s Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// UnhandledReminderReachesNobody reports whether the reminder of an accepted
// alarm nobody handles can reach nobody: no admin numbers are set, so an
// alarm accepted by an extension (or a landline) reminds no one.
func (s Settings) UnhandledReminderReachesNobody() bool { return len(s.AdminNumbers) == 0 }

// Extension returns the extension with the given number.
func (s Settings) Extension(number string) (Extension, bool) {
	for _, x := range s.Extensions {
		if x.Number == number {
			return x, true
		}
	}
	return Extension{}, false
}
