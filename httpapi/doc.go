// Package httpapi serves the appliance over HTTP with gin: the app API
// (/api/v1), its OpenAPI document and /healthz. The web console adds its
// routes to the same engine.
package httpapi
