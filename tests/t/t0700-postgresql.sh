#!/bin/bash
# One registry for a whole service hall: the tools on a PostgreSQL registry (docs/registry.md,
# docs/deployment.md) — the same archives as on SQLite, windows, departments and issuers at
# once, the server lost in the middle of a batch, copies between the backends, least-privilege
# roles, and a password that never shows.  Needs REG_TEST_PG, a libpq URI whose role may create
# databases and roles (scripts/pg-cluster start prints one; bootstrap test starts it).
. "$(dirname "$0")/lib.sh"

if [ -z "${REG_TEST_PG:-}" ]; then
	if [ -n "${REG_TEST_PG_REQUIRED:-}" ]; then
		echo "not ok 1 - a PostgreSQL server to test against (REG_TEST_PG is not set)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP no PostgreSQL server: set REG_TEST_PG (sh scripts/pg-cluster start DIR prints one)"
	exit 0
fi

export SOURCE_DATE_EPOCH=1795395600 # 2026-11-23T09:00:00+08:00, the fixtures' day
PG_CLUSTER="sh $SRC/scripts/pg-cluster"
ID=t0700_$$
# A second server of our own for the fault tests: they stop it, and the shared one serves the
# other tests running meanwhile.  Its folder is outside $TRASH, which only root may enter.
FAULT_DIR=$(mktemp -d "/tmp/regkit-t0700.XXXXXX")
cleanup() {
	test_pg_drop_all
	$PG_CLUSTER stop "$FAULT_DIR" >/dev/null 2>&1
	rm -rf "$TRASH" "$FAULT_DIR"
}
trap cleanup EXIT

# The whole registry as text, to compare two: every table in key order; approvals and events
# by dossier in the order recorded (the tools of a pipeline work on different dossiers at once,
# so only each dossier's own order is the same from run to run), without their ids (which a
# PostgreSQL identity may skip after a crash) and without the events a rerun adds by design
# (reissued); through a copy into an SQLite file.
canonical() {
	local copy
	copy=$(mktemp -u "$TRASH/canonical.XXXXXX").db
	reg-registry copy --from "$1" --to "$copy" >/dev/null || return 1
	sqlite3 "$copy" "
		SELECT 'serial', * FROM serials ORDER BY name;
		SELECT 'dossier', * FROM dossiers ORDER BY number;
		SELECT 'body', * FROM bodies ORDER BY number, version;
		SELECT 'name', * FROM names ORDER BY authority, name;
		SELECT 'commitment', * FROM commitments ORDER BY number, material;
		SELECT 'approval', number, item, dept, verdict, at, reviewer, body_digest, time_text,
		       reasons, signature, key_id FROM approvals ORDER BY number, id;
		SELECT 'issuance', * FROM issuances ORDER BY number;
		SELECT 'archive', uscc, edition, number, made_at, sha256, hex(bytes) FROM archives
		       ORDER BY uscc, edition;
		SELECT 'seal', * FROM seals ORDER BY code;
		SELECT 'slip', * FROM slips ORDER BY number, item, step;
		SELECT 'event', at, kind, number, detail FROM events WHERE kind NOT IN ('reissued', 'resubmitted')
		       ORDER BY number, id;"
}

# The README pipeline on one registry; exit 0, or 1 when some dossier was not approved.
pipeline() {
	local status=0
	reg-apply --db "$1" "$FIXTURES/apps.csv" | reg-approve --db "$1" --all |
		reg-merge --db "$1" | reg-issue --db "$1" -o out >issued.tsv || status=$?
	[ "$status" -le 1 ]
}

test_expect_success 'the README pipeline on PostgreSQL gives the same archives, byte for byte, as on SQLite' '
	db=$(test_pg_db ${ID}_readme) &&
	mkdir pg sqlite &&
	(cd pg && pipeline "$db") &&
	(cd sqlite && pipeline registry.db) &&
	test -s pg/issued.tsv && test_cmp sqlite/issued.tsv pg/issued.tsv &&
	(cd sqlite/out && ls) >names && test "$(wc -l <names)" -ge 10 &&
	while read -r f; do cmp "sqlite/out/$f" "pg/out/$f" || exit 1; done <names &&
	(cd pg && canonical "$db") >pg.txt && (cd sqlite && canonical registry.db) >sqlite.txt &&
	test_cmp sqlite.txt pg.txt &&
	reg-status --db "$db" >pg-status && reg-status --db sqlite/registry.db >sqlite-status &&
	test_cmp sqlite-status pg-status &&
	reg-verify --db "$db" pg/out/*.tar.gz >verified && ! grep -v "	ok	" verified
'

test_expect_success 'the window'\''s day on PostgreSQL: supplement, notices, lookup, as on SQLite' '
	db=$(test_pg_db ${ID}_day) &&
	for reg in "$db" registry.db; do
		d=$( [ "$reg" = registry.db ] && echo sqlite || echo pg ) &&
		mkdir $d && (
			cd $d && test_accept_lvyuan "$reg" 2026-11-23T09:00:00+08:00 &&
			num=150302-20261123-000001 &&
			reg-approve --db "$reg" --now 2026-11-23T10:00:00+08:00 --dept commerce \
				--dossier $num --item recycling --verdict supplement --reviewer 王芳 \
				--reason "请补正场地证明" accepted.xml >/dev/null 2>&1 &&
			reg-notice --db "$reg" --now 2026-11-23T11:00:00+08:00 -o n receipt $num >/dev/null &&
			reg-notice --db "$reg" --now 2026-11-23T11:00:00+08:00 -o n onetime $num >/dev/null &&
			echo "场地证明（清晰版）" >materials/lvyuan/site-v2.txt &&
			reg-supply --db "$reg" --now 2026-11-24T10:00:00+08:00 $num \
				recycling-site-proof=materials/lvyuan/site-v2.txt >supplied.xml 2>/dev/null &&
			reg-status --db "$reg" --format json $num >lookup.json
		) || return 1
	done &&
	for f in n/150302-20261123-000001-receipt.svg n/150302-20261123-000001-onetime.svg \
		supplied.xml lookup.json; do
		cmp sqlite/$f pg/$f || return 1
	done &&
	python3 -c "import json,sys; json.load(open(sys.argv[1]))" pg/lookup.json
'

# pg_clone FROM NAME — a new database NAME, a copy of database FROM (no one connected to it);
# prints its URI.  Dropped at the end like test_pg_db's.
pg_clone() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$REG_TEST_PG" -c "CREATE DATABASE $2 TEMPLATE $1" \
		>/dev/null || return 1
	printf '%s|%s\n' "$2" "$REG_TEST_PG" >>"$TRASH/pg-databases"
	printf '%s\n' "$REG_TEST_PG" | sed "s|^\(postgres[a-z]*://[^/?]*\)/[^?]*|\1/$2|"
}

# kill_stage DB STAGE [WRAPPER…] — reg-apply or reg-issue of two.csv's pipeline on DB.
kill_stage() {
	local db=$1 stage=$2
	shift 2
	case $stage in
	apply) "$@" reg-apply --db "$db" two.csv >accepted.xml ;;
	issue) "$@" reg-issue --db "$db" -j 2 -o out merged.xml >issued.tsv ;;
	esac 2>>stderr.txt
}

test_expect_success 'SIGKILL at every message to the server: a rerun ends exactly where no kill did' '
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" &&
	cp -r "$FIXTURES/materials" . && head -n 3 "$FIXTURES/apps.csv" >two.csv &&
	ref=$(test_pg_db ${ID}_kref) &&
	kill_stage "$ref" apply && reg-approve --db "$ref" --all accepted.xml >approved.xml &&
	reg-merge --db "$ref" approved.xml >merged.xml &&
	psql -X -q -d "$REG_TEST_PG" -c "CREATE DATABASE ${ID}_kmerged TEMPLATE ${ID}_kref" &&
	printf "%s|%s\n" ${ID}_kmerged "$REG_TEST_PG" >>"$TRASH/pg-databases" &&
	kill_stage "$ref" issue && test "$(wc -l <issued.tsv)" = 2 &&
	(cd out && sha256sum -- *) >ref-out.txt &&
	canonical "$ref" | grep -v "^event|" >ref.txt &&
	cp merged.xml merged-ref.xml &&
	for stage in apply issue; do
		n=1 && killed=0 &&
		while :; do
			rm -rf out accepted.xml issued.tsv && cp merged-ref.xml merged.xml &&
			if [ $stage = apply ]; then
				db=$(test_pg_db ${ID}_k${stage}$n)
			else
				db=$(pg_clone ${ID}_kmerged ${ID}_k${stage}$n)
			fi &&
			kill_stage "$db" $stage strace -f -qq -o /dev/null \
				-e inject=sendto:signal=SIGKILL:when=$n
			code=$?
			[ $code = 137 ] || break
			killed=$((killed + 1)) &&
			: the rerun, and the rest of the pipeline &&
			kill_stage "$db" $stage || { echo "$stage rerun after a kill at sendto $n failed"; return 1; }
			if [ $stage = apply ]; then
				reg-approve --db "$db" --all accepted.xml >approved.xml &&
				reg-merge --db "$db" approved.xml >merged.xml &&
				kill_stage "$db" issue || return 1
			fi &&
			(cd out && sha256sum -- *) >out.txt && test_cmp ref-out.txt out.txt &&
			canonical "$db" | grep -v "^event|" >got.txt && test_cmp ref.txt got.txt ||
				{ echo "$stage killed at sendto $n"; return 1; }
			n=$((n + 1))
		done &&
		: the tool was killed at every one of its messages, then ran to the end &&
		test $code = 0 && test $killed -ge 5 || { echo "$stage: code $code after $killed kills"; return 1; }
	done
'

test_expect_success 'copy round trip: SQLite to PostgreSQL and back, and pg_dump/pg_restore: the same rows and reg-status' '
	mkdir demo && (cd demo && pipeline registry.db) &&
	db=$(test_pg_db ${ID}_copy) &&
	reg-registry copy --from demo/registry.db --to "$db" >to-pg &&
	grep -q "^events	[1-9]" to-pg && grep -q "^archives	[1-9]" to-pg &&
	reg-registry copy --from "$db" --to back.db >to-sqlite &&
	test_cmp to-pg to-sqlite &&
	sqlite3 demo/registry.db .dump | sort >original.sql &&
	sqlite3 back.db .dump | sort >round-trip.sql &&
	test_cmp original.sql round-trip.sql &&
	reg-status --db demo/registry.db >a && reg-status --db "$db" >b && reg-status --db back.db >c &&
	test_cmp a b && test_cmp a c &&
	test_expect_code 73 reg-registry copy --from back.db --to "$db" 2>err &&
	grep -q "not empty" err &&
	restored=$(test_pg_db ${ID}_restored) &&
	pg_dump -Fc -d "$db" -f hall.dump &&
	pg_restore --no-owner -d "$restored" hall.dump &&
	reg-status --db "$restored" >d && test_cmp a d &&
	reg-registry copy --from "$restored" --to restored.db >/dev/null &&
	sqlite3 restored.db .dump | sort >restored.sql && test_cmp original.sql restored.sql
'

test_expect_success 'two windows, eleven departments and two issuers at once: nothing lost or doubled' '
	db=$(test_pg_db ${ID}_hall) &&
	python3 "$SRC/bench/gen-apps.py" --seed 11 40 >apps.csv &&
	head -1 apps.csv >one.csv && cp one.csv two.csv &&
	sed -n "2,21p" apps.csv >>one.csv && sed -n "22,41p" apps.csv >>two.csv &&
	reg-registry init --db "$db" >/dev/null || exit 1
	{ reg-apply --db "$db" --window 01 one.csv >acc1.xml 2>err1; echo $? >st1; } &
	{ reg-apply --db "$db" --window 02 two.csv >acc2.xml 2>err2; echo $? >st2; } &
	wait
	depts=$(reg-approve --list-depts | cut -f1) && test "$(echo $depts | wc -w)" = 11 || exit 1
	for d in $depts; do
		{ reg-approve --db "$db" --dept $d acc1.xml acc2.xml >$d.xml 2>$d.err; echo $? >$d.st; } &
	done
	wait
	reg-merge --db "$db" acc1.xml acc2.xml $(echo $depts | sed "s/\([a-z]*\)/\1.xml/g") \
		>merged.xml 2>merge.err
	echo $? >merge.st
	{ reg-issue --db "$db" -o out1 merged.xml >issued1 2>ierr1; echo $? >ist1; } &
	{ reg-issue --db "$db" -o out2 merged.xml >issued2 2>ierr2; echo $? >ist2; } &
	wait
	cat *.st st1 st2 ist1 ist2 | sort | uniq -c &&
	! grep -qv "^\(0\|1\|75\)$" *.st st1 st2 ist1 ist2 &&
	test "$(cat st1)" = 0 && test "$(cat st2)" = 0 &&
	test "$(test_rows "$db" dossiers)" = 40 &&
	test "$(test_sql "$db" "SELECT count(DISTINCT number) FROM dossiers")" = 40 &&
	test "$(test_sql "$db" "SELECT value FROM serials WHERE name LIKE '\''acceptance:%'\''")" = 40 &&
	test "$(test_sql "$db" "SELECT count(*) FROM dossiers WHERE window_id = '\''01'\''")" = 20 &&
	test "$(test_sql "$db" "SELECT count(DISTINCT name) FROM names")" = 40 &&
	test "$(test_sql "$db" "SELECT count(*) FROM dossiers WHERE state = '\''issued'\''")" = 40 &&
	test "$(test_sql "$db" "SELECT count(DISTINCT uscc) FROM issuances")" = 40 &&
	test "$(test_sql "$db" "SELECT value FROM serials WHERE name LIKE '\''uscc:%'\''")" = 40 &&
	test "$(test_sql "$db" "SELECT count(DISTINCT code) FROM seals")" = 200 &&
	test "$(test_sql "$db" "SELECT value FROM serials WHERE name LIKE '\''seal:%'\''")" = 200 &&
	test "$(test_sql "$db" "SELECT count(*) FROM archives")" = 40 &&
	cat issued1 issued2 | cut -f1 | sort -u >usccs && test "$(wc -l <usccs)" = 40 &&
	for f in out1/*.tar.gz; do
		test ! -f "out2/${f#out1/}" || cmp "$f" "out2/${f#out1/}" || exit 1
	done
'

test_expect_success 'roles: each machine with exactly the grants of schemas/postgresql-roles.sql' '
	db=$(test_pg_db ${ID}_roles) &&
	reg-registry init --db "$db" >init.out && grep -q "registry schema version" init.out &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$SRC/schemas/postgresql-roles.sql" &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "
		DROP ROLE IF EXISTS ${ID}_w, ${ID}_d, ${ID}_i, ${ID}_a;
		CREATE ROLE ${ID}_w LOGIN IN ROLE regkit_window;
		CREATE ROLE ${ID}_d LOGIN IN ROLE regkit_department;
		CREATE ROLE ${ID}_i LOGIN IN ROLE regkit_issuer;
		CREATE ROLE ${ID}_a LOGIN IN ROLE regkit_auditor" &&
	as() { printf "%s&user=%s\n" "$db" "${ID}_$1"; } &&
	status=0 &&
	reg-apply --db "$(as w)" "$FIXTURES/apps.csv" | reg-approve --db "$(as d)" --all |
		reg-merge --db "$(as d)" | reg-issue --db "$(as i)" -o out >issued.tsv || status=$? &&
	test "$status" -le 1 && test "$(wc -l <issued.tsv)" -ge 10 &&
	reg-status --db "$(as a)" >status.out &&
	reg-verify --db "$(as a)" out/*.tar.gz >verified && ! grep -v "	ok	" verified &&
	python3 "$SRC/bench/gen-apps.py" --seed 5 1 >new.csv &&
	test_expect_code 73 reg-apply --db "$(as a)" new.csv >/dev/null 2>err &&
	grep -q "permission denied" err
'

test_expect_success 'a role that may not create the schema is told how to make it (exit 73)' '
	db=$(test_pg_db ${ID}_nocreate) &&
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "DROP ROLE IF EXISTS ${ID}_n; CREATE ROLE ${ID}_n LOGIN" &&
	test_expect_code 73 reg-apply --db "$db&user=${ID}_n" "$FIXTURES/apps.csv" >out 2>err &&
	grep -q "reg-registry init" err && test ! -s out &&
	test "$(test_sql "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = '\''public'\''")" = 0 &&
	test_expect_code 66 reg-status --db "$db" >/dev/null 2>err2 && grep -q "does not exist" err2
'

test_expect_success 'a lost password never appears in any message (exit 74, the server named)' '
	wrong="$REG_TEST_PG&port=1&password=secret" &&
	test_expect_code 74 reg-status --db "$wrong" >out 2>err &&
	grep -q "^reg-status: postgresql://regkit@" err && grep -q ":1/" err &&
	test_expect_code 74 reg-apply --db "$wrong" "$FIXTURES/apps.csv" >>out 2>>err &&
	test_expect_code 74 reg-registry init --db "postgresql://regkit:secret@/x?host=/nonexistent" >>out 2>>err &&
	test_expect_code 78 reg-registry init --db "postgresql://regkit:secret@[::1" >>out 2>>err &&
	cat err && ! grep -q secret err out
'

# The fault tests: a server of our own, stopped at once (pg_ctl stop -m immediate) in the middle
# of a batch, then started again.
FAULT_PG=$($PG_CLUSTER start "$FAULT_DIR") || FAULT_PG=""

# wait_rows DB TABLE N — until the table holds N rows (or 60 s pass).
wait_rows() {
	local i=0
	while [ "$i" -lt 600 ]; do
		[ "$(test_rows "$1" "$2" 2>/dev/null || echo 0)" -ge "$3" ] 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

test_expect_success 'the server lost in the middle of reg-apply and of reg-issue: a clear error, no partial archive, the reruns finish as if nothing happened' '
	test -n "$FAULT_PG" &&
	python3 "$SRC/bench/gen-apps.py" --seed 7 300 >apps.csv &&
	ref=$(test_pg_db ${ID}_ref "$FAULT_PG") && db=$(test_pg_db ${ID}_fault "$FAULT_PG") &&
	mkdir ref run &&
	(cd ref && reg-apply --db "$ref" ../apps.csv >accepted.xml &&
		reg-approve --db "$ref" --all accepted.xml | reg-merge --db "$ref" >merged.xml &&
		reg-issue --db "$ref" -o out merged.xml >/dev/null) &&
	cd run || exit 1
	{ reg-apply --db "$db" ../apps.csv >accepted1.xml 2>apply.err; echo $? >apply.st; } &
	wait_rows "$db" dossiers 20 && $PG_CLUSTER crash "$FAULT_DIR" || exit 1
	wait
	cat apply.err && test "$(wc -l <apply.err)" = 1 &&
	: wherever the server went, during the name rule too: the clear 74 &&
	test "$(cat apply.st)" = 74 &&
	grep -q "^reg-apply: postgresql://regkit@.*: the registry server went away" apply.err &&
	$PG_CLUSTER start "$FAULT_DIR" >/dev/null &&
	n=$(test_rows "$db" dossiers) && test "$n" -gt 0 && test "$n" -lt 300 &&
	test "$(grep -c "<acceptance " accepted1.xml)" = "$n" &&
	: the rerun hands back the dossiers accepted before the crash and accepts the rest &&
	reg-apply --db "$db" ../apps.csv >accepted2.xml 2>rerun.err &&
	test "$(grep -c "the same dossier, written again$" rerun.err)" = "$n" &&
	test "$(test_rows "$db" dossiers)" = 300 &&
	cmp accepted2.xml ../ref/accepted.xml &&
	reg-approve --db "$db" --all accepted2.xml | reg-merge --db "$db" >merged.xml &&
	cmp merged.xml ../ref/merged.xml || exit 1
	{ reg-issue --db "$db" -o out merged.xml >issued.tsv 2>issue.err; echo $? >issue.st; } &
	wait_rows "$db" archives 10 && $PG_CLUSTER crash "$FAULT_DIR" || exit 1
	wait
	cat issue.err && test "$(cat issue.st)" = 74 &&
	grep -q "^reg-issue: postgresql://regkit@.*: the registry server went away" issue.err &&
	! ls -A out | grep -v "^[0-9A-Z]*\.tar\.gz$" &&
	$PG_CLUSTER start "$FAULT_DIR" >/dev/null &&
	n=$(test_rows "$db" archives) && test "$n" -lt 300 &&
	for f in out/*.tar.gz; do
		test "$(sha256sum <"$f" | cut -d" " -f1)" = \
		     "$(test_sql "$db" "SELECT sha256 FROM archives WHERE uscc = '\''$(basename "$f" .tar.gz)'\''")" ||
			exit 1
	done &&
	reg-issue --db "$db" -o out merged.xml >issued.tsv &&
	test "$(ls out | wc -l)" = 300 &&
	for f in out/*.tar.gz; do cmp "$f" "../ref/$f" || exit 1; done &&
	cd .. &&
	(cd ref && canonical "$ref") >ref.txt && (cd run && canonical "$db") >run.txt &&
	test_cmp ref.txt run.txt
'

test_done
