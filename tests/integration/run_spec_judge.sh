#!/bin/bash
# The judge of the runtime spec: crun, given `builder debug spec` of an image and that image
# unpacked as the bundle's rootfs, must print what `builder debug run` prints for the same image
# and command (ids, caps, seccomp, maps, masked /proc, mounts, env, cwd, hostname...). The spec
# must also validate against the runtime-spec JSON schema.
# Usage: run_spec_judge.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (crun and the sandbox as root)"
need_tool crun
need_tool python3
# The command under test: each case runs under `builder debug run` (the spec of an image) and
# as a container (`builder run --name`, then `builder debug spec CTR` of that container).
RUN=${RUN:-debug run}
export BUILDER_ROOT="$WORK/store"
SCHEMA=${BUILDER_CONFORMANCE_DIR:-$(dirname "$0")/../../../shared/conformance}/oci-runtime-spec-schema/schema
VALIDATE="$(dirname "$0")/../sandbox/validate_runtime_spec.py"

# crun refuses this VM's hybrid cgroup layout while cgroup2 still owns a controller (hugetlb):
# mount each such controller as a v1 hierarchy for the test and undo it after (peers/README.md).
if [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
    if ! mountpoint -q "/sys/fs/cgroup/$c"; then
      mkdir -p "/sys/fs/cgroup/$c" && mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" ||
        skip "cannot mount the $c cgroup v1 hierarchy crun needs here"
      add_cleanup "umount /sys/fs/cgroup/$c; rmdir /sys/fs/cgroup/$c"
    fi
  done
fi

make_rootfs_tar "$WORK/rootfs.tar"
b import -c 'CMD ["sh"]' -c 'ENV PATH=/bin GREETING=hello' -c 'WORKDIR /home/app' "$WORK/rootfs.tar" judge:1 >/dev/null
BUNDLE="$WORK/bundle"
b debug unpack judge:1 "$BUNDLE/rootfs" >/dev/null

n=0
# judge DESCRIPTION SCRIPT: the script's output under crun and under builder must be equal.
judge() {
  local what=$1 script=$2
  n=$((n + 1))
  b debug spec --rootfs "$BUNDLE/rootfs" --image judge:1 sh -c "$script" >"$BUNDLE/config.json"
  if [ -d "$SCHEMA" ]; then
    /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$BUNDLE/config.json" >"$WORK/validate" ||
      fail "spec for '$what' does not validate: $(cat "$WORK/validate")"
  fi
  crun run --bundle "$BUNDLE" "builder-judge-$$-$n" </dev/null >"$WORK/crun.out" 2>&1
  echo "exit $?" >>"$WORK/crun.out"
  crun delete -f "builder-judge-$$-$n" >/dev/null 2>&1
  # shellcheck disable=SC2086
  "$BUILDER" $RUN judge:1 sh -c "$script" </dev/null >"$WORK/builder.out" 2>&1
  echo "exit $?" >>"$WORK/builder.out"
  if ! cmp -s "$WORK/crun.out" "$WORK/builder.out"; then
    diff -u "$WORK/crun.out" "$WORK/builder.out" | sed 's/^/  /' >&2
    fail "$what: crun (-) and builder (+) differ"
  fi
  note "same under crun: $what ($(grep -cv '^exit' "$WORK/builder.out") lines)"

  # The same as a container: `builder run` first, then crun given that container's spec. A
  # container's stdout and stderr are two streams (its log keeps them apart, as docker's does),
  # so they are compared one after the other.
  "$BUILDER" run --network host --name "judge$n" judge:1 sh -c "$script" </dev/null >"$WORK/run.out" 2>"$WORK/run.err"
  echo "exit $?" >>"$WORK/run.out"
  cat "$WORK/run.err" >>"$WORK/run.out"
  b debug spec --rootfs "$BUNDLE/rootfs" "judge$n" >"$BUNDLE/config.json"
  if [ -d "$SCHEMA" ]; then
    /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$BUNDLE/config.json" >"$WORK/validate" ||
      fail "container spec for '$what' does not validate: $(cat "$WORK/validate")"
  fi
  crun run --bundle "$BUNDLE" "builder-judge-$$-c$n" </dev/null >"$WORK/crun.out" 2>"$WORK/crun.err"
  echo "exit $?" >>"$WORK/crun.out"
  cat "$WORK/crun.err" >>"$WORK/crun.out"
  crun delete -f "builder-judge-$$-c$n" >/dev/null 2>&1
  "$BUILDER" rm -f "judge$n" >/dev/null 2>&1
  if ! cmp -s "$WORK/crun.out" "$WORK/run.out"; then
    diff -u "$WORK/crun.out" "$WORK/run.out" | sed 's/^/  /' >&2
    fail "$what: crun (-) and builder run (+) differ"
  fi
  note "same under crun as a container: $what"
}

judge "user, groups, cwd" 'id; pwd'
judge "environment" 'env | busybox sort'
judge "hostname" 'busybox hostname; cat /proc/sys/kernel/hostname'
judge "capabilities and no_new_privs" 'busybox grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status'
judge "user namespace maps" 'cat /proc/self/uid_map /proc/self/gid_map'
judge "masked /proc paths" 'busybox wc -c </proc/kcore; ls /proc/acpi /proc/scsi; echo 1 >/proc/sysrq-trigger; echo "sysrq $?"; echo x >/proc/sys/kernel/domainname; echo "sysctl $?"'
judge "seccomp denials (mount, keyctl via unshare)" 'busybox mount -t tmpfs none /tmp; echo "mount $?"; busybox unshare -U true; echo "unshare $?"; busybox umount /proc; echo "umount $?"'
# crun (and runc) add /dev/core -> /proc/kcore; the sandbox does not (reported, left out here).
judge "/dev and /dev/shm" 'ls /dev | busybox grep -vx core | busybox sort; busybox stat -c "%a %F" /dev/shm /dev/pts /dev/null /dev/ptmx; busybox mountpoint /dev/shm'
# The root differs by design: the bundle's plain directory under crun, the overlay under builder.
# With the host's network a container's /sys is the host's bound read-only and recursively (a
# sysfs needs a network namespace of its own), so the host's cgroup mounts under /sys/fs/cgroup
# show up there where crun's /sys has none: left out here, noted on the runner issue.
judge "mount points and types" 'busybox awk "{print \$2, \$3}" /proc/self/mounts | busybox grep -v "^/ " | busybox grep -v "^/sys/fs/cgroup" | busybox sort'
judge "resolv.conf and hosts from the host" 'busybox md5sum /etc/hosts /etc/resolv.conf 2>&1'
judge "exit status" 'echo out; echo err >&2; exit 7'
echo "PASS [$TEST_NAME]"
