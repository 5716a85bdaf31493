package alleenwerken_test

import (
	"strings"
	"testing"

	aw "alleenwerken"
)

func TestParseNumbers(t *testing.T) {
	ext := []aw.Extension{{Number: "201"}}
	t.Run("OK", func(t *testing.T) {
		for _, in := range []string{"0617782201", "06-17782201", "+31617782201", "31617782201", "0031617782201", " 06 1778 2201 "} {
			if got, err := aw.ParseMobileNumber("worker.phone", in, nil); err != nil || got != "+31617782201" {
				t.Fatalf("%q -> %q, %v", in, got, err)
			}
		}
		for in, want := range map[string]string{"+32470123456": "+32470123456", "033-4221234": "+31334221234", "201": "201", "088-1234567": "+31881234567"} {
			if got, err := aw.ParseAlarmNumber("alarm_numbers[0]", in, ext, nil); err != nil || got != want {
				t.Fatalf("%q -> %q, %v", in, got, err)
			}
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		for in, why := range map[string]string{
			"112": "alarm- of servicenummer", "0900-1234567": "betaal- of servicenummer", "0906-1234567": "betaal",
			"0909-1234567": "betaal", "14020": "servicenummer", "0800-1234": "servicenummer", "abc": "geen geldig", "12": "geen geldig", "": "ontbreekt",
		} {
			_, err := aw.ParseAlarmNumber("alarm_numbers[1]", in, ext, nil)
			if aw.ErrorCode(err) != aw.EINVALID || aw.ErrorField(err) != "alarm_numbers[1]" || !strings.Contains(aw.ErrorMessage(err), why) {
				t.Fatalf("%q: %v", in, err)
			}
		}
		// An extension that is not set up is named as such, not as a
		// service number; the message names the ones there are.
		for _, in := range []string{"202", "2010", " 301 "} {
			_, err := aw.ParseAlarmNumber("alarm_numbers[0]", in, []aw.Extension{{Number: "201", Name: "Portiersloge"}}, nil)
			if msg := aw.ErrorMessage(err); aw.ErrorField(err) != "alarm_numbers[0]" || !strings.Contains(msg, "is geen ingesteld toestel") ||
				!strings.Contains(msg, "201 Portiersloge") || strings.Contains(msg, "servicenummer") {
				t.Fatalf("%q: %v", in, err)
			}
		}
		if _, err := aw.ParseMobileNumber("worker.phone", "033-4221234", nil); !strings.Contains(aw.ErrorMessage(err), "geen mobiel nummer") {
			t.Fatalf("landline as worker phone: %v", err)
		}
		if _, err := aw.ParseMobileNumber("worker.phone", "201", nil); aw.ErrorCode(err) != aw.EINVALID {
			t.Fatalf("extension as worker phone: %v", err)
		}
	})
	t.Run("National", func(t *testing.T) {
		if got := aw.NationalNumber("+31617782201"); got != "0617782201" {
			t.Fatalf("national = %s", got)
		}
		s := aw.DefaultSettings()
		s.DialTemplate = "PJSIP/{national}@trunk"
		if got := s.DialString("+31617782201"); got != "PJSIP/0617782201@trunk" {
			t.Fatalf("dial = %s", got)
		}
	})
}

// A number that is an extension shows with its name wherever people read
// it; any other number as it is.
func TestNumberLabel(t *testing.T) {
	s := aw.DefaultSettings()
	s.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}, {Number: "202"}}
	for in, want := range map[string]string{"201": "201 Portiersloge", "202": "202", "+31612345678": "+31612345678", "": ""} {
		if got := s.NumberLabel(in); got != want {
			t.Errorf("NumberLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionStartValidate(t *testing.T) {
	base := func() aw.SessionStart {
		return aw.SessionStart{Worker: aw.Worker{Name: "Laura", Phone: "0617782201"}, AlarmNumbers: []string{"201", "0650262703"}, DurationMinutes: 60}
	}
	set := aw.DefaultSettings()
	set.Extensions = []aw.Extension{{Number: "201"}}
	for name, c := range map[string]struct {
		mod   func(*aw.SessionStart)
		field string
	}{
		"OneNumber":   {func(r *aw.SessionStart) { r.AlarmNumbers = r.AlarmNumbers[:1] }, "alarm_numbers"},
		"FourNumbers": {func(r *aw.SessionStart) { r.AlarmNumbers = []string{"201", "0650262701", "0650262702", "0650262703"} }, "alarm_numbers"},
		"Duplicate":   {func(r *aw.SessionStart) { r.AlarmNumbers = []string{"0650262703", "+31650262703"} }, "alarm_numbers[1]"},
		"OwnNumber":   {func(r *aw.SessionStart) { r.AlarmNumbers = []string{"201", "+31617782201"} }, "alarm_numbers[1]"},
		"Duration0":   {func(r *aw.SessionStart) { r.DurationMinutes = 0 }, "duration_minutes"},
		"Duration":    {func(r *aw.SessionStart) { r.DurationMinutes = 1441 }, "duration_minutes"},
		"Name":        {func(r *aw.SessionStart) { r.Worker.Name = strings.Repeat("x", 101) }, "worker.name"},
		"Description": {func(r *aw.SessionStart) { r.Description = strings.Repeat("é", 501) }, "description"},
		"Reference":   {func(r *aw.SessionStart) { r.Reference = strings.Repeat("x", 65) }, "reference"},
		"Address":     {func(r *aw.SessionStart) { r.Address = strings.Repeat("x", 201) }, "address"},
		"Lat":         {func(r *aw.SessionStart) { r.Location = &aw.Location{Lat: 91} }, "location.lat"},
		"Status":      {func(r *aw.SessionStart) { r.Location = &aw.Location{Status: strings.Repeat("x", 201)} }, "location.status"},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			r := base()
			c.mod(&r)
			if err := r.Validate(set); aw.ErrorField(err) != c.field {
				t.Fatalf("field = %q (%v), want %q", aw.ErrorField(err), err, c.field)
			}
		})
	}
	r := base()
	if err := r.Validate(set); err != nil || r.AlarmNumbers[1] != "+31650262703" || r.Worker.Phone != "+31617782201" {
		t.Fatalf("ok: %v %+v", err, r)
	}
}

// Only numbers of the allowed countries are taken, wherever they are
// entered (toll fraud: a foreign number would be called every few
// minutes); extensions stay allowed. The message names the setting.
func TestAllowedCountries(t *testing.T) {
	ext := []aw.Extension{{Number: "201"}}
	for _, in := range []string{"+5372345678", "+252612345678", "+23675123456", "+2399912345", "+447400123456"} {
		_, err := aw.ParseAlarmNumber("alarm_numbers[0]", in, ext, aw.DefaultCountries)
		if aw.ErrorField(err) != "alarm_numbers[0]" || !strings.Contains(aw.ErrorMessage(err), "allowed_countries") {
			t.Errorf("%s: %v", in, err)
		}
		if _, err := aw.ParseMobileNumber("worker.phone", in, nil); aw.ErrorCode(err) != aw.EINVALID {
			t.Errorf("%s as a worker's number (default countries): %v", in, err)
		}
	}
	for _, in := range []string{"+32470123456", "+4915123456789", "0612345678", "201"} {
		if _, err := aw.ParseAlarmNumber("alarm_numbers[0]", in, ext, aw.DefaultCountries); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	if _, err := aw.ParseAlarmNumber("x", "+447400123456", nil, []string{"NL", "GB"}); err != nil {
		t.Errorf("GB allowed: %v", err)
	}
	set := aw.DefaultSettings()
	set.AllowedCountries = []string{"nl", " be"}
	if err := set.Validate(); err != nil || strings.Join(set.AllowedCountries, ",") != "NL,BE" {
		t.Fatalf("countries %q: %v", set.AllowedCountries, err)
	}
	for _, bad := range [][]string{nil, {"XX"}, {"NL", "Nederland"}} {
		set.AllowedCountries = bad
		if err := set.Validate(); aw.ErrorField(err) != "allowed_countries" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	set = aw.DefaultSettings()
	set.AdminNumbers = []string{"+5352345678"}
	if err := set.Validate(); aw.ErrorField(err) != "admin_numbers" {
		t.Errorf("Cuban admin number: %v", err)
	}
}
