package alleenwerken

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region numbers without a country code are read in.
const DefaultRegion = "NL"

// ParseMobileNumber reads a worker's own number as typed in the Netherlands
// (0617782201, 06-17782201, +31617782201, 31617782201, 0031617782201) or in
// international form, and returns it in E.164. It must be a mobile number
// because it receives the reminder SMS.
func ParseMobileNumber(field, raw string, countries []string) (string, error) {
	n, err := parsePublicNumber(field, raw, countries)
	if err != nil {
		return "", err
	}
	if !IsMobileNumber(n) {
		return "", FieldError(field, "%q is geen mobiel nummer; dit nummer krijgt de herinnerings-sms.", raw)
	}
	return n, nil
}

// ParseAlarmNumber reads an alarm number: an internal extension configured on
// the appliance (returned as is, e.g. "201") or a public number of one of
// countries (returned in E.164). A number shaped like an extension that is
// not configured is refused as such, naming the extensions there are.
func ParseAlarmNumber(field, raw string, extensions []Extension, countries []string) (string, error) {
	t := strings.TrimSpace(raw)
	for _, x := range extensions {
		if x.Number == t {
			return x.Number, nil
		}
	}
	if looksLikeExtension(t) {
		var known []string
		for _, x := range extensions {
			known = append(known, x.Label())
		}
		msg := fmt.Sprintf("%q is geen ingesteld toestel.", t)
		if len(known) > 0 {
			msg += " Ingestelde toestellen: " + strings.Join(known, ", ") + "."
		}
		return "", FieldError(field, "%s", msg)
	}
	return parsePublicNumber(field, raw, countries)
}

// looksLikeExtension reports a number typed as an internal extension: 3 to
// 8 digits, no leading 0, and not an emergency number, a known short
// service number or a municipality's 14 number.
func looksLikeExtension(d string) bool {
	if len(d) < 3 || len(d) > 8 || d[0] == '0' || strings.Trim(d, "0123456789") != "" {
		return false
	}
	if phonenumbers.IsEmergencyNumber(d, DefaultRegion) || (strings.HasPrefix(d, "14") && len(d) >= 5) {
		return false
	}
	num, err := phonenumbers.Parse(d, DefaultRegion)
	return err != nil || !phonenumbers.IsValidShortNumberForRegion(num, DefaultRegion)
}

// IsMobileNumber reports whether an E.164 number is a mobile number (and so
// can receive SMS). Extensions are never mobile.
func IsMobileNumber(e164 string) bool {
	if !strings.HasPrefix(e164, "+") {
		return false
	}
	num, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return false
	}
	t := phonenumbers.GetNumberType(num)
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// NationalNumber returns the national dialling form of an E.164 number
// (+31617782201 -> 0617782201); other strings are returned unchanged.
func NationalNumber(e164 string) string {
	if !strings.HasPrefix(e164, "+") {
		return e164
	}
	num, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return e164
	}
	return strings.ReplaceAll(phonenumbers.Format(num, phonenumbers.NATIONAL), " ", "")
}

// DefaultCountries are the countries whose numbers may be called or sent
// an SMS unless the allowed_countries setting says otherwise.
var DefaultCountries = []string{"NL", "BE", "DE"}

// parsePublicNumber reads a public number of one of countries (ISO 3166
// codes; DefaultCountries when none): a number elsewhere is refused, so
// that a typed or forged foreign number cannot make the appliance call a
// costly destination every few minutes (toll fraud).
func parsePublicNumber(field, raw string, countries []string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", FieldError(field, "Telefoonnummer ontbreekt.")
	}
	// Keep digits and a leading plus; people type dashes, spaces, dots and brackets.
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", FieldError(field, "%q is geen geldig telefoonnummer.", raw)
		}
	}
	d := b.String()
	if isEmergencyOrShort(d) {
		return "", FieldError(field, "%q is een alarm- of servicenummer en kan geen alarmnummer zijn.", raw)
	}
	switch {
	case strings.HasPrefix(d, "+"):
	case strings.HasPrefix(d, "00"):
		d = "+" + d[2:]
	case strings.HasPrefix(d, "0"):
	case len(d) > 9:
		// Typed with the country code but without plus: 31617782201.
		d = "+" + d
	}
	num, err := phonenumbers.Parse(d, DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", FieldError(field, "%q is geen geldig telefoonnummer.", raw)
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.TOLL_FREE,
		phonenumbers.VOICEMAIL, phonenumbers.PAGER, phonenumbers.UNKNOWN:
		// 0900/0906/0909, 084/087 and 0800 are service numbers; 088 company
		// numbers (UAN) are ordinary lines and allowed.
		return "", FieldError(field, "%q is een betaal- of servicenummer en kan niet gebeld worden voor een alarm.", raw)
	}
	if num.GetCountryCode() == 31 && strings.HasPrefix(phonenumbers.GetNationalSignificantNumber(num), "14") {
		// 14 + area code: a municipality's service number.
		return "", FieldError(field, "%q is een servicenummer van een gemeente en kan niet gebeld worden voor een alarm.", raw)
	}
	if len(countries) == 0 {
		countries = DefaultCountries
	}
	if region := phonenumbers.GetRegionCodeForNumber(num); !slices.Contains(countries, region) {
		return "", FieldError(field, "%q is een nummer in %s; de instelling Toegestane landen (allowed_countries) staat alleen %s toe.",
			raw, region, strings.Join(countries, ", "))
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// CheckCountries checks and normalises a list of ISO 3166 country codes
// ("nl, be" -> NL, BE): at least one, each a country with phone numbers.
func CheckCountries(codes []string) ([]string, error) {
	var out []string
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if phonenumbers.GetCountryCodeForRegion(c) == 0 {
			return nil, FieldError("allowed_countries", "%q is geen landcode (bijvoorbeeld NL, BE, DE).", c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, FieldError("allowed_countries", "Geef minstens één land (bijvoorbeeld NL).")
	}
	return out, nil
}

// isEmergencyOrShort reports emergency numbers (112, 911) and short service
// numbers such as 14020 or 0800 short codes.
func isEmergencyOrShort(d string) bool {
	digits := strings.TrimPrefix(d, "+")
	if phonenumbers.IsEmergencyNumber(digits, DefaultRegion) {
		return true
	}
	if len(digits) <= 6 {
		num, err := phonenumbers.Parse(digits, DefaultRegion)
		if err == nil && phonenumbers.IsPossibleShortNumberForRegion(num, DefaultRegion) {
			return true
		}
	}
	return false
}
