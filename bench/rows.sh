# Sourced by the bench scripts: the rows bench/run gathers into its one table.
# bench_row CASE BUILDER_SECONDS PEER PEER_SECONDS [BUILDER_RSS_KB] [PEER_RSS_KB]
# appends one tab-separated row to $BENCH_ROWS when bench/run set it (a no-op otherwise).
bench_row() {
  [ -n "${BENCH_ROWS:-}" ] || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" "${6:-}" >>"$BENCH_ROWS"
}
# peak_rss_kb CMD...: peak RSS in kB of one extra, untimed run of CMD (the largest process it
# waited for; for a daemon's client, such as docker build, only the client's).
peak_rss_kb() {
  local f
  f=$(mktemp)
  /usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || true
  tail -1 "$f"
  rm -f "$f"
}
