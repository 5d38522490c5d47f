#!/usr/bin/env bash
# The main job's wall time, as a new user runs it: `sknas compare` with its defaults (on two idle cores).
# Writes benchmarks/results/main_job.md with the full /usr/bin/time -v report.
#
#     bash benchmarks/main_job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
report=$(mktemp)
/usr/bin/time -v sknas compare --output "$out" > "$out/stdout.txt" 2> "$report"
{
    echo "Command: \`/usr/bin/time -v sknas compare\` (its defaults; output in a fresh folder), $(nproc) cores, $(date -u +%F)"
    echo
    grep -E "Elapsed \(wall clock\)|User time|System time|Percent of CPU|Maximum resident" "$report" | sed 's/^\s*/- /'
    echo
    echo "The table it printed:"
    echo
    grep "^|" "$out/stdout.txt"
} > benchmarks/results/main_job.md
cat benchmarks/results/main_job.md
