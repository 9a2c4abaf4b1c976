#!/bin/bash
# t0335 — the progress line (docs/progress.md): drawn on a terminal when standard output is not
# a pipe, never in a pipeline's inner stages, forced by --progress, silenced by --quiet; SIGUSR1
# asks for one status line.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1795395600

# on_tty OUT ERR CMD… — run CMD with standard error on a pseudo-terminal, standard output to OUT
# (a file, or "|" for a pipe), what the terminal showed into ERR.
on_tty() {
	python3 - "$@" <<-\PY
	import os, pty, signal, subprocess, sys
	signal.alarm(120)  # never hang the suite
	out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
	master, slave = pty.openpty()
	sink = subprocess.PIPE if out == "|" else open(out, "wb")
	p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=sink, stderr=slave)
	os.close(slave)
	if out == "|":
	    import threading
	    threading.Thread(target=p.stdout.read, daemon=True).start()
	seen = b""
	while True:
	    try:
	        chunk = os.read(master, 4096)
	    except OSError:
	        break
	    if not chunk:
	        break
	    seen += chunk
	open(err, "wb").write(seen)
	sys.exit(p.wait())
	PY
}

# lines FILE — what a terminal showed, one redrawing per line.
lines() {
	tr "\r" "\n" <"$1" | sed "s/^$(printf "\033")\[K//"
}

batch() {
	python3 "$SRC/bench/gen-apps.py" -o apps.csv 200
}

test_expect_success 'a terminal sees the progress line, ending with the whole count' '
	batch &&
	on_tty accepted.xml tty reg-apply --db r.db apps.csv &&
	grep -q "reg-apply: [0-9]* applications, [0-9]*/s" tty &&
	: the line is redrawn in place, not scrolled &&
	grep -q "$(printf "\r\033\\[K")reg-apply:" tty &&
	lines tty | grep -q "^reg-apply: 200 applications, [0-9]*/s$" &&
	: and the dossiers are all there &&
	test "$(grep -c "<dossier " accepted.xml)" = 200
'

test_expect_success 'a percentage and the time left when the input is a file of known size' '
	batch &&
	on_tty accepted.xml tty reg-apply --db r.db apps.csv &&
	lines tty | grep -q "^reg-apply: [0-9]* applications, [0-9]*/s, [0-9]*%, [0-9]*:[0-9][0-9] left"
'

test_expect_success 'no line when standard output is a pipe, nor when standard error is a file' '
	batch &&
	on_tty "|" tty reg-apply --db r.db apps.csv &&
	test ! -s tty &&
	reg-apply --db r2.db apps.csv >accepted.xml 2>err &&
	test ! -s err
'

test_expect_success '--progress forces it, --quiet silences it' '
	batch &&
	reg-apply --db r.db --progress apps.csv >accepted.xml 2>err &&
	lines err | grep -q "^reg-apply: 200 applications" &&
	on_tty accepted2.xml tty reg-apply --db r2.db --quiet apps.csv &&
	test ! -s tty &&
	: every batch stage has them &&
	reg-approve --db r.db --all --progress accepted.xml 2>err >approved.xml &&
	lines err | grep -q "^reg-approve: 200 dossiers" &&
	reg-merge --db r.db --progress approved.xml 2>err >merged.xml &&
	lines err | grep -q "^reg-merge: 200 dossiers" &&
	reg-issue --db r.db --progress -o out merged.xml 2>err >issued.tsv &&
	lines err | grep -q "^reg-issue: 200 dossiers"
'

test_expect_success 'SIGUSR1 prints one status line, whatever the mode' '
	batch &&
	python3 - <<-\PY
	import os, signal, subprocess, sys, time
	signal.alarm(120)  # never hang the suite
	rows = open("apps.csv", "rb").read().splitlines(keepends=True)
	err = open("err", "wb")
	p = subprocess.Popen(["reg-apply", "--db", "r.db", "--quiet", "-c", "-"], stdin=subprocess.PIPE,
	                     stdout=subprocess.PIPE, stderr=err)
	p.stdin.write(rows[0] + rows[1] + rows[2]); p.stdin.flush()
	# the two applications are accepted and written at once (they came alone)
	got = b""
	while got.count(b"</dossier>") < 2:
	    chunk = os.read(p.stdout.fileno(), 65536)
	    if not chunk:
	        sys.exit("reg-apply ended early")
	    got += chunk
	p.send_signal(signal.SIGUSR1)
	time.sleep(0.2)
	p.stdin.write(rows[3]); p.stdin.close()
	p.stdout.read()
	sys.exit(p.wait())
	PY
	test "$(grep -c "^reg-apply: 3 applications, [0-9]*/s" err)" = 1
'

test_done
