// Package bench is the load harness users run against their deployment
// (`lively-actor bench <scenario> --url ws://host:port`) and the relay
// baseline it is compared with (`lively-actor bench relay`).
//
// It speaks the wire protocols itself and imports nothing else of this
// repository: the Lively JSON protocol (and its msgpack twin) on
// /rooms/<room>, and the y-websocket lib0 protocol on /yjs/<doc>.
//
// # Scenarios
//
//	idle       --conns N --clients K [--heartbeat 30s] [--server-pid PID]
//	           N connections in rooms of K that only send {"type":"heartbeat"}.
//	           Reports the connect rate and, with --server-pid, the server's
//	           VmRSS before connecting, once connected and warmed up, and at
//	           the end, and RSS per connection.
//	fanout     --rooms R --clients C --hz H | --rate N | --rate max
//	           Every client sends cursor:update with x = send time (µs since
//	           the run's epoch; every client lives in this process, so they
//	           share the clock) and y = its index. Receivers compute the
//	           latency; expected deliveries = sends × (C−1).
//	storage    --rooms R --clients C --hz H      (Lively server only)
//	           After a non-null storage:init (the first client of a room seeds
//	           {"type":"LiveObject","data":{}} when the root is null), each
//	           client sends storage:ops setting "c<seat>" = send time. The
//	           server broadcasts ops to all, the sender included: expected =
//	           sends × C, and the latency includes the sender's own echo.
//	joinstorm  --clients N [--duration 30s]       (Lively server only)
//	           N clients dial one room at once. Reports the time from the first
//	           dial until every client's latest presence lists all N userIds
//	           (held for 250 ms), and the presence messages that took, next to
//	           the N²/4 bound of PROTOCOL.md A.2.7. Clients scan presence lists
//	           as they stream in and keep only a bitset of the userIds seen, so
//	           that gigabytes of lists cost the load generator little.
//	yjs        --rooms R --clients C --hz H
//	           y-websocket clients answer the server's SyncStep1 with an empty
//	           SyncStep2 and send [0,2,update] updates: a hand-built Yjs V1
//	           update appending "<send time> " to the root Y.Text "bench" (one
//	           client id per connection, its clock advancing, each insert
//	           after the client's previous one). Expected = sends × (C−1).
//	relay      --addr 127.0.0.1:0
//	           Serves the baseline until interrupted and prints its URL.
//	results    report.json...
//	           Prints --json reports (single runs, paired by scenario and
//	           target kind, or comparisons) as one Markdown table: lively-actor,
//	           the relay, the ratio, and the ARCHITECTURE.md target with whether
//	           it was met. scripts/perf.sh renders docs/performance.md with it.
//
// Examples:
//
//	lively-actor bench relay --addr 127.0.0.1:7000 &
//	lively-actor bench fanout --url ws://127.0.0.1:1999 --rooms 1 --clients 200 --hz 20 --server-pid $PID
//	lively-actor bench fanout --url ws://127.0.0.1:1999 --rooms 1000 --clients 5 --hz 5
//	lively-actor bench fanout --url ws://127.0.0.1:1999 --clients 50 --rate max --inflight 8 --server-pid $PID
//	lively-actor bench idle --url ws://127.0.0.1:1999 --conns 10000 --clients 5 --server-pid $PID
//	lively-actor bench joinstorm --url ws://127.0.0.1:1999 --clients 2000
//	lively-actor bench fanout --url ws://127.0.0.1:1999 --compare ws://127.0.0.1:7000 --json cmp.json
//
// # Measuring
//
// Senders start together once every client has connected (and, for storage,
// loaded its root). The window opens after --warmup and lasts --duration; a
// send counts when its stamp falls inside the window, a delivery when the
// stamp it carries does, so expected and delivered always describe the same
// messages. After the window the run waits up to --drain for deliveries in
// flight; what has not arrived by then counts as lost. Latency is recorded
// in microseconds in HDR histograms (1 µs to 1 h, 3 significant digits).
// Expected deliveries use each room's members connected when senders
// started, so a client dropped during the window shows up both as errors and
// as undelivered messages.
//
// --rate max is a closed loop: each sender sends as soon as fewer than
// --inflight (default 8) of its messages are still on their way to some
// member, so the server runs saturated without unbounded queues; it reports
// throughput and CPU per delivery at saturation. (Sends blocked that way for
// 200 ms are assumed lost and the sender goes on.) Fixed --hz/--rate senders
// are an open loop: a sender that falls behind drops ticks, which shows as
// "sent rate" below "target rate".
//
// --compare URL2 runs the scenario against --url (A) and URL2 (B) in the
// order A B A B and prints both summaries (means; latency from the merged
// histograms) with the ratios B/A. --server-pid and --server-pid2 name their
// processes. --json writes the report (or the comparison) as JSON.
//
// Errors are counted by kind: connect failures (refused, HTTP status,
// timeout), unexpected closes with the server's code and reason, EOF without
// a close frame, write failures. The exit status is 1 if any occurred.
//
// With /proc available the report also gives the load generator's own CPU
// and the host's CPU pressure (/proc/pressure/cpu) over the window; above
// 50% a warning says that latency includes waiting for a CPU (2 cores shared
// by bench, server and whatever else runs).
//
// # The relay baseline
//
// RunRelay is a WebSocket server without protocol logic: connections to the
// same /rooms/<id> (or /yjs/<id>) form a room, and every text or binary
// message is framed once and queued to every other member (one reader and
// one writer per connection, a bounded outbox, batched writes). On /yjs it
// also sends an empty SyncStep1 on connect and answers each SyncStep1 with
// an empty SyncStep2. It announces itself in the handshake (X-Lively-Bench:
// relay), so storage and joinstorm, which need protocol logic, report
// "n/a on relay" instead of faking it. It is the physical limit of fan-out
// and idle memory on the machine, for fanout, idle and yjs.
//
// # Bounds and safety
//
// Every run is bounded in connections (--max-conns, default 20000, checked
// against RLIMIT_NOFILE, which is raised to its hard limit first) and in time
// (a hard deadline of connect timeout + warmup + duration + drain + a few
// seconds), and stops by itself. Targets must resolve to loopback addresses
// unless --allow-remote is given.
//
// # Concurrency
//
// Each client connection has one reader goroutine and, in sending scenarios,
// one sender goroutine; writes to a socket are serialised by a per-connection
// lock. Receivers batch latency samples locally and flush them into a few
// mutex-guarded histogram shards. Every goroutine is owned by a WaitGroup and
// ends with its run (or, for the relay, with its context).
package bench
