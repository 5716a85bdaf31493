#!/bin/sh
# Generates the alarm call's spoken prompts (copy.md) in Dutch and English,
# and Dutch digits, with espeak-ng and sox: 8 kHz mono 16-bit wav, as
# <SOUNDS_DIR>/<lang>/aw-*.wav and <SOUNDS_DIR>/nl/digits/0..9.wav.
# Usage: prompts.sh [SOUNDS_DIR]   (default /usr/share/asterisk/sounds)
# With KEEP_RECORDINGS=1, prompts that already exist (e.g. recordings an
# installer uploaded) are left alone.
set -eu

DIR=${1:-/usr/share/asterisk/sounds}
SPEED=${PROMPT_SPEED:-160}

for tool in espeak-ng sox; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "prompts.sh: $tool ontbreekt; installeer het met: apt-get install -y espeak-ng sox" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# say LANG NAME TEXT: one prompt.
say() {
	lang=$1 name=$2 text=$3
	out="$DIR/$lang/$name.wav"
	mkdir -p "$(dirname "$out")"
	if [ "${KEEP_RECORDINGS:-0}" = 1 ] && [ -f "$out" ]; then
		return
	fi
	espeak-ng -v "$lang" -s "$SPEED" -w "$tmp/x.wav" "$text"
	sox "$tmp/x.wav" -r 8000 -c 1 -b 16 "$tmp/y.wav"
	mv "$tmp/y.wav" "$out"
}

say nl aw-test "Dit is een test."
say en aw-test "This is a test."
say nl aw-intro "Dit is een alarmmelding van Alleen Werken. Iemand die alleen werkt, heeft mogelijk hulp nodig."
say en aw-intro "This is an alarm from Working Alone. Someone working alone may need help."
say nl aw-cause-button "De alarmknop is ingedrukt."
say en aw-cause-button "The alarm button was pressed."
say nl aw-cause-timer "De timer is verlopen."
say en aw-cause-timer "The timer has run out."
say nl aw-press1 "Druk op 1 om de melding aan te nemen."
say en aw-press1 "Press 1 to accept this alarm."
say nl aw-accepted "U heeft de melding aangenomen."
say en aw-accepted "You have accepted the alarm."
say nl aw-sms-offer "Wilt u een sms met de gegevens en een link naar de informatiepagina? Druk op 1 voor ja, druk op 2 voor nee."
say en aw-sms-offer "Do you want a text message with the details and a link to the information page? Press 1 for yes, 2 for no."
say nl aw-sms-sent "De sms wordt nu verstuurd."
say en aw-sms-sent "The text message is on its way."
say nl aw-report-number "Het meldingsnummer is:"
say en aw-report-number "The report number is:"
say nl aw-access-code "De toegangscode is:"
say en aw-access-code "The access code is:"
say nl aw-again "Ik herhaal:"
say en aw-again "Again:"
say nl aw-use-them "Met dit nummer en deze code opent u de informatiepagina."
say en aw-use-them "Use them to open the information page."
say nl aw-thanks "Dank u wel."
say en aw-thanks "Thank you."

# Digits: Debian has no Dutch Asterisk sounds, and digits: on a Dutch channel
# silently falls back to English without them.
i=0
for w in nul een twee drie vier vijf zes zeven acht negen; do
	say nl "digits/$i" "$w"
	i=$((i + 1))
done
# English digits ship with Debian's sounds; generate them only where missing.
i=0
for w in zero one two three four five six seven eight nine; do
	if ! ls "$DIR/en/digits/$i".* >/dev/null 2>&1; then
		say en "digits/$i" "$w"
	fi
	i=$((i + 1))
done
echo "prompts.sh: prompts in $DIR/nl en $DIR/en"
