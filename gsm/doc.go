// Package gsm sends the appliance's SMS through a GSM USB modem with AT
// commands (github.com/warthog618/modem) in PDU mode.
//
// A Modem owns one serial port: Run opens it by its stable path, sets the
// modem up tolerantly (firmware differs; every refusal is recorded and shown
// in the health reason), enters the SIM PIN once, polls SIM, registration,
// signal and operator, and reopens the port with backoff when the modem
// disappears. SendSMS implements alleenwerken.SMSSender: GSM-7 where the text
// allows, UCS-2 otherwise, long texts as one concatenated message with a
// reference of its own, a status report requested for every part, and every
// error classified for the dispatcher (retry, final, or unknown outcome).
// Status reports are matched to the part by reference and recipient,
// from memory or, after a restart, from the outbox record's Refs; each
// part's TP-ST and the message's delivery are written on the record.
//
// Status reports arrive in one of two ways (Status.ReportsMode). Direct
// (+CNMI ds=1, tried first): each report comes on the port as +CDS with its
// PDU and is acknowledged with +CNMA. Stored (ds=2, for modems that refuse
// ds=1): the modem keeps the report in a message memory and only announces
// it with +CDSI: <mem>,<index>. The handler queues the announcement; one
// goroutine per connection selects the memory if needed (+CPMS), reads the
// report (+CMGR), matches it like a +CDS report and deletes it (+CMGD),
// matched or not, as a +CDS report is acknowledged either way. At every
// set-up in stored mode it also lists each memory the modem names in
// +CPMS=? (+CMGL=4) for reports stored while nobody read them. Only
// received SMS-STATUS-REPORTs are deleted; incoming SMS stay in the modem
// (listing does mark them read). A failed read is logged and the report
// waits for the next set-up's listing.
//
// Wiring, one Modem per port:
//
//	cfg := gsm.DefaultConfig("/dev/alleenwerken-modem")
//	cfg.Name, cfg.PIN, cfg.Outbox = "modem1", pinFromSettings, db
//	m, err := gsm.New(cfg, logger, aw.SystemClock{})
//	go m.Run(ctx)                              // once; owns the port
//	d := &aw.Dispatcher{Outbox: db, Senders: []aw.SMSSender{m}, ...}
//
// Package gsm/modemsim is a modem on a pseudo-terminal for tests, usable
// from end-to-end tests outside this package too.
package gsm
