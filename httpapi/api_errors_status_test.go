package httpapi_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	aw "alleenwerken"
	"alleenwerken/httpapi"
)

// One table maps the domain's error codes to HTTP statuses, for the app
// API and the admin socket alike; an uncoded error is internal.
func TestErrorStatus(t *testing.T) {
	for err, want := range map[error]int{
		aw.Errorf(aw.EINVALID, "x"):      http.StatusUnprocessableEntity,
		aw.Errorf(aw.ENOTFOUND, "x"):     http.StatusNotFound,
		aw.Errorf(aw.ECONFLICT, "x"):     http.StatusConflict,
		aw.Errorf(aw.EUNAUTHORIZED, "x"): http.StatusUnauthorized,
		aw.Errorf(aw.EUNAVAILABLE, "x"):  http.StatusServiceUnavailable,
		aw.Errorf(aw.EINTERNAL, "x"):     http.StatusInternalServerError,
		errors.New("uncoded"):            http.StatusInternalServerError,
	} {
		if got := httpapi.ErrorStatus(err); got != want {
			t.Errorf("ErrorStatus(%v) = %d, want %d", err, got, want)
		}
	}
}

// Revoking a device that does not exist says so, and audits nothing.
func TestConsoleRevokeUnknownDevice(t *testing.T) {
	e := MustOpenConsoleEnv(t)
	c := e.NewClient()
	c.Login(installerName)
	c.Get("/console/installation")
	if p := c.Post("/console/installation/tokens/bestaat-niet/revoke", url.Values{}); p.Status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", p.Status)
	}
	if a := e.Audit(aw.AuditTokenRevoked); len(a) != 0 {
		t.Fatalf("audited: %+v", a)
	}
}
