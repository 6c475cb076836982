#!/usr/bin/env bash
# userspace/engine/fuzz/run.sh FUZZER SECONDS
#
# Run one libFuzzer binary for SECONDS from an empty corpus and report it as
# one KTAP test: ok when it ran that long without a crash, a leak or a
# sanitizer report.  "make check" runs each fuzzer briefly; "make fuzz" runs
# them for FUZZ_SECONDS.
set -uo pipefail
fuzzer=$1 secs=$2
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "TAP version 13"
echo "1..1"
# Inputs as large as the largest handshake message the engine takes (64 KiB,
# and its header and framing), and any input slower than a second is a
# failure like a crash: slow inputs are denial of service.
"$fuzzer" -max_total_time="$secs" -max_len=70000 -timeout=1 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work" >"$work/log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)' "$work/log" | sed 's/^/# /'
if [ $rc -eq 0 ]; then
	echo "ok 1 $name (${secs}s)"
else
	tail -n 40 "$work/log" | sed 's/^/# /'
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$a" ] && echo "# reproducer: $(od -An -tx1 -v "$a" | tr -d ' \n')"
	done
	echo "not ok 1 $name (exit $rc)"
fi
exit $rc
