package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/httpapi"

	"github.com/gin-gonic/gin"
)

// serve sends one request to srv over a real HTTP server.
func serve(srv *httpapi.Server, method, path string) *httptest.ResponseRecorder {
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest(method, ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer ok")
	w := httptest.NewRecorder()
	resp, err := ts.Client().Do(req)
	if err != nil {
		w.Code = -1
		return w
	}
	defer resp.Body.Close()
	w.Code = resp.StatusCode
	io.Copy(w.Body, resp.Body)
	return w
}

func TestErrors(t *testing.T) {
	t.Run("UnknownRoute", func(t *testing.T) {
		e := MustOpenEnv(t)
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/nothing"},
			{"GET", "/api/v1/sessions"},
			{"DELETE", "/api/v1/sessions/x"},
			{"GET", "/"},
		} {
			resp := e.Do(r.method, r.path, nil)
			if got, want := resp.Status, http.StatusNotFound; got != want {
				t.Fatalf("%s %s: status %d, want %d", r.method, r.path, got, want)
			}
			if got, want := resp.Error(t).Code, "not_found"; got != want {
				t.Fatalf("code %q, want %q", got, want)
			}
		}
	})

	t.Run("StorageUnavailable", func(t *testing.T) {
		e := MustOpenEnv(t)
		if err := e.DB.Close(); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ method, path string }{
			{"POST", "/api/v1/sessions"}, {"GET", "/api/v1/sessions/x"}, {"POST", "/api/v1/sessions/x/stop"},
		} {
			resp := e.Do(r.method, r.path, startBody())
			if got, want := resp.Status, http.StatusServiceUnavailable; got != want {
				t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, got, want, resp.Body)
			}
			if got, want := resp.Error(t).Code, "unavailable"; got != want {
				t.Fatalf("code %q, want %q", got, want)
			}
		}
	})

	t.Run("InternalNotLeaked", func(t *testing.T) {
		srv := httpapi.NewServer(httpapi.Config{
			Sessions: failingSessions{err: errors.New("bolt: disk on fire at /var/lib/aw.db")},
			Devices:  oneDevice{},
			Logger:   discard,
		})
		w := serve(srv, "GET", "/api/v1/sessions/x")
		if got, want := w.Code, http.StatusInternalServerError; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if strings.Contains(w.Body.String(), "disk") {
			t.Fatalf("internal text leaked: %s", w.Body)
		}
		if !strings.Contains(w.Body.String(), `"code":"internal"`) {
			t.Fatalf("body %s, want code internal", w.Body)
		}
	})

	t.Run("Panic", func(t *testing.T) {
		srv := httpapi.NewServer(httpapi.Config{Logger: discard})
		srv.Engine().GET("/panic", func(*gin.Context) { panic("secret detail") })
		w := serve(srv, "GET", "/panic")
		if got, want := w.Code, http.StatusInternalServerError; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if strings.Contains(w.Body.String(), "secret") {
			t.Fatalf("panic text leaked: %s", w.Body)
		}
	})
}

func TestServerOpenClose(t *testing.T) {
	srv := httpapi.NewServer(httpapi.Config{Logger: discard})
	if got, want := srv.Addr(), ""; got != want {
		t.Fatalf("Addr before Open %q, want %q", got, want)
	}
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL() + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Fatalf("status %d, want %d", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL() + "/healthz"); err == nil {
		t.Fatal("still serving after Close")
	}
}

// failingSessions fails every call with err.
type failingSessions struct {
	aw.SessionService
	err error
}

func (f failingSessions) GetSession(context.Context, string, string) (*aw.SessionView, error) {
	return nil, f.err
}

// oneDevice accepts any token as device "d1".
type oneDevice struct{ aw.DeviceStore }

func (oneDevice) AuthenticateDevice(context.Context, string) (*aw.Device, error) {
	return &aw.Device{ID: "d1"}, nil
}
