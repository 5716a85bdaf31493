package alleenwerken

import "golang.org/x/crypto/bcrypt"

// The password policy of console users (bcrypt reads at most 72 bytes).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 72
)

// DefaultBcryptCost is the bcrypt cost of console passwords.
const DefaultBcryptCost = 12

// CheckPassword applies the password policy; the error names the field
// "password".
func CheckPassword(pw string) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return FieldError("password", "Een wachtwoord heeft %d tot %d tekens.", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// HashPassword checks pw against the policy and hashes it with bcrypt at
// cost (DefaultBcryptCost when 0).
func HashPassword(pw string, cost int) ([]byte, error) {
	if err := CheckPassword(pw); err != nil {
		return nil, err
	}
	if cost == 0 {
		cost = DefaultBcryptCost
	}
	return bcrypt.GenerateFromPassword([]byte(pw), cost)
}

// CheckRole reports an unknown role as an error that names the field
// "role".
func CheckRole(r Role) error {
	if !r.Valid() {
		return FieldError("role", "Rol is super_admin, installer of responder.")
	}
	return nil
}
