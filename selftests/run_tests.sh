#!/bin/bash
# selftests/run_tests.sh [DIR]
#
# Run every program named in DIR/tests.list (default build/selftests) in
# order, each printing its own KTAP.  A program that dies without reporting
# gets a "not ok" line of its own, so nothing fails silently.
dir=${1:-$(dirname "$0")/../build/selftests}
[ -r "$dir/tests.list" ] || { echo "run_tests: $dir/tests.list missing (run make)"; exit 2; }
rc=0
while read -r t; do
	[ -n "$t" ] || continue
	echo "# selftest: $t ($(uname -r))"
	"$dir/$t"
	r=$?
	if [ $r -ne 0 ]; then
		rc=1
		case $r in
		1) ;; # the harness's "some test failed": its KTAP says which
		*) echo "not ok - $t exited with status $r" ;;
		esac
	fi
done < "$dir/tests.list"
exit $rc
