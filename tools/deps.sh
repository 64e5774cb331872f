# Sourced by tools/*: installs the Debian packages builder needs that are missing (root only).
# Usage: . tools/deps.sh; builder_install_deps [extra packages...]

BUILDER_BUILD_DEPS=(
  g++ cmake ninja-build pkg-config
  libarchive-dev nettle-dev nlohmann-json3-dev libcurl4-openssl-dev libzstd-dev zlib1g-dev
  libdeflate-dev
  doctest-dev libseccomp-dev libcap-dev libcli11-dev libnl-route-3-dev libnftables-dev
  python3-jsonschema busybox-static
)

builder_install_deps() {
  local want=("${BUILDER_BUILD_DEPS[@]}" "$@") missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "builder: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/builder-apt.log 2>&1 || {
    apt-get update >>/tmp/builder-apt.log 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/builder-apt.log 2>&1
  } || { echo "builder: apt-get failed; see /tmp/builder-apt.log" >&2; tail -20 /tmp/builder-apt.log >&2; return 1; }
}

# Configures and builds one tree: builder_build DIR [--target TARGET] [cmake args...]
# (every target unless --target names one; tools/demo needs only `builder`).
builder_build() {
  local dir=$1; shift
  local werror=OFF target=()
  [ -n "${CI:-}" ] && werror=ON
  if [ "${1:-}" = --target ]; then target=(--target "$2"); shift 2; fi
  cmake -S . -B "$dir" -G Ninja -DBUILDER_WERROR=$werror "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)" "${target[@]}"
}
