#!/bin/bash
# Limits and privileges of `builder run`: --memory stops a hog with 137 and OOMKilled true,
# --pids-limit stops a fork bomb, --cpus holds a busy loop near its share (read from the
# container's own cgroup), --ulimit lowers, --cap-drop/--cap-add/--privileged change CapEff,
# --security-opt no-new-privileges sets NoNewPrivs.
# Usage: run_limits.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # their containers join the default bridge
need_tool jq
runner_setup
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null

# Capabilities and no_new_privs, from /proc/self/status.
capeff() { "$BUILDER" run --rm "$@" busybox sh -c 'grep CapEff /proc/self/status' | awk '{print $2}'; }
[ "$(capeff)" = 00000000a80425fb ] || fail "default CapEff $(capeff)"
[ "$(capeff --cap-drop NET_RAW)" = 00000000a80405fb ] || fail "--cap-drop NET_RAW: $(capeff --cap-drop NET_RAW)"
[ "$(capeff --cap-add SYS_ADMIN)" = 00000000a82425fb ] || fail "--cap-add SYS_ADMIN: $(capeff --cap-add SYS_ADMIN)"
[ "$(capeff --cap-drop ALL)" = 0000000000000000 ] || fail "--cap-drop ALL"
[ "$(capeff --privileged)" != 00000000a80425fb ] || fail "--privileged kept the default set"
nnp() { "$BUILDER" run --rm "$@" busybox sh -c 'grep NoNewPrivs /proc/self/status' | awk '{print $2}'; }
[ "$(nnp)" = 0 ] && [ "$(nnp --security-opt no-new-privileges)" = 1 ] || fail "no-new-privileges"
# --ulimit lowers a limit.
[ "$("$BUILDER" run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n')" = 100 ] || fail "--ulimit nofile"

cgroups=$("$BUILDER" info --format json | jq -r '.Cgroups.Controllers | join(" ")')
case " $cgroups " in *" memory "*) ;; *) skip "no memory cgroup controller here ($cgroups)";; esac

# --memory 32m: a hog is OOM-killed: 137 and OOMKilled true.
"$BUILDER" run --name hog --memory 32m busybox sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived' >/dev/null 2>&1
code=$?
[ $code = 137 ] || fail "memory hog exited $code"
[ "$("$BUILDER" inspect hog | jq -r '.[0].State.OOMKilled')" = true ] || fail "OOMKilled not set: $("$BUILDER" inspect hog | jq .[0].State)"
# Without the limit the same command survives (the test can fail).
[ "$("$BUILDER" run --rm busybox sh -c 'x=$(head -c 50000000 /dev/zero | tr "\0" a); echo survived')" = survived ] ||
  fail "the hog's control run failed"

# --pids-limit 64: a fork bomb hits the limit and the container still ends.
out=$(timeout 60 "$BUILDER" run --rm --pids-limit 64 busybox sh -c 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>&1; echo done' 2>&1)
echo "$out" | grep -qi "resource temporarily unavailable\|can't fork\|fork" || fail "--pids-limit 64 let 200 processes start: $out"

# --cpus 0.5: a busy loop uses about half a core, read from the container's own cgroup on the
# host (found through /proc/PID/cgroup of its pid; v2's cpu.stat or v1's cpuacct.usage).
cid=$("$BUILDER" run -d --cpus 0.5 busybox sh -c 'while :; do :; done') || fail "run -d --cpus"
pid=$("$BUILDER" inspect "$cid" | jq -r '.[0].State.Pid')
usage_ms() {
  local line rel
  line=$(grep -E '^0::|cpuacct' "/proc/$pid/cgroup" | head -1)
  rel=${line##*:}
  case "$line" in
    0::*) awk '/usage_usec/ {print int($2/1000)}' "/sys/fs/cgroup$rel/cpu.stat" ;;
    *) for d in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct; do
         [ -r "$d$rel/cpuacct.usage" ] && { echo $(( $(cat "$d$rel/cpuacct.usage") / 1000000 )); break; }
       done ;;
  esac
}
sleep 0.5
u0=$(usage_ms)
sleep 2
u1=$(usage_ms)
b rm -f "$cid" >/dev/null
[ -n "$u0" ] && [ -n "$u1" ] || fail "--cpus: no cgroup usage found for pid $pid ($(cat "/proc/$pid/cgroup" 2>/dev/null))"
used=$((u1 - u0))
[ "$used" -ge 700 ] && [ "$used" -le 1300 ] || fail "--cpus 0.5: ${used}ms of cpu in 2s"
note "--cpus 0.5: ${used}ms of cpu in 2s"
note "ok"
