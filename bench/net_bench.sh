#!/usr/bin/env bash
# Start-to-first-byte of a published port: `run -d -p PORT:80 IMG httpd` until curl gets the
# page on the namespace's own address, builder against podman on the same busybox-static image (podman with its own
# store in a temp dir, as run_bench.sh). Everything runs in a network namespace of its own, so
# neither tool's bridge or rules touch the host's network. Prints medians (ms) and the ratio; a
# podman that cannot publish ports here only drops its column (and says why).
# Needs root, busybox, curl. Usage: bench/net_bench.sh [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rows.sh
if [ -z "${IN_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root (bridges, nftables)" >&2; exit 1; }
  IN_NETNS=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
# The host address curl uses: a veth end of this namespace (CNI's portmap leaves 127.0.0.1 out
# without route_localnet on its bridge; both tools DNAT every local address).
ip link add hostif type veth peer name hostif-peer
ip addr add 192.0.2.1/24 dev hostif
ip link set hostif up
ip link set hostif-peer up
ADDR=192.0.2.1
RUNS=${1:-5}
BUILDER=${BUILDER:-$PWD/build/tools/builder/builder}
[ -x "$BUILDER" ] || { echo "build builder first" >&2; exit 1; }
for t in busybox curl python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
HAVE_PODMAN=0; command -v podman >/dev/null && HAVE_PODMAN=1
WORK=$(mktemp -d /tmp/builder-net-bench-XXXXXX)
export BUILDER_ROOT="$WORK/store"
CLEANUPS=()
cleanup() {
  local c m
  for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
  for m in $(awk -v w="$WORK" '$2 ~ "^"w {print $2}' /proc/self/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

root="$WORK/rootfs-src"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/www"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh httpd sleep; do ln -s busybox "$root/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
echo first-byte >"$root/www/index.html"
tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$WORK/rootfs.tar" .
"$BUILDER" import -c 'ENV PATH=/bin' "$WORK/rootfs.tar" bench/net:1 >/dev/null 2>&1
CLEANUPS+=('"$BUILDER" rm -f $("$BUILDER" ps -a -q) >/dev/null 2>&1')

if [ "$HAVE_PODMAN" = 1 ]; then
  mkdir -p "$WORK/podman"
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
    "$WORK/podman/storage" "$WORK/podman/run" >"$WORK/podman/storage.conf"
  # Podman 4.3 here uses CNI. Its built-in `podman` network is 10.88.0.0/16 on cni-podman0, the
  # very subnet of builder's default `bridge` network made first in this namespace: two bridges
  # with one route, and podman's published port never answered. So podman gets a network of its
  # own (another subnet) from a config dir of the bench's, whose host-local leases stay in $WORK
  # too instead of /var/lib/cni (which a bench must not leave anything in).
  mkdir -p "$WORK/podman/cni" "$WORK/podman/cni-leases"
  cat >"$WORK/podman/cni/benchnet.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "benchnet", "plugins": [
  {"type": "bridge", "bridge": "cni-bench0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$WORK/podman/cni-leases", "routes": [{"dst": "0.0.0.0/0"}],
            "ranges": [[{"subnet": "10.123.0.0/24", "gateway": "10.123.0.1"}]]}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "firewall"}, {"type": "tuning"}]}
CNI
  # default_ulimits: crun's setrlimit of podman's default nofile fails here without them.
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n[network]\nnetwork_backend = "cni"\nnetwork_config_dir = "%s"\ndefault_network = "benchnet"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
    "$WORK/podman/cni" >"$WORK/podman/containers.conf"
  export CONTAINERS_CONF="$WORK/podman/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/podman/storage.conf"
  podman import -q -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/bench/net:1 >/dev/null
  CLEANUPS+=('podman rm -f -a -t 0 >/dev/null 2>&1; podman rmi -a -f >/dev/null 2>&1')
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# first_byte TOOL PORT: ms from `TOOL run -d -p` to the page answering (fails after 20 s).
first_byte() {
  local tool=$1 port=$2 t0 t1=""
  t0=$(now_ms)
  $tool run -d --name nb -p "$port:80" "$3" httpd -f -p 80 -h /www >/dev/null 2>"$WORK/err" || return 1
  while [ $(($(now_ms) - t0)) -lt 20000 ]; do
    curl -fsS -m 1 "http://$ADDR:$port/" 2>/dev/null | grep -q first-byte && { t1=$(now_ms); break; }
    sleep 0.01
  done
  [ -n "$t1" ] || echo "no answer on $ADDR:$port within 20 s" >>"$WORK/err"
  $tool rm -f nb >/dev/null 2>&1 || true
  [ -n "$t1" ] || return 1
  echo $((t1 - t0))
}
series() {  # TOOL IMAGE: RUNS measurements, one per line
  local i
  for i in $(seq "$RUNS"); do first_byte "$1" $((18000 + i)) "$2" || return 1; done
}

b=$(series "$BUILDER" bench/net:1 | median) || { cat "$WORK/err" >&2; echo "builder failed" >&2; exit 1; }
p=""
if [ "$HAVE_PODMAN" = 1 ]; then
  p=$(series podman localhost/bench/net:1 | median) || { p=""; echo "podman cannot publish a port here: $(head -c 300 "$WORK/err")" >&2; }
fi
bench_row "run -d -p: first byte" "$(python3 -c "print($b/1000)")" "podman$([ -n "$p" ] || echo ' (failed)')" \
  "$([ -n "$p" ] && python3 -c "print($p/1000)")"
echo "$RUNS runs each, medians in ms (run -d -p until the first byte on $ADDR)"
printf '%-12s %9s %9s %10s\n' op builder podman b/podman
ratio=$([ -n "$p" ] && python3 -c "print(f'{$b/$p:.2f}')" || echo -)
printf '%-12s %9s %9s %10s\n' first-byte "$b" "${p:--}" "$ratio"
