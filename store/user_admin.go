package store

import (
	"context"

	"alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// UserByID returns a user, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id string) (*alleenwerken.User, error) {
	var u *alleenwerken.User
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		u, err = findUser(tx, id)
		return err
	})
	return u, err
}

// UpdateUser applies fn to a user in one transaction. The id, name and
// creation time cannot change; ENOTFOUND for an unknown id.
func (db *DB) UpdateUser(ctx context.Context, id string, fn func(*alleenwerken.User) error) (*alleenwerken.User, error) {
	var u *alleenwerken.User
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
		return putJSON(tx.Bucket(usersBucket), []byte(id), &userRecord{
			ID:           u.ID,
			Name:         u.Name,
			Role:         string(u.Role),
			PasswordHash: u.PasswordHash,
			CreatedAt:    u.CreatedAt,
			DisabledAt:   timePtr(u.DisabledAt),
		})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
