package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// nextKeyPath is where a new key waits while RotateKey seals the secrets
// with it: beside the key file, until it replaces it.
func nextKeyPath(path string) string { return path + ".next" }

// keyFrom makes a secretKey from the bytes of a key file.
func keyFrom(raw []byte) (*secretKey, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("%d bytes, verwacht %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &secretKey{aead: aead}, nil
}

// RotateKey replaces the key file at path by a new random key and seals
// every stored secret with it, then rewrites the database file so that
// nothing sealed with the old key is left in it. Only with the daemon
// stopped (the file is rewritten). It refuses while a stored secret cannot
// be opened with the current key, since that one could not be sealed again.
// Backups taken before hold the secrets sealed with the old key.
//
// A crash at any point leaves a state UseKeyFile settles: the new key is
// written beside the old one first (path.next), the secrets are sealed with
// it in one transaction, and only then does it replace the old key file.
func (db *DB) RotateKey(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return aw.Errorf(aw.ECONFLICT, "Er is geen sleutelbestand %s om te vervangen (de dienst maakt het bij de eerste start): %v", path, err)
	}
	if err := db.UseKeyFile(ctx, path); err != nil { // also settles an earlier rotation
		return err
	}
	// Reading the records notes the secrets the key cannot open.
	if _, err := db.Settings(ctx); err != nil {
		return err
	}
	if _, err := db.Installation(ctx); err != nil {
		return err
	}
	if missing := db.UnopenedSecrets(); len(missing) > 0 {
		return aw.Errorf(aw.ECONFLICT,
			"De sleutel kan niet worden vervangen: %s kunnen met het huidige sleutelbestand niet worden geopend. Voer ze eerst opnieuw in op de pagina Installatie.",
			strings.Join(missing, ", "))
	}
	next := nextKeyPath(path)
	raw, err := newKeyFile(next)
	if err != nil {
		return fmt.Errorf("nieuw sleutelbestand %s: %w", next, err)
	}
	if err := keepOwner(next, path); err != nil {
		os.Remove(next)
		return fmt.Errorf("nieuw sleutelbestand %s: %w", next, err)
	}
	nk, err := keyFrom(raw)
	if err != nil {
		os.Remove(next)
		return err
	}
	if err := db.resealWith(ctx, nk); err != nil {
		os.Remove(next) // nothing was sealed with it
		return err
	}
	db.mu.Lock()
	db.key = nk
	db.mu.Unlock()
	if err := replaceKeyFile(path); err != nil {
		return err // UseKeyFile finishes it at the next start
	}
	db.logger.Info("secret key replaced; the stored secrets are sealed with the new key", "path", path)
	return db.rewrite()
}

// resealWith opens every stored secret with the current key and seals it
// with nk, in one transaction.
func (db *DB) resealWith(ctx context.Context, nk *secretKey) error {
	cur := db.secrets()
	return db.update(ctx, func(tx *bolt.Tx) error {
		return eachSecretRecord(tx, func(each secretVisitor) (bool, error) {
			var failed error
			each(func(field string, v *string) {
				plain, err := cur.open(field, *v)
				failed = errors.Join(failed, err)
				*v = nk.seal(field, plain)
			})
			if failed != nil {
				return false, aw.Errorf(aw.ECONFLICT, "De sleutel kan niet worden vervangen: %v", failed)
			}
			return true, nil
		})
	})
}

// replaceKeyFile renames path.next over path and syncs the folder.
func replaceKeyFile(path string) error {
	if err := os.Rename(nextKeyPath(path), path); err != nil {
		return fmt.Errorf("sleutelbestand %s vervangen: %w", path, err)
	}
	return aw.SyncDir(path)
}

// settleRotation finishes or drops a rotation a crash interrupted: when
// path.next exists, the key that opens every stored secret stays. If only
// the new key does, the secrets were sealed with it and it replaces the key
// file; otherwise the rotation never reached the database and path.next
// goes. When neither opens them all, both files are left for a person.
func (db *DB) settleRotation(ctx context.Context, path string) error {
	next := nextKeyPath(path)
	rawNext, err := os.ReadFile(next)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("sleutelbestand %s: %w", next, err)
	}
	nk, err := keyFrom(rawNext)
	if err != nil { // written only part way: never used
		db.logger.Warn("removing an incomplete new key file", "path", next, "err", err)
		return os.Remove(next)
	}
	var cur *secretKey
	if raw, err := os.ReadFile(path); err == nil {
		cur, _ = keyFrom(raw)
	}
	sealed, byCur, byNext, err := db.countOpened(ctx, cur, nk)
	if err != nil {
		return err
	}
	switch {
	case byCur == sealed:
		db.logger.Warn("an interrupted key rotation did not reach the database; the new key is dropped", "path", next)
		return os.Remove(next)
	case byNext == sealed:
		db.logger.Warn("finishing an interrupted key rotation: the new key replaces the key file", "path", path)
		return replaceKeyFile(path)
	}
	db.logger.Error("neither the key file nor the new key opens every stored secret; both are kept", "path", path, "next", next)
	return nil
}

// countOpened counts the stored sealed secrets and how many of them each
// key opens.
func (db *DB) countOpened(ctx context.Context, a, b *secretKey) (sealed, byA, byB int, err error) {
	err = db.view(ctx, func(tx *bolt.Tx) error {
		return eachSecretRecord(tx, func(each secretVisitor) (bool, error) {
			each(func(field string, v *string) {
				if !strings.HasPrefix(*v, sealedPrefix) {
					return
				}
				sealed++
				if _, err := a.open(field, *v); err == nil {
					byA++
				}
				if _, err := b.open(field, *v); err == nil {
					byB++
				}
			})
			return false, nil
		})
	})
	return sealed, byA, byB, err
}
