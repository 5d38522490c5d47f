#!/usr/bin/env bash
# The documentation build as `tox -e docs` runs it (`sphinx-build -W -b html docs docs/_build/html`: warnings are
# errors, the gallery examples run), from a clean tree (no earlier build, generated pages or gallery output),
# timed by /usr/bin/time -v (CPU seconds and wall), with each gallery example's time as sphinx-gallery measures
# it. Writes benchmarks/results/docs_build.md. Run it in the environment of the docs extras:
#
#     pip install -e ".[docs]"        # after the CPU build of torch (README)
#     bash benchmarks/docs_build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf docs/_build docs/generated docs/auto_examples docs/_auto docs/sg_execution_times.rst docs/_api_hypernet.rst
md=$(mktemp)
report=$(mktemp)
log=$(mktemp)
load=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
/usr/bin/time -v -o "$report" sphinx-build -W -b html docs docs/_build/html > "$log" 2>&1 || status=$?
{
    echo "Command: \`/usr/bin/time -v sphinx-build -W -b html docs docs/_build/html\` (the command of \`tox -e docs\`)," \
        "from a clean tree, $(nproc) cores, $(date -u +%F), sknas at $(git rev-parse --short HEAD)$(git diff --quiet \
        HEAD -- sknas docs || echo ' (modified)'), load average before the build: $load"
    echo
    python -c 'import importlib.metadata as m, platform
print("Versions: python " + platform.python_version() + ", " + ", ".join(
    f"{p} {m.version(p)}" for p in ("sphinx", "sphinx-gallery", "numpydoc", "myst-parser", "pydata-sphinx-theme",
                                    "torch", "optuna", "scikit-learn", "skorch")))'
    echo
    if [ "$status" = 0 ]; then echo "Result: passed (no warning)"; else echo "Result: FAILED (exit $status):"; \
        grep -E "WARNING|ERROR" "$log" | sed 's/^/    /' | head -20; fi
    echo
    grep -E "Elapsed \(wall clock\)|User time|System time|Percent of CPU|Maximum resident" "$report" | sed 's/^\s*/- /'
    echo
    echo "Each gallery example (wall, as sphinx-gallery measures it, docs/auto_examples/sg_execution_times.rst):"
    echo
    echo "| example | time (min:s) |"
    echo "|---|---|"
    # the rows of the table: ":ref:`...` (``plot_x.py``)" then "- mm:ss.sss"
    awk '/``plot_.*\.py``/ { match($0, /``[^`]*``/); name = substr($0, RSTART + 2, RLENGTH - 4); getline; \
        sub(/^ *- */, ""); print "| " name " | " $0 " |" }' docs/auto_examples/sg_execution_times.rst 2>/dev/null
} > "$md"
rm -f "$report" "$log"
mv "$md" benchmarks/results/docs_build.md
cat benchmarks/results/docs_build.md
exit "$status"
