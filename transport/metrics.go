package transport

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the transport's Prometheus collectors. A nil *Metrics is valid
// and records nothing.
type Metrics struct {
	connections prometheus.Gauge
	// outbox is the bytes queued in every outbox, exported by a GaugeFunc:
	// it changes on every enqueue and every batch taken, and one atomic add
	// is cheaper there than a Gauge's compare-and-swap loop on a float.
	outbox      atomic.Int64
	outboxBytes prometheus.GaugeFunc
	closes      *prometheus.CounterVec
	drops       *prometheus.CounterVec
	bytesIn     prometheus.Counter
	bytesOut    prometheus.Counter
	upgrades    *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered anywhere).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "lively", Name: "connections", Help: "Open WebSocket connections."}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "connection_closes_total",
			Help: "Connections closed, by reason (slow_consumer counts slow-consumer disconnects)."}, []string{"reason"}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "dropped_frames_total",
			Help: "Inbound frames dropped, by reason."}, []string{"reason"}),
		bytesIn:  prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "received_bytes_total", Help: "WebSocket payload bytes received."}),
		bytesOut: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "lively", Name: "sent_bytes_total", Help: "Bytes written to sockets."}),
		upgrades: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "lively", Name: "upgrades_total",
			Help: "WebSocket upgrade attempts, by HTTP status."}, []string{"status"}),
	}
	m.outboxBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "lively", Name: "outbox_bytes", Help: "Bytes queued in connection outboxes."},
		func() float64 { return float64(m.outbox.Load()) })
	if reg != nil {
		reg.MustRegister(m.connections, m.outboxBytes, m.closes, m.drops, m.bytesIn, m.bytesOut, m.upgrades)
	}
	return m
}

// Dropped counts an inbound frame dropped for a bounded reason label.
func (m *Metrics) Dropped(reason string) { m.dropped(reason) }

func (m *Metrics) dropped(reason string) {
	if m != nil {
		m.drops.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) outboxAdd(n int) {
	if m != nil && n != 0 {
		m.outbox.Add(int64(n))
	}
}

func (m *Metrics) closed(r CloseReason) {
	if m != nil {
		m.closes.WithLabelValues(r.String()).Inc()
	}
}

func (m *Metrics) read(n int) {
	if m != nil {
		m.bytesIn.Add(float64(n))
	}
}

func (m *Metrics) wrote(n int64) {
	if m != nil && n > 0 {
		m.bytesOut.Add(float64(n))
	}
}

func (m *Metrics) connAdd(d int) {
	if m != nil {
		m.connections.Add(float64(d))
	}
}

func (m *Metrics) upgrade(status string) {
	if m != nil {
		m.upgrades.WithLabelValues(status).Inc()
	}
}
