package alleenwerken_test

import (
	"strings"
	"testing"

	aw "alleenwerken"
)

// Control characters and direction overrides are refused in free text;
// line breaks only where a text may have lines; a name must be more than
// spaces. In an SMS every text is on one line.
func TestFreeText(t *testing.T) {
	for _, c := range []struct {
		v     string
		lines bool
		ok    bool
	}{
		{"meterkast tweede verdieping", false, true},
		{"regel 1\nregel 2", true, true},
		{"regel 1\nregel 2", false, false},
		{"nul\x00", true, false},
		{"esc\x1b[2J", true, false},
		{"rechts\u202Elinks", true, false},
		{"isolate\u2067x", true, false},
		{"tab\tin een regel", false, false},
	} {
		err := aw.CheckText("description", c.v, 500, c.lines)
		if (err == nil) != c.ok || (err != nil && aw.ErrorField(err) != "description") {
			t.Errorf("%q lines=%v: %v", c.v, c.lines, err)
		}
	}
	if err := aw.CheckName("worker.name", "   ", 100); aw.ErrorField(err) != "worker.name" {
		t.Errorf("a name of spaces: %v", err)
	}
	start := aw.SessionStart{Worker: aw.Worker{Name: "Laura", Phone: "0617782201"}, AlarmNumbers: []string{"0650262703", "0650929952"},
		DurationMinutes: 60, Description: "meterkast\r\n\r\nNieuwe link: http://evil.example"}
	if err := start.Validate(aw.DefaultSettings()); err != nil {
		t.Fatalf("a description with line breaks is allowed: %v", err)
	}
	sess := &aw.Session{Worker: start.Worker, Description: start.Description}
	text := aw.ResponderText("nl", &aw.Alarm{Number: 101, Cause: aw.CauseManual}, sess, "https://aw/m/x", nil)
	if strings.ContainsAny(text, "\r\n") || !strings.Contains(text, "Omschrijving: meterkast Nieuwe link: http://evil.example.") {
		t.Fatalf("SMS: %q", text)
	}
	for field, edit := range map[string]func(*aw.SessionStart){
		"worker.name":     func(s *aw.SessionStart) { s.Worker.Name = "  " },
		"address":         func(s *aw.SessionStart) { s.Address = "Straat 1\nNieuwe link" },
		"reference":       func(s *aw.SessionStart) { s.Reference = "ref\x00" },
		"location.status": func(s *aw.SessionStart) { s.Location = &aw.Location{Status: "ok\u202E"} },
	} {
		s := start
		s.AlarmNumbers = []string{"0650262703", "0650929952"}
		edit(&s)
		if err := s.Validate(aw.DefaultSettings()); aw.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
