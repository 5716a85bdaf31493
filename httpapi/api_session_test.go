package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
)

func TestStartSession(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		resp := e.Do("POST", "/api/v1/sessions", startBody())
		if got, want := resp.Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		s := resp.Session(t)
		if s.ID == "" {
			t.Fatal("no id")
		}
		if got, want := s.State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		if got, want := *s.StartedAt, "2026-11-26T12:00:00Z"; got != want {
			t.Fatalf("started_at %q, want %q", got, want)
		}
		if got, want := *s.ExpiresAt, "2026-11-26T13:00:00Z"; got != want {
			t.Fatalf("expires_at %q, want %q", got, want)
		}
		if got, want := *s.ReminderAt, "2026-11-26T12:55:00Z"; got != want {
			t.Fatalf("reminder_at %q, want %q", got, want)
		}
		if got, want := s.Worker.Phone, "+31617782201"; got != want {
			t.Fatalf("worker.phone %q, want %q", got, want)
		}
		if got, want := strings.Join(s.AlarmNumbers, ","), "201,+31650262703,+31650929952"; got != want {
			t.Fatalf("alarm_numbers %q, want %q", got, want)
		}
		m := resp.JSON(t)
		if w, ok := m["warnings"].([]any); !ok || len(w) != 0 {
			t.Fatalf("warnings %#v, want []", m["warnings"])
		}
		for _, k := range []string{"device_id", "alarm_id", "reminder_done", "alarm_fires_at", "alarm", "test"} {
			if _, ok := m[k]; ok {
				t.Fatalf("field %q must not be shown: %s", k, resp.Body)
			}
		}
		if got, want := m["description"], "meterkast tweede verdieping"; got != want {
			t.Fatalf("description %v, want %v", got, want)
		}
		if got, want := m["location"].(map[string]any)["at"], "2026-11-26T11:58:00Z"; got != want {
			t.Fatalf("location.at %v, want %v", got, want)
		}
		if got, want := resp.Header.Get("Cache-Control"), "no-store"; got != want {
			t.Fatalf("Cache-Control %q, want %q", got, want)
		}
	})

	t.Run("NoReminder", func(t *testing.T) {
		e := MustOpenEnv(t)
		body := startBody()
		body["duration_minutes"] = 5
		resp := e.Do("POST", "/api/v1/sessions", body)
		if got, want := resp.Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		if v, ok := resp.JSON(t)["reminder_at"]; !ok || v != nil {
			t.Fatalf("reminder_at %v (present %v), want null", v, ok)
		}
	})

	t.Run("IdempotentRetry", func(t *testing.T) {
		e := MustOpenEnv(t)
		first := e.Do("POST", "/api/v1/sessions", startBody(), "Idempotency-Key", "k-1")
		if got, want := first.Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, first.Body)
		}
		e.Clock.Advance(time.Minute)
		retry := e.Do("POST", "/api/v1/sessions", startBody(), "Idempotency-Key", "k-1")
		if got, want := retry.Status, http.StatusCreated; got != want {
			t.Fatalf("retry status %d, want %d: %s", got, want, retry.Body)
		}
		a, b := first.Session(t), retry.Session(t)
		if got, want := b.ID, a.ID; got != want {
			t.Fatalf("retry id %q, want %q", got, want)
		}
		if got, want := *b.StartedAt, *a.StartedAt; got != want {
			t.Fatalf("retry started_at %q, want %q", got, want)
		}
		open, err := e.DB.OpenSessions(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(open), 1; got != want {
			t.Fatalf("%d open sessions, want %d", got, want)
		}
		// Another key is a new start: the device already has a session.
		if got, want := e.Do("POST", "/api/v1/sessions", startBody(), "Idempotency-Key", "k-2").Status, http.StatusConflict; got != want {
			t.Fatalf("other key: status %d, want %d", got, want)
		}
		// The same key on another device is that device's own.
		tok, _ := e.NewDevice("Telefoon Piet")
		if got, want := e.DoToken(tok, "POST", "/api/v1/sessions", startBody(), "Idempotency-Key", "k-1").Session(t).ID, a.ID; got == want {
			t.Fatal("another device got the first device's session")
		}
	})

	t.Run("ErrSecondSession", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("POST", "/api/v1/sessions", startBody())
		if got, want := resp.Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		eb := resp.Error(t)
		if got, want := eb.Code, "conflict"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}
		if !strings.Contains(eb.Message, s.ID) {
			t.Fatalf("message %q does not name session %s", eb.Message, s.ID)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := MustOpenEnv(t)
		long := func(n int) string { return strings.Repeat("é", n) }
		for _, tt := range []struct {
			name  string
			edit  func(b map[string]any)
			field string
		}{
			{"Unparseable", func(b map[string]any) { b["worker"].(map[string]any)["phone"] = "abc" }, "worker.phone"},
			{"UnparseableAlarmNumber", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "06123"} }, "alarm_numbers[1]"},
			{"WorkerPhoneNotMobile", func(b map[string]any) { b["worker"].(map[string]any)["phone"] = "020-5551234" }, "worker.phone"},
			{"NoWorkerPhone", func(b map[string]any) { b["worker"].(map[string]any)["phone"] = "" }, "worker.phone"},
			{"Emergency112", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "112"} }, "alarm_numbers[1]"},
			{"PremiumRate0900", func(b map[string]any) { b["alarm_numbers"] = []any{"0900-1234567", "201"} }, "alarm_numbers[0]"},
			{"PremiumRate0906", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "0906-1234567"} }, "alarm_numbers[1]"},
			{"PremiumRate0909", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "0909 1234567"} }, "alarm_numbers[1]"},
			{"Service14020", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "0650262703", "14020"} }, "alarm_numbers[2]"},
			{"Duplicate", func(b map[string]any) { b["alarm_numbers"] = []any{"0650262703", "+31 6 50262703"} }, "alarm_numbers[1]"},
			{"OwnNumber", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "+31617782201"} }, "alarm_numbers[1]"},
			{"Cuba", func(b map[string]any) { b["alarm_numbers"] = []any{"201", "+53 7 2345678"} }, "alarm_numbers[1]"},
			{"DescriptionNUL", func(b map[string]any) { b["description"] = "meter\x00kast" }, "description"},
			{"DescriptionRTL", func(b map[string]any) { b["description"] = "meter\u202ekast" }, "description"},
			{"AddressNewline", func(b map[string]any) { b["address"] = "Straat 1\nNieuwe link: x" }, "address"},
			{"NameSpaces", func(b map[string]any) { b["worker"].(map[string]any)["name"] = "   " }, "worker.name"},
			{"Somalia", func(b map[string]any) { b["alarm_numbers"] = []any{"+252612345678", "201"} }, "alarm_numbers[0]"},
			{"SaoTomeWorker", func(b map[string]any) { b["worker"].(map[string]any)["phone"] = "+2399912345" }, "worker.phone"},
			{"OneAlarmNumber", func(b map[string]any) { b["alarm_numbers"] = []any{"201"} }, "alarm_numbers"},
			{"FourAlarmNumbers", func(b map[string]any) {
				b["alarm_numbers"] = []any{"201", "0650262703", "0650929952", "0650929953"}
			}, "alarm_numbers"},
			{"DurationZero", func(b map[string]any) { b["duration_minutes"] = 0 }, "duration_minutes"},
			{"DurationTooLong", func(b map[string]any) { b["duration_minutes"] = 1441 }, "duration_minutes"},
			{"DurationMissing", func(b map[string]any) { delete(b, "duration_minutes") }, "duration_minutes"},
			{"NoName", func(b map[string]any) { b["worker"].(map[string]any)["name"] = "" }, "worker.name"},
			{"NameTooLong", func(b map[string]any) { b["worker"].(map[string]any)["name"] = long(101) }, "worker.name"},
			{"DescriptionTooLong", func(b map[string]any) { b["description"] = long(501) }, "description"},
			{"ReferenceTooLong", func(b map[string]any) { b["reference"] = long(65) }, "reference"},
			{"AddressTooLong", func(b map[string]any) { b["address"] = long(201) }, "address"},
			{"LocationStatusTooLong", func(b map[string]any) { b["location"].(map[string]any)["status"] = long(201) }, "location.status"},
			{"LocationLat", func(b map[string]any) { b["location"].(map[string]any)["lat"] = 91 }, "location.lat"},
			{"LocationAt", func(b map[string]any) { b["location"].(map[string]any)["at"] = "gisteren" }, "location.at"},
			{"LocationNoLon", func(b map[string]any) { delete(b["location"].(map[string]any), "lon") }, "location.lon"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				body := startBody()
				tt.edit(body)
				resp := e.Do("POST", "/api/v1/sessions", body)
				if got, want := resp.Status, http.StatusUnprocessableEntity; got != want {
					t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
				}
				eb := resp.Error(t)
				if got, want := eb.Code, "invalid"; got != want {
					t.Fatalf("code %q, want %q", got, want)
				}
				if got, want := eb.Field, tt.field; got != want {
					t.Fatalf("field %q, want %q (%s)", got, want, eb.Message)
				}
				t.Log(eb.Message)
				if !strings.HasPrefix(eb.Message, tt.field+": ") || len(eb.Message) < len(tt.field)+10 {
					t.Fatalf("message %q does not name %s and say why", eb.Message, tt.field)
				}
			})
		}
		// Nothing was started by any of them.
		if got, want := e.MustStart().State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
	})

	t.Run("AcceptedNumbers", func(t *testing.T) {
		e := MustOpenEnv(t)
		for i, phone := range []string{"0617782201", "+31617782201", "31617782201", "0031617782201", "06 1778 2201"} {
			tok, _ := e.NewDevice("toestel")
			body := startBody()
			body["worker"].(map[string]any)["phone"] = phone
			body["alarm_numbers"] = []any{"201", "+32 470 12 34 56"}
			resp := e.DoToken(tok, "POST", "/api/v1/sessions", body)
			if got, want := resp.Status, http.StatusCreated; got != want {
				t.Fatalf("%d %q: status %d, want %d: %s", i, phone, got, want, resp.Body)
			}
			s := resp.Session(t)
			if got, want := s.Worker.Phone, "+31617782201"; got != want {
				t.Fatalf("%q: phone %q, want %q", phone, got, want)
			}
			if got, want := s.AlarmNumbers[1], "+32470123456"; got != want {
				t.Fatalf("alarm number %q, want %q", got, want)
			}
		}
	})

	t.Run("ErrBadJSON", func(t *testing.T) {
		e := MustOpenEnv(t)
		for _, tt := range []struct {
			name, body, field string
		}{
			{"Syntax", `{"worker": `, ""},
			{"Trailing", `{} {}`, ""},
			{"NotAnObject", `[1, 2]`, ""},
			{"Empty", ``, ""},
			{"DurationString", `{"duration_minutes": "60"}`, "duration_minutes"},
			{"DurationFraction", `{"duration_minutes": 1.5}`, "duration_minutes"},
			{"PhoneNumber", `{"worker": {"name": "x", "phone": 617782201}}`, "worker.phone"},
			{"AlarmNumbersString", `{"alarm_numbers": "201"}`, "alarm_numbers"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp := e.Do("POST", "/api/v1/sessions", tt.body)
				if got, want := resp.Status, http.StatusBadRequest; got != want {
					t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
				}
				eb := resp.Error(t)
				if got, want := eb.Code, "invalid"; got != want {
					t.Fatalf("code %q, want %q", got, want)
				}
				if got, want := eb.Field, tt.field; got != want {
					t.Fatalf("field %q, want %q (%s)", got, want, eb.Message)
				}
			})
		}
	})

	t.Run("UnknownFieldsIgnored", func(t *testing.T) {
		e := MustOpenEnv(t)
		body := startBody()
		body["colour"] = "blue"
		body["device_id"] = "someone-else"
		body["worker"].(map[string]any)["age"] = 40
		if got, want := e.Do("POST", "/api/v1/sessions", body).Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrTooLarge", func(t *testing.T) {
		e := MustOpenEnv(t)
		body := startBody()
		body["padding"] = strings.Repeat("x", 65<<10)
		resp := e.Do("POST", "/api/v1/sessions", body)
		if got, want := resp.Status, http.StatusRequestEntityTooLarge; got != want {
			t.Fatalf("status %d, want %d: %.200s", got, want, resp.Body)
		}
		if got, want := resp.Error(t).Code, "invalid"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}
	})

	t.Run("ErrIdempotencyKeyTooLong", func(t *testing.T) {
		e := MustOpenEnv(t)
		resp := e.Do("POST", "/api/v1/sessions", startBody(), "Idempotency-Key", strings.Repeat("k", 201))
		if got, want := resp.Status, http.StatusUnprocessableEntity; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
	})

	t.Run("WarningTelephonyDown", func(t *testing.T) {
		e := MustOpenEnv(t)
		e.Tel.Set(aw.HealthDown, "Asterisk niet bereikbaar.")
		e.SMS.Set(aw.HealthDown, "Geen modem.")
		resp := e.Do("POST", "/api/v1/sessions", startBody())
		if got, want := resp.Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		s := resp.Session(t)
		if got, want := len(s.Warnings), 2; got != want {
			t.Fatalf("%d warnings, want %d: %s", got, want, resp.Body)
		}
		if got, want := s.Warnings[0].Code, aw.WarnTelephonyDown; got != want {
			t.Fatalf("warning %q, want %q", got, want)
		}
		if got, want := s.Warnings[1].Code, aw.WarnSMSDown; got != want {
			t.Fatalf("warning %q, want %q", got, want)
		}
		if s.Warnings[0].Message == "" {
			t.Fatal("warning without text")
		}
		// Still started and armed.
		if got, want := s.State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
		e.Tel.Set(aw.HealthOK, "")
		e.SMS.Set(aw.HealthOK, "")
		if got, want := len(e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t).Warnings), 0; got != want {
			t.Fatalf("%d warnings after recovery, want %d", got, want)
		}
	})
}

func TestGetSession(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("GET", "/api/v1/sessions/"+s.ID, nil)
		if got, want := resp.Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		g := resp.Session(t)
		if got, want := g.ID, s.ID; got != want {
			t.Fatalf("id %q, want %q", got, want)
		}
		if got, want := *g.ExpiresAt, *s.ExpiresAt; got != want {
			t.Fatalf("expires_at %q, want %q", got, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		e := MustOpenEnv(t)
		resp := e.Do("GET", "/api/v1/sessions/nope", nil)
		if got, want := resp.Status, http.StatusNotFound; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		if got, want := resp.Error(t).Code, "not_found"; got != want {
			t.Fatalf("code %q, want %q", got, want)
		}
	})

	t.Run("ErrOtherDevice", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		other, _ := e.NewDevice("Telefoon Piet")
		for _, r := range []struct{ method, path string }{
			{"GET", ""}, {"POST", "/extend"}, {"POST", "/stop"}, {"POST", "/alarm"}, {"POST", "/alarm/cancel"},
		} {
			resp := e.DoToken(other, r.method, "/api/v1/sessions/"+s.ID+r.path, nil)
			if got, want := resp.Status, http.StatusNotFound; got != want {
				t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, got, want, resp.Body)
			}
		}
		resp := e.DoToken(other, "PUT", "/api/v1/sessions/"+s.ID+"/location", locationBody())
		if got, want := resp.Status, http.StatusNotFound; got != want {
			t.Fatalf("location: status %d, want %d: %s", got, want, resp.Body)
		}
		// The owner's session is untouched.
		if got, want := e.Do("GET", "/api/v1/sessions/"+s.ID, nil).Session(t).State, "active"; got != want {
			t.Fatalf("state %q, want %q", got, want)
		}
	})
}

// A session id of another device answers exactly as an unknown id: the
// 404 does not tell that the id exists. Before, an unknown id's message
// named the id and another device's did not.
func TestSessionOfAnotherDeviceLooksUnknown(t *testing.T) {
	e := MustOpenEnv(t)
	id := e.Do("POST", "/api/v1/sessions", startBody()).Session(t).ID
	other, _ := e.NewDevice("Telefoon Piet")
	unknown := "s_" + strings.Repeat("0", len(id)-2)
	for _, path := range []string{"", "/extend", "/stop", "/alarm", "/location"} {
		method := map[string]string{"": "GET", "/location": "PUT"}[path]
		if method == "" {
			method = "POST"
		}
		a := e.DoToken(other, method, "/api/v1/sessions/"+id+path, map[string]any{"minutes": 10, "lat": 52.1, "lon": 5.1, "accuracy_m": 10, "at": "2026-11-26T14:00:00Z"})
		b := e.DoToken(other, method, "/api/v1/sessions/"+unknown+path, map[string]any{"minutes": 10, "lat": 52.1, "lon": 5.1, "accuracy_m": 10, "at": "2026-11-26T14:00:00Z"})
		if a.Status != http.StatusNotFound || a.Status != b.Status || string(a.Body) != string(b.Body) {
			t.Fatalf("%s %s: another device's id %d %s; unknown id %d %s", method, path, a.Status, a.Body, b.Status, b.Body)
		}
	}
}
