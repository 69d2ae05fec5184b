#!/usr/bin/env bash
# The best demonstration fulei has so far, on a fresh Debian 12 machine.
#
# It builds fulei and runs `fulei demo`: Jinjiang city's network as real processes on this
# machine's loopback — the city bureau, the plan's three pilot units 磁灶镇, 池店镇 and 西园街道,
# and three village children's homes under each, every one a `fulei run` daemon with its own data
# directory, keys, certificate and port. Each node is set up exactly as an operator would: `fulei
# init` for the city, then `fulei invite` and `fulei join` over the network for every town and
# village (villages name the city as their fallback). The villages fill with generated, plainly
# synthetic records (names marked 演示). A live table shows every node's records, link, last sync,
# urgent backlog and reports in flight; every 20 s an urgent report is filed at a village and its
# receipts from the town and the city appear; once, a town is stopped, a report reaches the city
# by the fallback, and the town is restarted and converges. Ctrl-C stops every process and
# removes the temporary data.
#
# Every node also serves its admin web at https://127.0.0.1:PORT/ (`--web` on init and join; a
# self-signed certificate, so the browser warns: compare the SHA-256 fingerprint the demo prints
# and proceed). The demo accounts are made with `fulei user add` (the town keeps its villages'
# accounts and sends them down) and log in at their own node: `city` (民政局 city bureau) at the
# city, `sup-<town>` (儿童督导员 supervisor) and `office-<town>` (社会事务办 town office) at each
# town, `dir-<town>-<village>` (儿童主任 director) at each village, and one caring parent
# (爱心家长) `parent-<town>-<village>` when a village has a helper marked as one; all share the
# demo-only password fulei-demo-2026. The addresses and logins are printed before the live table
# and in its footer.
#
# Options go to `fulei demo` (fulei demo --help): e.g. ./deploy/demo.sh --towns 19
# --villages-per-town 2, --minutes 5, --seed 7, --keep DIR to keep the nodes' data.
#
# The deterministic simulator, which shows what the live demo cannot — partitions, crashes,
# clocks years off and tampering relays, then a check that every node converged — is
# `build/default/node/fulei sim --units deploy/jinjiang-units.json`; it is no longer run here.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
fulei_install_packages

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target fulei

exec build/default/node/fulei demo "$@"
