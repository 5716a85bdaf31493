package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"alleenwerken/httpapi/browsertest"
)

// Browser and Tab are the shared headless Chromium helpers.
type (
	Browser = browsertest.Browser
	Tab     = browsertest.Tab
)

// NewBrowser starts Chromium (browsertest.New).
func NewBrowser(t *testing.T, base string) *Browser { return browsertest.New(t, base) }

// apiCall sends a JSON request to the app API with a device token.
func apiCall(t *testing.T, e *ConsoleEnv, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, e.HTTP.URL+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}
