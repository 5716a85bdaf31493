package httpapi_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// settingsForm returns the settings page's fields as a form.
func settingsForm(t *testing.T, c *Client) url.Values {
	t.Helper()
	p := c.Get("/console/settings")
	if p.Status != http.StatusOK {
		t.Fatalf("settings page: %d", p.Status)
	}
	f := url.Values{}
	for _, m := range regexp.MustCompile(`<input name="([a-z_]+)" id="[a-z_]+" value="([^"]*)"`).FindAllStringSubmatch(p.Body, -1) {
		f.Set(m[1], html.UnescapeString(m[2]))
	}
	f.Set("language", "nl")
	return f
}

func TestConsoleSettings(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Login(superName)
		f := settingsForm(t, c)
		if got, want := len(f), len(aw.SettingKeys(aw.PageSettings)); got != want {
			t.Fatalf("form has %d fields, want %d: %v", got, want, f)
		}
		f.Set("fallback_number", "06-12345678")
		f.Set("cancel_window", "15")
		f.Set("ring_timeout", "45 s")
		f.Set("reminder_lead", "10")
		f.Set("admin_numbers", "0612000099, 0612000098")
		f.Set("extensions", "201, Portiersloge\n202, Receptie, rec202") // not on this page: ignored
		p := c.Post("/console/settings", f)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		s, _ := e.DB.Settings(context.Background())
		if s.FallbackNumber != "+31612345678" || s.CancelWindow != 15*time.Second || s.RingTimeout != 45*time.Second ||
			s.ReminderLead != 10*time.Minute || len(s.AdminNumbers) != 2 || len(s.Extensions) != 1 {
			t.Fatalf("settings %+v", s)
		}
		changes := map[string]*aw.AuditEntry{}
		for _, a := range e.Audit(aw.AuditSettingChanged) {
			changes[a.Field] = a
		}
		if a := changes["fallback_number"]; a == nil || a.Old != "+31612000009" || a.New != "+31612345678" || a.Actor != superName {
			t.Fatalf("fallback audit %+v", a)
		}
		if a := changes["cancel_window"]; a == nil || a.Old != "10" || a.New != "15" {
			t.Fatalf("cancel window audit %+v", a)
		}
		if len(changes) != 5 {
			t.Fatalf("%d fields audited, want 5: %v", len(changes), changes)
		}
		// The audit page names a setting by its label.
		if p := c.Get("/console/audit"); !strings.Contains(p.Body, "Annuleertijd na Alarm") || strings.Contains(p.Body, "cancel_window") {
			t.Fatal("audit page does not show the setting's label")
		}
		if p := c.Get("/console/settings?saved=1"); !strings.Contains(p.Body, "opgeslagen") || !strings.Contains(p.Body, `value="&#43;31612345678"`) {
			t.Fatal("saved page")
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := MustOpenConsoleEnv(t)
		c := e.NewClient()
		c.Login(superName)
		for field, value := range map[string]string{
			"fallback_number": "12", "cancel_window": "abc", "ring_timeout": "0", "time_zone": "Mars/Olympus",
			"public_base_url": "ftp://x", "admin_numbers": "0201234567",
		} {
			f := settingsForm(t, c)
			f.Set(field, value)
			p := c.Post("/console/settings", f)
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("%s=%q: status %d", field, value, p.Status)
			}
			if !strings.Contains(p.Body, `id="error-`+field+`"`) {
				t.Fatalf("%s=%q: no error next to the field: %s", field, value, p.Body)
			}
			if !strings.Contains(p.Body, `value="`+value+`"`) {
				t.Fatalf("%s: the typed value is not kept", field)
			}
		}
		if a := e.Audit(aw.AuditSettingChanged); len(a) != 0 {
			t.Fatalf("invalid saves audited: %+v", a)
		}
	})
}

// Every declared setting has its form field on its own page (the super
// admin's settings or the installer's installation page) and not on the
// other.
func TestConsoleSettingsOnTheirPage(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	pages := map[aw.SettingPage]string{
		aw.PageSettings: c.Get("/console/settings").Body,
		aw.PageInstall:  c.Get("/console/installation").Body,
	}
	for _, d := range aw.SettingDefs {
		for page, body := range pages {
			if got, want := strings.Contains(body, `id="field-`+d.Key+`"`), page == d.Page; got != want {
				t.Errorf("%s on the %s page: %v, want %v", d.Key, page, got, want)
			}
		}
		if !strings.Contains(pages[d.Page], d.LabelIn("nl")) {
			t.Errorf("%s: label %q not on its page", d.Key, d.LabelIn("nl"))
		}
	}
}

func TestConsoleUsers(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	if p := c.Get("/console/users"); !strings.Contains(p.Body, targetName) {
		t.Fatal("users page")
	}
	p := c.Post("/console/users", url.Values{"name": {"piet"}, "role": {"installer"}, "password": {"een lang wachtwoord"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.Status, p.Body)
	}
	if p := c.Post("/console/users", url.Values{"name": {"piet"}, "role": {"installer"}, "password": {"een lang wachtwoord"}}); p.Status != http.StatusConflict {
		t.Fatalf("duplicate: %d", p.Status)
	}
	if p := c.Post("/console/users", url.Values{"name": {"kort"}, "role": {"installer"}, "password": {"kort"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", p.Status)
	}
	piet := e.NewClient()
	piet.Get("/login")
	if p := piet.Post("/login", url.Values{"name": {"piet"}, "password": {"een lang wachtwoord"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("new user log-in: %d", p.Status)
	}

	id := e.Users[targetName].ID
	doel := e.NewClient()
	doel.Login(targetName)
	if p := c.Post("/console/users/"+id+"/role", url.Values{"role": {"installer"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("role: %d", p.Status)
	}
	if p := doel.Get("/console/health"); p.Status != http.StatusOK {
		t.Fatalf("new role not in effect: %d", p.Status)
	}
	if p := c.Post("/console/users/"+id+"/password", url.Values{"password": {"nieuw wachtwoord 2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("password: %d", p.Status)
	}
	if p := doel.Get("/console"); p.Status != http.StatusSeeOther {
		t.Fatal("still logged in after a password reset")
	}
	doel.Get("/login")
	if p := doel.Post("/login", url.Values{"name": {targetName}, "password": {"nieuw wachtwoord 2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("new password: %d", p.Status)
	}
	if p := c.Post("/console/users/"+id+"/disable", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.Status)
	}
	if p := doel.Get("/console"); p.Status != http.StatusSeeOther {
		t.Fatal("still logged in after being disabled")
	}
	if p := c.Post("/console/users/"+id+"/enable", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.Status)
	}
	if p := c.Post("/console/users/"+e.Users[superName].ID+"/disable", nil); p.Status != http.StatusConflict {
		t.Fatalf("disable self: %d", p.Status)
	}
	for _, action := range []string{aw.AuditUserCreated, aw.AuditUserRole, aw.AuditUserPassword, aw.AuditUserDisabled, aw.AuditUserEnabled} {
		if a := e.Audit(action); len(a) != 1 || a[0].Actor != superName {
			t.Errorf("%s audit: %+v", action, a)
		}
	}
	if a := e.Audit(aw.AuditUserRole); a[0].Old != "responder" || a[0].New != "installer" || a[0].Target != targetName {
		t.Fatalf("role audit %+v", a[0])
	}
}

func TestConsoleDeviceTokens(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	p := c.Post("/console/installation/tokens", url.Values{"name": {"Telefoon Piet"}})
	m := regexp.MustCompile(`<code id="new-token">(aw_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("create: %d %s", p.Status, p.Body)
	}
	tok := m[1]
	api := func() int {
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/sessions/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := api(); got != http.StatusNotFound {
		t.Fatalf("new token: %d, want 404 (known device, unknown session)", got)
	}
	if p := c.Get("/console/installation"); strings.Contains(p.Body, tok) || !strings.Contains(p.Body, "Telefoon Piet") {
		t.Fatal("the token is shown again, or the device is missing")
	}
	devs, _ := e.DB.Devices(context.Background())
	var id string
	for _, d := range devs {
		if d.Name == "Telefoon Piet" {
			id = d.ID
		}
	}
	if p := c.Post("/console/installation/tokens/"+id+"/revoke", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if got := api(); got != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", got)
	}
	if p := c.Post("/console/installation/tokens", url.Values{"name": {""}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no name: %d", p.Status)
	}
	if a := e.Audit(aw.AuditTokenCreated); len(a) != 1 || a[0].Target != "Telefoon Piet" || a[0].Actor != installerName {
		t.Fatalf("created audit %+v", a)
	}
	if a := e.Audit(aw.AuditTokenRevoked); len(a) != 1 || a[0].Target != "Telefoon Piet" {
		t.Fatalf("revoked audit %+v", a)
	}
}

func TestConsoleHealth(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	e.RaiseAlarm()
	e.Tel.Set(aw.HealthDown, "Asterisk niet bereikbaar (connection refused).")
	c := e.NewClient()
	c.Login(installerName)
	if p := c.Get("/console/health"); !strings.Contains(p.Body, "in de wachtrij.") {
		t.Error("empty queue not shown")
	}
	if err := e.DB.EnqueueSMS(context.Background(), &aw.SMS{Kind: aw.SMSAdmin, To: "+31612000099", Text: "geheim", State: aw.SMSQueued, CreatedAt: e.Clock.Now().Add(-10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	p := c.Get("/console/health")
	for _, want := range []string{"Totaal: Storing", "Asterisk niet bereikbaar", "Opslag", "Schijfruimte", "GiB vrij", `id="active-sessions">1<`, "Nog geen testalarm",
		"Modem 1", "thuisnetwerk KPN", "1 sms in de wachtrij; de oudste is van 10 min geleden"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("health page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Laura") || strings.Contains(p.Body, "geheim") || strings.Contains(p.Body, "612000099") {
		t.Error("the health page shows personal data")
	}
}

func TestConsoleAuditPage(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	p := c.Get("/console/audit")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "ingelogd") || !strings.Contains(p.Body, superName) {
		t.Fatalf("audit page: %d", p.Status)
	}
}

func TestConsoleEnglish(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	if p := c.Post("/lang", url.Values{"lang": {"en"}, "next": {"/console/settings"}}); p.Status != http.StatusSeeOther || p.Location != "/console/settings" {
		t.Fatalf("lang: %d %q", p.Status, p.Location)
	}
	if p := c.Get("/console/settings"); !strings.Contains(p.Body, "Fallback number") || !strings.Contains(p.Body, `lang="en"`) {
		t.Fatal("not in English")
	}
}

// TestConsoleTexts checks that every text exists in both languages.
func TestConsoleTexts(t *testing.T) {
	for lang, m := range httpapi.Texts {
		for other, o := range httpapi.Texts {
			for k := range m {
				if _, ok := o[k]; !ok {
					t.Errorf("text %q is in %s but not in %s", k, lang, other)
				}
			}
		}
	}
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.T\.([a-z_]+)`).FindAllStringSubmatch(string(b), -1) {
			if _, ok := httpapi.Texts["nl"][m[1]]; !ok {
				t.Errorf("%s uses the missing text %q", f, m[1])
			}
		}
	}
}

func TestConsoleTelephony(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	if p := c.Get("/console/installation"); !strings.Contains(p.Body, `id="dial_template"`) || strings.Contains(p.Body, `id="fallback_number"`) {
		t.Fatal("installation page: telephony fields")
	}
	p := c.Post("/console/installation/telephony", url.Values{"dial_template": {"PJSIP/trunk"}, "extensions": {"201, Portiersloge"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="error-dial_template"`) {
		t.Fatalf("invalid template: %d", p.Status)
	}
	p = c.Post("/console/installation/telephony", url.Values{
		"dial_template": {"PJSIP/{national}@trunk"}, "caller_id": {"0331234567"}, "trunk_endpoint": {"trunk"},
		"extensions":      {"201, Portiersloge\n202, Receptie"},
		"fallback_number": {"0687654321"}, // not the installer's to change: ignored
	})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	s, _ := e.DB.Settings(context.Background())
	if s.DialTemplate != "PJSIP/{national}@trunk" || s.CallerID != "0331234567" || len(s.Extensions) != 2 || s.FallbackNumber != "+31612000009" {
		t.Fatalf("settings %+v", s)
	}
	fields := map[string]bool{}
	for _, a := range e.Audit(aw.AuditSettingChanged) {
		fields[a.Field] = a.Actor == installerName
	}
	if len(fields) != 3 || !fields["dial_template"] || !fields["caller_id"] || !fields["extensions"] {
		t.Fatalf("audited %v", fields)
	}
}

// Without admin numbers, an alarm accepted by an extension and not handled
// would remind nobody: the settings page says so, until a number is set.
func TestConsoleSettingsWarnsNobodyReminded(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(superName)
	ctx := context.Background()
	set, _ := e.DB.Settings(ctx)
	set.AdminNumbers = nil
	if err := e.DB.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if p := c.Get("/console/settings"); !strings.Contains(p.Body, `id="warn-unhandled"`) || !strings.Contains(p.Body, "krijgt niemand de sms") {
		t.Fatal("no warning without admin numbers")
	}
	set.AdminNumbers = []string{"0612345678"}
	if err := e.DB.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	if p := c.Get("/console/settings"); strings.Contains(p.Body, `id="warn-unhandled"`) {
		t.Fatal("warning with an admin number")
	}
}
