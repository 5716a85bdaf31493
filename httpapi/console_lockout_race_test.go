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
// once: from one address no more than LoginMaxFailures guesses for a name
// are checked, and the right password in the middle of a burst gets in no
// more than one in sequence would; from several addresses, no more than
// that from each. Before, 40 guesses in parallel were all checked
// (40 × 401) and the right one among them logged in.
func TestLoginLockoutParallel(t *testing.T) {
	t.Run("FortyWrong", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		newSlowUser(t, e, "chef")
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := guess(e, "127.0.0.2", "chef", "wrong password!")
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		t.Logf("40 wrong guesses in parallel from one address: %v", statuses)
		if statuses[http.StatusUnauthorized] > aw.LoginMaxFailures || statuses[http.StatusTooManyRequests] < 40-aw.LoginMaxFailures {
			t.Fatalf("checked %d guesses, want at most %d; statuses %v", statuses[http.StatusUnauthorized], aw.LoginMaxFailures, statuses)
		}
	})
	t.Run("FromEightAddresses", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		newSlowUser(t, e, "chef")
		checked := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 80 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ip := fmt.Sprintf("127.0.0.%d", 2+i%8)
				if guess(e, ip, "chef", "wrong password!") == http.StatusUnauthorized {
					mu.Lock()
					checked[ip]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		t.Logf("80 wrong guesses in parallel from 8 addresses, checked per address: %v", checked)
		for ip, n := range checked {
			if n > aw.LoginMaxFailures {
				t.Fatalf("%d guesses checked from %s, want at most %d", n, ip, aw.LoginMaxFailures)
			}
		}
	})
	t.Run("RightOneInABurst", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		newSlowUser(t, e, "chef")
		var wg sync.WaitGroup
		for range 39 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				guess(e, "127.0.0.2", "chef", "wrong password!")
			}()
		}
		time.Sleep(100 * time.Millisecond) // the burst is in flight
		st := guess(e, "127.0.0.2", "chef", testPassword)
		wg.Wait()
		if st != http.StatusTooManyRequests {
			t.Fatalf("the right password in a burst of 39 wrong ones: %d, want 429", st)
		}
	})
}

// An attacker cannot keep a real user out: wrong guesses for a name from
// the attacker's address lock that name only from that address, and wrong
// guesses for several names from one address (a NAT or VPN shared with
// real users) lock no one else behind it. The real user is slowed down by
// at most a second. Before, 5 wrong guesses for a name locked it from
// every address, and 5 from an address locked every user behind it.
func TestLoginLockoutNoDenialOfService(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	for range aw.LoginMaxFailures + 3 {
		guess(e, "127.0.0.66", superName, "wrong password!")
	}
	if st := guess(e, "127.0.0.66", superName, testPassword); st != http.StatusTooManyRequests {
		t.Fatalf("the attacker's own address with the right password: %d, want 429", st)
	}
	start := time.Now()
	if st := guess(e, "127.0.0.5", superName, testPassword); st != http.StatusSeeOther {
		t.Fatalf("the real user from their own address: %d, want 303", st)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("the real user's log-in took %v, want at most about 1 s more than usual", d)
	}
	// Guesses for other names from the address of an office's NAT.
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		guess(e, "127.0.0.77", name, "wrong password!")
	}
	if st := guess(e, "127.0.0.77", installerName, testPassword); st != http.StatusSeeOther {
		t.Fatalf("a real user behind the same address: %d, want 303", st)
	}
}
