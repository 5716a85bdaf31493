package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/httpapi"
	"alleenwerken/store"

	"golang.org/x/crypto/bcrypt"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// Test users, one of each role.
const (
	superName     = "beheer"
	installerName = "installateur"
	responderName = "hulp"
	targetName    = "doel" // a responder the admin tests change
)

// ConsoleEnv is the app API and the console on a real HTTP server over the
// real service and a real bbolt store, with a manual clock and a phone
// system the test steps call by call.
type ConsoleEnv struct {
	tb     testing.TB
	DB     *store.DB
	Path   string
	Clock  *aw.ManualClock
	Tel    *testkit.StepTelephony
	SMS    *testkit.Health
	Svc    *aw.Service
	Server *httpapi.Server
	HTTP   *httptest.Server
	Token  string // an app device's token
	Users  map[string]*aw.User
	PBX    *FakePBX
	// Conn is the connection the daemon "started with"; Reconnects the
	// connections the console asked for.
	Conn       aw.Connection
	Reconnects []aw.Connection
	// Waiting is what Reconnect says about calls in progress.
	Waiting  int
	CheckErr error // what CheckConnection answers
	// Broken makes the console's reads of alarms, settings, the
	// installation, the audit log and the outbox fail (a disk error).
	Broken *brokenStore
}

// MustOpenConsoleEnv starts everything; it closes at cleanup.
func MustOpenConsoleEnv(tb testing.TB) *ConsoleEnv {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "aw.db")
	db, err := store.Open(path, discard)
	if err != nil {
		tb.Fatal(err)
	}
	e := &ConsoleEnv{
		tb: tb, DB: db, Path: path,
		Clock: aw.NewManualClock(time.Now().UTC().Truncate(time.Second)),
		Tel:   testkit.NewStepTelephony("Asterisk verbonden."),
		SMS:   testkit.NewHealth(aw.HealthOK, "Modem gereed."),
		Users: map[string]*aw.User{},
		PBX:   &FakePBX{},
		Conn: aw.Connection{ARIURL: "http://127.0.0.1:8088/ari", ARIUser: "alleenwerken", ARIPassword: "file-ari-pw",
			ARIApp: "alleenwerken", ModemPorts: []string{"/dev/alleenwerken-modem"}},
	}
	e.Svc = aw.NewService(db, e.Tel, e.Clock, discard)
	e.Svc.SMS = e.SMS
	if err := e.Svc.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	health := map[string]aw.HealthReporter{"storage": db, "telephony": e.Tel, "sms": e.SMS}
	e.Server = httpapi.NewServer(httpapi.Config{Sessions: e.Svc, Devices: db, Health: health, Logger: discard})
	e.Broken = &brokenStore{DB: db}
	users := aw.NewUserService(e.Broken, e.Clock, discard)
	users.BcryptCost = bcrypt.MinCost
	inst := aw.NewInstallationService(e.Broken, e.Clock, discard)
	inst.PBX, inst.Check = e.PBX, func(context.Context, aw.Connection) error { return e.CheckErr }
	ctx := context.Background()
	logins, err := aw.NewLoginService(ctx, e.Broken, e.Clock, discard)
	if err != nil {
		tb.Fatal(err)
	}
	reports, err := aw.NewReportService(ctx, e.Broken, e.Svc, e.Clock, discard)
	if err != nil {
		tb.Fatal(err)
	}
	con, err := httpapi.NewConsole(httpapi.ConsoleConfig{
		Logins: logins, Reports: reports, Sessions: e.Svc, Outbox: &aw.Dispatcher{Outbox: e.Broken},
		Audit: aw.NewAuditLog(e.Broken), Clock: e.Clock, Health: health, DatabasePath: path, Logger: discard,
		Users:        users,
		Devices:      aw.NewDeviceService(e.Broken, e.Clock, discard),
		Settings:     aw.NewSettingsService(e.Broken, e.Clock, discard),
		TestAlarms:   e.Svc,
		Connection:   func() aw.Connection { return e.Conn },
		Installation: inst,
		Backups:      aw.NewBackupService(e.Broken, e.Clock, discard),
		Reconnect: func(_ context.Context, c aw.Connection) (int, error) {
			e.Reconnects = append(e.Reconnects, c)
			return e.Waiting, nil
		},
		Details: func(context.Context) []httpapi.HealthDetail {
			return []httpapi.HealthDetail{{Name: "Modem 1", Health: aw.Health{State: aw.HealthOK, Reason: "SIM gereed, -71 dBm, thuisnetwerk KPN."}}}
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	e.Server.MountConsole(con)
	e.HTTP = httptest.NewServer(e.Server.Handler())
	set := aw.DefaultSettings()
	set.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
	set.FallbackNumber = "0612000009"
	set.PublicBaseURL = e.HTTP.URL
	if err := db.SaveSettings(context.Background(), set); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		e.HTTP.Close()
		e.Tel.Close()
		if err := e.Svc.Close(); err != nil {
			tb.Error(err)
		}
		db.Close()
	})
	for name, role := range map[string]aw.Role{superName: aw.RoleSuperAdmin, installerName: aw.RoleInstaller, responderName: aw.RoleResponder, targetName: aw.RoleResponder} {
		e.Users[name] = e.NewUser(name, role, testPassword)
	}
	tok, hash := aw.NewToken("aw_")
	if err := db.CreateDevice(context.Background(), &aw.Device{Name: "Telefoon Laura", TokenHash: hash, CreatedAt: e.Clock.Now()}); err != nil {
		tb.Fatal(err)
	}
	e.Token = tok
	return e
}

// NewUser creates a console user (bcrypt at the lowest cost, for speed).
func (e *ConsoleEnv) NewUser(name string, role aw.Role, password string) *aw.User {
	e.tb.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		e.tb.Fatal(err)
	}
	u := &aw.User{Name: name, Role: role, PasswordHash: h, CreatedAt: e.Clock.Now()}
	if err := e.DB.CreateUser(context.Background(), u); err != nil {
		e.tb.Fatal(err)
	}
	return u
}

// RaiseAlarm starts a session for Laura through the service, presses Alarm
// and lets the cancel window pass; it returns the alarm once it exists.
func (e *ConsoleEnv) RaiseAlarm() *aw.Alarm {
	e.tb.Helper()
	ctx := context.Background()
	devs, err := e.DB.Devices(ctx)
	if err != nil || len(devs) == 0 {
		e.tb.Fatal("no device", err)
	}
	dev := devs[0].ID
	v, err := e.Svc.StartSession(ctx, dev, aw.SessionStart{
		Worker:       aw.Worker{Name: "Laura van Dijk", Phone: "0617782201"},
		AlarmNumbers: []string{"201", "0650262703"}, DurationMinutes: 60,
		Description: "meterkast tweede verdieping", Reference: "12513",
		Address:  "Schothorsterlaan 54, 3822 NB Amersfoort",
		Location: &aw.Location{Lat: 52.1601, Lon: 5.3997, AccuracyM: 12, At: e.Clock.Now().Add(-3 * time.Minute), Status: "in de kelder"},
	}, "")
	if err != nil {
		e.tb.Fatal(err)
	}
	if _, err := e.Svc.PressAlarm(ctx, dev, v.Session.ID); err != nil {
		e.tb.Fatal(err)
	}
	return e.WaitAlarm(v.Session.ID)
}

// WaitAlarm advances the clock past the cancel window until the session's
// alarm exists.
func (e *ConsoleEnv) WaitAlarm(sessionID string) *aw.Alarm {
	e.tb.Helper()
	var a *aw.Alarm
	testkit.EventuallyWithin(e.tb, 10*time.Second, "the alarm is raised", func() bool {
		e.Clock.Advance(11 * time.Second)
		s, err := e.DB.Session(context.Background(), sessionID)
		if err != nil || s.AlarmID == "" {
			return false
		}
		a, err = e.DB.Alarm(context.Background(), s.AlarmID)
		return err == nil
	})
	return a
}

// Alarm reloads an alarm.
func (e *ConsoleEnv) Alarm(id string) *aw.Alarm {
	e.tb.Helper()
	a, err := e.DB.Alarm(context.Background(), id)
	if err != nil {
		e.tb.Fatal(err)
	}
	return a
}

// Link adds an information link to an alarm, as the SMS does, and returns
// its path.
func (e *ConsoleEnv) Link(id string) string {
	e.tb.Helper()
	var tok string
	if _, err := e.DB.UpdateAlarm(context.Background(), id, func(a *aw.Alarm) error {
		tok = a.NewInfoToken(e.Clock.Now())
		return nil
	}); err != nil {
		e.tb.Fatal(err)
	}
	return "/m/" + tok
}

// Audit returns the audit entries with an action, oldest first.
func (e *ConsoleEnv) Audit(action string) []*aw.AuditEntry {
	e.tb.Helper()
	all, err := e.DB.AuditEntries(context.Background(), 0)
	if err != nil {
		e.tb.Fatal(err)
	}
	var out []*aw.AuditEntry
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Action == action {
			out = append(out, all[i])
		}
	}
	return out
}

// Client is a browser without JavaScript: cookies, no redirects followed,
// and the CSRF token of the last page it read.
type Client struct {
	e    *ConsoleEnv
	http *http.Client
	CSRF string
}

// NewClient returns a client with an empty cookie jar.
func (e *ConsoleEnv) NewClient() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// NewClientFrom returns a client with an empty cookie jar whose
// connections come from ip (any 127.0.0.x on loopback): one of an
// attacker's several addresses.
func (e *ConsoleEnv) NewClientFrom(ip string) *Client {
	c := e.NewClient()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.http.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// Page is a response with its body as text.
type Page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *Client) do(req *http.Request) *Page {
	c.e.tb.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := &Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(b)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		c.CSRF = m[1]
	}
	return p
}

// Get fetches a path.
func (c *Client) Get(path string) *Page {
	c.e.tb.Helper()
	req, err := http.NewRequest("GET", c.e.HTTP.URL+path, nil)
	if err != nil {
		c.e.tb.Fatal(err)
	}
	return c.do(req)
}

// Post sends a form with the client's CSRF token (unless form has one).
func (c *Client) Post(path string, form url.Values) *Page {
	c.e.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.CSRF)
	}
	return c.Send("POST", path, form)
}

// Send sends a form as is with any method.
func (c *Client) Send(method, path string, form url.Values) *Page {
	c.e.tb.Helper()
	req, err := http.NewRequest(method, c.e.HTTP.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.e.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Login logs in and fails the test unless it worked.
func (c *Client) Login(name string) {
	c.e.tb.Helper()
	c.Get("/login")
	p := c.Post("/login", url.Values{"name": {name}, "password": {testPassword}})
	if p.Status != http.StatusSeeOther {
		c.e.tb.Fatalf("login %s: status %d: %s", name, p.Status, p.Body)
	}
	c.Get("/console")
}

// writeFile writes data to path.
func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// FakePBX records what the console writes into Asterisk. It validates like
// ari.PBX for the fields the tests touch; NotReloaded makes Apply report a
// written but not reloaded setup.
type FakePBX struct {
	mu          sync.Mutex
	Trunk       *aw.Trunk
	Exts        []aw.ExtensionSecret
	Applies     int
	NotReloaded bool
	Installed   map[string][]byte // "nl/intro" -> the uploaded WAV
}

// Apply implements aw.PBXConfig.
func (f *FakePBX) Apply(_ context.Context, t *aw.Trunk, xs []aw.ExtensionSecret) error {
	if t != nil {
		if t.Endpoint == "handwritten" {
			return aw.FieldError("trunk_endpoint", "De sectie [handwritten] staat met de hand in pjsip.conf.")
		}
		if t.Host == "" || strings.ContainsAny(t.Host, " ;") {
			return aw.FieldError("trunk_host", "Geef de host van de provider, host of host:poort.")
		}
		if t.User == "" {
			return aw.FieldError("trunk_user", "Geef de gebruikersnaam van het trunkaccount.")
		}
	}
	for _, x := range xs {
		if strings.Contains(x.Password, ";") {
			return aw.FieldError("password_"+x.Number, "Een wachtwoord mag geen ; of regeleinde bevatten.")
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Trunk, f.Exts = t, xs
	f.Applies++
	if f.NotReloaded {
		return fmt.Errorf("%w (connection refused)", aw.ErrNotReloaded)
	}
	return nil
}

// InstallPrompt implements aw.PBXConfig.
func (f *FakePBX) InstallPrompt(_ context.Context, lang, name string, wav io.Reader) error {
	b, err := io.ReadAll(wav)
	if err != nil {
		return err
	}
	if bytes.Contains(b, []byte("corrupt")) {
		return fmt.Errorf("sox: corrupt file")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Installed == nil {
		f.Installed = map[string][]byte{}
	}
	f.Installed[lang+"/"+name] = b
	return nil
}

// Prompts implements aw.PBXConfig.
func (f *FakePBX) Prompts() []string { return []string{"test", "intro", "press1"} }
