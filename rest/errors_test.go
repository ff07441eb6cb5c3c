package rest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lively-actor/lively/crdt/yjs"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		status int
		msg    string
	}{
		{fmt.Errorf("%w: room %q", ErrNotFound, "r"), 404, `not found: room "r"`},
		{fmt.Errorf("x: %w", yjs.ErrNotFound), 404, "x: not found"},
		{fmt.Errorf("%w: bad", ErrBadRequest), 400, "bad request: bad"},
		{yjs.ErrNotObject, 400, "not an object"},
		{yjs.ErrInvalidJSON, 400, "invalid JSON"},
		{yjs.ErrInvalidAny, 400, "invalid any value"},
		{ErrUnauthorized, 401, "unauthorized"},
		{fmt.Errorf("%w: no", ErrForbidden), 403, "forbidden: no"},
		{ErrConflict, 409, "conflict"},
		{&ValidationError{Table: "t", Problems: []Problem{{Path: "/a", Message: "m"}}}, 422, `row does not match the schema of table "t": /a: m`},
		{fmt.Errorf("wrapped: %w", &ValidationError{Table: "t"}), 422, `row does not match the schema of table "t": `},
		{ErrUnavailable, 503, "Service Unavailable"},
		{context.Canceled, 503, "Service Unavailable"},
		{errors.New("secret internals"), 500, "Internal Server Error"},
		{errorf(418, "teapot %d", 1), 418, "teapot 1"},
	}
	for _, c := range cases {
		he := classify(c.err)
		if he.status != c.status || he.message != c.msg {
			t.Errorf("%v: %d %q, want %d %q", c.err, he.status, he.message, c.status, c.msg)
		}
	}
	var ve *ValidationError
	if err := error(&ValidationError{}); !errors.Is(err, ErrValidation) || !errors.As(err, &ve) {
		t.Error("ValidationError does not wrap ErrValidation")
	}
}
