package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"

	aw "alleenwerken"
	"alleenwerken/ari"
	"alleenwerken/cmd/testkit"
	"alleenwerken/cmd/testkit/testbed"
	"alleenwerken/httpapi/browsertest"
)

// TestConsoleDrivesAsterisk is the installer's work in headless Chromium
// against the whole daemon in this process, the test bed's Asterisk 22 and
// a modem on a pty: a trunk and an extension password saved in the console appear in
// Asterisk over ARI; a name written by hand is refused next to the field; a
// test alarm is TEST in its prompts and its SMS; an uploaded WAV is what
// Asterisk plays in the next call; a connection change during an alarm call
// waits for that call and then reconnects without a restart.
func TestConsoleDrivesAsterisk(t *testing.T) {
	testbed.Need(t)
	sfx := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	trunk, ext := "aw-console-"+sfx, strconv.Itoa(400+int(time.Now().UnixNano()%500))
	gen := filepath.Join(testbed.ConfigDir, ari.PBXFile)
	testbed.KeepPrompt(t, "nl", "intro")
	t.Cleanup(func() {
		os.Remove(gen)
		if err := (&ari.PBX{ConfigDir: testbed.ConfigDir, ARI: testbed.Config("cleanup")}).Reload(context.Background()); err != nil {
			t.Errorf("reload after cleanup: %v", err)
		}
	})
	d := openBedMain(t, "awtest-console-"+sfx, "asterisk.config_dir = "+testbed.ConfigDir, "asterisk.sounds_dir = "+testbed.SoundsDir,
		"settings.extensions = 201:Portiersloge, "+ext+":Werkplaats", "settings.trunk_endpoint = "+trunk,
		"settings.cancel_window = 1s", "settings.ring_timeout = 8s", "settings.prompt_repeats = 1", "settings.caller_id = 0301234567")
	testkit.EventuallyWithin(t, 20*time.Second, "telephony up", d.telephonyUp)
	if _, err := d.Users.CreateUser(context.Background(), aw.CLIActor("test"), "inst", aw.RoleInstaller, "Installateur-wachtwoord-1"); err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t, "http://"+d.HTTP.Addr())
	tab := b.NewTab()
	step := func(name string, f func(t *testing.T)) { b.Step(t, name, f) }
	step("Login", func(t *testing.T) {
		if r := tab.Login("inst", "Installateur-wachtwoord-1"); r.Status != http.StatusOK {
			t.Fatalf("login: %d", r.Status)
		}
	})

	step("TrunkVisibleOverARI", func(t *testing.T) {
		if code, _ := testbed.Endpoint(t, trunk); code != 404 {
			t.Fatalf("%s exists before: %d", trunk, code)
		}
		tab.Open("/console/installation")
		if got := tab.Text("#trunk-endpoint"); got != trunk {
			t.Fatalf("trunk name %q", got)
		}
		tab.Fill("trunk_host", "127.0.0.1:5099")
		tab.Fill("trunk_user", "31301234567")
		tab.Fill("trunk_password", "Trunk-geheim-9")
		start := time.Now()
		tab.Submit("#save-trunk")
		if got := tab.Text(".flash"); !strings.Contains(got, "in Asterisk gezet") {
			t.Fatalf("flash %q", got)
		}
		code, state := testbed.Endpoint(t, trunk)
		t.Logf("PJSIP/%s over ARI %v after the click: %d %s", trunk, time.Since(start).Round(time.Millisecond), code, state)
		if code != 200 {
			t.Fatalf("trunk not in Asterisk: %d", code)
		}
		if tab.Eval(`document.body.innerHTML.includes('Trunk-geheim-9')`) {
			t.Fatal("password shown back")
		}
	})

	step("ExtensionPasswordAndHandWrittenClash", func(t *testing.T) {
		tab.Open("/console/installation")
		tab.Fill("password_201", "desk-pw-201")
		tab.Submit("#save-extensions")
		if got := tab.Text("#error-password_201"); !strings.Contains(got, "pjsip_local.conf") {
			t.Fatalf("clash with the hand-written 201: %q", got)
		}
		tab.Open("/console/installation")
		tab.Fill("password_"+ext, "desk-pw-"+ext)
		tab.Submit("#save-extensions")
		if got := tab.Text(".flash"); !strings.Contains(got, "in Asterisk gezet") {
			t.Fatalf("flash %q", got)
		}
		if code, _ := testbed.Endpoint(t, ext); code != 200 {
			t.Fatalf("PJSIP/%s not in Asterisk: %d", ext, code)
		}
		b, err := os.ReadFile(gen)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "[201]") || !strings.Contains(string(b), "password = desk-pw-"+ext) {
			t.Fatalf("generated file:\n%s", b)
		}
	})

	step("HealthShowsDeskPhones", func(t *testing.T) {
		// The bed's 201 is online once Asterisk qualified its contact
		// (every 5 s on the bed); the page must then say so.
		testkit.EventuallyWithin(t, 20*time.Second, "the bed's desk phone 201 online over ARI", func() bool {
			_, state := testbed.Endpoint(t, "201")
			return state == "online"
		})
		tab.Open("/console/health")
		for _, want := range [][3]string{
			{"Toestel 201 Portiersloge (PJSIP/201)", "h-ok", "Geregistreerd en bereikbaar."},
			{"Toestel " + ext + " Werkplaats (PJSIP/" + ext + ")", "h-degraded", "Niet geregistreerd of niet bereikbaar"},
		} {
			js := fmt.Sprintf(`[...document.querySelectorAll('#health tbody tr')].some(r => r.cells[0].innerText === %q && r.className === %q && r.cells[2].innerText.startsWith(%q))`, want[0], want[1], want[2])
			if !tab.Eval(js) {
				t.Fatalf("health page lacks %q:\n%s", want, tab.Text("#health"))
			}
		}
		tab.Screenshot("health-desk-phones.png", 1280, 900, false)
	})

	step("TestAlarmMarkedTest", func(t *testing.T) {
		tab.Open("/console/installation")
		tab.Fill("test-numbers", "0612345105, 0612345101")
		if r := tab.Submit("#test-alarm"); r.Status >= 300 {
			t.Fatalf("test alarm: %d %s", r.Status, tab.Text("main"))
		}
		deadline := time.Now().Add(40 * time.Second)
		for {
			tab.Open("/console/installation")
			if tab.Eval(`(document.getElementById('test-state')||{}).innerText === 'Aangenomen'`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("test alarm not accepted on the installation page:\n%s\n%s", tab.Text("main"), d.log.String())
			}
			time.Sleep(500 * time.Millisecond)
		}
		var text string
		testkit.EventuallyWithin(t, 20*time.Second, "responder SMS at the modem", func() bool {
			for _, sub := range d.sim.Sent() {
				m, err := sms.Decode([]*tpdu.TPDU{sub.TPDU})
				if err == nil {
					text = string(m)
					return true
				}
			}
			return false
		})
		t.Logf("responder SMS: %q", text)
		if !strings.HasPrefix(text, "TEST") && !strings.Contains(text, "TEST") {
			t.Fatalf("SMS not marked TEST: %q", text)
		}
		tab.Screenshot("installation-test-alarm.png", 1280, 900, false)
	})

	step("UploadedPromptPlayedInNextCall", func(t *testing.T) {
		wav := testbed.ToneWAV(t, 12)
		tab.Open("/console/installation")
		tab.Eval(`(document.getElementById('prompt-lang').value='nl', document.getElementById('prompt-name').value='intro', true)`)
		tab.Upload("prompt-file", wav)
		if r := tab.Submit("#upload-prompt"); r.Status != http.StatusOK || !tab.Eval(`document.body.innerText.includes('opname is vervangen')`) {
			t.Fatalf("upload: %d\n%s\n%s", r.Status, tab.Text("main"), d.log.String())
		}
		dur := testbed.IntroPlayed(t, "consoleprompt")
		t.Logf("uploaded aw-intro finished %v after the answer (generated: about 6 s)", dur.Round(10*time.Millisecond))
		if dur < 11500*time.Millisecond || dur > 14*time.Second {
			t.Fatalf("aw-intro took %v; the upload is 12 s", dur)
		}
	})

	var appUp time.Time // when the new application registered
	step("ConnectionChangeWaitsForCall", func(t *testing.T) {
		// An alarm call rings (no answer, 8 s) when the installer saves a
		// new Stasis application: the change waits for that call, so its
		// own outcome is recorded, and the next call uses the new one.
		app := "awtest-console2-" + sfx
		before := len(testbed.Channels(t))
		d.token = d.newDevice("Telefoon Laura")
		d.pressAlarm([]string{testbed.NumNoAnswer, testbed.NumBusy})
		testkit.EventuallyWithin(t, 15*time.Second, "the alarm call ringing in Asterisk", func() bool { return len(testbed.Channels(t)) > before })
		tab.Open("/console/installation")
		tab.Fill("ari_app", app)
		saved := time.Now()
		tab.Submit("#save-connection")
		if got := tab.Text("#error"); !strings.Contains(got, "Er loopt nu een alarmgesprek") {
			t.Fatalf("no warning about the call in progress: %q", got)
		}
		if code := testbed.Application(t, app); code != 404 {
			t.Fatalf("the new application registered while the call rings: %d", code)
		}
		tab.Open("/console/health")
		if got := tab.Text("#health"); !strings.Contains(got, "gaat in zodra het lopende alarmgesprek is afgelopen") {
			t.Fatalf("health page while waiting:\n%s", got)
		}
		testkit.EventuallyWithin(t, 30*time.Second, "the new Stasis application registered", func() bool { return testbed.Application(t, app) == 200 })
		appUp = time.Now()
		testkit.EventuallyWithin(t, 20*time.Second, "telephony up again", d.telephonyUp)
		t.Logf("saved during the call; %s registered %v later", app, appUp.Sub(saved).Round(time.Millisecond))
		second := regexp.MustCompile(`msg="attempt ended".* alarm=102 attempt=2 `)
		testkit.EventuallyWithin(t, 20*time.Second, "the second call (busy) through the new application", func() bool {
			return second.MatchString(d.log.String())
		})
	})

	// The daemon runs on (it is closed at the end of the test): its store
	// is read in place.
	db := d.DB
	a, err := db.AlarmByNumber(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if checkTestPrompts(t, a) == 0 || a.Attempts[0].Outcome != aw.OutcomeBusy {
		t.Fatalf("attempts %+v", a.Attempts)
	}
	// The call that rang during the change ended as itself (no answer
	// after the ring timeout), before the new application registered; the
	// next number was called through the new one.
	a, err = db.AlarmByNumber(context.Background(), 102)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("alarm #%d\n%s", a.Number, testkit.FormatAttempts(a))
	if len(a.Attempts) < 2 || a.Attempts[0].Number != testbed.NumNoAnswer || a.Attempts[0].Outcome != aw.OutcomeNoAnswer ||
		a.Attempts[1].Number != testbed.NumBusy || a.Attempts[1].Outcome != aw.OutcomeBusy {
		t.Fatalf("want no answer from %s, then busy from %s", testbed.NumNoAnswer, testbed.NumBusy)
	}
	if end := *a.Attempts[0].EndedAt; end.After(appUp) {
		t.Fatalf("call ended %v, new application registered %v", end, appUp)
	} else {
		t.Logf("new application registered %v after the call ended", appUp.Sub(end).Round(time.Millisecond))
	}
	in, err := db.Installation(context.Background())
	if err != nil || in.Connection == nil || in.Connection.ARIApp != "awtest-console2-"+sfx {
		t.Fatalf("connection not stored: %+v %v", in.Connection, err)
	}
}
