/*
 * tarball — the issuance archive <USCC>.tar.gz (docs/formats.md, "Archive"): a deterministic
 * writer for reg-issue, a hostile-proof in-memory reader for reg-verify and reg-diff, and the
 * signed MANIFEST between them.
 *
 * FORMAT (what the writer produces, byte for byte)
 *   - gzip (libdeflate level 6, REG_ARCHIVE_GZIP_LEVEL), header MTIME 0 and no FNAME, one
 *     member, no padding
 *     after it; inside, a pax-restricted tar (ustar headers; a pax record only for a name that
 *     does not fit ustar), ended by the two zero blocks;
 *   - one top directory <top>/ (the USCC) holding everything;
 *   - ENTRY ORDER: every directory first, then every regular file; each group sorted by the
 *     entry's name as stored, compared byte by byte (strcmp: unsigned bytes, no locale).
 *     Directory names are stored with a trailing '/' ("<top>/", "<top>/seals/").  As a parent's
 *     name is a prefix of its children's, this puts every directory before its contents;
 *     directories are implied by the files (no empty directories);
 *   - every entry: mtime = the issuance time (whole seconds), uid 0, gid 0, no uname or gname,
 *     no atime, ctime or birthtime, mode 0755 for directories and 0644 for files;
 *   - NAMES: each component is 1–255 characters of the POSIX portable filename set
 *     [A-Za-z0-9._-], neither "." nor ".."; the whole stored name at most 255 bytes.  So names
 *     are ASCII (pax never converts them through the locale) and need no escaping in MANIFEST.
 * Same files + same top + same mtime ⇒ the same bytes, whatever TZ, locale or process.
 *
 * MANIFEST is `sha256sum -c` input, run inside <top>/: one line "<64 lower-case hex>  <path>\n"
 * per file, paths relative to <top>/, every file but MANIFEST and MANIFEST.sig themselves,
 * sorted byte-wise by path (the archive's own file order).  MANIFEST.sig is the raw 64-byte
 * Ed25519 signature of MANIFEST (sign.h), checkable with `openssl pkeyutl -verify -rawin`.
 *
 * reg-issue:  w = reg_archive_writer_new(uscc, issued_at) → reg_archive_add_file() for every
 *             document → reg_archive_add_signed_manifest(w, key) → reg_archive_write_atomic(w,
 *             outdir, "<USCC>.tar.gz", sha256) → record sha256 in the registry.
 *             reg_archive_clean_stale(outdir) once at start-up removes what killed runs left.
 * reg-verify: reg_archive_load(path) → reg_archive_check_manifest(entries, public key) →
 *             compare reg_archive_sha256() with the registry's digest (equal bytes: then the
 *             archive is canonical too; without the registry, reg_archive_canonical() tells
 *             whether the tar is exactly what the writer makes of its files).
 *
 * READER.  An archive to verify is untrusted.  Nothing is ever written to disk: the whole file
 * is read into memory (at most REG_ARCHIVE_MAX_COMPRESSED) and every entry into memory; no
 * external program ever runs (gzip + tar support only, never archive_read_support_filter_all).
 * It is refused — REG_ENO, the archive "is not genuine" (exit 1, docs/exit-codes.md), the
 * message naming the offending entry when there is one — when:
 *   - the file is over REG_ARCHIVE_MAX_COMPRESSED;
 *   - it is not a gzip file (an uncompressed tar included), gzip inside gzip, not a tar inside;
 *   - the gzip stream is truncated or corrupt (CRC, length), or anything follows it (a second
 *     member or trailing bytes);
 *   - an entry is a symbolic link, hard link, device, fifo, socket or anything else that is
 *     not a regular file or a directory; a sparse file;
 *   - a name is absolute, has an empty, "." or ".." component, a character outside the
 *     portable set (non-ASCII, controls, spaces…), is over 255 bytes or cannot be read (the
 *     name judged is the one libarchive reports: a pax `path` record beats the ustar field);
 *   - an entry lies outside the single top directory (a file at top level, a second top);
 *   - a name appears twice (a directory and a file count as the same name), or a file stands
 *     where another entry needs a directory;
 *   - an entry is over REG_ARCHIVE_MAX_ENTRY, there are more than REG_ARCHIVE_MAX_ENTRIES
 *     entries, the files total over REG_ARCHIVE_MAX_TOTAL, or the stream expands more than
 *     REG_ARCHIVE_MAX_RATIO times its compressed size once past REG_ARCHIVE_RATIO_FLOOR
 *     (a decompression bomb is stopped while it expands, not after);
 *   - it holds no file at all.
 * A file that is not gzip or tar at all is REG_ENO too, not REG_EDATA: reg-verify reports any
 * archive it cannot accept as `path<TAB>invalid<TAB>reason`, and "not genuine" is the answer.
 * A missing or unreadable file is REG_ENOINPUT, a read error REG_EIO.
 *
 * Writer errors: a name outside the rules or a duplicate is REG_EDATA; going over the caps is
 * REG_EDATA (the writer never makes what the reader would refuse); the atomic write's
 * creation failures (directory missing, temp file, rename) are REG_ECANTCREAT, write and fsync
 * failures REG_EIO.
 *
 * Nothing here keeps global state; a writer or an entry set belongs to one thread at a time.
 */
#ifndef REG_TARBALL_H
#define REG_TARBALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errors.h"
#include "sign.h"

#define REG_ARCHIVE_MAX_NAME 255                 /* bytes of a stored entry name */
#define REG_ARCHIVE_MAX_ENTRY (64u << 20)        /* bytes of one file */
#define REG_ARCHIVE_MAX_ENTRIES 10000            /* files and directories */
#define REG_ARCHIVE_MAX_TOTAL (256u << 20)       /* bytes of all files together */
#define REG_ARCHIVE_MAX_COMPRESSED (64u << 20)   /* bytes of the .tar.gz file */
#define REG_ARCHIVE_RATIO_FLOOR (16u << 20)      /* expanded bytes before the ratio counts */
#define REG_ARCHIVE_MAX_RATIO 100                /* expanded : compressed */
#define REG_ARCHIVE_GZIP_LEVEL 6

#define REG_ARCHIVE_MANIFEST "MANIFEST"
#define REG_ARCHIVE_MANIFEST_SIG "MANIFEST.sig"

/* ---- writer ---------------------------------------------------------------------------- */

typedef struct reg_archive_writer reg_archive_writer;

/* top_dir: the single top directory, one portable-name component (the USCC); mtime: the
 * issuance instant, seconds since the epoch (≥ 0), stamped on every entry. */
reg_archive_writer *reg_archive_writer_new(const char *top_dir, int64_t mtime, reg_err **errp);
/* Add a regular file (data copied) at relpath below the top directory, e.g.
 * "registrations/03-tax-registration.xml"; its parent directories are implied.  Order of
 * calls does not matter. */
int reg_archive_add_file(reg_archive_writer *w, const char *relpath, const void *data, size_t len,
			 reg_err **errp);
/* The MANIFEST text of the files added so far (except MANIFEST and MANIFEST.sig), NUL
 * terminated; *len (when not NULL) excludes the NUL.  Caller frees. */
int reg_archive_manifest(const reg_archive_writer *w, char **text, size_t *len, reg_err **errp);
/* Make MANIFEST, sign it with the private key and add both MANIFEST and MANIFEST.sig: the last
 * step before writing. */
int reg_archive_add_signed_manifest(reg_archive_writer *w, const reg_sign_key *key,
				    reg_err **errp);
/* The archive bytes in a new buffer (caller frees).  The writer is not consumed: writing again
 * gives the same bytes. */
int reg_archive_write_mem(const reg_archive_writer *w, unsigned char **buf, size_t *len,
			  reg_err **errp);
/* The uncompressed tar stream the .tar.gz holds (the same entries): what
 * reg_archive_canonical compares against. */
int reg_archive_write_tar_mem(const reg_archive_writer *w, unsigned char **buf, size_t *len,
			      reg_err **errp);
/* Write the archive as dir/final_name without ever showing a partial file under that name:
 * create dir/.<final_name>.tmp.<pid> (O_EXCL), write, fsync, rename over final_name (an
 * existing file of that name is replaced), fsync the directory.  On any failure nothing is
 * left: the temporary file is removed (and the final name, if only the directory fsync
 * failed).  sha256_hex (may be NULL) receives the SHA-256 of the archive bytes — the digest
 * the registry records.  final_name is one portable-name component not starting with '.'. */
int reg_archive_write_atomic(const reg_archive_writer *w, const char *dir, const char *final_name,
			     char sha256_hex[65], reg_err **errp);
/* Remove, in dir, the temporary files killed runs left: regular files (not symlinks or
 * directories) named exactly "." NAME ".tmp." PID with NAME non-empty and PID all digits,
 * whose process no longer exists (kill(PID, 0) fails with ESRCH) — so a run issuing in the same
 * directory at the same time keeps its file.  Returns the number removed, -1 on error. */
int reg_archive_clean_stale(const char *dir, reg_err **errp);
void reg_archive_writer_free(reg_archive_writer *w);

/* ---- reader ---------------------------------------------------------------------------- */

typedef struct reg_archive_entries reg_archive_entries;

typedef struct reg_archive_file {
	const char *path;          /* relative to the top directory: "seals/01-official.svg" */
	const unsigned char *data; /* len bytes, plus a NUL after them for text convenience */
	size_t len;
} reg_archive_file;

/* Load and check a whole archive (see READER above).  The *out set is the caller's. */
int reg_archive_load(const char *path, reg_archive_entries **out, reg_err **errp);
/* The same from an open stream (stdin: name "-"); reads to its end, does not close it. */
int reg_archive_load_fp(FILE *fp, const char *name, reg_archive_entries **out, reg_err **errp);
/* The same from bytes in memory, read during the call only; name is what errors call the
 * archive. */
int reg_archive_load_mem(const void *buf, size_t len, const char *name, reg_archive_entries **out,
			 reg_err **errp);

/* The top directory's name (the USCC the archive claims, unchecked). */
const char *reg_archive_top(const reg_archive_entries *e);
/* The files (directories are not listed), sorted byte-wise by path. */
size_t reg_archive_count(const reg_archive_entries *e);
const reg_archive_file *reg_archive_at(const reg_archive_entries *e, size_t i);
/* Look a file up by its path relative to the top directory; NULL when absent. */
const reg_archive_file *reg_archive_find(const reg_archive_entries *e, const char *relpath);
/* SHA-256 hex of the archive file's bytes, as reg_archive_write_atomic reported at issuance. */
const char *reg_archive_sha256(const reg_archive_entries *e);
/* The mtime of the first entry (the top directory's, in a canonical archive). */
int64_t reg_archive_mtime(const reg_archive_entries *e);
/* True when the tar inside is exactly what the writer makes of these files, top and mtime:
 * order, metadata, implied directories, nothing after the end.  (The gzip layer is left out:
 * another zlib may compress the same tar differently, and that changes nothing genuine.) */
bool reg_archive_canonical(const reg_archive_entries *e);
/* Check MANIFEST and MANIFEST.sig against the files with the authority's key: the signature
 * is valid, MANIFEST is well formed, every file but the two is listed exactly once with its
 * digest, and nothing else is listed.  0 when all hold; otherwise -1 with one REG_ENO error
 * per problem, chained (REG_EINTERNAL only if the check itself failed). */
int reg_archive_check_manifest(const reg_archive_entries *e, const reg_sign_key *key,
			       reg_err **errp);
void reg_archive_entries_free(reg_archive_entries *e);

#endif
