#!/usr/bin/env bash
# Regenerates the default voice prompts and music on hold in assets/prompts/.
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox). Output: 8 kHz mono 16-bit PCM WAV,
# the format the media engine plays without conversion. Run from anywhere. sox dithers when it
# reduces to 16 bits, so a rerun differs from the committed files in the lowest bit: commit only
# the prompts that changed.
set -euo pipefail

OUT="$(cd "$(dirname "$0")/.." && pwd)/assets/prompts"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "generate-prompts: $tool is not installed (apt-get install espeak-ng sox)" >&2; exit 1; }
done

# speak VOICE FILE TEXT: TTS at espeak's rate, trimmed of leading/trailing silence, normalised
# to -3 dBFS, resampled to 8 kHz mono 16-bit, with 100 ms of padding so prompts do not clip.
speak() {
  local voice="$1" file="$2" text="$3"
  espeak-ng -v "$voice" -s 150 -w "$WORK/tts.wav" "$text"
  sox "$WORK/tts.wav" -r 8000 -c 1 -b 16 "$file" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -3 pad 0.1 0.1
}

beep() {
  sox -n -r 8000 -c 1 -b 16 "$1" synth 0.4 sine 1000 vol 0.5 fade t 0.01 0.4 0.01
}

declare -A EN=(
  [voicemail-greeting]="The person you are calling is not available. Please leave a message after the tone."
  [enter-pin]="Please enter your PIN, followed by the hash key."
  [wrong-pin]="That PIN is not correct."
  [you-have]="You have"
  [new-messages]="new messages."
  [new-message]="new message."
  [new-messages-few]="new messages."
  [no-messages]="You have no new messages."
  [message-deleted]="Message deleted."
  [next-message]="Next message."
  [goodbye]="Goodbye."
  [queue-please-hold]="All our agents are busy. Please hold, your call is important to us."
  [queue-your-position]="Your position in the queue is"
)
declare -A PL=(
  [voicemail-greeting]="Abonent jest niedostępny. Proszę zostawić wiadomość po sygnale."
  [enter-pin]="Proszę wprowadzić kod PIN i zakończyć krzyżykiem."
  [wrong-pin]="Nieprawidłowy kod PIN."
  [you-have]="Masz"
  [new-messages]="nowych wiadomości."
  [new-message]="nową wiadomość."
  [new-messages-few]="nowe wiadomości."
  [no-messages]="Nie masz nowych wiadomości."
  [message-deleted]="Wiadomość została usunięta."
  [next-message]="Następna wiadomość."
  [goodbye]="Do widzenia."
  [queue-please-hold]="Wszyscy konsultanci są zajęci. Prosimy o cierpliwość."
  [queue-your-position]="Twoje miejsce w kolejce to"
)
EN_DIGITS=(zero one two three four five six seven eight nine)
PL_DIGITS=(zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć)

for lang in en pl; do
  mkdir -p "$OUT/$lang/digits"
  if [ "$lang" = en ]; then voice=en-gb; else voice=pl; fi
  declare -n texts="${lang^^}"
  for name in "${!texts[@]}"; do speak "$voice" "$OUT/$lang/$name.wav" "${texts[$name]}"; done
  declare -n digits="${lang^^}_DIGITS"
  for d in "${!digits[@]}"; do speak "$voice" "$OUT/$lang/digits/$d.wav" "${digits[$d]}"; done
  beep "$OUT/$lang/beep.wav"
done

# Music on hold: a slow I–vi–IV–V arpeggio of plucked notes over a quiet sustained chord,
# synthesised here so we own it outright (no samples, no third-party recording).
# semitones NOTE: distance from A4 (440 Hz), the unit sox's synth takes as %N.
semitones() {
  local name="${1%?}" octave="${1: -1}" offset
  case "$name" in C) offset=-9 ;; D) offset=-7 ;; E) offset=-5 ;; F) offset=-4 ;; G) offset=-2 ;; A) offset=0 ;; B) offset=2 ;; esac
  echo $(( offset + 12 * (octave - 4) ))
}
notes=()
pads=()
i=0
for chord in "C4 E4 G4 C5" "A3 C4 E4 A4" "F3 A3 C4 F4" "G3 B3 D4 G4"; do
  read -r -a tones <<<"$chord"
  # Two passes of six notes, 0.625 s each: 7.5 s per chord, 30 s for the whole loop.
  for pass in 1 2; do
    for tone in "${tones[@]}" "${tones[2]}" "${tones[1]}"; do
      f="$WORK/note$(printf %03d "$i").wav"
      sox -n -r 8000 -c 1 -b 16 "$f" synth 0.625 pluck "%$(semitones "$tone")" vol 0.35 fade q 0.005 0.625 0.3
      notes+=("$f")
      i=$((i + 1))
    done
  done
  pad="$WORK/pad$(printf %03d "$i").wav"
  sox -n -r 8000 -c 1 -b 16 "$pad" synth 7.5 sine "%$(( $(semitones "${tones[0]}") - 12 ))" sine "%$(semitones "${tones[1]}")" sine "%$(semitones "${tones[2]}")" \
    remix - vol 0.06 fade h 1 7.5 1
  pads+=("$pad")
done
sox "${notes[@]}" "$WORK/arpeggio.wav"
sox "${pads[@]}" "$WORK/pads.wav"
sox -m "$WORK/arpeggio.wav" "$WORK/pads.wav" -r 8000 -c 1 -b 16 "$OUT/moh.wav" reverb 30 norm -6 trim 0 30

echo "generate-prompts: wrote $(find "$OUT" -name '*.wav' | wc -l) files, $(du -sh "$OUT" | cut -f1) in $OUT"
