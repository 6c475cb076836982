// SPDX-License-Identifier: GPL-2.0
/* The package's version; see version.h. */
#include <stdio.h>
#include <stdlib.h>

#include "common/version.h"

#ifndef KTLSO_PACKAGE_VERSION
#error "the build passes KTLSO_PACKAGE_VERSION, from the VERSION file"
#endif

const char ktlso_package_version[] = KTLSO_PACKAGE_VERSION;

void print_package_version(const char *prog)
{
	printf("%s %s\n", prog, ktlso_package_version);
	exit(fflush(stdout) || ferror(stdout) ? 1 : 0);
}
