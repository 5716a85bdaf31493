package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/httpapi"
	"alleenwerken/store"
)

// discard is a logger that drops everything.
var discard = slog.New(slog.DiscardHandler)

// t0 is when every test's manual clock starts.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// Env is a real HTTP server over the real service and a real bbolt store,
// with a manual clock and a phone system on which nobody ever answers.
type Env struct {
	tb     testing.TB
	DB     *store.DB
	Clock  *aw.ManualClock
	Tel    *testkit.Telephony
	SMS    *testkit.Health
	Svc    *aw.Service
	Server *httpapi.Server
	HTTP   *httptest.Server
	Token  string // a device's token
}

// MustOpenEnv opens a store in a temporary directory, starts the service
// and serves the API on a real HTTP server; everything closes at cleanup.
func MustOpenEnv(tb testing.TB) *Env {
	tb.Helper()
	logger := slog.New(slog.DiscardHandler)
	db := testkit.MustOpenDB(tb)
	set := aw.DefaultSettings()
	set.Extensions = []aw.Extension{{Number: "201", Name: "Portiersloge"}}
	if err := db.SaveSettings(context.Background(), set); err != nil {
		tb.Fatal(err)
	}
	e := &Env{
		tb:    tb,
		DB:    db,
		Clock: aw.NewManualClock(t0),
		Tel:   testkit.NewTelephony(nil).WithDefault(testkit.Ring),
		SMS:   testkit.NewHealth(aw.HealthOK, "Modem gereed."),
	}
	e.Tel.Set(aw.HealthOK, "Asterisk verbonden.")
	e.Svc = aw.NewService(db, e.Tel, e.Clock, logger)
	e.Svc.SMS = e.SMS
	if err := e.Svc.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	e.Server = httpapi.NewServer(httpapi.Config{
		Sessions: e.Svc,
		Devices:  db,
		Health:   map[string]aw.HealthReporter{"storage": db, "telephony": e.Tel, "sms": e.SMS},
		Logger:   logger,
	})
	e.HTTP = httptest.NewServer(e.Server.Handler())
	tb.Cleanup(func() {
		e.HTTP.Close()
		if err := e.Svc.Close(); err != nil {
			tb.Error(err)
		}
	})
	e.Token, _ = e.NewDevice("Telefoon Laura")
	return e
}

// NewDevice creates a device and returns its token and id.
func (e *Env) NewDevice(name string) (token, id string) {
	e.tb.Helper()
	token, hash := aw.NewToken("aw_")
	d := &aw.Device{Name: name, TokenHash: hash, CreatedAt: t0}
	if err := e.DB.CreateDevice(context.Background(), d); err != nil {
		e.tb.Fatal(err)
	}
	return token, d.ID
}

// Response is a response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r *Response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("body %q: %v", r.Body, err)
	}
	return m
}

// Session decodes a session body.
func (r *Response) Session(tb testing.TB) SessionBody {
	tb.Helper()
	var s SessionBody
	if err := json.Unmarshal(r.Body, &s); err != nil {
		tb.Fatalf("body %q: %v", r.Body, err)
	}
	return s
}

// Error decodes an error body.
func (r *Response) Error(tb testing.TB) ErrorBody {
	tb.Helper()
	var e struct {
		Error ErrorBody `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		tb.Fatalf("body %q: %v", r.Body, err)
	}
	return e.Error
}

// SessionBody is the session JSON as the app reads it.
type SessionBody struct {
	ID           string  `json:"id"`
	State        string  `json:"state"`
	StartedAt    *string `json:"started_at"`
	ExpiresAt    *string `json:"expires_at"`
	ReminderAt   *string `json:"reminder_at"`
	AlarmFiresAt *string `json:"alarm_fires_at"`
	Worker       struct{ Name, Phone string }
	AlarmNumbers []string  `json:"alarm_numbers"`
	Warnings     []Warning `json:"warnings"`
	Alarm        *struct {
		Number     int     `json:"number"`
		State      string  `json:"state"`
		AcceptedBy *string `json:"accepted_by"`
	} `json:"alarm"`
}

// Warning is one entry of warnings.
type Warning struct{ Code, Message string }

// ErrorBody is the error object of an error response.
type ErrorBody struct{ Code, Message, Field string }

// Do sends a request with the env's token; body is JSON-encoded unless it is
// a string or nil. The response is validated against the OpenAPI document
// when the route is documented.
func (e *Env) Do(method, path string, body any, header ...string) *Response {
	e.tb.Helper()
	return e.DoToken(e.Token, method, path, body, header...)
}

// DoToken is Do with another token ("" for none).
func (e *Env) DoToken(token, method, path string, body any, header ...string) *Response {
	e.tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.tb.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, r)
	if err != nil {
		e.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.HTTP.Client().Do(req)
	if err != nil {
		e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.tb.Fatal(err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if validateResponse != nil {
		validateResponse(e.tb, req, out.Status, out.Header, out.Body)
	}
	return out
}

// validateResponse, when set (openapi_kin_test.go), checks every response
// against the OpenAPI document.
var validateResponse func(tb testing.TB, req *http.Request, status int, header http.Header, body []byte)

// startBody returns a valid start request; change returns a modified copy.
func startBody() map[string]any {
	return map[string]any{
		"worker":           map[string]any{"name": "Laura van Dijk", "phone": "06-17782201"},
		"alarm_numbers":    []any{"201", "0650262703", "0031650929952"},
		"duration_minutes": 60,
		"description":      "meterkast tweede verdieping",
		"reference":        "12513",
		"address":          "Schothorsterlaan 54, 3822 NB Amersfoort",
		"location":         map[string]any{"lat": 52.1601, "lon": 5.3997, "accuracy_m": 12, "at": "2026-11-26T11:58:00Z"},
	}
}

// MustStart starts a session with startBody and returns it.
func (e *Env) MustStart() SessionBody {
	e.tb.Helper()
	resp := e.Do("POST", "/api/v1/sessions", startBody())
	if got, want := resp.Status, http.StatusCreated; got != want {
		e.tb.Fatalf("start: status %d, want %d: %s", got, want, resp.Body)
	}
	return resp.Session(e.tb)
}
