package store

import (
	"context"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// userRecord is how a console user is stored: the user's own JSON form and
// the password hash, which that form leaves out.
type userRecord struct {
	*aw.User
	PasswordHash []byte `json:"password_hash"`
}

// CreateUser assigns u an id and stores it; EINVALID without a name,
// ECONFLICT when the name exists.
func (db *DB) CreateUser(ctx context.Context, u *aw.User) error {
	if u.Name == "" {
		return aw.FieldError("name", "Naam ontbreekt.")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		idx := tx.Bucket(usersNameBucket)
		if idx.Get([]byte(u.Name)) != nil {
			return aw.Errorf(aw.ECONFLICT, "Er bestaat al een gebruiker met de naam %q.", u.Name)
		}
		u.ID = newID()
		if err := idx.Put([]byte(u.Name), []byte(u.ID)); err != nil {
			return err
		}
		return saveUser(tx, u)
	})
}

// UserByName returns a user, or ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (*aw.User, error) {
	var u *aw.User
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		id := tx.Bucket(usersNameBucket).Get([]byte(name))
		if id == nil {
			return aw.Errorf(aw.ENOTFOUND, "Gebruiker %q niet gevonden.", name)
		}
		u, err = findUser(tx, string(id))
		return err
	})
	return u, err
}

// Users returns every user, sorted by name.
func (db *DB) Users(ctx context.Context) ([]*aw.User, error) {
	var out []*aw.User
	err := db.view(ctx, func(tx *bolt.Tx) error {
		// The name index iterates in name order.
		return tx.Bucket(usersNameBucket).ForEach(func(_, id []byte) error {
			u, err := findUser(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

func findUser(tx *bolt.Tx, id string) (*aw.User, error) {
	rec := userRecord{User: &aw.User{}}
	if ok, err := getJSON(tx.Bucket(usersBucket), []byte(id), &rec); err != nil {
		return nil, err
	} else if !ok {
		return nil, aw.Errorf(aw.ENOTFOUND, "Gebruiker %s niet gevonden.", id)
	}
	rec.User.PasswordHash = rec.PasswordHash
	return rec.User, nil
}

func saveUser(tx *bolt.Tx, u *aw.User) error {
	return putJSON(tx.Bucket(usersBucket), []byte(u.ID), userRecord{User: u, PasswordHash: u.PasswordHash})
}
