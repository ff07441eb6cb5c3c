package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lively-actor/lively/crdt/yjs"
)

// Sentinel errors. Backends return errors that wrap them (fmt.Errorf("%w: ...", rest.ErrNotFound))
// and the handler turns them into HTTP statuses; test with errors.Is.
var (
	// ErrBadRequest: the request is malformed (400).
	ErrBadRequest = errors.New("rest: bad request")
	// ErrUnauthorized: credentials are missing or invalid (401).
	ErrUnauthorized = errors.New("rest: unauthorized")
	// ErrForbidden: the credentials are valid but do not allow this request (403).
	ErrForbidden = errors.New("rest: forbidden")
	// ErrNotFound: the workspace, room, row or key does not exist (404). yjs.ErrNotFound maps to
	// 404 too.
	ErrNotFound = errors.New("rest: not found")
	// ErrConflict: the target is not in a state that allows the request, such as a room whose
	// storage is not initialized (409).
	ErrConflict = errors.New("rest: conflict")
	// ErrUnavailable: the server cannot take the request now (too many rooms, shutting down) (503).
	ErrUnavailable = errors.New("rest: unavailable")
	// ErrValidation: a row failed its table's JSON Schema (422); the error is a *ValidationError.
	ErrValidation = errors.New("rest: validation failed")
)

// Problem is one JSON Schema violation: where in the row (a JSON Pointer) and what.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ValidationError reports a row that does not match its table's JSON Schema. It wraps
// ErrValidation and is answered with 422 and the problems.
type ValidationError struct {
	Table    string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Path + ": " + p.Message
	}
	return fmt.Sprintf("row does not match the schema of table %q: %s", e.Table, strings.Join(msgs, "; "))
}

func (e *ValidationError) Unwrap() error { return ErrValidation }

// httpError is an error answered with a status and a message meant for the client.
type httpError struct {
	status   int
	message  string
	problems []Problem
}

func (e *httpError) Error() string { return e.message }

func errorf(status int, format string, args ...any) *httpError {
	return &httpError{status: status, message: fmt.Sprintf(format, args...)}
}

// classify maps an error to a status and the message the client sees. Messages of 5xx errors are
// generic (the error is logged instead); 4xx messages are the error text, minus sentinel prefixes.
func classify(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &httpError{status: http.StatusUnprocessableEntity, message: ve.Error(), problems: ve.Problems}
	}
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, yjs.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrBadRequest), errors.Is(err, yjs.ErrNotObject), errors.Is(err, yjs.ErrInvalidJSON),
		errors.Is(err, yjs.ErrInvalidAny):
		status = http.StatusBadRequest
	case errors.Is(err, ErrUnauthorized):
		status = http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		return &httpError{status: status, message: http.StatusText(status)}
	}
	return &httpError{status: status, message: clientMessage(err)}
}

// clientMessage strips the "rest: " / "yjs: " sentinel prefixes from an error text.
func clientMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"rest: ", "yjs: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}
