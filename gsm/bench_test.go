package gsm_test

import (
	"strings"
	"testing"

	aw "alleenwerken"
	"alleenwerken/gsm/modemsim"
)

// BenchmarkSendSMS measures the adapter's own cost per message on the
// simulator (a real modem adds the network's 2-6 s per part).
func BenchmarkSendSMS(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"GSM7-1part", reminderNL},
		{"UCS2-3parts", strings.Repeat("Coördinatie ", 15)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sim := newSim(b, modemsim.Options{})
			m := startModem(b, fastConfig(sim.Path()))
			waitHealth(b, m, aw.HealthOK)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := send(b, m, "b", "+31617782201", bc.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
