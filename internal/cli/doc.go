// Package cli is the lively-actor command line: "serve" (the default),
// "rooms" (stored room management) and "bench" (the load harness). Flags can
// also be set through LIVELY_<FLAG> environment variables (dashes become
// underscores: --heartbeat-timeout ↔ LIVELY_HEARTBEAT_TIMEOUT); a flag on the
// command line wins over the environment. Run returns the process exit code;
// it owns no goroutine beyond the server it starts, which has stopped when
// Run returns.
package cli
