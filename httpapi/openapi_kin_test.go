// These checks validate openapi.json and every response against it with
// github.com/getkin/kin-openapi.

package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"alleenwerken/httpapi"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func init() { validateResponse = validateWithKin }

// mustLoadOpenAPI loads and validates the embedded OpenAPI document.
func mustLoadOpenAPI(tb testing.TB) *openapi3.T {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI)
	if err != nil {
		tb.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return doc
}

var (
	routerOnce sync.Once
	router     routers.Router
	routerErr  error
)

func mustRouter(tb testing.TB) routers.Router {
	tb.Helper()
	routerOnce.Do(func() {
		router, routerErr = gorillamux.NewRouter(mustLoadOpenAPI(tb))
	})
	if routerErr != nil {
		tb.Fatal(routerErr)
	}
	return router
}

// validateWithKin checks a response against the OpenAPI document: its status
// must be documented for the operation and its body must match the schema.
// Undocumented routes are left to TestOpenAPIKin/RoutesMatch.
func validateWithKin(tb testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	tb.Helper()
	route, params, err := mustRouter(tb).FindRoute(req)
	if err != nil {
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		tb.Fatalf("%s %s: response %d %.300s does not match openapi.json: %v", req.Method, req.URL.Path, status, body, err)
	}
}

func TestOpenAPIKin(t *testing.T) {
	t.Run("Valid", func(t *testing.T) {
		doc := mustLoadOpenAPI(t)
		if doc.Components.SecuritySchemes["bearerAuth"] == nil {
			t.Fatal("no bearer security scheme")
		}
		if doc.Components.Schemas["Error"] == nil {
			t.Fatal("no Error schema")
		}
	})

	t.Run("RoutesMatch", func(t *testing.T) {
		doc := mustLoadOpenAPI(t)
		documented := map[string]bool{}
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				documented[method+" "+path] = true
			}
		}
		served := servedOperations()
		for op := range served {
			if !documented[op] {
				t.Errorf("served but not in openapi.json: %s", op)
			}
		}
		for op := range documented {
			if !served[op] {
				t.Errorf("in openapi.json but not served: %s", op)
			}
		}
	})

	// The example request of app-api.md is valid against the document.
	t.Run("RequestExample", func(t *testing.T) {
		e := MustOpenEnv(t)
		req, err := http.NewRequest("POST", e.HTTP.URL+"/api/v1/sessions", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		route, params, err := mustRouter(t).FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		input := &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		}
		body := []byte(`{"worker": {"name": "Laura van Dijk", "phone": "0617782201"},
			"alarm_numbers": ["201", "0650262703", "0650929952"], "duration_minutes": 60,
			"description": "meterkast tweede verdieping", "reference": "12513",
			"address": "Schothorsterlaan 54, 3822 NB Amersfoort",
			"location": {"lat": 52.1601, "lon": 5.3997, "accuracy_m": 12, "at": "2026-11-26T12:28:00Z"}}`)
		req.Body = io.NopCloser(bytes.NewReader(body))
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
			t.Fatal(err)
		}
	})
}
