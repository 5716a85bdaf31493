package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	aw "alleenwerken"

	"github.com/gin-gonic/gin"
)

// MaxBodyBytes is the largest request body the API reads; larger: 413.
const MaxBodyBytes = 64 << 10

// statusByCode maps the domain's error codes to HTTP statuses: the one table.
var statusByCode = map[string]int{
	aw.EINVALID:      http.StatusUnprocessableEntity,
	aw.EUNAUTHORIZED: http.StatusUnauthorized,
	aw.ENOTFOUND:     http.StatusNotFound,
	aw.ECONFLICT:     http.StatusConflict,
	aw.EUNAVAILABLE:  http.StatusServiceUnavailable,
	aw.ETOOMANY:      http.StatusTooManyRequests,
	aw.EINTERNAL:     http.StatusInternalServerError,
}

// errorStatus returns the HTTP status for a domain error code.
func errorStatus(code string) int {
	if st, ok := statusByCode[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// ErrorStatus returns the HTTP status for an error by its domain code, from
// the one table; other HTTP servers of the daemon (the admin socket) use it too.
func ErrorStatus(err error) int { return errorStatus(aw.ErrorCode(err)) }

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// internalError is what the client sees of an internal error.
var internalError = errorJSON{Code: aw.EINTERNAL,
	Message: "Interne fout. Probeer het opnieuw; blijft het misgaan, meld het dan aan de beheerder."}

// requestError is an error found while reading a request, with its own
// status (400 for malformed JSON, 413 for a body too large).
type requestError struct {
	status int
	err    *aw.Error
}

func (e *requestError) Error() string { return e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

// writeError answers with the error's status and JSON. Only internal errors
// are logged, and their text never reaches the client.
func (s *Server) writeError(c *gin.Context, err error) {
	code := aw.ErrorCode(err)
	status := errorStatus(code)
	var re *requestError
	if errors.As(err, &re) {
		status = re.status
	}
	body := errorJSON{Code: code, Message: aw.ErrorMessage(err), Field: aw.ErrorField(err)}
	if code == aw.EINTERNAL {
		s.log.Error("internal error", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		body = internalError
	}
	if body.Field != "" {
		body.Message = body.Field + ": " + body.Message
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="alleenwerken"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}

// bodyLimits are the routes whose bodies may be larger than MaxBodyBytes,
// each with its own limit.
var bodyLimits = map[string]int64{PromptUploadPath: MaxPromptBytes + 1<<20}

// limitBody caps every request body at its route's limit: MaxBodyBytes
// unless bodyLimits says otherwise.
func limitBody(c *gin.Context) {
	limit, ok := bodyLimits[c.FullPath()]
	if !ok {
		limit = MaxBodyBytes
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// errNoBody is returned by readJSON for an empty body.
var errNoBody = errors.New("empty body")

// readJSON reads the request body into v. Unknown fields are ignored. It
// returns errNoBody for an empty body, a 413 for a body over MaxBodyBytes and
// a 400 (code invalid, naming the field where it can) for malformed JSON.
func readJSON(c *gin.Context, v any) error {
	if c.Request.Body == nil {
		return errNoBody
	}
	data, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &requestError{status: http.StatusRequestEntityTooLarge, err: aw.Errorf(aw.EINVALID,
			"Het verzoek is groter dan %d KiB.", MaxBodyBytes>>10)}
	} else if err != nil {
		return &requestError{status: http.StatusBadRequest, err: aw.Errorf(aw.EINVALID,
			"Het verzoek kon niet gelezen worden.")}
	}
	if len(data) == 0 {
		return errNoBody
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badJSON(err)
	}
	return nil
}

// badJSON turns a JSON decoding error into a 400 that names the field when
// the type of a value was wrong.
func badJSON(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var e *aw.Error
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		e = aw.FieldError(typeErr.Field, "Verkeerd type: %s verwacht, %s gekregen.", jsonType(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		e = aw.Errorf(aw.EINVALID, "Ongeldige JSON bij positie %d.", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		e = aw.Errorf(aw.EINVALID, "Verkeerd type: een JSON-object verwacht, %s gekregen.", typeErr.Value)
	default:
		e = aw.Errorf(aw.EINVALID, "Ongeldige JSON.")
	}
	return &requestError{status: http.StatusBadRequest, err: e}
}

// jsonType names a Go kind the way JSON does.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "tekst"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "getal"
	case "bool":
		return "true/false"
	case "slice", "array":
		return "lijst"
	case "struct", "map", "ptr":
		return "object"
	}
	return fmt.Sprint(kind)
}

// noRoute answers unknown routes with a 404 in the API's error shape.
func (s *Server) noRoute(c *gin.Context) {
	s.writeError(c, aw.Errorf(aw.ENOTFOUND, "Onbekend adres: %s %s.", c.Request.Method, c.Request.URL.Path))
}
