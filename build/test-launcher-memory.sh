#!/usr/bin/env bash
# Checks the memory options the launcher ./engram chooses (no build, no Java: the launcher stops
# after choosing them when ENGRAM_PRINT_MEMORY_OPTIONS=1). Run by core's LauncherMemoryOptionsTest.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
expect() { # expect "<wanted options>" <env assignments...> -- <launcher arguments...>
  local want="$1"; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local got
  got="$(env -u JAVA_OPTS -u ENGRAM_MEMORY "${envs[@]}" ENGRAM_PRINT_MEMORY_OPTIONS=1 ./engram "$@" 2>&1)"
  if [ "$got" != "$want" ]; then
    echo "FAIL: ${envs[*]} ./engram $*"; echo "  want: $want"; echo "  got:  $got"; failed=1
  fi
}
M=-Dorg.bytedeco.javacpp
# one run: heap 256 + 256 MB, the rest of a 4 GB budget off-heap, resident = budget + 512 MB
expect "-Xmx512m $M.maxBytes=3584m $M.maxPhysicalBytes=4608m" ENGRAM_MEMORY=4g -- run x.yaml
# runs side by side: 256 MB more heap each, at most a quarter of the budget
expect "-Xmx1024m $M.maxBytes=3072m $M.maxPhysicalBytes=4608m" ENGRAM_MEMORY=4g -- \
  run x.yaml --seeds 1..8 --workers 4
expect "-Xmx768m $M.maxBytes=3328m $M.maxPhysicalBytes=4608m" ENGRAM_MEMORY=4g -- \
  reproduce plan.yaml --workers=2
# the heap is at most a quarter of the budget
expect "-Xmx256m $M.maxBytes=768m $M.maxPhysicalBytes=1536m" ENGRAM_MEMORY=1g -- \
  run x.yaml --seeds 1..8 --workers 8
# the user's -Xmx wins; the off-heap limit is what the budget leaves
expect "$M.maxBytes=3072m $M.maxPhysicalBytes=4608m" ENGRAM_MEMORY=4g JAVA_OPTS=-Xmx1g -- run x.yaml
# the user's JavaCPP limits win
expect "-Xmx512m" ENGRAM_MEMORY=4g \
  "JAVA_OPTS=$M.maxBytes=2g $M.maxPhysicalBytes=3g" -- run x.yaml
# a bad budget is one line naming the fix (exit 2)
got="$(ENGRAM_MEMORY=lots ENGRAM_PRINT_MEMORY_OPTIONS=1 ./engram run x.yaml 2>&1)"; code=$?
if [ "$code" != 2 ] || [[ "$got" != *"Fix: e.g. ENGRAM_MEMORY=8g"* ]]; then
  echo "FAIL: ENGRAM_MEMORY=lots gave exit $code: $got"; failed=1
fi
# without ENGRAM_MEMORY: half of MemTotal (or of the cgroup limit, if smaller)
if [ -r /proc/meminfo ]; then
  got="$(env -u JAVA_OPTS -u ENGRAM_MEMORY ENGRAM_PRINT_MEMORY_OPTIONS=1 ./engram run x.yaml)"
  [[ "$got" == -Xmx*m\ $M.maxBytes=*m\ $M.maxPhysicalBytes=*m ]] || { echo "FAIL: default: $got"; failed=1; }
fi
[ "$failed" = 0 ] && echo "launcher memory options: all checks passed"
exit "$failed"
