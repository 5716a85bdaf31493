package gsm

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"

	"github.com/warthog618/sms"
	"github.com/warthog618/sms/encoding/tpdu"
)

// refCounter hands out 8-bit concatenation references. It starts at a
// random value so references differ across restarts too.
type refCounter struct{ n atomic.Int64 }

// Count returns the next reference.
func (c *refCounter) Count() int { return int(c.n.Add(1) % 256) }

func newEncoder() *sms.Encoder {
	var b [2]byte
	rand.Read(b[:])
	cr := &refCounter{}
	cr.n.Store(int64(binary.BigEndian.Uint16(b[:])))
	e := sms.NewEncoder(sms.AsSubmit, sms.WithTemplateOption(srr{}))
	e.ConcatRef = cr
	return e
}

// srr sets TP-SRR: the network sends a status report for each part.
type srr struct{}

func (srr) ApplyTPDUOption(t *tpdu.TPDU) error {
	t.FirstOctet |= tpdu.FoSRR
	return nil
}

// encode splits text for number into SMS-SUBMIT TPDUs: GSM-7 (default
// alphabet only) where the text allows, UCS-2 otherwise, concatenated with
// a fresh reference when it needs more than one part.
func (m *Modem) encode(number, text string) ([][]byte, error) {
	pdus, err := m.enc.Encode([]byte(text), sms.To(number))
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(pdus))
	for i := range pdus {
		b, err := pdus[i].MarshalBinary()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
