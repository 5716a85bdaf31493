package gsm_test

import (
	"errors"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/gsm/modemsim"

	"github.com/warthog618/sms/encoding/tpdu"
)

const reminderNL = "Alleen Werken: je timer loopt om 17:00 af. Klaar? Stop de timer in de app. Nog bezig? Verleng de timer."

func TestSendSMS(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		sim := newSim(t, modemsim.Options{})
		m := startModem(t, fastConfig(sim.Path()))
		waitHealth(t, m, aw.HealthOK, "KPN NL", "-73 dBm")
		start := time.Now()
		rcpt, err := send(t, m, "s1", "+31617782201", reminderNL)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("one-part send took %v", time.Since(start))
		msgs := decodeAll(t, sim.Sent())
		if len(msgs) != 1 {
			t.Fatalf("got %d messages, want 1", len(msgs))
		}
		d := msgs[0]
		if got, want := d.To, "+31617782201"; got != want {
			t.Fatalf("to = %q, want %q", got, want)
		}
		if d.Text != reminderNL || d.Alpha != tpdu.Alpha7Bit || d.Parts != 1 || !d.SRR {
			t.Fatalf("got %+v", d)
		}
		if sub := sim.Sent()[0]; sub.TPDU.DA.TypeOfNumber() != tpdu.TonInternational {
			t.Fatalf("type of number = %v, want international", sub.TPDU.DA.TypeOfNumber())
		}
		if len(rcpt.Refs) != 1 || rcpt.Refs[0] != sim.Sent()[0].MR {
			t.Fatalf("refs = %v, want [%d]", rcpt.Refs, sim.Sent()[0].MR)
		}
	})
}

// A Dutch text with ë over 70 characters: UCS-2, two parts, one reference.
func TestSendSMSDutchLong(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	text := "ALARM Alleen Werken #897: Laura van Dijk (+31617782201). Omschrijving: meterkast tweede verdieping, ruimte naast de coördinatiekamer; sleutel bij de receptie (België)."
	if _, err := send(t, m, "s1", "+31617782201", text); err != nil {
		t.Fatal(err)
	}
	msgs := decodeAll(t, sim.Sent())
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	d := msgs[0]
	if d.Text != text {
		t.Fatalf("text = %q", d.Text)
	}
	if d.Alpha != tpdu.AlphaUCS2 {
		t.Fatalf("alphabet = %v, want UCS-2", d.Alpha)
	}
	// 67 UCS-2 characters per part.
	if want := (len([]rune(text)) + 66) / 67; d.Parts != want || d.Parts < 2 {
		t.Fatalf("parts = %d, want %d", d.Parts, want)
	}
	if !d.SRR {
		t.Fatal("TP-SRR not set on every part")
	}
}

// Two long messages in a row get different concatenation references (the
// library's SendLongMessage would use 1 for both).
func TestSendSMSConcatRefs(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	long := "Dit is een lange melding zonder bijzondere tekens die niet in een enkele sms past, omdat er meer dan honderdzestig tekens in staan: en nog wat meer tekst erbij."
	texts := []string{long + " Eén.", long + " Twee.", long + " Drie"}
	for i, text := range texts {
		rcpt, err := send(t, m, "s", "+31612345678", text)
		if err != nil {
			t.Fatal(err)
		}
		if len(rcpt.Refs) < 2 {
			t.Fatalf("message %d: refs %v, want one per part", i, rcpt.Refs)
		}
	}
	msgs := decodeAll(t, sim.Sent())
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	seen := map[int]bool{}
	for i, d := range msgs {
		if d.Text != texts[i] {
			t.Fatalf("message %d text = %q", i, d.Text)
		}
		if seen[d.Ref] {
			t.Fatalf("concatenation reference %d used twice", d.Ref)
		}
		seen[d.Ref] = true
	}
	if msgs[2].Alpha != tpdu.Alpha7Bit || msgs[2].Parts != 2 {
		t.Fatalf("GSM-7 long message: %v in %d parts, want 7-bit in 2", msgs[2].Alpha, msgs[2].Parts)
	}
}

func TestSendSMSInvalid(t *testing.T) {
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	for _, to := range []string{"", "+31 6 1234", "06-1234", "0612345678", "+3161234567890123"} {
		_, err := send(t, m, "s", to, "x")
		var se *aw.SendError
		if !errors.As(err, &se) || se.Retry || se.Unknown {
			t.Fatalf("to %q: err = %v, want a final SendError", to, err)
		}
	}
	if len(sim.Submits()) != 0 {
		t.Fatal("an invalid message reached the modem")
	}
}
