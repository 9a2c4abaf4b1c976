#!/bin/bash
# t0020 — the repository documents itself.  A reader of a comment, a test or a page must find
# what it cites in this tree: no tracked file refers to the team's design document, which is
# not part of the repository (what the code relies on of it is in docs/, docs/architecture.md
# and the pages it names); every page docs/*.md that a tracked file names is a tracked file; a
# section cited with it (docs/formats.md, "Archive" or docs/formats.md ("Archive")) is a
# heading of that page or a paragraph's bold lead-in (**Lengths.**), or the start of one; and
# every relative link of a Markdown file leads to a tracked file.  The checks run on the source
# tree, and on small trees made to break each rule, so they are known to fail when a citation
# rots.
. "$(dirname "$0")/lib.sh"

# The word is put together so that this file does not mention it itself.
outside=DES
outside=${outside}IGN

# tracked ROOT — the files of ROOT that count, NUL-separated, relative to ROOT: what git tracks
# (the index), or for a tree that is not a git checkout every file outside .git and build*/.
tracked() {
	if command -v git >/dev/null &&
		[ -z "$(git -C "$1" rev-parse --show-prefix 2>/dev/null || echo no)" ]; then
		git -C "$1" ls-files -z
	else
		(cd "$1" && find . \( -name .git -o -name 'build*' \) -prune -o -type f -print0 |
			sed -z 's|^\./||')
	fi
}

# check_docs ROOT — print every broken rule of ROOT, one line each; exit 1 when there is one.
check_docs() {
	local root=$1 list hits page section file link dir target bad=0
	list=$(mktemp) hits=$(mktemp)
	tracked "$root" | tr '\0' '\n' | LC_ALL=C sort >"$list"
	: >"$hits"
	# 1. the outside design document, under any of its names
	(cd "$root" && tr '\n' '\0' <"$list" | xargs -0 -r grep -IHnsw -e "$outside" --) \
		>>"$hits" || :
	# 2. a page docs/*.md: a tracked file
	(cd "$root" && tr '\n' '\0' <"$list" |
		xargs -0 -r grep -IHnoEs 'docs/[A-Za-z0-9_./-]+\.md' --) |
	while IFS= read -r line; do
		page=${line#*:*:}
		grep -qxF -- "$page" "$list" || echo "$line: no such page"
	done >>"$hits"
	# 3. docs/*.md, "Section" and docs/*.md ("Section"): a heading or a bold lead-in that
	#    starts so
	(cd "$root" && tr '\n' '\0' <"$list" |
		xargs -0 -r grep -IHnoEs 'docs/[A-Za-z0-9_./-]+\.md(, "[^"]+"| \("[^"]+"\))' --) |
	while IFS= read -r line; do
		page=${line#*:*:}
		page=${page%%.md*}.md
		section=${line#*\"}
		section=${section%%\"*}
		[ -f "$root/$page" ] || continue  # reported by 2
		awk -v s="$section" '(sub(/^#+ +/, "") || sub(/^\*\*/, "")) && index($0, s) == 1 {
				found = 1 }
			END { exit !found }' "$root/$page" ||
			echo "$line: no section \"$section\" in $page"
	done >>"$hits"
	# 4. relative links of Markdown files: [text](path) and ![alt](path)
	grep '\.md$' "$list" | while IFS= read -r file; do
		dir=$(dirname "$file")
		grep -noE '\]\([^)#[:space:]]+' "$root/$file" | while IFS= read -r link; do
			target=${link#*](}
			case $target in *:*) continue ;; esac   # a URL
			target=$(realpath -m --relative-to="$root" "$root/$dir/$target")
			grep -qxF -- "$target" "$list" ||
				echo "$file:${link%%:*}: link to $target: no such file"
		done
	done >>"$hits"
	[ -s "$hits" ] && bad=1
	cat "$hits"
	rm -f "$list" "$hits"
	return $bad
}

test_expect_success 'the source tree cites only what it holds' '
	check_docs "$SRC" >problems; cat problems; test ! -s problems
'

# A small tree that keeps every rule, as a git checkout when git is there.  Its folder is named
# through $d, so that none of the examples below reads as a citation of this tree.
d=docs
make_tree() {
	mkdir -p tree/$d tree/libreg tree/build-x &&
	printf "# Formats\n\n## Archive — the tar\n" >tree/$d/formats.md &&
	printf "See [formats](formats.md) and ![x](img.png).\n" >tree/$d/index.md &&
	: >tree/$d/img.png &&
	printf "/* The archive ($d/formats.md, \"Archive\"). */\n" >tree/libreg/a.h &&
	printf "$d/gone.md %s.md\n" "$outside" >tree/build-x/ignored.txt &&
	if command -v git >/dev/null; then
		git -C tree init -q && git -C tree add "$d" libreg
	fi
}

test_expect_success 'a tree that keeps them passes (build folders, untracked files do not count)' '
	make_tree &&
	check_docs tree >problems; cat problems; test ! -s problems
'

test_expect_success 'a tracked file naming the outside design document fails' '
	make_tree &&
	printf "x\n/* as %s.md §3 says */\n" "$outside" >tree/libreg/b.c &&
	{ ! command -v git >/dev/null || git -C tree add libreg/b.c; } &&
	test_must_fail check_docs tree >problems &&
	grep -q "^libreg/b.c:2:" problems
'

test_expect_success 'a cited docs/ page that does not exist fails' '
	make_tree &&
	printf "# see $d/format.md\n" >tree/libreg/c.sh &&
	{ ! command -v git >/dev/null || git -C tree add libreg/c.sh; } &&
	test_must_fail check_docs tree >problems &&
	grep -q "^libreg/c.sh:1:$d/format.md: no such page" problems
'

test_expect_success 'a page that exists but is not tracked fails' '
	command -v git >/dev/null || return 0
	make_tree &&
	printf "# New\n" >tree/$d/new.md &&
	printf "($d/new.md)\n" >>tree/libreg/a.h &&
	test_must_fail check_docs tree >problems &&
	grep -q "$d/new.md: no such page" problems
'

test_expect_success 'a cited section that the page lacks fails' '
	make_tree &&
	printf "/* $d/formats.md (\"Archives\") */\n" >>tree/libreg/a.h &&
	test_must_fail check_docs tree >problems &&
	grep -q "no section \"Archives\" in $d/formats.md" problems
'

test_expect_success 'a broken relative link of a Markdown page fails' '
	make_tree &&
	printf "[old](old.md)\n" >>tree/$d/index.md &&
	test_must_fail check_docs tree >problems &&
	grep -q "^$d/index.md:2: link to $d/old.md: no such file" problems
'

test_done
