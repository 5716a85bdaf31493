package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"alleenwerken/httpapi"
)

// openAPIOperations returns "METHOD /path" of every operation in
// openapi.json, read with encoding/json.
func openAPIOperations(tb testing.TB) map[string]json.RawMessage {
	tb.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(httpapi.OpenAPI, &doc); err != nil {
		tb.Fatal(err)
	}
	ops := map[string]json.RawMessage{}
	for path, item := range doc.Paths {
		for method, op := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				ops[strings.ToUpper(method)+" "+path] = op
			}
		}
	}
	return ops
}

// servedOperations returns "METHOD /path" of every route gin serves under
// /api/v1 and /healthz, with :id written {id}.
func servedOperations() map[string]bool {
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	served := map[string]bool{}
	for _, r := range httpapi.NewServer(httpapi.Config{Logger: discard}).Engine().Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/healthz" {
			continue
		}
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	return served
}

func TestOpenAPI(t *testing.T) {
	t.Run("Served", func(t *testing.T) {
		e := MustOpenEnv(t)
		resp := e.DoToken("", "GET", "/api/v1/openapi.json", nil)
		if got, want := resp.Status, http.StatusOK; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if got, want := string(resp.Body), string(httpapi.OpenAPI); got != want {
			t.Fatal("served document differs from the embedded one")
		}
		if got, want := resp.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
			t.Fatalf("Content-Type %q, want %q", got, want)
		}
		if got, want := resp.JSON(t)["openapi"], "3.0.3"; got != want {
			t.Fatalf("openapi %v, want %v", got, want)
		}
	})

	// Every route gin serves under /api/v1 (and /healthz) is documented,
	// and every documented operation is served.
	t.Run("RoutesMatch", func(t *testing.T) {
		documented := openAPIOperations(t)
		served := servedOperations()
		for op := range served {
			if _, ok := documented[op]; !ok {
				t.Errorf("served but not in openapi.json: %s", op)
			}
		}
		for op := range documented {
			if !served[op] {
				t.Errorf("in openapi.json but not served: %s", op)
			}
		}
		if got, want := len(served), 9; got != want {
			t.Fatalf("%d operations served, want %d: %v", got, want, keys(served))
		}
	})

	// The statuses each operation documents are the ones this API returns.
	t.Run("Statuses", func(t *testing.T) {
		ops := openAPIOperations(t)
		for op, want := range map[string]string{
			"POST /api/v1/sessions":                   "201 400 401 409 413 422 500 503",
			"GET /api/v1/sessions/{id}":               "200 401 404 500 503",
			"POST /api/v1/sessions/{id}/extend":       "200 400 401 404 409 413 422 500 503",
			"POST /api/v1/sessions/{id}/stop":         "200 401 404 409 500 503",
			"POST /api/v1/sessions/{id}/alarm":        "202 401 404 409 500 503",
			"POST /api/v1/sessions/{id}/alarm/cancel": "200 401 404 409 500 503",
			"PUT /api/v1/sessions/{id}/location":      "204 400 401 404 409 413 422 500 503",
			"GET /healthz":                            "200 503",
			"GET /api/v1/openapi.json":                "200",
		} {
			var o struct {
				Responses map[string]json.RawMessage
				Security  *[]any
			}
			if err := json.Unmarshal(ops[op], &o); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if got := strings.Join(keys(o.Responses), " "); got != want {
				t.Errorf("%s: statuses %q, want %q", op, got, want)
			}
			public := op == "GET /healthz" || op == "GET /api/v1/openapi.json"
			if got, want := o.Security != nil && len(*o.Security) == 0, public; got != want {
				t.Errorf("%s: documented without auth %v, want %v", op, got, want)
			}
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
