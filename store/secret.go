package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// sealedPrefix marks a secret sealed with the key file (AES-256-GCM); the
// rest is base64 of nonce and ciphertext.
const sealedPrefix = "sealed:v1:"

// KeySize is the length of the secret key file in bytes.
const KeySize = 32

// secretKey seals the secrets the appliance must keep as such (the SIP and
// ARI passwords, the SIM PIN) so that the database file, and every backup
// of it, holds them only sealed. The key lives in its own file, which
// backups do not include.
type secretKey struct {
	aead cipher.AEAD
}

// UseKeyFile seals secrets with the key in path from now on, creating the
// file (0600, KeySize random bytes) when it does not exist, and seals any
// secret still stored as typed. Without it secrets are stored as typed.
func (db *DB) UseKeyFile(ctx context.Context, path string) error {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = newKeyFile(path)
	}
	if err != nil {
		return fmt.Errorf("sleutelbestand %s: %w", path, err)
	}
	if len(key) != KeySize {
		return fmt.Errorf("sleutelbestand %s: %d bytes, verwacht %d", path, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	db.mu.Lock()
	db.key = &secretKey{aead: aead}
	db.mu.Unlock()
	return db.sealStoredSecrets(ctx)
}

// newKeyFile writes a new random key to path, whole or not at all: to a
// temporary file first, synced, then linked into place (never over a key
// another process just made).
func newKeyFile(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(f.Name(), path); err != nil {
		return nil, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return key, nil
}

// secrets returns the key in use; nil when none is.
func (db *DB) secrets() *secretKey {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.key
}

// seal returns plain sealed for field; as typed without a key.
func (k *secretKey) seal(field, plain string) string {
	if k == nil || plain == "" || strings.HasPrefix(plain, sealedPrefix) {
		return plain
	}
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(k.aead.Seal(nonce, nonce, []byte(plain), []byte(field)))
}

// open returns the secret stored for field. A sealed one that this key
// cannot open (no key, another key: a backup restored without its key
// file) reads as empty: it must be entered again.
func (k *secretKey) open(field, stored string) (string, error) {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored, nil
	}
	if k == nil {
		return "", fmt.Errorf("%s is versleuteld en er is geen sleutelbestand", field)
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
	n := k.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", fmt.Errorf("%s: onleesbaar", field)
	}
	plain, err := k.aead.Open(nil, b[:n], b[n:], []byte(field))
	if err != nil {
		return "", fmt.Errorf("%s past niet bij dit sleutelbestand", field)
	}
	return string(plain), nil
}

// openSecret opens a stored secret. One that cannot be opened reads as
// empty, is logged once and shows in the store's health until it is
// stored again.
func (db *DB) openSecret(k *secretKey, field, stored string) string {
	plain, err := k.open(field, stored)
	db.mu.Lock()
	defer db.mu.Unlock()
	if err == nil {
		delete(db.unopened, field)
		return plain
	}
	if db.unopened == nil {
		db.unopened = map[string]bool{}
	}
	if !db.unopened[field] {
		db.unopened[field] = true
		db.logger.Warn("a stored secret cannot be opened; enter it again in the console", "err", err)
	}
	return ""
}

// UnopenedSecrets lists the stored secrets (by field) last read as empty
// because the key file cannot open them, sorted.
func (db *DB) UnopenedSecrets() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.unopenedLocked()
}

// noteStored clears the unopened mark of the secrets under the owned field
// prefixes that were just stored (written holds them by field): one stored
// non-empty is sealed with this key, one no longer kept is not missing.
func (db *DB) noteStored(written map[string]string, owned ...string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for f := range db.unopened {
		for _, o := range owned {
			if v, ok := written[f]; strings.HasPrefix(f, o) && (!ok || v != "") {
				delete(db.unopened, f)
			}
		}
	}
}

// isUnopened reports whether field is a secret last read as empty because
// the key file cannot open it.
func (db *DB) isUnopened(field string) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.unopened[field]
}

// keepUnopened returns the value to store for field: stored (still sealed)
// when value is empty because the key file could not open stored, so that
// the right key file, put back, opens it again; else value.
func (db *DB) keepUnopened(field, value, stored string) string {
	if value == "" && db.isUnopened(field) {
		return stored
	}
	return value
}

// unopenedLocked is UnopenedSecrets for a caller that holds mu.
func (db *DB) unopenedLocked() []string {
	var out []string
	for f := range db.unopened {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// sealStoredSecrets seals the secrets of the settings and the installation
// that are still stored as typed (written before the key was used).
func (db *DB) sealStoredSecrets(ctx context.Context) error {
	k := db.secrets()
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		var s settingsRecord
		if ok, err := getJSON(b, settingsKey, &s); err != nil {
			return err
		} else if ok && s.SIMPIN != "" && !strings.HasPrefix(s.SIMPIN, sealedPrefix) {
			s.SIMPIN = k.seal(fieldSIMPIN, s.SIMPIN)
			if err := putJSON(b, settingsKey, &s); err != nil {
				return err
			}
		}
		var in installationRecord
		if ok, err := getJSON(b, installationKey, &in); err != nil || !ok {
			return err
		}
		if in.sealWith(k) {
			return putJSON(b, installationKey, &in)
		}
		return nil
	})
}
