package ywstest

import "time"

// Option configures Start.
type Option func(*config)

type config struct {
	name       string
	clientID   *uint64
	maxBackoff time.Duration
	params     map[string]string
	headers    map[string]string
	protocols  []string
	types      map[string]string
	noConnect  bool
	timeout    time.Duration
}

// WithClientID sets the Y.Doc client id (also the awareness id); it must be
// below 2^53. By default Yjs picks a random 32-bit id.
func WithClientID(id uint64) Option { return func(c *config) { c.clientID = &id } }

// WithMaxBackoffTime sets the provider's maxBackoffTime, the upper bound of
// its reconnect backoff (y-websocket's default: 2500 ms).
func WithMaxBackoffTime(d time.Duration) Option { return func(c *config) { c.maxBackoff = d } }

// WithParams sets the provider's URL query parameters.
func WithParams(p map[string]string) Option { return func(c *config) { c.params = p } }

// WithHeaders adds HTTP headers to every WebSocket handshake (for example
// Authorization). Browsers cannot do this; the provider itself is unchanged.
func WithHeaders(h map[string]string) Option { return func(c *config) { c.headers = h } }

// WithProtocols sets the WebSocket subprotocols the provider offers.
func WithProtocols(p ...string) Option { return func(c *config) { c.protocols = p } }

// WithTypes declares root types ("text", "map", "array" or "xml") by name, so
// that State reports them even when they are empty or were only received from
// others. Roots this client edits are declared automatically; other roots are
// inferred from their content and left out while nothing tells their type.
func WithTypes(types map[string]string) Option { return func(c *config) { c.types = types } }

// WithoutConnect creates the provider with connect: false; Reconnect connects
// it. Edits made before are sent on connect (offline-first).
func WithoutConnect() Option { return func(c *config) { c.noConnect = true } }

// WithTimeout sets the default bound of commands and Wait helpers.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithName labels the client in failure messages (default "client-N").
func WithName(name string) Option { return func(c *config) { c.name = name } }
