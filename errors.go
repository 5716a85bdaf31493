package alleenwerken

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared by the core and every adapter. The HTTP layer maps them
// to status codes in one table.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAVAILABLE  = "unavailable"
	ETOOMANY      = "too_many_attempts" // locked out for a while; ErrorWait says how long
	EINTERNAL     = "internal"
)

// Error is a domain error with a machine-readable code, a human-readable
// message (Dutch where it reaches a user) and, for invalid input, the field.
type Error struct {
	Code    string
	Message string
	Field   string
	// Wait is, for ETOOMANY, how long the lock-out still lasts.
	Wait time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error that names the offending field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is an *Error, otherwise a
// generic message that leaks nothing internal.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Interne fout."
}

// ErrorField returns the field an EINVALID error names, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorWait returns how long an ETOOMANY error's lock-out still lasts, or 0.
func ErrorWait(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.Wait
	}
	return 0
}
