#!/usr/bin/env bash
# bench/fuzz.sh: builds the fuzz build (clang, -DDNSD_FUZZ=ON, in build-fuzz/) and runs every
# libFuzzer target of tests/fuzz for RUNS executions each (default 10 million), each bounded by
# SECONDS of wall time (default 1800), one target after another on one core. Prints per target
# the executions done, the executions per second, the corpus size and the crashes found; a crash
# input is kept as build-fuzz/fuzz-runs/<target>/crash-* and listed. Exit 1 if any crashed.
#
#   bench/fuzz.sh                          every target, 10M runs or 30 min each
#   RUNS=1000000 SECONDS_EACH=300 bench/fuzz.sh xfr admin
#   NO_BUILD=1 bench/fuzz.sh               use the targets already built
#
# The seed corpus of each target is copied into build-fuzz/fuzz-runs/<target>/corpus, so what
# the fuzzer adds stays out of the source tree. Run on a quiet machine: the figures are per core.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10000000}
seconds=${SECONDS_EACH:-1800}
build=build-fuzz
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(engine tsig config master_file admin xfr update)

if [ -z "${NO_BUILD:-}" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDNSD_FUZZ=ON $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) \
    >/dev/null || exit 1
  cmake --build "$build" -j "$(nproc)" $(printf -- '--target fuzz_%s ' "${targets[@]}") || exit 1
fi

seed_dir() {  # the source corpus of a target (the engine's predates the corpus_<target> names)
  [ "$1" = engine ] && echo tests/fuzz/corpus || echo "tests/fuzz/corpus_$1"
}

failed=0
printf '%-12s %12s %10s %8s %8s %s\n' target executions exec/s corpus crashes seconds >"$build/fuzz-summary.txt"
for target in "${targets[@]}"; do
  work="$build/fuzz-runs/$target"
  rm -rf "$work" && mkdir -p "$work" && cp -r "$(seed_dir "$target")" "$work/corpus" || exit 1
  start=$(date +%s)
  # -timeout: one input taking over 10 s is a finding too (a hang); -error_exitcode keeps
  # libFuzzer's own, so a crash is told apart from a run that ended at its limit.
  (cd "$work" && "../../tests/fuzz/fuzz_$target" -runs="$runs" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus >log.txt 2>&1)
  status=$?
  elapsed=$(($(date +%s) - start))
  executions=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log.txt" | grep -oE '[0-9]+$' | tail -1)
  speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$work/log.txt" | grep -oE '[0-9]+$' | tail -1)
  crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  corpus=$(find "$work/corpus" -type f | wc -l)
  # A run that died before printing its stats crashed too, even without an artifact.
  [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  printf '%-12s %12s %10s %8s %8s %s\n' "$target" "${executions:-?}" "${speed:-?}" "$corpus" \
    "$crashes" "$elapsed" | tee -a "$build/fuzz-summary.txt"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \)
    grep -m3 -E 'ERROR|SUMMARY|deadly signal' "$work/log.txt"
  fi
done
echo
cat "$build/fuzz-summary.txt"
exit $failed
