#!/usr/bin/env bash
# The main job as a new user runs it: `sknas compare` with its defaults, timed by /usr/bin/time -v (CPU seconds
# and wall), once as it is and once beside a CPU-bound process (`python -c "while True: pass"`, killed after),
# which takes one of the cores as a busy machine does. Writes benchmarks/results/main_job.md.
#
#     bash benchmarks/main_job.sh            # both runs
#     bash benchmarks/main_job.sh busy       # only the run beside the CPU-bound process
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-"quiet busy"}
md=$(mktemp)
echo "Command: \`/usr/bin/time -v sknas compare\` (its defaults; output in a fresh folder), $(nproc) cores," \
    "$(date -u +%F), sknas at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- sknas || echo ' (modified)')," \
    "load average (1, 5, 15 min) before each run below" > "$md"
for run in $runs; do
    out=$(mktemp -d)
    report=$(mktemp)
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    busy=""
    if [ "$run" = busy ]; then
        python -c "while True: pass" &
        busy=$!
    fi
    # Each printed line is stamped with the seconds since the start, to report when the first ones appear.
    start=$(date +%s.%N)
    PYTHONUNBUFFERED=1 /usr/bin/time -v -o "$report" sknas compare --output "$out" 2>&1 \
        | python -u -c 'import sys, time; t0 = float(sys.argv[1])
for line in sys.stdin: print(f"{time.time() - t0:8.1f} {line}", end="")' "$start" > "$out/stdout.txt"
    if [ -n "$busy" ]; then kill "$busy"; fi
    {
        echo
        if [ "$run" = busy ]; then
            echo "## Beside a CPU-bound process (one of the cores busy)"
        else
            echo "## As it is"
        fi
        echo
        echo "- Load average before the run: $load"
        grep -E "Elapsed \(wall clock\)|User time|System time|Percent of CPU|Maximum resident" "$report" \
            | sed 's/^\s*/- /'
        echo "- First line printed after: $(head -1 "$out/stdout.txt" | awk '{print $1}') s"
        echo "- First trial-level progress line after: $(grep -m1 ' trials ' "$out/stdout.txt" | awk '{print $1}') s"
        echo
        echo "The table it printed:"
        echo
        cut -c10- "$out/stdout.txt" | grep "^|"
    } >> "$md"
    rm -rf "$out" "$report"
done
mv "$md" benchmarks/results/main_job.md
cat benchmarks/results/main_job.md
