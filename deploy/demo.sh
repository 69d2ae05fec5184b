#!/usr/bin/env bash
# The best demonstration fulei has so far, on a fresh Debian 12 machine.
# Today that is the CRDT core: it builds the project and runs the crdt benchmarks and a
# property test that merges thousands of random concurrent editing histories in shuffled
# orders and checks every replica ends byte-identical, with concurrent edits kept as conflicts.
# The multi-node demo (villages, towns and the city syncing) arrives with the sync issue.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
fulei_install_packages

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"

echo
echo "== 福蕾 fulei demo: CRDT core =="
echo "Merging thousands of random concurrent edit histories in shuffled order (with duplicates):"
build/default/tests/crdt/crdt_record_property_test --gtest_brief=1
echo
echo "Merge and encoding rates (ops/s):"
build/default/bench/crdt/crdt_bench --benchmark_min_time=0.2
echo
echo "What this shows: fulei's records converge whatever order edits arrive in; concurrent"
echo "edits to one field are kept side by side as a conflict for a person to resolve."
echo "It does not yet show nodes, sync, urgent reports or the admin web."
