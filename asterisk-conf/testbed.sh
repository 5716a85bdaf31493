#!/bin/bash
# Test bed for the ari package: a real Asterisk 22 (Debian sid root file
# system under chroot) with this project's configuration plus a test trunk,
# and SIPp phones on loopback. Needs root.
#
#   testbed.sh install          everything the tests need: apt packages (SIPp,
#                               espeak-ng, sox, Chromium for the console's
#                               browser tests) and the sid root fs (if missing)
#   testbed.sh start            configure and start Asterisk and the phones
#   testbed.sh stop             stop everything and unmount
#   testbed.sh status           what runs
#   testbed.sh asterisk-stop    stop only Asterisk (tests of a lost Asterisk)
#   testbed.sh asterisk-start   start only Asterisk again
#
# Test numbers (trunk dial template PJSIP/{e164}@trunk), each its own phone:
#   +31612345101  answers, 1, then 1 (SMS yes)       port 5101
#   +31612345102  answers, 1, then 2 (SMS no)        port 5102
#   +31612345103  answers, 1 after the 2nd prompt    port 5103
#   +31612345104  answers, presses 2                 port 5104
#   +31612345105  486 Busy Here                      port 5105
#   +31612345106  603 Decline                        port 5106
#   +31612345107  rings, never answers               port 5107
#   +31612345108  answers, silent (voicemail)        port 5108
#   201           desk phone: REGISTERs, answers, 1  port 5201
set -euo pipefail

ROOT=${AW_SID:-/var/cache/alleen-werken/sid}
STATE=${AW_TESTBED_STATE:-/run/alleen-werken-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)
ARI_URL=http://127.0.0.1:8088/ari
ARI_USER=alleenwerken
ARI_PASSWORD=testbed-ari

PHONES="01:accept-sms-yes 02:accept-sms-no 03:accept-late 04:press2 05:busy 06:decline 07:noanswer 08:silent"

say() { echo "testbed: $*"; }
die() { echo "testbed: FOUT: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "dit script moet als root draaien (chroot, mount)"; }

check_version() {
	[ -x "$ROOT/usr/sbin/asterisk" ] || die "geen Asterisk in $ROOT; draai eerst: $0 install"
	local v
	v=$(chroot "$ROOT" /usr/sbin/asterisk -V 2>/dev/null || true)
	case "$v" in
	"Asterisk 22."*) ;;
	*) die "Asterisk in $ROOT meldt '$v'; dit project heeft Asterisk 22 nodig" ;;
	esac
}

cmd_install() {
	need_root
	local missing=""
	command -v debootstrap >/dev/null || missing="$missing debootstrap"
	command -v sipp >/dev/null || missing="$missing sip-tester"
	command -v espeak-ng >/dev/null || missing="$missing espeak-ng"
	command -v sox >/dev/null || missing="$missing sox"
	command -v curl >/dev/null || missing="$missing curl"
	# The console's browser tests (httpapi, ari, cmd) drive headless Chromium.
	command -v chromium >/dev/null || missing="$missing chromium"
	if [ -n "$missing" ]; then
		say "installeer$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
	fi
	if [ ! -x "$ROOT/usr/sbin/asterisk" ]; then
		say "debootstrap Debian sid met Asterisk in $ROOT (ongeveer 2 minuten)"
		mkdir -p "$(dirname "$ROOT")"
		# Into a temporary folder first: an interrupted run leaves no half root fs.
		local ok=""
		for try in 1 2; do
			rm -rf "$ROOT.tmp"
			if debootstrap --variant=minbase --include=asterisk,asterisk-core-sounds-en-gsm \
				sid "$ROOT.tmp" http://deb.debian.org/debian; then
				ok=1
				break
			fi
			say "debootstrap poging $try mislukt"
		done
		[ -n "$ok" ] || die "debootstrap van Debian sid mislukt (zie hierboven)"
		rm -rf "$ROOT"
		mv "$ROOT.tmp" "$ROOT"
	fi
	check_version
	say "klaar: $(chroot "$ROOT" /usr/sbin/asterisk -V)"
}

mount_fs() {
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}

umount_fs() {
	mountpoint -q "$ROOT/dev" && umount "$ROOT/dev" || true
	mountpoint -q "$ROOT/proc" && umount "$ROOT/proc" || true
}

# configure installs the project's configuration with test values, plus the
# test trunk's far end, and the prompts.
configure() {
	local etc=$ROOT/etc/asterisk
	[ -d "$ROOT/etc/asterisk.dist" ] || cp -a "$etc" "$ROOT/etc/asterisk.dist"
	rm -rf "$etc"
	mkdir -p "$etc"
	cp "$HERE"/*.conf "$etc/"
	# The test bed's trunk and desk phone 201 are written by hand (the
	# console's tests add their own under other names), then its far end.
	cat "$HERE/pjsip_local.conf.example" "$HERE/testbed/pjsip_testbed.conf" >"$etc/pjsip_local.conf"
	rm -rf "$etc/alleenwerken"
	cat "$HERE/testbed/extensions_testbed.conf" >>"$etc/extensions.conf"
	sed -i \
		-e "s/@ENTITY_ID@/02:aa:77:00:00:01/g" \
		-e "s/@ARI_PASSWORD@/$ARI_PASSWORD/g" \
		-e "s/@SIP_BIND@/127.0.0.1:5060/g" \
		-e "s/@TRUNK_HOST@/127.0.0.1:5060/g" \
		-e "s/@TRUNK_USER@/aw-test/g" \
		-e "s/@TRUNK_PASSWORD@/testbed-trunk/g" \
		-e "s/@DESK_PASSWORD@/testbed-desk/g" \
		"$etc"/*.conf
	# The SIPp desk phone registers from port 5200 for its answering phone on
	# 5201: keep the registered contact as it is.
	sed -i -e '/^\[201\]$/,/^; Test bed only/ s/^rewrite_contact = yes/rewrite_contact = no/' "$etc/pjsip_local.conf"
	# Qualify quickly so the trunk's and the desk phone's states are known
	# soon after start.
	sed -i -e 's/^qualify_frequency = [36]0$/qualify_frequency = 5/' "$etc/pjsip_local.conf"
	if grep -q '@[A-Z_]*@' "$etc"/*.conf; then
		die "niet vervangen plaatshouders: $(grep -l '@[A-Z_]*@' "$etc"/*.conf)"
	fi
	mkdir -p "$ROOT/var/run/asterisk" "$ROOT/var/log/asterisk" "$ROOT/var/spool/asterisk"
	# Prompts: generated on the host, copied to where the chroot's Asterisk
	# looks (sounds/en is a symlink that only resolves inside the chroot).
	local tmp en
	tmp=$(mktemp -d)
	sh "$HERE/prompts.sh" "$tmp" >/dev/null
	en=$(chroot "$ROOT" readlink -f /usr/share/asterisk/sounds/en)
	mkdir -p "$ROOT/usr/share/asterisk/sounds/nl"
	cp -r "$tmp/nl/." "$ROOT/usr/share/asterisk/sounds/nl/"
	cp -r "$tmp/en/." "$ROOT$en/"
	rm -rf "$tmp"
}

asterisk_pid() {
	local p
	p=$(cat "$STATE/asterisk.pid" 2>/dev/null || true)
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		echo "$p"
		return
	fi
	# One whose pid file was lost (a second start overwrote it): the
	# asterisk process whose root is the test bed's.
	for p in $(pgrep -x asterisk || true); do
		if [ "$(readlink "/proc/$p/root" 2>/dev/null)" = "$(readlink -f "$ROOT")" ]; then
			echo "$p"
			return
		fi
	done
}

ari_up() {
	curl -fsS -m 2 -u "$ARI_USER:$ARI_PASSWORD" "$ARI_URL/asterisk/info" >/dev/null 2>&1
}

start_asterisk() {
	if [ -n "$(asterisk_pid)" ]; then
		say "Asterisk draait al (pid $(asterisk_pid))"
	else
		mount_fs
		rm -f "$ROOT/var/run/asterisk/asterisk.ctl" "$ROOT/var/run/asterisk/asterisk.pid"
		setsid chroot "$ROOT" /usr/sbin/asterisk -f -n >"$STATE/asterisk.log" 2>&1 </dev/null &
		echo $! >"$STATE/asterisk.pid"
		say "Asterisk gestart (pid $!)"
	fi
	local i
	for i in $(seq 1 60); do
		if ari_up; then
			say "ARI antwoordt op $ARI_URL"
			return 0
		fi
		[ -n "$(asterisk_pid)" ] || die "Asterisk is gestopt; zie $STATE/asterisk.log"
		sleep 0.5
	done
	die "ARI antwoordt niet binnen 30 s; zie $STATE/asterisk.log"
}

stop_asterisk() {
	local p
	p=$(asterisk_pid)
	if [ -z "$p" ]; then
		say "Asterisk draait niet"
		return 0
	fi
	kill -TERM "$p" 2>/dev/null || true
	for _ in $(seq 1 40); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.25
	done
	kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
	# The chroot's asterisk process itself (chroot execs it, same pid).
	rm -f "$STATE/asterisk.pid"
	say "Asterisk gestopt"
}

register_desk() {
	if sipp 127.0.0.1:5060 -sf "$HERE/testbed/register-201.xml" -i 127.0.0.1 -p 5200 \
		-m 1 -nostdin -timeout 10s -timeout_error >"$STATE/register-201.log" 2>&1; then
		say "toestel 201 geregistreerd"
	else
		say "WAARSCHUWING: registratie van 201 mislukt; zie $STATE/register-201.log"
	fi
}

phone_running() { # name
	local p
	p=$(cat "$STATE/sipp-$1.pid" 2>/dev/null || true)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

start_phone() { # name port mediaport scenario
	if phone_running "$1"; then return 0; fi
	(cd "$HERE/testbed" && exec setsid sipp -sf "$4.xml" -i 127.0.0.1 -p "$2" -mi 127.0.0.1 -mp "$3" \
		-aa -nostdin -trace_err -error_file "$STATE/sipp-$1.err" \
		-trace_msg -message_file "$STATE/sipp-$1.msg" \
		>"$STATE/sipp-$1.log" 2>&1 </dev/null) &
	echo $! >"$STATE/sipp-$1.pid"
}

start_phones() {
	local e nn
	for e in $PHONES; do
		nn=${e%%:*}
		start_phone "$nn" "51$nn" "6${nn}00" "${e#*:}"
	done
	start_phone 201 5201 6200 accept
	sleep 0.3
	for e in $PHONES 201:accept; do
		phone_running "${e%%:*}" || die "SIPp-telefoon ${e%%:*} is niet gestart; zie $STATE/sipp-${e%%:*}.log"
	done
	say "SIPp-telefoons 5101-5108 en 5201 draaien"
}

stop_phones() {
	local f p
	for f in "$STATE"/sipp-*.pid; do
		[ -e "$f" ] || continue
		p=$(cat "$f")
		kill -TERM "$p" 2>/dev/null || true
		rm -f "$f"
	done
}

cmd_start() {
	need_root
	command -v sipp >/dev/null || die "sipp ontbreekt; draai eerst: $0 install"
	check_version
	mkdir -p "$STATE"
	if [ -z "$(asterisk_pid)" ]; then
		configure
	fi
	start_asterisk
	start_phones
	# Register only now: Asterisk qualifies the contact at once, and the
	# answering phone on 5201 must be up to answer that OPTIONS.
	register_desk
	say "klaar: ARI $ARI_URL gebruiker $ARI_USER wachtwoord $ARI_PASSWORD"
}

cmd_stop() {
	need_root
	mkdir -p "$STATE"
	stop_phones
	stop_asterisk
	umount_fs
	say "gestopt"
}

cmd_status() {
	if [ -n "$(asterisk_pid)" ]; then say "Asterisk draait (pid $(asterisk_pid))"; else say "Asterisk draait niet"; fi
	ari_up && say "ARI antwoordt" || say "ARI antwoordt niet"
	local e
	for e in $PHONES 201:accept; do
		phone_running "${e%%:*}" && say "telefoon ${e%%:*} draait" || say "telefoon ${e%%:*} draait niet"
	done
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
asterisk-stop) need_root; mkdir -p "$STATE"; stop_asterisk ;;
asterisk-start) need_root; mkdir -p "$STATE"; check_version; start_asterisk; register_desk ;;
*) echo "gebruik: $0 install|start|stop|status|asterisk-stop|asterisk-start" >&2; exit 2 ;;
esac
