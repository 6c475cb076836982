/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The package's version, as every ktlso program prints it for --version.
 * It is written in one place, the top-level VERSION file: the build hands
 * it to version.c alone (and to the kernel module's MODULE_VERSION), so a
 * new version rebuilds one object per program.
 *
 * "Package version" is ktlso's release (0.1.0), not a TLS version, nor
 * libktlso's interface version (KTLSO_1.2 in libktlso.map).
 */
#ifndef KTLSO_COMMON_VERSION_H
#define KTLSO_COMMON_VERSION_H

extern const char ktlso_package_version[];

/*
 * "PROG VERSION" on stdout, then exit: 0, or 1 when stdout cannot take it.
 * For a program's --version option.
 */
_Noreturn void print_package_version(const char *prog);

#endif /* KTLSO_COMMON_VERSION_H */
