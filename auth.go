package lively

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthorized is returned (wrapped) by the built-in authenticators.
var ErrUnauthorized = errors.New("lively: unauthorized")

// JWTAuthenticator returns an Authenticate function that requires an HS256
// JWT signed with secret, from the "token" query parameter or an
// "Authorization: Bearer" header. Claim "sub" is the userId, "name" the
// displayName. Expired, not-yet-valid, unsigned or otherwise invalid tokens
// are rejected.
func JWTAuthenticator(secret []byte) func(r *http.Request) (Identity, error) {
	return func(r *http.Request) (Identity, error) {
		tok := r.URL.Query().Get("token")
		if tok == "" {
			if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
				tok = strings.TrimSpace(h[7:])
			}
		}
		if tok == "" {
			return Identity{}, fmt.Errorf("%w: no token", ErrUnauthorized)
		}
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return secret, nil },
			jwt.WithValidMethods([]string{"HS256"}))
		if err != nil {
			return Identity{}, fmt.Errorf("%w: %v", ErrUnauthorized, err)
		}
		sub, _ := claims["sub"].(string)
		name, _ := claims["name"].(string)
		return Identity{UserID: sub, DisplayName: name}, nil
	}
}

// queryIdentity is the identity without auth: userId and displayName query
// parameters (URLSearchParams decoding, '+' is a space).
func queryIdentity(r *http.Request) Identity {
	q := r.URL.Query()
	// Cloned: an unescaped value is a substring of the request line, which
	// the connection would otherwise keep alive for its whole life.
	return Identity{UserID: strings.Clone(q.Get("userId")), DisplayName: strings.Clone(q.Get("displayName"))}
}
