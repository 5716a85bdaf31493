package httpapi

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// recovery turns a panic in a handler into a logged 500 in the API's error
// shape.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("panic in handler", "method", c.Request.Method, "path", c.FullPath(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: internalError})
		}
	}()
	c.Next()
}

// logRequests logs every request at debug level; internal errors are
// logged by writeError.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.log.Debug("http request",
		"method", c.Request.Method,
		"route", c.FullPath(),
		"status", c.Writer.Status(),
		"duration", time.Since(start),
	)
}
