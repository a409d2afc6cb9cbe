#!/usr/bin/env bash
# Shoal: install what is missing, build, and play seed 000's story on the co-simulated card: a
# database, a web server and an ML job share 64 processors; the card's firmware moves them.
#   ./scripts/demo.sh             the scenario (scenarios/db-web-ml.toml): narrative, table, picture
#   ./scripts/demo.sh --compare   the same under static, reactive and predictive, side by side
#   ./scripts/demo.sh --tour      then a short tour of the card with shoalctl (registers, firmware)
#   ./scripts/demo.sh --keep      the tour, leaving shoal-sim running afterwards
# Build directory: $SHOAL_BUILD_DIR (default: build/); pictures and tables: $SHOAL_DEMO_OUT
# (default: $BUILD/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SHOAL_BUILD_DIR:-build}
OUT=${SHOAL_DEMO_OUT:-$BUILD/demo}
KEEP=0
TOUR=0
COMPARE=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1; TOUR=1 ;;
    --tour) TOUR=1 ;;
    --compare) COMPARE=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

./scripts/install-deps.sh
echo "== configure and build ($BUILD)"
cmake -S . -B "$BUILD" -G Ninja >/dev/null
cmake --build "$BUILD" -j "$(nproc)"

echo
echo "== the story: $BUILD/bin/shoal-sim --scenario scenarios/db-web-ml.toml"
echo "   (the Verilated card boots its firmware; the host only plays each partition's demand on the"
echo "   processors the card gives it; every move is the firmware's decision)"
if [ "$COMPARE" = 1 ]; then
  "$BUILD/bin/shoal-sim" --scenario scenarios/db-web-ml.toml --compare static,reactive,predictive --out "$OUT"
else
  "$BUILD/bin/shoal-sim" --scenario scenarios/db-web-ml.toml --out "$OUT"
fi
[ "$TOUR" = 1 ] || exit 0
echo

LOG=$(mktemp -t shoal-sim.XXXXXX.log)
# 64 simulated processors behind the card's processor ports: busy 90 %, 60 %, 30 %, 10 %, the
# rest idle (sim/README.md). The socket: $SHOAL_SIM_SOCKET, else shoal-sim's default in the
# runtime directory (where 'shoalctl list' finds it).
SIM_ARGS=(--proc-duty 90,60,30,10,0 --proc-mem 20)
[ -n "${SHOAL_SIM_SOCKET:-}" ] && SIM_ARGS=(--socket "$SHOAL_SIM_SOCKET" "${SIM_ARGS[@]}")
echo "== starting the co-simulated card: $BUILD/bin/shoal-sim ${SIM_ARGS[*]}"
"$BUILD/bin/shoal-sim" "${SIM_ARGS[@]}" >"$LOG" 2>&1 &
SIM=$!
stop_sim() { kill -TERM "$SIM" 2>/dev/null && wait "$SIM" 2>/dev/null || true; }
[ "$KEEP" = 1 ] || trap stop_sim EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$LOG" && break
  kill -0 "$SIM" 2>/dev/null || { cat "$LOG" >&2; echo "demo.sh: shoal-sim exited" >&2; exit 1; }
  sleep 0.1
done
grep "listening on" "$LOG"
SOCK=$(sed -n 's/^shoal-sim: listening on sim://p' "$LOG" | head -n 1)

export SHOAL_DEVICE="sim:$SOCK"
CTL="$BUILD/bin/shoalctl"
# The simulated card runs at tens of thousands of cycles per wall second: give the firmware
# time to boot its RTOS (its console says so) before asking it anything.
wait_for_rtos() {  # $1: how many "rtos running" lines to wait for
  for _ in $(seq 1 600); do
    [ "$(grep -c 'rtos running' "$LOG" || true)" -ge "$1" ] && return 0
    kill -0 "$SIM" 2>/dev/null || { cat "$LOG" >&2; echo "demo.sh: shoal-sim exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "demo.sh: the firmware did not report within 60 s; going on" >&2
}
wait_for_rtos 1
echo
echo "== shoalctl list   (the cards present: PCI boards with the Shoal ID, simulators' sockets)"
"$CTL" list
echo
echo "== shoalctl info   (identity and capabilities, read from the card's own device tree)"
"$CTL" info
echo
echo "== the card's soft core booted its default firmware; its console, as shoal-sim prints it:"
grep '^\[fw\]' "$LOG" || true
echo
echo "== shoalctl fw status; shoalctl fw load $BUILD/firmware/shoal_fw.elf   (download over BAR0)"
"$CTL" fw status
before=$(grep -c '^\[fw\]' "$LOG" || true)
"$CTL" fw load "$BUILD/firmware/shoal_fw.elf"
wait_for_rtos 2
echo "-- the downloaded firmware's console:"
grep '^\[fw\]' "$LOG" | tail -n +"$((before + 1))"
echo
echo "== shoalctl reg write ctrl.SCRATCH 0xc0ffee; shoalctl reg read ctrl.SCRATCH"
"$CTL" reg write ctrl.SCRATCH 0xc0ffee
"$CTL" reg read ctrl.SCRATCH
echo
echo "== the allocation blocks: the firmware drives them, the host reads them"
"$CTL" reg read drrm.PARAMS
"$CTL" reg read drrm.PROC[1]
"$CTL" reg read alloc.POOL_SIZE[2]
"$CTL" reg read alloc.POOL_FREE[2]
"$CTL" reg read wmu.CONFIG
echo "-- shoalctl reg dump alloc.POOL_FREE   (a register array in one go)"
"$CTL" reg dump alloc.POOL_FREE
echo
echo "== bad input is refused and changes nothing"
echo "-- shoalctl reg write drrm.TIMEOUT 5   (the DRRM is the firmware's: refused before the card)"
"$CTL" reg write drrm.TIMEOUT 5 || true
echo "-- shoalctl reg write ctrl.MAGIC 0     (read-only: shoalctl refuses before touching the card)"
"$CTL" reg write ctrl.MAGIC 0 || true
echo "-- shoalctl reg write 0xf00 1          (no register there: the card answers SLVERR)"
"$CTL" reg write 0xf00 1 || true
"$CTL" reg read ctrl.BUS_ERR_COUNT
"$CTL" reg read ctrl.BUS_ERR_ADDR
echo "-- shoalctl reg write ctrl.SCRATCH 1 --64   (its high half is no register: refused as a whole)"
"$CTL" reg write ctrl.SCRATCH 1 --64 || true
"$CTL" reg read ctrl.SCRATCH

if [ "$KEEP" = 1 ]; then
  echo
  echo "shoal-sim keeps running (pid $SIM, log $LOG). Try:"
  echo "  export SHOAL_DEVICE=sim:$SOCK"
  echo "  $CTL --help"
  echo "Stop it with: kill $SIM"
fi
