/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files one configuration load reads (the configuration itself, and
 * each certificate and key file), kept together so that they can be handed
 * from the privileged helper that may read them to the unprivileged
 * daemon that may not:
 *
 *	helper (root)				daemon (user = ...)
 *	kd_files_init(&f, KD_FILES_READ);
 *	kd_config_load_files(..., &f, ...);
 *	kd_files_pack(&f, memfd);  ------------>  kd_files_unpack(&g, memfd);
 *						  (g is KD_FILES_REPLAY)
 *						  kd_config_load_files(..., &g, ...);
 *	kd_files_free(&f);			  kd_files_free(&g);
 *
 * Every byte held is wiped when freed: key files are among them.
 */
#ifndef KTLSOD_FILES_H
#define KTLSOD_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KD_FILE_MAX (1u << 20)		/* one file */
#define KD_FILES_MAX 256		/* files in one load */

enum kd_files_mode {
	KD_FILES_READ,		/* read from disk, and keep */
	KD_FILES_READ_ROOT,	/* the same, only what root alone controls */
	KD_FILES_REPLAY,	/* only what was unpacked */
};

/**
 * struct kd_file - one file as read
 * @path: as the configuration names it (made absolute)
 * @data: its bytes (a NUL follows them, not counted in @len)
 * @len: its size
 * @cap: bytes allocated at @data (all wiped when freed)
 * @mode: its permission bits when read (st_mode & 07777)
 */
struct kd_file {
	char *path;
	uint8_t *data;
	size_t len;
	size_t cap;
	unsigned int mode;
};

/* The set: each file allocated alone, so that pointers to it stay good. */
struct kd_files {
	enum kd_files_mode mode;
	struct kd_file **f;
	size_t n;
};

void kd_files_init(struct kd_files *fs, enum kd_files_mode mode);

/* Wipe and free every file; @fs is left empty (same mode). */
void kd_files_free(struct kd_files *fs);

/**
 * kd_files_get() - a file's bytes
 * @fs: the set
 * @path: an absolute path
 * @err: why not, naming @path
 * @err_len: its size
 *
 * KD_FILES_READ reads @path (a regular file of at most KD_FILE_MAX bytes)
 * unless the set has it already. KD_FILES_READ_ROOT, the key reader's,
 * also requires the file and every directory of its resolved path to be
 * root's and writable by nobody else, so that the daemon it reads for
 * cannot point it elsewhere (a symbolic link, a directory swapped).
 * KD_FILES_REPLAY only looks @path up (a file the key reader did not
 * read is an error: the configuration changed in between).
 *
 * Return: the file (owned by @fs), or NULL with @err set.
 */
const struct kd_file *kd_files_get(struct kd_files *fs, const char *path,
				   char *err, size_t err_len);

/**
 * kd_files_pack() - write the set to @fd (a memfd) for kd_files_unpack()
 * @fs: the set
 * @fd: the descriptor, written from its current offset
 *
 * Return: 0 or -errno.
 */
int kd_files_pack(const struct kd_files *fs, int fd);

/**
 * kd_files_unpack() - read what kd_files_pack() wrote
 * @fs: an empty set; it becomes KD_FILES_REPLAY
 * @fd: read from offset 0
 *
 * Bounded: at most KD_FILES_MAX files of at most KD_FILE_MAX bytes each,
 * paths below 4096 bytes; anything else is -EBADMSG (nothing kept).
 *
 * Return: 0 or -errno.
 */
int kd_files_unpack(struct kd_files *fs, int fd);

#endif /* KTLSOD_FILES_H */
