package alleenwerken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Device is a phone with the company app, known by its token. Only the
// SHA-256 of the token is stored.
type Device struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	TokenHash []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// NewToken returns a random token (32 bytes, URL-safe base64) with a prefix,
// and its hash.
func NewToken(prefix string) (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token. Tokens are random and long, so a
// plain hash is enough; compare hashes in constant time.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Role is what a console user may do.
type Role string

// Console roles.
const (
	RoleSuperAdmin Role = "super_admin"
	RoleInstaller  Role = "installer"
	RoleResponder  Role = "responder"
)

// User is a console account. PasswordHash is bcrypt.
type User struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	PasswordHash []byte     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
}
