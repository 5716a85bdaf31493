package store

import (
	"fmt"
	"strings"

	aw "alleenwerken"
)

// Health reports the store down when it is closed or its last write failed,
// degraded when stored secrets cannot be opened with the key file, and ok
// otherwise. It never touches the disk.
func (db *DB) Health() aw.Health {
	db.mu.Lock()
	defer db.mu.Unlock()
	unopened := db.unopenedLocked()
	switch {
	case db.closed:
		return aw.Health{State: aw.HealthDown, Reason: "De database is gesloten.", Since: db.since}
	case db.writeErr != nil:
		return aw.Health{
			State:  aw.HealthDown,
			Reason: "Laatste schrijfactie naar de database mislukt; de oorzaak staat in het logboek.",
			Since:  db.since,
		}
	case len(unopened) > 0:
		return aw.Health{
			State: aw.HealthDegraded,
			Reason: fmt.Sprintf("Opgeslagen geheimen passen niet bij het sleutelbestand (%s): voer ze opnieuw in op de pagina Installatie.",
				strings.Join(unopened, ", ")),
			Since: db.since,
		}
	}
	return aw.Health{State: aw.HealthOK, Reason: "Database in orde.", Since: db.since}
}
