package store

import (
	"context"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// UserByID returns a user, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id string) (*aw.User, error) {
	var u *aw.User
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		u, err = findUser(tx, id)
		return err
	})
	return u, err
}

// UpdateUser applies fn to a user in one transaction. The id, name and
// creation time cannot change; ENOTFOUND for an unknown id.
func (db *DB) UpdateUser(ctx context.Context, id string, fn func(*aw.User) error) (*aw.User, error) {
	var u *aw.User
	err := db.update(ctx, func(tx *bolt.Tx) (err error) {
		u, err = findUser(tx, id)
		if err != nil {
			return err
		}
		name, created := u.Name, u.CreatedAt
		if err := fn(u); err != nil {
			return err
		}
		u.ID, u.Name, u.CreatedAt = id, name, created
		return saveUser(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
