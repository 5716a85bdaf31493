package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func locationBody() map[string]any {
	return map[string]any{"lat": 52.1602, "lon": 5.3999, "accuracy_m": 8, "at": "2026-11-26T12:10:00+01:00", "status": "in de kelder"}
}

func TestUpdateLocation(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		resp := e.Do("PUT", "/api/v1/sessions/"+s.ID+"/location", locationBody())
		if got, want := resp.Status, http.StatusNoContent; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
		}
		if got, want := len(resp.Body), 0; got != want {
			t.Fatalf("body %q, want none", resp.Body)
		}
		stored, err := e.DB.Session(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := stored.Location.Status, "in de kelder"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
		if got, want := stored.Location.At, time.Date(2026, 11, 26, 11, 10, 0, 0, time.UTC); !got.Equal(want) {
			t.Fatalf("at %v, want %v", got, want)
		}
		loc := e.Do("GET", "/api/v1/sessions/"+s.ID, nil).JSON(t)["location"].(map[string]any)
		if got, want := loc["at"], "2026-11-26T11:10:00Z"; got != want {
			t.Fatalf("location.at %v, want %v", got, want)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		for _, tt := range []struct {
			name  string
			edit  func(b map[string]any)
			field string
		}{
			{"StatusTooLong", func(b map[string]any) { b["status"] = strings.Repeat("k", 201) }, "status"},
			{"Lat", func(b map[string]any) { b["lat"] = -91 }, "lat"},
			{"Lon", func(b map[string]any) { b["lon"] = 181 }, "lon"},
			{"Accuracy", func(b map[string]any) { b["accuracy_m"] = -1 }, "accuracy_m"},
			{"NoLat", func(b map[string]any) { delete(b, "lat") }, "lat"},
			{"NoAt", func(b map[string]any) { delete(b, "at") }, "at"},
			{"BadAt", func(b map[string]any) { b["at"] = "26-11-2026" }, "at"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				body := locationBody()
				tt.edit(body)
				resp := e.Do("PUT", "/api/v1/sessions/"+s.ID+"/location", body)
				if got, want := resp.Status, http.StatusUnprocessableEntity; got != want {
					t.Fatalf("status %d, want %d: %s", got, want, resp.Body)
				}
				if got, want := resp.Error(t).Field, tt.field; got != want {
					t.Fatalf("field %q, want %q", got, want)
				}
			})
		}
	})

	t.Run("ErrBadJSON", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		for _, body := range []string{``, `{"lat": "noord"}`, `{`} {
			if got, want := e.Do("PUT", "/api/v1/sessions/"+s.ID+"/location", body).Status, http.StatusBadRequest; got != want {
				t.Fatalf("%q: status %d, want %d", body, got, want)
			}
		}
		big := `{"status": "` + strings.Repeat("k", 64<<10) + `"}`
		if got, want := e.Do("PUT", "/api/v1/sessions/"+s.ID+"/location", big).Status, http.StatusRequestEntityTooLarge; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrStopped", func(t *testing.T) {
		e := MustOpenEnv(t)
		s := e.MustStart()
		e.Do("POST", "/api/v1/sessions/"+s.ID+"/stop", nil)
		if got, want := e.Do("PUT", "/api/v1/sessions/"+s.ID+"/location", locationBody()).Status, http.StatusConflict; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		e := MustOpenEnv(t)
		if got, want := e.Do("PUT", "/api/v1/sessions/nope/location", locationBody()).Status, http.StatusNotFound; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
	})
}
