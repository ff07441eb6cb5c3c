package actors

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the actors' Prometheus collectors. A nil *Metrics is valid and
// records nothing. Labels are bounded: message kinds are a closed set, never
// room or user ids.
type Metrics struct {
	rooms           prometheus.Gauge
	messagesIn      *prometheus.CounterVec
	messagesOut     *prometheus.CounterVec
	dropped         *prometheus.CounterVec
	presenceFlushes prometheus.Counter
	panics          prometheus.Counter
	unexpected      prometheus.Counter
	hookPanics      prometheus.Counter
	persistErrors   prometheus.Counter
	persistedTotal  prometheus.Counter
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		rooms: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "lively", Name: "rooms", Help: "Live rooms."}),
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "messages_in_total",
			Help: "Client messages accepted, by type (custom for custom messages)."}, []string{"type"}),
		messagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "messages_out_total",
			Help: "Messages queued to connections, by type."}, []string{"type"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "dropped_messages_total",
			Help: "Client messages or ops dropped, by reason."}, []string{"reason"}),
		presenceFlushes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "presence_broadcasts_total",
			Help: "Coalesced presence broadcasts."}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "room_panics_total",
			Help: "Panics recovered inside room actors."}),
		unexpected: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "unexpected_messages_total",
			Help: "Actor messages of an unexpected type."}),
		hookPanics: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "hook_panics_total",
			Help: "Panics recovered inside user hooks and handlers."}),
		persistErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "persist_errors_total",
			Help: "Failed store writes (retried)."}),
		persistedTotal: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "persisted_changes_total",
			Help: "Changes appended to the store."}),
	}
	if reg != nil {
		reg.MustRegister(m.rooms, m.messagesIn, m.messagesOut, m.dropped, m.presenceFlushes, m.panics, m.unexpected, m.hookPanics, m.persistErrors, m.persistedTotal)
	}
	return m
}

// Dropped counts a dropped message or op with a bounded reason.
func (m *Metrics) Dropped(reason string) {
	if m != nil {
		m.dropped.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) in(kind string) {
	if m != nil {
		m.messagesIn.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) out(kind string, n int) {
	if m != nil && n > 0 {
		m.messagesOut.WithLabelValues(kind).Add(float64(n))
	}
}

func (m *Metrics) roomsAdd(d int) {
	if m != nil {
		m.rooms.Add(float64(d))
	}
}

func (m *Metrics) flush() {
	if m != nil {
		m.presenceFlushes.Inc()
	}
}

func (m *Metrics) panic() {
	if m != nil {
		m.panics.Inc()
	}
}

func (m *Metrics) unexpectedMsg() {
	if m != nil {
		m.unexpected.Inc()
	}
}

func (m *Metrics) hookPanic() {
	if m != nil {
		m.hookPanics.Inc()
	}
}

func (m *Metrics) persistError() {
	if m != nil {
		m.persistErrors.Inc()
	}
}

func (m *Metrics) persisted(n int) {
	if m != nil {
		m.persistedTotal.Add(float64(n))
	}
}
