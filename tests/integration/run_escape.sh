#!/bin/bash
# The escape suite: a container must not reach the host through a leaked fd, a /proc/self/fd
# working directory (CVE-2024-21626), the runtime's binary (CVE-2019-5736), mount, module
# loading, ptrace, masked /proc and /sys paths, a volume target symlinked out of the rootfs
# (CVE-2018-15664 class), a symlink swapped under a mount target (CVE-2021-30465 class) or
# under the paths `exec` resolves (its working directory, the container's /etc/passwd and group).
# Each case fails when the hole opens and prints what it checked.
# Usage: run_escape.sh BUILDER fd|workdir|exe|mount|modules|ptrace|masked|volume-symlink|swap-race|exec-swap|exec-workdir
BUILDER=$1
CASE=${2:-}
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # RUN may be `run`, whose default network is the bridge
[ "$(id -u)" = 0 ] || skip "needs root (the sandbox and host-side probes)"
need_tool cc
# The command under test, one place: `debug run` until the runner's `run --rm` lands on main.
RUN=${RUN:-debug run}
export BUILDER_ROOT="$WORK/store"

token() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# run [FLAGS...] -- SCRIPT: SCRIPT in the probe image; output (stdout+stderr) in $WORK/out.
run() {
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  # shellcheck disable=SC2086
  # Capped: a probe that reads its own output back must not fill the disk.
  "$BUILDER" $RUN "${flags[@]}" escape:1 sh -c "$1" </dev/null 2>&1 | head -c 1000000 >"$WORK/out"
  RC=${PIPESTATUS[0]}
}
out_has() { grep -q -- "$1" "$WORK/out"; }
show() { sed 's/^/    | /' "$WORK/out"; }

# The image: busybox plus the static probe and the symlinks of the volume cases.
make_rootfs_tar "$WORK/rootfs.tar"
cc -static -O1 -o "$WORK/rootfs-src/bin/escape_probe" "$(dirname "$0")/escape_probe.c" ||
  skip "cannot build a static probe (libc6-dev)"
mkdir -p "$WORK/host-target" "$WORK/host"
# The links resolve, inside the rootfs, to a directory the image has: a bind must land there.
mkdir -p "$WORK/rootfs-src$WORK/host-target"
ln -s "/etc/../../../../../../..$WORK/host-target" "$WORK/rootfs-src/data-abs"
ln -s "../../../../../../../..$WORK/host-target" "$WORK/rootfs-src/data-rel"
for a in mount umount unshare wc grep mkdir rm ln mv cp stat readlink kill; do ln -sf busybox "$WORK/rootfs-src/bin/$a"; done
tar -C "$WORK/rootfs-src" --owner=0 --group=0 --numeric-owner -cf "$WORK/rootfs.tar" . || fail "tar"
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" escape:1 >/dev/null
SECRET=$(token)
echo "host-secret-$SECRET" >"$WORK/host/secret"

case_fd() {
  exec 7<"$WORK/host/secret" 8<"$WORK/host"
  [ "$(cat /proc/self/fd/7)" = "host-secret-$SECRET" ] || fail "control: fd 7 does not read the secret on the host"
  # Beyond stdio (0-2, the test's own files), only fds naming a path are read: a pipe or
  # socket of the runtime's own would block.
  run -- 'for f in /proc/self/fd/* /proc/1/fd/*; do [ "${f##*/}" -le 2 ] && continue; echo "fd $f";
            case "$(readlink "$f")" in /*) cat "$f"; ls "$f/" ;; esac; done; echo done'
  exec 7<&- 8<&-
  out_has "$SECRET" && { show; fail "a host fd leaked in: the secret was read through /proc/*/fd"; }
  out_has "secret" && { show; fail "a host directory fd leaked in: its listing shows"; }
  out_has "$WORK/host" && { show; fail "an fd on a host path is open in the container"; }
  out_has done || { show; fail "the probe did not run"; }
  note "fds 7 (a host file) and 8 (a host dir) of the caller are not reachable via /proc/self/fd or /proc/1/fd"
}

case_workdir() {
  exec 8<"$WORK/host"
  local n leaked=0
  for n in 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    run -w "/proc/self/fd/$n" -- 'pwd; ls; cat secret ../secret ../../../../../../..'"$WORK"'/host/secret; echo done'
    if out_has "$SECRET" || out_has "$WORK/host"; then show; leaked=$n; break; fi
  done
  exec 8<&-
  [ "$leaked" = 0 ] || fail "-w /proc/self/fd/$leaked reached the host (CVE-2024-21626)"
  note "-w /proc/self/fd/3..15 never gives a host cwd (last: exit $RC, $(head -1 "$WORK/out"))"
}

case_exe() {
  local bin sum_before snap_before
  bin=$(readlink -f "$BUILDER")
  sum_before=$(sha256sum <"$bin")
  run -- true  # unpacks the snapshot
  snap_before=$(cat "$BUILDER_ROOT"/snapshots/*/bin/busybox | sha256sum)
  run -- 'escape_probe writeopen /proc/1/exe; escape_probe writeopen /proc/self/exe; escape_probe reopen-exe;
          for p in /proc/[0-9]*; do echo pwned >>"$p/exe" && echo "WROTE $p/exe"; done; echo done'
  out_has done || { show; fail "the probe did not run"; }
  [ "$(sha256sum <"$bin")" = "$sum_before" ] || fail "the builder binary changed (CVE-2019-5736)"
  [ "$(cat "$BUILDER_ROOT"/snapshots/*/bin/busybox | sha256sum)" = "$snap_before" ] ||
    fail "the image snapshot's busybox changed through /proc/self/exe"
  if out_has "/proc/1/exe for writing: ok" || out_has "reopen it for writing: ok" || out_has "WROTE /proc/1/exe"; then
    show
    fail "pid 1's binary opened for writing"
  fi
  note "builder ($bin) and the snapshot unchanged after writes via /proc/{1,self}/exe and an O_PATH reopen"
}

case_mount() {
  run -- 'mount -t tmpfs none /tmp && echo "MOUNTED tmpfs"; mount --bind / /mnt 2>&1 && echo "MOUNTED bind";
          mount -o remount,rw /proc/sys && echo "REMOUNTED /proc/sys"; umount /proc/sys && echo "UNMOUNTED";
          unshare -U -r -m sh -c "mount -t tmpfs none /tmp && echo MOUNTED in a new userns"; echo done'
  out_has done || { show; fail "the probe did not run"; }
  out_has "MOUNTED\|REMOUNTED\|UNMOUNTED" && { show; fail "a mount operation succeeded inside the container"; }
  note "mount, bind, remount, umount and unshare+mount all refused"
}

case_modules() {
  run -- 'escape_probe modules'
  [ "$(grep -c "Operation not permitted" "$WORK/out")" = 2 ] || { show; fail "init_module/finit_module not refused with EPERM"; }
  note "init_module and finit_module refused (EPERM, not ENOEXEC: the kernel never saw the module)"
}

case_ptrace() {
  sleep 300 &
  local host_pid=$!
  add_cleanup "kill $host_pid 2>/dev/null"
  run -- "escape_probe ptrace $host_pid; escape_probe vmread $host_pid; [ -e /proc/$host_pid ] && echo VISIBLE;
          kill -0 $host_pid 2>/dev/null && echo SIGNALED; escape_probe ptrace 1; echo done"
  out_has done || { show; fail "the probe did not run"; }
  head -1 "$WORK/out" | grep -q "ptrace attach: ok" && { show; fail "ptrace of host pid $host_pid succeeded"; }
  out_has "process_vm_readv: ok" && { show; fail "process_vm_readv of a host process succeeded"; }
  out_has "VISIBLE\|SIGNALED" && { show; fail "host pid $host_pid visible or signalable"; }
  kill -0 "$host_pid" || fail "the host process died"
  [ "$(awk '/^TracerPid/ {print $2}' /proc/$host_pid/status)" = 0 ] || fail "the host process is being traced"
  note "host pid $host_pid: ptrace and process_vm_readv fail, not visible, not signalable; pid 1: $(sed -n 3p "$WORK/out")"
}

case_masked() {
  local domain core
  domain=$(cat /proc/sys/kernel/domainname)
  core=$(cat /proc/sys/kernel/core_pattern)
  run -- 'echo "kcore $(wc -c </proc/kcore)"; echo "keys $(wc -c </proc/keys)"; echo "acpi [$(ls /proc/acpi)]";
          echo 1 >/proc/sysrq-trigger && echo "WROTE sysrq"; echo evil >/proc/sys/kernel/domainname && echo "WROTE domainname";
          echo "|/tmp/x" >/proc/sys/kernel/core_pattern && echo "WROTE core_pattern";
          echo /tmp/x >/sys/kernel/uevent_helper && echo "WROTE uevent_helper";
          echo 1 >/proc/sys/vm/drop_caches && echo "WROTE drop_caches"; echo done'
  out_has done || { show; fail "the probe did not run"; }
  out_has WROTE && { show; fail "a masked or read-only /proc or /sys path was written"; }
  # Masks only matter where the host has the file (this VM's kernel has no /proc/kcore).
  local f
  for f in kcore keys; do
    [ -e "/proc/$f" ] || continue
    out_has "$f 0" || { show; fail "/proc/$f is not masked"; }
  done
  [ ! -d /proc/acpi ] || out_has "acpi \[\]" || { show; fail "/proc/acpi is not masked"; }
  [ "$(cat /proc/sys/kernel/domainname)" = "$domain" ] && [ "$(cat /proc/sys/kernel/core_pattern)" = "$core" ] ||
    fail "host sysctls changed"
  note "kcore/keys read empty, acpi empty; sysrq-trigger, sysctls, uevent_helper, drop_caches not writable"
}

case_volume_symlink() {
  local link
  mkdir -p "$WORK/src"
  echo "volume-marker" >"$WORK/src/marker"
  for link in data-abs data-rel; do
    run -v "$WORK/src:/$link" -- "cat /$link/marker; echo inside >/$link/pwned; echo done"
    [ -z "$(ls -A "$WORK/host-target")" ] || { show; fail "-v onto /$link (-> host path) wrote into the host's $WORK/host-target"; }
    if [ "$RC" = 0 ]; then
      out_has volume-marker || { show; fail "/$link: the bind is not where the link leads inside the rootfs"; }
      [ -f "$WORK/src/pwned" ] || fail "/$link: the write did not land in the bind source"
      rm -f "$WORK/src/pwned"
      note "-v onto /$link ($(readlink "$WORK/rootfs-src/$link")) landed inside the rootfs"
    else
      note "-v onto /$link refused: $(tail -1 "$WORK/out")"
    fi
    run -v "vol-$link:/$link" -- "echo inside >/$link/pwned; echo done"
    [ -z "$(ls -A "$WORK/host-target")" ] || { show; fail "named volume onto /$link wrote into the host"; }
    note "named volume onto /$link: exit $RC ($(tail -1 "$WORK/out")), host target untouched"
  done
}

case_swap_race() {
  # One container flips /vol/x between a directory and a symlink to a host path while others
  # mount a bind onto /data/x inside the same volume: the bind must never land on the host path.
  mkdir -p "$WORK/src"
  echo "race-marker" >"$WORK/src/marker"
  b $RUN -v race:/vol escape:1 sh -c 'mkdir -p /vol/x' >/dev/null
  "$BUILDER" $RUN -v race:/vol escape:1 sh -c "end=\$((\$(date +%s) + 20)); while [ \$(date +%s) -lt \$end ]; do
      rm -rf /vol/x; ln -s ../../../../../../..$WORK/host /vol/x; rm -f /vol/x; mkdir /vol/x; done" \
    </dev/null >/dev/null 2>&1 &
  local flipper=$! i reads=0
  add_cleanup "kill $flipper 2>/dev/null"
  for i in $(seq 1 15); do
    run -v race:/data -v "$WORK/src:/data/x" -- 'cat /data/x/marker /data/x/secret 2>&1; echo done'
    out_has "$SECRET" && { show; fail "the host secret was read through the swapped symlink (run $i)"; }
    out_has race-marker && reads=$((reads + 1))
    [ "$(cat "$WORK/host/secret")" = "host-secret-$SECRET" ] && [ "$(ls "$WORK/host")" = secret ] ||
      fail "the host dir changed (run $i)"
  done
  kill "$flipper" 2>/dev/null
  wait "$flipper" 2>/dev/null
  note "15 runs racing a symlink swap on the mount target: no host read ($reads saw the bind, the rest refused or lost the race)"
}

case_exec_swap() {
  # A host-only directory at the host's root, named like a path inside the container: a host
  # secret, and a passwd/group whose root and swapuser entries would show through HOME and id.
  local hostdir="/host-secret-$SECRET" i leak="" saw=0 cid
  mkdir "$hostdir" || fail "mkdir $hostdir"
  add_cleanup "rm -rf $hostdir"
  echo "host-secret-$SECRET" >"$hostdir/secret"
  printf 'root:x:0:0:leak:/leak-%s:/bin/sh\nswapuser:x:4242:4242:leak:/leak-%s:/bin/sh\n' "$SECRET" "$SECRET" >"$hostdir/passwd"
  printf 'root:x:0:\nswapgrp:x:4243:swapuser,root\n' >"$hostdir/group"
  # The container flips, atomically and without pause, /swap (a dir) with a link to the host dir
  # and /etc/passwd and /etc/group (copied up first) with links to the host's fake ones.
  cid=$("$BUILDER" run -d escape:1 sh -c "mkdir /swap && echo container-side >/swap/secret && ln -s $hostdir /swap-alt &&
      cp /etc/passwd /etc/p && mv /etc/p /etc/passwd && ln -s $hostdir/passwd /etc/passwd-alt &&
      cp /etc/group /etc/g && mv /etc/g /etc/group && ln -s $hostdir/group /etc/group-alt &&
      { escape_probe flip /swap /swap-alt & escape_probe flip /etc/passwd /etc/passwd-alt &
        escape_probe flip /etc/group /etc/group-alt & echo ready >/tmp/ready; wait; }" 2>&1) ||
    fail "run -d the flipper: $cid"
  add_cleanup "\"$BUILDER\" rm -f $cid >/dev/null 2>&1"
  for i in $(seq 1 50); do "$BUILDER" exec "$cid" cat /tmp/ready >/dev/null 2>&1 && break; sleep 0.1; done
  # The workdir: chdir must resolve /swap in the container's root, never on the host.
  for i in $(seq 1 30); do
    "$BUILDER" exec -w /swap "$cid" sh -c 'echo "home=$HOME"; id; cat secret /swap/secret' >"$WORK/out" 2>&1
    grep -q "$SECRET\|4242\|4243" "$WORK/out" && { leak="exec -w /swap (run $i)"; break; }
    grep -q container-side "$WORK/out" && saw=$((saw + 1))
  done
  # The user: exec reads passwd and group from the container's upper dir on the host side. A
  # failed lookup is quick, so many tries: against the unfixed reader ~1 in 150 leaked.
  for i in $(seq 1 400); do
    [ -n "$leak" ] && break
    "$BUILDER" exec -u swapuser "$cid" sh -c 'echo "home=$HOME"; id' >"$WORK/out" 2>&1
    grep -q "$SECRET\|4242\|4243" "$WORK/out" && { leak="exec -u swapuser (run $i)"; break; }
    "$BUILDER" exec -u root:swapgrp "$cid" id >"$WORK/out" 2>&1
    grep -q "$SECRET\|4243" "$WORK/out" && { leak="exec -u root:swapgrp (run $i)"; break; }
  done
  [ -z "$leak" ] || { show; fail "$leak read the host's $hostdir through a swapped symlink"; }
  "$BUILDER" exec "$cid" sh -c 'ls /proc/[0-9]*/exe' >/dev/null 2>&1 || fail "the container stopped during the race"
  [ "$saw" -gt 0 ] || fail "exec -w /swap never reached the container's /swap (the race tests nothing)"
  note "830 execs racing symlink swaps of the workdir and /etc/passwd|group: no host read ($saw of 30 -w execs saw the container's /swap, the rest lost the race cleanly)"
}

case_exec_workdir() {
  # exec's joiner holds host fds (its stdio, a directory here) until the exec: a working
  # directory through them must not land on the host (CVE-2024-21626 for exec).
  local cid n leaked=""
  cid=$("$BUILDER" run -d escape:1 sleep 1000 2>&1) || fail "run -d: $cid"
  add_cleanup "\"$BUILDER\" rm -f $cid >/dev/null 2>&1"
  for n in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    "$BUILDER" exec -i -w "/proc/self/fd/$n" "$cid" sh -c 'pwd; ls; cat secret' <"$WORK/host" >"$WORK/out" 2>&1
    if out_has "$SECRET" || out_has "$WORK/host"; then leaked=$n; break; fi
    "$BUILDER" exec -w "/proc/self/fd/$n/.." "$cid" sh -c 'pwd; ls' <"$WORK/host" >"$WORK/out" 2>&1
    if out_has "$WORK" || out_has "host-target"; then leaked="$n/.."; break; fi
  done
  [ -z "$leaked" ] || { show; fail "exec -w /proc/self/fd/$leaked reached the host"; }
  note "exec -w /proc/self/fd/0..15 (stdin a host dir) never gives a host cwd (last: $(head -1 "$WORK/out"))"
}

case "$CASE" in
  fd) case_fd ;;
  workdir) case_workdir ;;
  exe) case_exe ;;
  mount) case_mount ;;
  modules) case_modules ;;
  ptrace) case_ptrace ;;
  masked) case_masked ;;
  volume-symlink) case_volume_symlink ;;
  swap-race) case_swap_race ;;
  exec-swap) case_exec_swap ;;
  exec-workdir) case_exec_workdir ;;
  *) fail "unknown case '$CASE'" ;;
esac
echo "PASS [$TEST_NAME $CASE]"
