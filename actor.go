package alleenwerken

// Door is the way an admin action came in.
type Door string

// The doors of the admin actions.
const (
	DoorConsole Door = "console" // the web console, by a logged-in user
	DoorSocket  Door = "socket"  // the daemon's admin socket
	DoorCLI     Door = "cli"     // the admin command on the database, daemon stopped
	// Responders without a log-in.
	DoorLink Door = "sms-link"     // the link in a responder's SMS
	DoorCode Door = "toegangscode" // the report number and access code
)

// Actor is who does an admin action and through which door. The audit log
// names it by String.
type Actor struct {
	Door Door
	// Name is the console user's name, or the operating-system user behind
	// the socket or the command ("" when unknown).
	Name string
	// UserID is the console user's id; the services refuse some changes
	// to oneself.
	UserID string
	// IP is the console user's address; it goes into the audit entry's IP.
	IP string
}

// ConsoleActor is a logged-in console user at ip.
func ConsoleActor(u *User, ip string) Actor {
	return Actor{Door: DoorConsole, Name: u.Name, UserID: u.ID, IP: ip}
}

// SocketActor is the admin socket, used by osUser ("" when unknown).
func SocketActor(osUser string) Actor { return Actor{Door: DoorSocket, Name: osUser} }

// CLIActor is the admin command in direct mode, run by osUser ("" when
// unknown).
func CLIActor(osUser string) Actor { return Actor{Door: DoorCLI, Name: osUser} }

// ResponderActor is a responder without a log-in who came in through door
// (DoorLink or DoorCode) from ip and gave name ("" when not asked).
func ResponderActor(door Door, name, ip string) Actor {
	return Actor{Door: door, Name: name, IP: ip}
}

// String is the actor as the audit log shows it: the console user's name,
// or the door and the operating-system user ("socket:root", "cli:beheer";
// just "socket" or "cli" when the user is unknown), or for a responder
// without a log-in the name they gave and the door ("Jan (sms-link)"; just
// the door when no name was asked).
func (a Actor) String() string {
	switch {
	case a.Door == DoorConsole || a.Door == "":
		return a.Name
	case a.Name == "":
		return string(a.Door)
	case a.Door == DoorLink || a.Door == DoorCode:
		return a.Name + " (" + string(a.Door) + ")"
	default:
		return string(a.Door) + ":" + a.Name
	}
}

// entry returns e signed by a: its actor and, for the console, its IP.
func (a Actor) entry(e AuditEntry) *AuditEntry {
	e.Actor, e.IP = a.String(), a.IP
	return &e
}
