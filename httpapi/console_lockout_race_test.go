package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"

	"golang.org/x/crypto/bcrypt"
)

// newSlowUser adds a user whose password takes bcrypt's default cost to
// check (about a quarter second here), as a real one does: the window in
// which parallel guesses used to pass the lock-out.
func newSlowUser(t *testing.T, e *ConsoleEnv, name string) {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), aw.DefaultBcryptCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.CreateUser(context.Background(), &aw.User{Name: name, Role: aw.RoleSuperAdmin, PasswordHash: h, CreatedAt: e.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

// guess logs in as name with password from a client of its own at ip and
// returns the status.
func guess(e *ConsoleEnv, ip, name, password string) int {
	c := e.NewClientFrom(ip)
	c.Get("/login")
	return c.Post("/login", url.Values{"name": {name}, "password": {password}}).Status
}

// Every guess is counted before it is evaluated, also when they come at
// once from several addresses: no more than LoginMaxFailures of them are
// checked, and the right password in the middle of a burst gets in no more
// than one in sequence would. Before, 40 guesses in parallel were all
// checked (40 × 401) and the right one among them logged in.
func TestLoginLockoutParallel(t *testing.T) {
	t.Run("FortyWrong", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		newSlowUser(t, e, "chef")
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := guess(e, fmt.Sprintf("127.0.0.%d", 2+i%8), "chef", "wrong password!")
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		t.Logf("40 wrong guesses in parallel from 8 addresses: %v", statuses)
		if statuses[http.StatusUnauthorized] > aw.LoginMaxFailures || statuses[http.StatusTooManyRequests] < 40-aw.LoginMaxFailures {
			t.Fatalf("checked %d guesses, want at most %d; statuses %v", statuses[http.StatusUnauthorized], aw.LoginMaxFailures, statuses)
		}
	})
	t.Run("RightOneInABurst", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		newSlowUser(t, e, "chef")
		var wg sync.WaitGroup
		for i := range 39 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				guess(e, fmt.Sprintf("127.0.0.%d", 2+i%8), "chef", "wrong password!")
			}()
		}
		time.Sleep(100 * time.Millisecond) // the burst is in flight
		st := guess(e, "127.0.0.20", "chef", testPassword)
		wg.Wait()
		if st != http.StatusTooManyRequests {
			t.Fatalf("the right password in a burst of 39 wrong ones: %d, want 429", st)
		}
	})
}
