#!/bin/bash
# Container operations: pause freezes a counter loop (the counter stays put over a second, ps and
# inspect say paused, exec is refused) and unpause resumes it; stop of a paused container works;
# stats --no-stream shows a memory figure within 10% of the container's cgroup's own; top lists
# exactly the container's processes; events replays create/start/die/destroy of a run --rm in
# order with its exit code, and filters; system df has docker's four rows.
# Usage: run_ops.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
need_tool jq
need_tool python3
runner_setup
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
t0=$(date +%s)

field() { "$BUILDER" ps -a --format '{{.Names}}|{{.State}}|{{.Status}}' | awk -F'|' -v n="$1" -v f="$2" '$1==n {print $f}'; }

# --- pause / unpause -------------------------------------------------------------------------
b run -d --network none --name counter busybox sh -c 'trap "exit 7" TERM; i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.02; done' >/dev/null
pid=$("$BUILDER" inspect counter | jq -r '.[0].State.Pid')
# The loop truncates the file before each write: an empty read is retried, not taken as a value.
counter() {
  local v
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    v=$(cat "/proc/$pid/root/tmp/n" 2>/dev/null) && [ -n "$v" ] && break
    sleep 0.01
  done
  echo "$v"
}
for _ in $(seq 100); do [ -n "$(counter)" ] && break; sleep 0.1; done
[ -n "$(counter)" ] || fail "the counter loop does not count (pid $pid: $("$BUILDER" ps -a; ls -l "/proc/$pid/root/tmp" 2>&1))"
b pause counter >/dev/null
[ "$(field counter 2)" = paused ] || fail "ps State after pause: $(field counter 2)"
field counter 3 | grep -q '(Paused)$' || fail "ps Status after pause: $(field counter 3)"
[ "$("$BUILDER" inspect counter | jq -r '.[0].State.Paused')" = true ] || fail "inspect State.Paused not true"
n1=$(counter); sleep 1; n2=$(counter)
[ "$n1" = "$n2" ] || fail "the counter advanced while paused ($n1 -> $n2)"
out=$("$BUILDER" exec counter true 2>&1) && fail "exec into a paused container ran"
echo "$out" | grep -q "is paused, unpause the container before exec" || fail "exec refusal: $out"
"$BUILDER" pause counter 2>/dev/null && fail "pause of a paused container succeeded"
b unpause counter >/dev/null
[ "$(field counter 2)" = running ] || fail "ps State after unpause: $(field counter 2)"
# (The loop truncates before it writes: a read can see the file empty.)
for _ in $(seq 50); do n3=$(counter); [ -n "$n3" ] && [ "$n3" != "$n2" ] && break; sleep 0.1; done
[ -n "$n3" ] && [ "$n3" != "$n2" ] || fail "the counter did not resume after unpause ($n2 -> $n3)"
"$BUILDER" unpause counter 2>/dev/null && fail "unpause of a running container succeeded"
# A paused container stops (thawed first, as docker does): its TERM trap runs, no SIGKILL.
b pause counter >/dev/null
start=$(date +%s)
timeout 30 "$BUILDER" stop -t 10 counter >/dev/null || fail "stop of a paused container failed"
[ $(( $(date +%s) - start )) -lt 8 ] || fail "stop of a paused container waited for the timeout"
[ "$(field counter 2)" = exited ] || fail "state after stop of a paused container: $(field counter 2)"
[ "$("$BUILDER" inspect counter | jq -r '.[0].State.ExitCode')" = 7 ] || fail "the paused container's TERM trap did not run"
# rm -f of a paused container leaves no process behind.
b run -d --network none --name frozen busybox sleep 1000 >/dev/null
fpid=$("$BUILDER" inspect frozen | jq -r '.[0].State.Pid')
b pause frozen >/dev/null
# Its cgroup directories (every hierarchy but cpuset), to see them go with it.
v2=/sys/fs/cgroup/unified; [ -d "$v2" ] || v2=/sys/fs/cgroup
cgdirs=$(awk -F: -v v2="$v2" '$2 !~ /cpuset/ {d = $2; sub(/^name=/, "", d); print ($2 == "" ? v2 : "/sys/fs/cgroup/" d) $3}' "/proc/$fpid/cgroup" |
  while read -r d; do [ -d "$d" ] && echo "$d"; done)
echo "$cgdirs" | grep -q "/builder/[0-9a-f]\{64\}$" || fail "the container has no cgroup of its own: $(cat "/proc/$fpid/cgroup")"
timeout 30 "$BUILDER" rm -f frozen >/dev/null || fail "rm -f of a paused container failed"
for _ in $(seq 50); do [ -e "/proc/$fpid" ] || break; sleep 0.1; done
[ -e "/proc/$fpid" ] && fail "rm -f left the paused container's init ($fpid) alive"
for d in $cgdirs; do [ -d "$d" ] && fail "rm -f left the cgroup $d"; done

# --- stats -----------------------------------------------------------------------------------
b run -d --network none --name hog busybox sh -c 'x=$(head -c 30000000 /dev/zero | tr "\0" a); sleep 1000; echo ${#x}' >/dev/null
hpid=$("$BUILDER" inspect hog | jq -r '.[0].State.Pid')
sleep 2
# The cgroup's own figure, read here: usage minus inactive file pages (v1 or v2).
cgroup_memory() {
  local line rel dir
  line=$(grep -E '^[0-9]+:memory:' "/proc/$hpid/cgroup")
  if [ -n "$line" ]; then
    rel=${line#*:memory:}
    dir=/sys/fs/cgroup/memory$rel
    echo $(( $(cat "$dir/memory.usage_in_bytes") - $(awk '$1=="total_inactive_file" {print $2}' "$dir/memory.stat") ))
  else
    rel=$(sed -n 's/^0:://p' "/proc/$hpid/cgroup")
    dir=/sys/fs/cgroup$rel
    echo $(( $(cat "$dir/memory.current") - $(awk '$1=="inactive_file" {print $2}' "$dir/memory.stat") ))
  fi
}
json=$("$BUILDER" stats --no-stream --format json hog) || fail "stats --no-stream failed"
own=$(cgroup_memory)
echo "$json" | jq -e '.Name == "hog" and (.CPUPerc|endswith("%")) and (.PIDs|tonumber) >= 2' >/dev/null ||
  fail "stats json: $json"
shown=$(echo "$json" | jq -r '.MemUsage' | python3 -c '
import re, sys
m = re.match(r"([0-9.]+)([KMGT]?i?B)", sys.stdin.read().split(" / ")[0])
units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
print(int(float(m.group(1)) * units[m.group(2)]))')
[ "$own" -gt 20000000 ] || fail "the hog's cgroup holds only $own bytes"
python3 -c "import sys; sys.exit(0 if abs($shown - $own) <= 0.1 * $own else 1)" ||
  fail "stats memory $shown bytes, the cgroup's own $own bytes ($json)"
# The table: docker's header, one row per running container.
table=$("$BUILDER" stats --no-stream)
echo "$table" | head -1 | grep -q '^CONTAINER ID *NAME *CPU % *MEM USAGE / LIMIT *MEM % *NET I/O *BLOCK I/O *PIDS$' ||
  fail "stats header: $(echo "$table" | head -1)"
echo "$table" | grep -q ' hog ' || fail "stats table lacks hog: $table"

# --- top -------------------------------------------------------------------------------------
top=$("$BUILDER" top hog) || fail "top failed"
echo "$top" | head -1 | grep -q '^UID *PID *PPID *C *STIME *TTY *TIME *CMD$' || fail "top header: $top"
echo "$top" | grep -q 'sleep 1000$' || fail "top lacks the sleep: $top"
[ "$(echo "$top" | tail -n +2 | wc -l)" = 2 ] || fail "top lists other than the container's 2 processes: $top"
"$BUILDER" top hog -o pid,comm | grep -q ' sleep$' || fail "top -o pid,comm: $("$BUILDER" top hog -o pid,comm)"
b rm -f hog >/dev/null

# --- events ----------------------------------------------------------------------------------
"$BUILDER" run --rm --network none --name ev busybox sh -c 'exit 3'
[ $? = 3 ] || fail "run --rm exit code"
for _ in $(seq 50); do "$BUILDER" ps -a --format '{{.Names}}' | grep -qx ev || break; sleep 0.1; done
until=$(( $(date +%s) + 1 ))
events=$(timeout 20 "$BUILDER" events --since "$t0" --until "$until" -f container=ev) || fail "events failed"
actions=$(echo "$events" | awk '{print $3}' | tr '\n' ' ')
[ "$actions" = "create start die destroy " ] || fail "events for run --rm: $events"
echo "$events" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z container die [0-9a-f]{64} \(exitCode=3, image=busybox(:latest)?, name=ev\)$' >/dev/null ||
  fail "die event line: $events"
# JSON and filters: the pause and unpause of counter, and nothing of ev.
json=$(timeout 20 "$BUILDER" events --since "$t0" --until "$until" --format json -f container=counter -f event=pause -f event=unpause)
[ "$(echo "$json" | jq -r .Action | tr '\n' ' ')" = "pause unpause pause unpause " ] || fail "pause events: $json"
echo "$json" | jq -e 'select(.Actor.Attributes.name != "counter")' >/dev/null && fail "filter let another container through"
# Following: an event appended after start reaches a running `events`.
timeout 10 "$BUILDER" events -f event=create --format '{{.Action}} {{.Type}}' >"$WORK/follow" &
follower=$!
sleep 1
b create --network none --name late busybox true >/dev/null
for _ in $(seq 50); do [ -s "$WORK/follow" ] && break; sleep 0.1; done
kill "$follower" 2>/dev/null
[ "$(head -1 "$WORK/follow")" = "create container" ] || fail "events did not follow: $(cat "$WORK/follow")"

# --- system df -------------------------------------------------------------------------------
df=$("$BUILDER" system df) || fail "system df failed"
echo "$df" | head -1 | grep -q '^TYPE *TOTAL *ACTIVE *SIZE *RECLAIMABLE$' || fail "system df header: $df"
for t in Images Containers "Local Volumes" "Build Cache"; do echo "$df" | grep -q "^$t " || fail "system df lacks $t: $df"; done
dfj=$("$BUILDER" system df --format json)
total=$("$BUILDER" ps -a -q | wc -l)
[ "$(echo "$dfj" | jq -r 'select(.Type=="Containers") | .TotalCount')" = "$total" ] || fail "df containers vs ps -a ($total): $dfj"
[ "$(echo "$dfj" | jq -r 'select(.Type=="Images") | .TotalCount')" = 1 ] || fail "df images: $dfj"
"$BUILDER" system df -v | grep -q '^Images space usage:' || fail "system df -v"
note "ok"
