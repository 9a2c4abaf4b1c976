#!/bin/bash
# Every message in the sources of po/POTFILES has its Chinese translation (docs/i18n.md): the
# messages are extracted afresh, as po/meson.build does, and merged with po/zh_CN.po; a message
# left untranslated or fuzzy fails here, naming it, so a new string cannot ship in English only.
. "$(dirname "$0")/lib.sh"
: "${REG_XGETTEXT_ARGS:?run me through meson test}"
for tool in xgettext msgmerge msgfmt msgattrib; do
	command -v $tool >/dev/null || { echo "Bail out! $tool missing (install gettext)"; exit 1; }
done

# extract DIR POTFILES OUT: the messages of POTFILES (paths relative to DIR) into OUT.
extract() {
	# shellcheck disable=SC2086 # the arguments are words without spaces
	(cd "$1" && xgettext $REG_XGETTEXT_ARGS --files-from="$2" -o "$3")
}
# untranslated PO POT: the msgids of POT that PO lacks or has fuzzy, on stdout.
untranslated() {
	msgmerge --quiet --no-fuzzy-matching "$1" "$2" -o merged.po &&
	msgattrib --untranslated --no-obsolete merged.po >missing.po &&
	msgattrib --only-fuzzy --no-obsolete merged.po >>missing.po &&
	grep '^msgid "..*"' missing.po || :
}

test_expect_success 'every message of po/POTFILES is translated in po/zh_CN.po' '
	extract "$SRC" po/POTFILES "$PWD/regkit.pot" &&
	test "$(grep -c "^msgid " regkit.pot)" -gt 600 &&
	untranslated "$SRC/po/zh_CN.po" regkit.pot >missing &&
	test_cmp /dev/null missing &&
	msgfmt --check --statistics -o /dev/null merged.po 2>stats &&
	! grep -q "untranslated\|fuzzy" stats
'

test_expect_success 'the check catches a new message without its translation' '
	mkdir -p src/libreg &&
	cp "$SRC/libreg/errors.c" src/libreg/ &&
	printf "%s\n" "static const char *f(void) { return _(\"a brand new message\"); }" \
		>src/libreg/new.c &&
	printf "libreg/errors.c\nlibreg/new.c\n" >src/POTFILES &&
	extract src "$PWD/src/POTFILES" "$PWD/new.pot" &&
	untranslated "$SRC/po/zh_CN.po" new.pot >missing &&
	grep -qx "msgid \"a brand new message\"" missing &&
	! grep -q "more problem" missing
'

# uncovered DIR POTFILES: the sources of DIR that POTFILES should list and does not, on stdout:
# every tool's main (cmd/*.c: its usage and --help are messages), and every libreg/*.c in which
# xgettext, with po/meson.build's keywords, finds a message.
uncovered() {
	grep -v "^#" "$2" | LC_ALL=C sort >listed &&
	(cd "$1" && ls libreg/*.c cmd/*.c) | LC_ALL=C sort >all &&
	LC_ALL=C comm -13 listed all >left-out &&
	while read -r f; do
		case $f in
		cmd/*) echo "$f" ;;
		*)
			# shellcheck disable=SC2086 # the arguments are words without spaces
			n=$(cd "$1" && xgettext $REG_XGETTEXT_ARGS --force-po -o - "$f" | grep -c "^msgid ") ||
				return 1
			test "$n" -le 1 || echo "$f"
			;;
		esac
	done <left-out
}

test_expect_success 'po/POTFILES names only files that exist, every tool, every libreg source with a message' '
	grep -v "^#" "$SRC/po/POTFILES" >listed &&
	while read -r f; do test -f "$SRC/$f" || { echo "missing: $f"; return 1; }; done <listed &&
	uncovered "$SRC" "$SRC/po/POTFILES" >forgotten &&
	test_cmp /dev/null forgotten
'

test_expect_success 'the check catches a source with messages, or a tool, left out of po/POTFILES' '
	rm -rf src && mkdir -p src/libreg src/cmd &&
	cp "$SRC/libreg/status.c" "$SRC/libreg/errors.c" src/libreg/ &&
	cp "$SRC/cmd/reg-apply.c" "$SRC/cmd/reg-issue.c" src/cmd/ &&
	printf "%s\n" "static const char *f(void) { return _(\"a brand new message\"); }" \
		>src/libreg/new.c &&
	printf "%s\n" "static int g(int x) { return x + 1; }" >src/libreg/quiet.c &&
	printf "%s\n" "reg_err_set(errp, REG_EIO, NULL, 0, NULL, \"an error of its own\");" \
		>src/libreg/errs.c &&
	printf "cmd/reg-issue.c\nlibreg/errors.c\n" >src/POTFILES &&
	uncovered src src/POTFILES >forgotten &&
	printf "%s\n" cmd/reg-apply.c libreg/errs.c libreg/new.c libreg/status.c >expect &&
	test_cmp expect forgotten
'
test_done
