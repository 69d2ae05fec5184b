#!/usr/bin/env bash
# The best demonstration fulei has so far, on a fresh Debian 12 machine.
#
# It builds fulei and runs `fulei sim`: Jinjiang city's network — the city bureau, its 19 towns
# and streets (deploy/jinjiang-units.json) and three village children's homes under each — in
# one process. Every node has its own LMDB store, its own keys and certificate, the real Noise
# channel and the real sync protocol; only the network and the clock are simulated. For 20
# simulated minutes directors and town officers write the programme's records (children,
# helpers, pairings, contacts, activities — each validated) and file urgent reports while links
# drop, partition and reorder, nodes crash (village Pis reboot believing it is 1970, or restart
# with a clock years ahead), and relays tamper with what they forward. Then the network heals,
# and the run checks that every node holds identical records, no acknowledged edit was lost, no
# forged edit was accepted, every urgent report came back with its receipts from the town and
# the city, and every town's and the city's dashboard counters equal a recount.
#
# Not shown yet: real sockets between separate node processes (`fulei run`, issue 16) and the
# admin web (issue 17).
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
fulei_install_packages

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target fulei

echo
echo "== 福蕾 fulei 演示 demo: 晋江市 Jinjiang city network =="
build/default/node/fulei sim --units deploy/jinjiang-units.json --villages 3 --seeds 2
echo
echo "三个试点镇街 The plan's three pilot units, 10 villages each:"
build/default/node/fulei sim --units deploy/jinjiang-units.json --pilot --villages 10 --seed 7
