package store_test

import (
	"alleenwerken/cmd/testkit"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"alleenwerken/store"

	bolt "go.etcd.io/bbolt"
)

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	dir := t.TempDir()

	var mu sync.Mutex
	var created []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				s, _, err := db.CreateSession(ctx, newSession(fmt.Sprintf("dev-%d-%d", w, i)), "k", t0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				created = append(created, s.ID)
				mu.Unlock()
			}
		}(w)
	}

	for b := 0; b < 3; b++ {
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		before := append([]string(nil), created...)
		mu.Unlock()
		path := fmt.Sprintf("%s/backup-%d.db", dir, b)
		if b%2 == 0 {
			if err := db.BackupToFile(path); err != nil {
				t.Fatal(err)
			}
		} else {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Backup(ctx, f); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		checkBackup(t, path, before)
	}
	close(stop)
	wg.Wait()
	if len(created) == 0 {
		t.Fatal("no sessions written during the backups")
	}
}

// checkBackup opens a backup as a bbolt file, checks its consistency and
// looks up every session in ids.
func checkBackup(t *testing.T, path string, ids []string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.View(func(tx *bolt.Tx) (first error) {
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		return first
	})
	bdb.Close()
	if err != nil {
		t.Fatalf("backup %s inconsistent: %v", path, err)
	}

	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range ids {
		if _, err := db.Session(context.Background(), id); err != nil {
			t.Fatalf("backup %s lacks session %s: %v", path, id, err)
		}
	}
	t.Logf("backup %s holds all %d sessions created before it", path, len(ids))
}
