package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// healthBody is the JSON of /healthz.
type healthBody struct {
	Status     string
	Components map[string]map[string]string
}

func getHealth(t *testing.T, e *Env) (int, healthBody, map[string]any) {
	t.Helper()
	resp := e.DoToken("", "GET", "/healthz", nil)
	var h healthBody
	if err := json.Unmarshal(resp.Body, &h); err != nil {
		t.Fatal(err)
	}
	return resp.Status, h, resp.JSON(t)
}

func TestHealthz(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		status, h, raw := getHealth(t, e)
		if got, want := status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if got, want := h.Status, "ok"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
		for _, name := range []string{"storage", "telephony", "sms"} {
			c, ok := raw["components"].(map[string]any)[name].(map[string]any)
			if !ok {
				t.Fatalf("component %s missing: %v", name, raw)
			}
			if got, want := len(c), 2; got != want {
				t.Fatalf("component %s has %d fields, want only state and reason: %v", name, got, c)
			}
			if got, want := c["state"], "ok"; got != want {
				t.Fatalf("%s: state %v, want %v", name, got, want)
			}
		}
	})

	t.Run("Degraded", func(t *testing.T) {
		e := MustOpenEnv(t)
		e.SMS.Set(aw.HealthDegraded, "Zwak signaal.")
		status, h, _ := getHealth(t, e)
		if got, want := status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if got, want := h.Status, "degraded"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
		if got, want := h.Components["sms"]["reason"], "Werkt beperkt; de reden staat op de gezondheidspagina van de console."; got != want {
			t.Fatalf("sms reason %q, want %q", got, want)
		}
	})

	// The public /healthz gives fixed texts only: no address, password,
	// device path or error text of a component's reason reaches it.
	t.Run("NoDetail", func(t *testing.T) {
		e := MustOpenEnv(t)
		e.Tel.Set(aw.HealthDown, "Geen verbinding met Asterisk (ari-proxy op nats://aw:s3cret@10.0.0.5:4222): dial tcp 10.0.0.5:4222: connection refused")
		e.SMS.Set(aw.HealthDegraded, "Modem op /dev/ttyUSB2: SIM PIN nodig")
		resp := e.DoToken("", "GET", "/healthz", nil)
		body := string(resp.Body)
		for _, leak := range []string{"s3cret", "10.0.0.5", "nats://", "/dev/ttyUSB2", "connection refused", "SIM PIN"} {
			if strings.Contains(body, leak) {
				t.Fatalf("/healthz shows %q: %s", leak, body)
			}
		}
	})

	t.Run("TelephonyDown", func(t *testing.T) {
		e := MustOpenEnv(t)
		e.Tel.Set(aw.HealthDown, "Asterisk niet bereikbaar.")
		status, h, _ := getHealth(t, e)
		if got, want := status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d: the daemon can still serve", got, want)
		}
		if got, want := h.Status, "down"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
	})

	t.Run("ErrStorageDown", func(t *testing.T) {
		e := MustOpenEnv(t)
		if err := e.DB.Close(); err != nil {
			t.Fatal(err)
		}
		status, h, _ := getHealth(t, e)
		if got, want := status, http.StatusServiceUnavailable; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if got, want := h.Status, "down"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
		if got, want := h.Components["storage"]["state"], "down"; got != want {
			t.Fatalf("storage %q, want %q", got, want)
		}
	})

	t.Run("MissingComponent", func(t *testing.T) {
		srv := httpapi.NewServer(httpapi.Config{Health: map[string]aw.HealthReporter{}, Logger: discard})
		w := serve(srv, "GET", "/healthz")
		if got, want := w.Code, http.StatusServiceUnavailable; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})
}
