package httpapi

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// OpenAPI is the app API's OpenAPI 3.0 document, served at
// /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (s *Server) registerOpenAPI() {
	s.engine.GET("/api/v1/openapi.json", func(c *gin.Context) {
		c.Data(200, "application/json; charset=utf-8", OpenAPI)
	})
}
