#!/bin/bash
# RUN steps of `builder build` are isolated from the host, shown through real builds on an
# imported busybox base: host files, host processes, the host network (--network none) and,
# rootless, host root, and no RUN outliving a killed builder.
# Usage: build_isolation.sh BUILDER files|pids|network|rootless|orphans
# Every check has a positive control (the same probe succeeding where it should) so it can fail.
BUILDER=$1
PART=${2:-}
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (the sandbox; the rootless part switches to uid 65534 itself)"
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null

token() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# build CTX [flags...]: a --no-cache plain-progress build; the log lands in $WORK/log.
build() {
  local ctx=$1
  shift
  "$BUILDER" build --progress plain --no-cache "$@" "$ctx" >"$WORK/id" 2>"$WORK/log"
}
must_build() { build "$@" || { cat "$WORK/log" >&2; fail "build $* failed"; }; }
log_has() { grep -q -- "$1" "$WORK/log"; }
# The RUN output lines of the log, without the "#N 0.123 " prefix.
run_lines() { sed -n 's/^#[0-9]* [0-9.]* //p' "$WORK/log"; }
# Interface names of /proc/net/dev text on stdin (after its two header lines).
interfaces() { tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' '; }

# (a) A RUN cannot read a host file outside its rootfs: not by its path, not through /proc/1/root
# or /proc/self/root, not by climbing "..", not through symlinks from the context (COPY copies
# the link, the bind mount shows the link, neither follows it on the host), not by writing it.
part_files() {
  local secret control canary ctx
  secret=$(token)
  control=$(token)
  mkdir -p "$WORK/host"
  canary="$WORK/host/canary"
  echo "host-secret-$secret" >"$canary"
  ctx="$WORK/ctx-files"
  mkdir -p "$ctx/links"
  ln -s "$canary" "$ctx/links/abs"
  ln -s "../../../../../../../../../../..$canary" "$ctx/links/rel"
  ln -s "$WORK/host" "$ctx/links/dir"
  echo "control-$control" >"$ctx/control"
  cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
ARG CANARY
COPY links /links
COPY control /control
WORKDIR /a/b/c
RUN --mount=type=bind,target=/ctx \
    for p in "$CANARY" "/proc/1/root$CANARY" "/proc/self/root$CANARY" "../../../../../../../..$CANARY" \
             /links/abs /links/rel "/links/dir/canary" /ctx/links/abs /ctx/links/rel /ctx/links/dir/canary; do \
      if cat "$p"; then echo "READ $p"; fi; \
    done; \
    if echo overwritten >> "$CANARY"; then echo "WROTE $CANARY"; fi; \
    if echo overwritten >> /links/abs; then echo "WROTE through /links/abs"; fi; \
    if (: >> /proc/1/exe); then echo "OPENED the builder binary for writing"; fi; \
    echo "init cmdline: $(busybox tr '\0' ' ' < /proc/1/cmdline)"; \
    if busybox tr "\\0" "\\n" < /proc/1/environ; then echo "READ init environ"; fi; \
    for l in abs rel dir; do echo "link $l -> $(busybox readlink /links/$l)"; done; \
    cat /control; \
    busybox cp -a /links /copied-links; cat /links/abs > /through-link 2>/dev/null; true
DF
  # The builder runs from a copy: if /proc/1/exe were writable only the copy would suffer.
  cp "$BUILDER" "$WORK/builder-copy"
  local sum
  sum=$(sha256sum <"$WORK/builder-copy")
  # The builder's environment holds the secret too: the RUN may not read it from /proc/1/environ.
  local real_builder=$BUILDER
  export BUILDER_ISOLATION_ENV="env-secret-$secret"
  BUILDER="$WORK/builder-copy"
  must_build "$ctx" --build-arg CANARY="$canary" -t files:test
  BUILDER=$real_builder
  unset BUILDER_ISOLATION_ENV
  [ "$(sha256sum <"$WORK/builder-copy")" = "$sum" ] || fail "a RUN modified the builder binary"
  [ "$(cat "$canary")" = "host-secret-$secret" ] || fail "a RUN changed the host canary"
  log_has "control-$control" || { cat "$WORK/log"; fail "the RUN output is not in the log (control missing)"; }
  if log_has "$secret"; then cat "$WORK/log"; fail "the host secret reached the build output"; fi
  if run_lines | grep -q "^READ \|^WROTE \|^OPENED "; then cat "$WORK/log"; fail "a RUN reached a host file"; fi
  run_lines | grep -qx "init cmdline: builder-init *" || { cat "$WORK/log"; fail "pid 1 shows the builder's argv"; }
  for l in abs rel dir; do
    run_lines | grep -qx "link $l -> $(readlink "$ctx/links/$l")" || { cat "$WORK/log"; fail "COPY did not keep links/$l a link"; }
  done

  # The image holds links, never the content behind them; the secret is nowhere in the store,
  # which the control token (found in it) shows is searchable.
  b debug unpack files:test "$WORK/files-rootfs" >/dev/null
  for l in links/abs copied-links/abs; do
    [ -L "$WORK/files-rootfs/$l" ] && [ "$(readlink "$WORK/files-rootfs/$l")" = "$canary" ] || fail "$l is not the link"
  done
  [ -s "$WORK/files-rootfs/through-link" ] && fail "the RUN read through the link"
  grep -rqs "control-$control" "$WORK/files-rootfs" || fail "control not found in the unpacked image"
  grep -rqs "$secret" "$WORK/files-rootfs" && fail "the host secret is in the image"
  local found_control=0 blob
  for blob in "$BUILDER_ROOT"/blobs/sha256/*; do
    if (gzip -dc "$blob" 2>/dev/null || cat "$blob") | grep -qa "$secret"; then fail "the host secret is in blob $blob"; fi
    if (gzip -dc "$blob" 2>/dev/null || cat "$blob") | grep -qa "control-$control"; then found_control=1; fi
  done
  [ $found_control = 1 ] || fail "control not found in any blob"

  # A COPY of a top-level symlink follows it only inside the context: the absolute target is
  # looked up under the context root, where it does not exist, so the copy fails.
  ln -s "$canary" "$ctx/toplink"
  printf 'FROM busybox\nCOPY toplink /toplink\n' >"$ctx/Dockerfile.top"
  if build "$ctx" -f "$ctx/Dockerfile.top" -t top:test; then
    b debug unpack top:test "$WORK/top-rootfs" >/dev/null
    grep -rqs "$secret" "$WORK/top-rootfs" && fail "COPY of a top-level link copied the host file"
  fi
  if log_has "$secret"; then cat "$WORK/log"; fail "the host secret reached the COPY output"; fi
  # ...while a link whose target lies inside the context is followed (the check can pass).
  ln -s control "$ctx/inlink"
  printf 'FROM busybox\nCOPY inlink /inlink\nRUN cat /inlink\n' >"$ctx/Dockerfile.in"
  must_build "$ctx" -f "$ctx/Dockerfile.in"
  log_has "control-$control" || fail "COPY of a link inside the context lost its content"

  # A bind mount of a link that leaves the context is refused.
  printf 'FROM busybox\nRUN --mount=type=bind,source=links/abs,target=/m cat /m\n' >"$ctx/Dockerfile.bind"
  build "$ctx" -f "$ctx/Dockerfile.bind" && fail "a bind mount followed a link out of the context"
  if log_has "$secret"; then cat "$WORK/log"; fail "the host secret reached the bind mount output"; fi
  note "files: host paths, /proc/1/root, .., context links, /proc/1/{exe,environ,cmdline} all closed"
}

# (b) A RUN sees only its own pid namespace: the shell is pid 2 under our init (pid 1), and a
# host process started for the test is invisible and unreachable.
part_pids() {
  local tag sleeper pid ctx
  tag=$(token)
  sleeper="$WORK/isolation-sleeper-$tag"
  cp "$(command -v sleep)" "$sleeper"
  "$sleeper" 300 &
  pid=$!
  add_cleanup "kill $pid 2>/dev/null"
  # The listing the RUN makes, made on the host: the sleeper is there (the check can fail).
  list_pids() { for d in /proc/[0-9]*; do echo "pid ${d#/proc/} $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"; done; }
  list_pids | grep -q "^pid $pid .*isolation-sleeper-$tag" || fail "the host listing misses the sleeper"
  ctx="$WORK/ctx-pids"
  mkdir -p "$ctx"
  cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
ARG HOST_PID
RUN echo "shell $$"; echo "init $(cat /proc/1/comm)"; \
    for d in /proc/[0-9]*; do echo "pid ${d#/proc/} $(busybox tr '\0' ' ' < $d/cmdline)"; done; \
    if busybox kill -0 "$HOST_PID"; then echo "SIGNALLED $HOST_PID"; fi; \
    if [ -e "/proc/$HOST_PID" ]; then echo "SEES $HOST_PID"; fi
DF
  must_build "$ctx" --build-arg HOST_PID="$pid"
  run_lines | grep -qx "shell 2" || { cat "$WORK/log"; fail "the RUN shell is not pid 2"; }
  run_lines | grep -qx "init builder" || { cat "$WORK/log"; fail "pid 1 is not the builder's init"; }
  local pids
  pids=$(run_lines | sed -n 's/^pid \([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' ')
  case "$pids" in "1 2 "*) ;; *) cat "$WORK/log"; fail "pids seen: $pids (want 1 2 ...)" ;; esac
  for p in $pids; do [ "$p" -le 10 ] || fail "a host-sized pid $p is visible: $pids"; done
  if log_has "isolation-sleeper-$tag" || run_lines | grep -q "^SIGNALLED\|^SEES"; then cat "$WORK/log"; fail "the host sleeper is visible"; fi
  kill -0 "$pid" || fail "the sleeper died during the build"
  note "pids: the RUN sees pids $pids only"
}

# (c) --network none leaves only lo, and a server on the host's 127.0.0.1 is unreachable; the
# same RUN with the default network reaches it.
part_network() {
  need_tool busybox
  local tag port srv ctx host_ifs
  tag=$(token)
  mkdir -p "$WORK/www"
  echo "net-$tag" >"$WORK/www/token"
  # busybox wget crashes on a refused connection; nc speaks the HTTP itself.
  fetch() { printf 'GET /token HTTP/1.0\r\n\r\n' | busybox nc -w 10 127.0.0.1 "$1" | tr -d '\r'; }
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 30000))
    busybox httpd -f -p "127.0.0.1:$port" -h "$WORK/www" 2>/dev/null &
    srv=$!
    for _ in $(seq 50); do
      fetch "$port" 2>/dev/null | grep -qx "net-$tag" && break 2
      kill -0 $srv 2>/dev/null || break
      sleep 0.1
    done
    kill $srv 2>/dev/null
    srv=""
  done
  [ -n "$srv" ] || fail "could not start busybox httpd on 127.0.0.1"
  add_cleanup "kill $srv 2>/dev/null"
  ctx="$WORK/ctx-net"
  mkdir -p "$ctx"
  cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
ARG PORT
RUN echo IFS-BEGIN; cat /proc/net/dev; echo IFS-END; \
    if printf 'GET /token HTTP/1.0\r\n\r\n' | busybox nc -w 10 127.0.0.1 "$PORT"; then echo; echo CONNECTED; else echo NO-CONNECTION; fi
DF
  must_build "$ctx" --build-arg PORT="$port" --network none
  local ifs
  ifs=$(run_lines | sed -n '/^IFS-BEGIN$/,/^IFS-END$/p' | grep -v '^IFS-' | interfaces)
  [ "$ifs" = "lo " ] || { cat "$WORK/log"; fail "--network none shows interfaces '$ifs'"; }
  run_lines | grep -qx NO-CONNECTION || { cat "$WORK/log"; fail "--network none reached the host server"; }
  if log_has "net-$tag"; then fail "--network none read the host server's token"; fi

  # The host's network (the default one is build_network.sh's, in a namespace of its own).
  must_build "$ctx" --build-arg PORT="$port" --network host
  run_lines | tr -d '\r' | grep -qx "net-$tag" && run_lines | grep -qx CONNECTED ||
    { cat "$WORK/log"; fail "--network host cannot reach the host server (so the check proves nothing)"; }
  host_ifs=$(interfaces </proc/net/dev)
  ifs=$(run_lines | sed -n '/^IFS-BEGIN$/,/^IFS-END$/p' | grep -v '^IFS-' | interfaces)
  [ "$ifs" = "$host_ifs" ] || fail "--network host interfaces '$ifs', host '$host_ifs'"
  [ "$host_ifs" = "lo " ] && note "the host has only lo: the interface check cannot tell the modes apart here"
  note "network: none -> lo only, no connection; host -> ${host_ifs}connected"
}

# (d) Rootless: `builder build` as uid 65534. In the RUN `id -u` is 0, but that root is the
# unprivileged host user: its uid map says so, host root's files show as the overflow uid, it
# has no capability over the host network, and what it writes is owned by 65534 on the host.
# The same build as host root shows the opposite (the checks can fail).
part_rootless() {
  need_tool setpriv
  need_tool unshare
  local rl="$WORK/rootless"
  chmod 755 "$WORK"
  mkdir -p "$rl/ctx"
  as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups \
      env -i PATH="$PATH" HOME="$rl" BUILDER_ROOT="$rl/store" TMPDIR="$rl" "$@"
  }
  as_nobody unshare -U true 2>/dev/null || skip "user namespaces are not available to unprivileged users"
  local bin="$BUILDER"
  as_nobody test -x "$bin" || { cp "$BUILDER" "$rl/builder"; bin="$rl/builder"; }
  cp "$WORK/rootfs.tar" "$rl/rootfs.tar"
  echo copied >"$rl/ctx/copied"
  cat >"$rl/ctx/Dockerfile" <<'DF'
FROM busybox
ARG LO_MTU
COPY copied /copied
WORKDIR /work
RUN --mount=type=cache,target=/cache echo "uid $(id -u)"; echo "map $(busybox head -1 /proc/self/uid_map | busybox tr -s ' ' | busybox sed 's/^ //')"; \
    echo "hosts-owner $(busybox stat -c %u /etc/hosts)"; \
    if busybox ip link set lo mtu "$LO_MTU" 2>/dev/null; then echo NET-ADMIN; else echo no-net-admin; fi; \
    echo made > /made-by-run; echo made > /cache/made-by-run; echo "cache-owner $(busybox stat -c %u /cache/made-by-run)"
DF
  chown -R 65534:65534 "$rl"
  as_nobody "$bin" import -c 'CMD ["sh"]' "$rl/rootfs.tar" busybox:latest >/dev/null 2>"$WORK/log" ||
    { cat "$WORK/log"; fail "rootless import failed"; }
  local mtu
  mtu=$(cat /sys/class/net/lo/mtu)
  as_nobody "$bin" build --progress plain --build-arg LO_MTU="$mtu" -t rootless:test "$rl/ctx" >/dev/null 2>"$WORK/log" ||
    { cat "$WORK/log"; fail "rootless build failed"; }
  run_lines | grep -qx "uid 0" || { cat "$WORK/log"; fail "the rootless RUN is not uid 0 inside"; }
  run_lines | grep -qx "map 0 65534 1" || { cat "$WORK/log"; fail "the rootless RUN's root is not host uid 65534"; }
  run_lines | grep -qx "hosts-owner 65534" || { cat "$WORK/log"; fail "host root's /etc/hosts is not the overflow uid inside"; }
  run_lines | grep -qx "no-net-admin" || { cat "$WORK/log"; fail "the rootless RUN changed a host network device"; }
  # A file the RUN wrote into its cache mount: root's inside, 65534's on the host.
  run_lines | grep -qx "cache-owner 0" || { cat "$WORK/log"; fail "the cache file is not root's inside"; }
  local made
  made=$(find "$rl/store/cache" -name made-by-run -type f | head -1)
  [ -n "$made" ] || fail "the RUN's cache file is not in the rootless store"
  [ "$(stat -c %u:%g "$made")" = 65534:65534 ] || fail "the RUN's cache file is owned by host $(stat -c %u:%g "$made")"
  # In the image the file belongs to root, as any `docker build` would record it.
  as_nobody "$bin" save rootless:test >"$WORK/rootless.tar" 2>"$WORK/log" || { cat "$WORK/log"; fail "save"; }
  mkdir -p "$WORK/saved"
  tar -C "$WORK/saved" -xf "$WORK/rootless.tar"
  local layer_owner="" blob
  for blob in "$WORK/saved"/blobs/sha256/* "$WORK"/saved/*/layer.tar; do
    [ -f "$blob" ] || continue
    layer_owner=$( (gzip -dc "$blob" 2>/dev/null || cat "$blob") | tar -tv --numeric-owner 2>/dev/null |
      awk '/made-by-run$/ {print $2}')
    [ -n "$layer_owner" ] && break
  done
  [ "$layer_owner" = "0/0" ] || fail "the layer records made-by-run as '$layer_owner', want 0/0"
  local copied_owner
  copied_owner=$(for blob in "$WORK/saved"/blobs/sha256/* "$WORK"/saved/*/layer.tar; do
    [ -f "$blob" ] && (gzip -dc "$blob" 2>/dev/null || cat "$blob") | tar -tv --numeric-owner 2>/dev/null
  done | awk '/ copied$/ {print $2}')
  [ "$copied_owner" = "0/0" ] || fail "the layer records the COPY as '$copied_owner', want 0/0"

  # Other owners would need a chown inside the user namespace: refused with the reason.
  printf 'FROM busybox\nCOPY --chown=1000:1000 copied /copied\n' >"$rl/ctx/Dockerfile.chown"
  chown 65534:65534 "$rl/ctx/Dockerfile.chown"
  if as_nobody "$bin" build -f "$rl/ctx/Dockerfile.chown" "$rl/ctx" >/dev/null 2>"$WORK/log"; then
    fail "a rootless COPY --chown=1000 claimed success"
  fi
  grep -q "rootless build can only create root-owned files" "$WORK/log" || { cat "$WORK/log"; fail "no reason for the refused --chown"; }

  # Host root, same Dockerfile: the opposite answers.
  BUILDER_ROOT="$WORK/store" must_build "$rl/ctx" --build-arg LO_MTU="$mtu"
  run_lines | grep -qx "map 0 0 4294967295" || { cat "$WORK/log"; fail "host root's build map"; }
  run_lines | grep -qx "hosts-owner 0" || { cat "$WORK/log"; fail "host root's build sees /etc/hosts as $(run_lines | grep hosts-owner)"; }
  # Host root itself has the capability the RUN lacks.
  busybox ip link set lo mtu "$mtu" || note "host root cannot set lo's mtu here: the capability check proves little"
  note "rootless: uid 0 inside = host 65534, host root unmapped, no host net admin, files owned by 65534"
}

# (e) A RUN does not outlive a builder killed outright (SIGKILL, the OOM killer): the sandbox's
# init dies with the builder, which ends the RUN's pid namespace.
part_orphans() {
  local mark ctx pid
  mark="sleep 3$((RANDOM % 9000 + 1000))"
  ctx="$WORK/ctx-orphans"
  mkdir -p "$ctx"
  printf 'FROM busybox\nRUN %s\n' "$mark" >"$ctx/Dockerfile"
  "$BUILDER" build --progress plain --no-cache "$ctx" >"$WORK/log" 2>&1 &
  pid=$!
  # Positive control: the probe sees the RUN while the builder lives.
  for _ in $(seq 1 100); do pgrep -f "$mark" >/dev/null && break; sleep 0.1; done
  pgrep -f "$mark" >/dev/null || { cat "$WORK/log"; fail "the RUN never showed up as '$mark'"; }
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  for _ in $(seq 1 50); do pgrep -f "$mark" >/dev/null || break; sleep 0.1; done
  if pgrep -f "$mark" >/dev/null; then
    pkill -KILL -f "$mark"
    fail "the RUN outlived its builder killed with SIGKILL"
  fi
  note "orphans: a RUN ends when its builder is killed outright"
}

case "$PART" in
  files | pids | network | rootless | orphans) "part_$PART" ;;
  "") for p in files pids network rootless orphans; do "part_$p"; done ;;
  *) fail "unknown part '$PART' (files, pids, network, rootless, orphans)" ;;
esac
note ok
