package alleenwerken

// Extension is an internal number on the appliance's own Asterisk, such as the
// porter's desk phone "201". It is dialled as its PJSIP endpoint, not through
// the trunk, and is accepted as an alarm number.
type Extension struct {
	Number   string `json:"number"`   // what workers type: "201"
	Name     string `json:"name"`     // "Portiersloge"
	Endpoint string `json:"endpoint"` // PJSIP endpoint name; Number when empty
}

// EndpointName returns the PJSIP endpoint that rings this extension.
func (x Extension) EndpointName() string {
	if x.Endpoint != "" {
		return x.Endpoint
	}
	return x.Number
}

// Dial is what dials the extension: its PJSIP endpoint on this Asterisk.
func (x Extension) Dial() string { return "PJSIP/" + x.EndpointName() }

// Validate checks an extension.
func (x Extension) Validate() error {
	if x.Number == "" || len(x.Number) > 8 {
		return FieldError("number", "Een toestelnummer heeft 1 tot 8 cijfers.")
	}
	for _, r := range x.Number {
		if r < '0' || r > '9' {
			return FieldError("number", "Een toestelnummer bestaat alleen uit cijfers.")
		}
	}
	return nil
}

// Label is the extension as people know it: "201 Portiersloge", or the
// number alone when it has no name.
func (x Extension) Label() string {
	if x.Name == "" {
		return x.Number
	}
	return x.Number + " " + x.Name
}

// NumberLabel shows a number as people know it: an extension with its name
// ("201 Portiersloge"), any other number as it is.
func (s Settings) NumberLabel(number string) string {
	if x, ok := s.Extension(number); ok {
		return x.Label()
	}
	return number
}
