#!/usr/bin/env bash
# The main job's wall time, as a new user runs it: `sknas compare` with its defaults (on two idle cores).
# Writes benchmarks/results/main_job.md with the full /usr/bin/time -v report.
#
#     bash benchmarks/main_job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
report=$(mktemp)
# Each printed line is stamped with the seconds since the start, to report when the first one appears.
start=$(date +%s.%N)
PYTHONUNBUFFERED=1 /usr/bin/time -v -o "$report" sknas compare --output "$out" 2>&1 \
    | python -u -c 'import sys, time; t0 = float(sys.argv[1])
for line in sys.stdin: print(f"{time.time() - t0:8.1f} {line}", end="")' "$start" > "$out/stdout.txt"
{
    echo "Command: \`/usr/bin/time -v sknas compare\` (its defaults; output in a fresh folder), $(nproc) cores, $(date -u +%F)"
    echo
    grep -E "Elapsed \(wall clock\)|User time|System time|Percent of CPU|Maximum resident" "$report" | sed 's/^\s*/- /'
    echo "- First line printed after: $(head -1 "$out/stdout.txt" | awk '{print $1}') s"
    echo
    echo "The table it printed:"
    echo
    cut -c10- "$out/stdout.txt" | grep "^|"
} > benchmarks/results/main_job.md
cat benchmarks/results/main_job.md
