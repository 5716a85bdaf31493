package alleenwerken

import (
	"strings"
	"unicode"
)

// CheckText checks a free-text field as people type it: at most max
// characters, no control characters (NUL, ESC, and CR/LF unless lines
// allows line breaks) and no characters that turn the direction of text
// (U+202A–U+202E, U+2066–U+2069), which could make a page or an SMS read
// other than it was written. EINVALID names field.
func CheckText(field, v string, max int, lines bool) error {
	if len([]rune(v)) > max {
		return FieldError(field, "Langer dan %d tekens.", max)
	}
	for _, r := range v {
		switch {
		case lines && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return FieldError(field, "Bevat een teken dat niet getypt kan worden (%U).", r)
		}
	}
	return nil
}

// CheckName is CheckText for a name on one line, which must hold more
// than spaces.
func CheckName(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return FieldError(field, "Naam ontbreekt.")
	}
	return CheckText(field, v, max, false)
}

// OneLine puts text on one line for an SMS: every run of white space,
// line breaks included, becomes one space, so that a description cannot
// make an SMS look like a second message.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
