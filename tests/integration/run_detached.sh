#!/bin/bash
# Detached containers and their lifecycle with no daemon: run -d returns at once, ps (a fresh
# process) shows it, logs -f follows it, stop delivers the image's STOPSIGNAL and escalates after
# -t, wait prints the status, --restart on-failure:2 restarts exactly twice, --rm removes, start,
# create, restart, rename, kill, container prune; SIGKILL of monitors and of `run` at random
# points leaves ps and rm -f correct.
# Usage: run_detached.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # their containers join the default bridge
need_tool jq
runner_setup
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
b import -c 'STOPSIGNAL SIGUSR1' -c 'CMD ["sh"]' "$WORK/rootfs.tar" stopsig:latest >/dev/null

state_of() { "$BUILDER" ps -a --no-trunc --format '{{.Names}} {{.State}}' | awk -v n="$1" '$1==n {print $2}'; }
# Monitors of this test's store only (other tests may run their own): forked ones are named
# builder-monitor, re-executed ones run `builder debug monitor ID`; zombies have no environ.
our_monitors() {
  local p
  for p in $(pgrep -x builder-monitor; pgrep -f 'debug monitor [0-9a-f]{64}'); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "BUILDER_ROOT=$BUILDER_ROOT" && echo "$p"
  done
}
wait_state() {  # wait_state NAME STATE [tries]
  for _ in $(seq "${3:-100}"); do [ "$(state_of "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "$1 never became $2 (is $(state_of "$1"))"
}

# run -d returns at once with the full id; ps lists it as running.
start=$(date +%s%N)
id=$("$BUILDER" run -d --name sleeper busybox sh -c 'echo started; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done') ||
  fail "run -d failed"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ ${#id} = 64 ] || fail "run -d printed '$id'"
[ "$elapsed" -lt 5000 ] || fail "run -d took ${elapsed}ms"
[ "$(state_of sleeper)" = running ] || fail "ps: $("$BUILDER" ps -a)"
"$BUILDER" ps -q | grep -qx "${id:0:12}" || fail "ps -q lacks ${id:0:12}"
# Lookup by id prefix; logs has the output; logs -f follows new lines.
sleep 0.5
"$BUILDER" logs "${id:0:5}" | head -1 | grep -qx started || fail "logs: $("$BUILDER" logs sleeper)"
timeout 2 "$BUILDER" logs -f sleeper >"$WORK/follow" 2>&1
n1=$(grep -c tick "$WORK/follow")
[ "$n1" -ge 5 ] || fail "logs -f saw only $n1 ticks in 2s"
[ "$("$BUILDER" logs --tail 2 sleeper | wc -l)" = 2 ] || fail "--tail 2"
"$BUILDER" logs -t sleeper | head -1 | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z started$' ||
  fail "logs -t: $("$BUILDER" logs -t sleeper | head -1)"
# --since/--until: a time from the log itself, a duration ago, a bad value.
t3=$("$BUILDER" logs -t sleeper | sed -n 3p | cut -d' ' -f1)
"$BUILDER" logs --since "$t3" sleeper | head -1 | grep -qx 'tick 2' || fail "--since $t3: $("$BUILDER" logs --since "$t3" sleeper | head -1)"
[ "$("$BUILDER" logs --until "$t3" sleeper | wc -l)" = 3 ] || fail "--until $t3: $("$BUILDER" logs --until "$t3" sleeper)"
"$BUILDER" logs --since 1h sleeper | head -1 | grep -qx started || fail "--since 1h lost the first line"
"$BUILDER" logs --since 2000-01-01 sleeper | head -1 | grep -qx started || fail "--since a date lost the first line"
[ -z "$("$BUILDER" logs --since 2999-01-01T00:00:00Z sleeper)" ] || fail "--since the future printed lines"
"$BUILDER" logs --since yesterday sleeper 2>"$WORK/err" && fail "--since yesterday accepted"
grep -q 'invalid value for --since' "$WORK/err" || fail "--since yesterday: $(cat "$WORK/err")"
# stop: SIGTERM to a shell loop as pid 1 is ignored, so -t 1 escalates to SIGKILL (137).
s0=$(date +%s)
b stop -t 1 sleeper >/dev/null
[ "$(state_of sleeper)" = exited ] || fail "after stop: $(state_of sleeper)"
[ "$("$BUILDER" wait sleeper)" = 137 ] || fail "wait after escalated stop: $("$BUILDER" wait sleeper)"
[ $(( $(date +%s) - s0 )) -le 4 ] || fail "stop -t 1 took too long"
# start again, rename, kill -s.
b start sleeper >/dev/null
wait_state sleeper running
b rename sleeper napper
[ "$(state_of napper)" = running ] || fail "rename"
b kill -s KILL napper >/dev/null
wait_state napper exited
"$BUILDER" kill napper 2>/dev/null && fail "kill of an exited container succeeded"

# The image's STOPSIGNAL reaches the command: a trap records it and exits 0.
b run -d --name sig stopsig sh -c 'trap "echo got-usr1; exit 0" USR1; while :; do sleep 0.1; done' >/dev/null
sleep 0.5
b stop -t 5 sig >/dev/null
[ "$("$BUILDER" wait sig)" = 0 ] || fail "STOPSIGNAL: exit $("$BUILDER" wait sig)"
"$BUILDER" logs sig | grep -q got-usr1 || fail "STOPSIGNAL not delivered: $("$BUILDER" logs sig)"
# --stop-signal overrides it.
b run -d --name sig2 --stop-signal USR2 busybox sh -c 'trap "echo got-usr2; exit 0" USR2; while :; do sleep 0.1; done' >/dev/null
sleep 0.5
b stop sig2 >/dev/null
"$BUILDER" logs sig2 | grep -q got-usr2 || fail "--stop-signal not delivered"

# The image's HEALTHCHECK runs in the container (by the monitor): unhealthy after --retries
# failures, healthy once the test passes; ps shows it.
b import -c 'HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD cat /tmp/ok' -c 'CMD ["sh"]' \
  "$WORK/rootfs.tar" health:1 >/dev/null
b run -d --name hc health:1 sh -c 'sleep 4.5; echo >/tmp/ok; exec sleep 100' >/dev/null
health() { "$BUILDER" inspect hc | jq -r '.[0].State.Health.Status'; }
for _ in $(seq 40); do [ "$(health)" = unhealthy ] && break; sleep 0.1; done
[ "$(health)" = unhealthy ] || fail "health before /tmp/ok: $(health)"
for _ in $(seq 80); do [ "$(health)" = healthy ] && break; sleep 0.1; done
[ "$(health)" = healthy ] || fail "health after /tmp/ok: $(health)"
"$BUILDER" ps --format '{{.Names}} {{.Status}}' | grep -q '^hc Up .*(healthy)$' || fail "ps health: $("$BUILDER" ps)"
b rm -f hc >/dev/null
# --health-cmd/--health-interval set one; --no-healthcheck drops the image's.
b run -d --name hc2 --health-cmd 'cat /tmp/ok2' --health-interval 300ms --health-retries 1 busybox \
  sh -c 'echo >/tmp/ok2; exec sleep 100' >/dev/null
for _ in $(seq 40); do [ "$("$BUILDER" inspect hc2 | jq -r '.[0].State.Health.Status')" = healthy ] && break; sleep 0.1; done
[ "$("$BUILDER" inspect hc2 | jq -r '.[0].State.Health.Status')" = healthy ] || fail "--health-cmd: $("$BUILDER" inspect hc2 | jq -c '.[0].State')"
b run -d --name hc3 --no-healthcheck health:1 sleep 100 >/dev/null
sleep 1.5
[ "$("$BUILDER" inspect hc3 | jq -r '.[0].State.Health')" = null ] || fail "--no-healthcheck: $("$BUILDER" inspect hc3 | jq -c '.[0].State')"
b rm -f hc2 hc3 >/dev/null

# wait prints the exit status.
b run -d --name three busybox sh -c 'sleep 0.3; exit 3' >/dev/null
[ "$("$BUILDER" wait three)" = 3 ] || fail "wait three"

# --restart on-failure:2: three runs, RestartCount 2, then exited.
b run -d --name flaky --restart on-failure:2 busybox sh -c 'echo run; exit 1' >/dev/null
for _ in $(seq 100); do
  [ "$(state_of flaky)" = exited ] && [ "$("$BUILDER" logs flaky | grep -c run)" = 3 ] && break
  sleep 0.1
done
[ "$("$BUILDER" logs flaky | grep -c run)" = 3 ] || fail "on-failure:2 ran $("$BUILDER" logs flaky | grep -c run) times"
sleep 1
[ "$("$BUILDER" logs flaky | grep -c run)" = 3 ] || fail "on-failure:2 restarted more than twice"
# inspect shows it as docker does: a container first, then images.
"$BUILDER" inspect flaky >"$WORK/inspect.json" || fail "inspect flaky"
[ "$(jq -r '.[0].RestartCount' "$WORK/inspect.json")" = 2 ] || fail "RestartCount: $(jq .[0].RestartCount "$WORK/inspect.json")"
[ "$(jq -r '.[0].Name + " " + .[0].State.Status + " " + (.[0].State.ExitCode|tostring)' "$WORK/inspect.json")" = "/flaky exited 1" ] ||
  fail "inspect State: $(jq -c '.[0].State' "$WORK/inspect.json")"
[ "$(jq -r '.[0].HostConfig.RestartPolicy.Name' "$WORK/inspect.json")" = on-failure ] || fail "inspect HostConfig"
[ "$("$BUILDER" inspect busybox | jq -r '.[0].RepoTags[0]')" = busybox:latest ] || fail "inspect of an image"
"$BUILDER" inspect nothing-here >/dev/null 2>"$WORK/err" && fail "inspect of nothing succeeded"
grep -q "No such object: nothing-here" "$WORK/err" || fail "inspect error: $(cat "$WORK/err")"
# A clean exit is not restarted by on-failure.
b run -d --name clean --restart on-failure busybox true >/dev/null
sleep 1
[ "$("$BUILDER" logs clean | wc -l)" = 0 ] && [ "$(state_of clean)" = exited ] || fail "on-failure restarted a clean exit"

# --rm removes the container when it exits, detached too.
b run -d --rm --name gone busybox true >/dev/null
for _ in $(seq 50); do [ -z "$(state_of gone)" ] && break; sleep 0.1; done
[ -z "$(state_of gone)" ] || fail "--rm left $(state_of gone)"

# create then start; restart of a running one keeps its id.
cid=$("$BUILDER" create --name later busybox sh -c 'echo hi; sleep 100') || fail create
[ "$(state_of later)" = created ] || fail "create: $(state_of later)"
b start later >/dev/null
wait_state later running
b restart -t 0 later >/dev/null
wait_state later running
[ "$("$BUILDER" logs later | grep -c hi)" = 2 ] || fail "restart: $("$BUILDER" logs later)"
# rm of a running container needs -f.
"$BUILDER" rm later 2>"$WORK/err" && fail "rm of a running container succeeded"
grep -q "stop the container before removing or force remove" "$WORK/err" || fail "rm error: $(cat "$WORK/err")"
b rm -f "${cid:0:10}" >/dev/null
[ -z "$(state_of later)" ] || fail "rm -f left it"
# container prune drops every stopped container, keeps running ones.
b run -d --name keeper busybox sleep 100 >/dev/null
b container prune -f >/dev/null
[ "$("$BUILDER" ps -a --format '{{.Names}}')" = keeper ] || fail "prune left: $("$BUILDER" ps -a)"
b rm -f keeper >/dev/null

# SIGKILL of the monitor or of a foreground run, at random moments: never "running" without a
# monitor, and rm -f always cleans up (no process, no directory).
for i in $(seq 20); do
  "$BUILDER" run --name "k$i" busybox sh -c 'sleep 100' >/dev/null 2>&1 &
  runpid=$!
  sleep "0.$((RANDOM % 5))"
  kill -9 $runpid 2>/dev/null
  wait $runpid 2>/dev/null
  if [ $((i % 2)) = 0 ]; then
    for m in $(our_monitors); do kill -9 "$m" 2>/dev/null; done
    sleep 0.1
    st=$(state_of "k$i")
    [ "$st" != running ] || fail "k$i shows running with its monitor killed"
  fi
  "$BUILDER" rm -f "k$i" >/dev/null 2>&1
  [ -z "$(state_of "k$i")" ] || fail "rm -f k$i left it ($(state_of "k$i"))"
done
[ -z "$("$BUILDER" ps -a -q)" ] || fail "left: $("$BUILDER" ps -a)"
# info counts what is there, probed.
"$BUILDER" info --format json >"$WORK/info.json" || fail "info"
[ "$(jq -r '.StoreRoot' "$WORK/info.json")" = "$BUILDER_ROOT" ] || fail "info StoreRoot: $(cat "$WORK/info.json")"
[ "$(jq -r '.Containers' "$WORK/info.json")" = 0 ] || fail "info Containers"
[ "$(jq -r '.UserNamespaces' "$WORK/info.json")" = yes ] || fail "info UserNamespaces: $(jq .UserNamespaces "$WORK/info.json")"
# A run killed while creating may leave a half-made directory: prune collects it.
b container prune -f >/dev/null
[ -z "$(our_monitors)" ] || fail "monitors left running"
[ -z "$(ls -A "$BUILDER_ROOT/containers" | grep -v '^\.names\.lock$')" ] ||
  fail "container dirs left: $(ls -A "$BUILDER_ROOT/containers")"
note "ok"
