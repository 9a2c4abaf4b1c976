/*
 * files — writing files so that a name never shows a partial one, and what a crash leaves.
 *
 * Every file regkit writes for a user to keep (archives, slips, notices) goes through here:
 *
 *   stage    create DIR/.NAME.tmp.PID (O_EXCL, never following a link) with the given mode,
 *            write every byte, fsync it;
 *   publish  rename it to DIR/NAME (replacing a file of that name), then fsync DIR, so the new
 *            name itself survives a power cut;
 *   abandon  remove the staged file.
 *
 * reg_file_write_atomic is stage + publish.  A kill at any instant leaves either the old NAME
 * (or none) or the complete new one, and at most a staged file that reg_file_clean_stale
 * removes once its process is gone.  NAME is one path component, not starting with '.', of at
 * most REG_FILE_NAME_MAX bytes; anything else is REG_ECANTCREAT.  Failures to create are
 * REG_ECANTCREAT, to write or sync REG_EIO, each naming DIR/NAME.
 */
#ifndef REG_FILES_H
#define REG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "errors.h"

#define REG_FILE_NAME_MAX 200

typedef struct reg_staged reg_staged;

reg_staged *reg_file_stage(const char *dir, const char *name, const void *data, size_t len,
			   mode_t mode, reg_err **errp);
/* Consumes the staged file whatever happens; on failure nothing is left under either name. */
int reg_file_publish(reg_staged *st, reg_err **errp);
/* Publish a file that is already recorded elsewhere as written, and will not be written again
 * (an escalation slip: the registry's commit that says it was issued comes between stage and
 * publish, so no name ever shows a slip the registry does not hold).  Like reg_file_publish,
 * but a failure never removes the file, the only copy: when the rename fails it stays under its
 * staged name, which the error names ("recorded but not moved into place (it is in ...)"); when
 * the folder's flush fails it keeps its new name.  A staged name left so is one that
 * reg_file_clean_stale removes once the process is gone: move it into place before anything
 * cleans that folder.  Consumes st. */
int reg_file_publish_recorded(reg_staged *st, reg_err **errp);
/* Remove the staged file (NULL is a no-op). */
void reg_file_abandon(reg_staged *st);
/* The staged file's path (for a message that it is the only copy left). */
const char *reg_file_staged_path(const reg_staged *st);

/* Many files into one folder with one durability point (reg-issue's group of archives): each
 * staged WITHOUT its own flush, then one syncfs(2) of the folder's file system, then every
 * rename, then one flush of the folder.  Every name is still either absent (or the old file)
 * or complete — no name ever points at data not yet on disk — at two flushes per group instead
 * of two per file.  On failure the files not yet renamed are removed; those renamed stay
 * (complete). */
typedef struct reg_file_part {
	const char *name;
	const void *data;
	size_t len;
} reg_file_part;
int reg_file_write_group(const char *dir, const reg_file_part *parts, size_t n, mode_t mode,
			 reg_err **errp);

int reg_file_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			  mode_t mode, reg_err **errp);

/* Publish without ever replacing: the staged file gets the name NAME by link(2), which fails
 * when NAME exists (REG_ECANTCREAT "cannot create: it exists"), and the staged name goes.  For
 * files that must never be overwritten, such as private keys (reg-authority(1)).  Consumes the
 * staged file whatever happens.  A file system without hard links cannot take such a file. */
int reg_file_publish_new(reg_staged *st, reg_err **errp);
/* stage + publish_new. */
int reg_file_write_new(const char *dir, const char *name, const void *data, size_t len,
		       mode_t mode, reg_err **errp);

/* Remove, in dir, the staged files of processes that no longer exist: regular files (not links
 * or directories) named exactly "." NAME ".tmp." PID, NAME non-empty and PID all digits, whose
 * process kill(PID, 0) says is gone (ESRCH) — so a run writing into the same directory at the
 * same time keeps its file.  Returns how many were removed, -1 on error. */
int reg_file_clean_stale(const char *dir, reg_err **errp);

/* Whether reading `fp` now could block: nothing is ready on its descriptor (a pipe or terminal
 * whose writer is slow).  A tool holding a group of work finishes it first, so a record that
 * came alone is not kept waiting for the next, and no lock is held while input is awaited. */
bool reg_file_would_wait(FILE *fp);
/* The same, allowing input `ms` milliseconds to come: true when none came (poll(2)). */
bool reg_file_would_wait_ms(FILE *fp, int ms);

/* Read what is there, up to `len` bytes, waiting only while nothing is (read(2) on the stream's
 * descriptor, not fread, which waits for the whole `len`): a stream is processed as it comes.
 * The stream's own buffer must be unused.  0 at the end, or with *failed set on an error. */
size_t reg_file_read_some(FILE *fp, void *buf, size_t len, bool *failed);

/* Create one directory level (mode 0755 before the umask); an existing directory is fine, an
 * existing file that is not one is REG_ECANTCREAT "not a directory". */
int reg_mkdir(const char *path, reg_err **errp);

/*
 * Reading a file an input names — a material — only inside the input's own folder
 * (docs/decisions.md, "Material files"), and its SHA-256 in hex.  The path is walked from the
 * folder's descriptor one component at a time with openat, O_NOFOLLOW at every step (O_DIRECTORY
 * for the folders, O_NONBLOCK for the file, so a FIFO cannot hang the window), and what was
 * opened is what fstat judges and what is read: no name is looked up twice, so nothing can be
 * swapped for a link between the check and the reading.  Refused (REG_ENO, the message naming
 * the path as given): an empty path, an absolute one or one with a '..' component (before
 * anything is opened), a symbolic link anywhere, anything but a regular file, a file with more
 * than one hard link (a link made inside the folder to a file outside it is indistinguishable
 * from the file itself), more than REG_FILE_MATERIAL_MAX bytes.
 */
#define REG_FILE_MATERIAL_MAX (64u << 20)
int reg_file_hash_inside(const char *folder, const char *path, char hex[65], reg_err **errp);

#endif
