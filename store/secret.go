package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	aw "alleenwerken"

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
// When it sealed one, it rewrites the database file (see rewrite) so that
// the bytes as typed are not left in its free pages. Call it before the
// database is shared with other goroutines.
func (db *DB) UseKeyFile(ctx context.Context, path string) error {
	if err := db.settleRotation(ctx, path); err != nil {
		return err
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = newKeyFile(path)
	}
	if err != nil {
		return fmt.Errorf("sleutelbestand %s: %w", path, err)
	}
	key, err := keyFrom(raw)
	if err != nil {
		return fmt.Errorf("sleutelbestand %s: %w", path, err)
	}
	db.mu.Lock()
	db.key = key
	db.mu.Unlock()
	sealed, err := db.sealStoredSecrets(ctx)
	if err != nil || !sealed {
		return err
	}
	db.logger.Info("secrets stored as typed are sealed now; rewriting the database file without their old bytes")
	return db.rewrite()
}

// newKeyFile writes a new random key to path, whole or not at all, and
// never over a key another process just made (aw.CreateFileAtomic).
func newKeyFile(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := aw.CreateFileAtomic(path, 0o600, func(f *os.File) error {
		_, err := f.Write(key)
		return err
	}); err != nil {
		return nil, err
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

// secretVisitor calls fn with each secret of a stored record and the field
// it is sealed under; fn may change it.
type secretVisitor func(fn func(field string, v *string))

// sealAll seals the secrets each visits that are still as typed; it
// reports whether any was.
func (k *secretKey) sealAll(each secretVisitor) bool {
	if k == nil {
		return false
	}
	changed := false
	each(func(field string, v *string) {
		if s := k.seal(field, *v); s != *v {
			*v, changed = s, true
		}
	})
	return changed
}

// openAll opens the secrets of a record read from the file in place. One
// the key file cannot open reads as empty, is logged the first time and
// shows in the store's health until the record is stored again.
func (db *DB) openAll(record string, each secretVisitor) {
	k := db.secrets()
	failed := map[string]error{}
	each(func(field string, v *string) {
		plain, err := k.open(field, *v)
		if err != nil {
			failed[field] = err
		}
		*v = plain
	})
	db.noteUnopened(record, failed)
}

// keepUnopened, in a save of record, puts back the stored (still sealed)
// value of each secret that is empty only because the key file could not
// open it, so that the right key file, put back, opens it again. It
// returns those secrets.
func (db *DB) keepUnopened(record string, each, stored secretVisitor) map[string]error {
	old := map[string]string{}
	stored(func(field string, v *string) { old[field] = *v })
	kept := map[string]error{}
	each(func(field string, v *string) {
		if *v == "" && db.isUnopened(record, field) {
			*v, kept[field] = old[field], nil
		}
	})
	return kept
}

// noteUnopened makes fields the record's secrets that cannot be opened,
// logging each that is new with its error.
func (db *DB) noteUnopened(record string, fields map[string]error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.unopened == nil {
		db.unopened = map[string][]string{}
	}
	list := make([]string, 0, len(fields))
	for f, err := range fields {
		if err != nil && !slices.Contains(db.unopened[record], f) {
			db.logger.Warn("a stored secret cannot be opened; enter it again in the console", "err", err)
		}
		list = append(list, f)
	}
	sort.Strings(list)
	db.unopened[record] = list
}

// isUnopened reports whether field is a secret of record that the key file
// could not open.
func (db *DB) isUnopened(record, field string) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return slices.Contains(db.unopened[record], field)
}

// UnopenedSecrets lists the stored secrets (by field) that read as empty
// because the key file cannot open them, sorted.
func (db *DB) UnopenedSecrets() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.unopenedLocked()
}

// unopenedLocked is UnopenedSecrets for a caller that holds mu.
func (db *DB) unopenedLocked() []string {
	var out []string
	for _, fields := range db.unopened {
		out = append(out, fields...)
	}
	sort.Strings(out)
	return out
}

// sealStoredSecrets seals the secrets of the settings and the installation
// that are still stored as typed (written before the key was used).
func (db *DB) sealStoredSecrets(ctx context.Context) (sealed bool, err error) {
	k := db.secrets()
	err = db.update(ctx, func(tx *bolt.Tx) error {
		return eachSecretRecord(tx, func(each secretVisitor) (bool, error) {
			changed := k.sealAll(each)
			sealed = sealed || changed
			return changed, nil
		})
	})
	return sealed && err == nil, err
}
