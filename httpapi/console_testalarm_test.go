package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

func TestConsoleTestAlarm(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	if p := c.Post("/console/installation/test-alarm", url.Values{"numbers": {"12"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad number: %d", p.Status)
	}
	p := c.Post("/console/installation/test-alarm", url.Values{"numbers": {"201"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("test alarm: %d %s", p.Status, p.Body)
	}
	call := e.Tel.Next(t)
	if call.Req.Number != "201" || !call.Req.Test {
		t.Fatalf("call %+v, want a test call to 201", call.Req)
	}
	call.End(aw.OutcomeBusy)
	call = e.Tel.Next(t)
	if call.Req.Number != "+31612000009" || !call.Req.Test {
		t.Fatalf("second call %+v, want the fallback number", call.Req)
	}
	call.Accept()
	alarms, _ := e.DB.Alarms(t.Context(), 1)
	a := alarms[0]
	testkit.EventuallyWithin(t, 10*time.Second, "accepted", func() bool { return e.Alarm(a.ID).State == aw.AlarmAccepted })
	if !a.Test || a.Cause != aw.CauseTest {
		t.Fatalf("alarm %+v", a)
	}
	p = c.Get("/console/installation?done=test")
	for _, want := range []string{"Het testalarm is gestart", fmt.Sprintf("#%d", a.Number), "TEST", "bezet", "aangenomen"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("installation page lacks %q", want)
		}
	}
	if p := c.Get("/console/health"); !strings.Contains(p.Body, fmt.Sprintf("#%d", a.Number)) {
		t.Error("health page lacks the test alarm")
	}
	admin := e.NewClient()
	admin.Login(superName)
	if p := admin.Get(fmt.Sprintf("/console/alarms/%d", a.Number)); !strings.Contains(p.Body, `<span class="test">TEST</span>`) {
		t.Fatal("the information page does not mark it TEST")
	}
	if a := e.Audit(aw.AuditTestAlarm); len(a) != 1 || a[0].Actor != installerName || a[0].New != "201, +31612000009" {
		t.Fatalf("audit %+v", a)
	}
}

func TestConsoleBackup(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	e.RaiseAlarm()
	c := e.NewClient()
	c.Login(superName)
	if p := c.Get("/console/health"); !strings.Contains(p.Body, "Nog geen back-up") || !strings.Contains(p.Body, "de sleutel (het .key-bestand naast de database) zit er niet in") {
		t.Fatal("health lacks the missing backup or the word on the key file")
	}
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/console/backup", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("backup: %d %v", resp.StatusCode, resp.Header)
	}
	path := t.TempDir() + "/backup.db"
	if err := writeFile(path, data); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, discard)
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer db.Close()
	if open, err := db.OpenAlarms(t.Context()); err != nil || len(open) != 1 {
		t.Fatalf("backup alarms %v %v", open, err)
	}
	if a := e.Audit(aw.AuditBackup); len(a) != 1 || a[0].Actor != superName {
		t.Fatalf("audit %+v", a)
	}
	if p := c.Get("/console/health"); !strings.Contains(p.Body, "Gedownload zojuist") {
		t.Fatal("health lacks the backup's age")
	}
}
