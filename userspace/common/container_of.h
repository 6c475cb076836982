/* SPDX-License-Identifier: GPL-2.0 */
/*
 * container_of(): from a pointer to a member embedded in a struct back to
 * the struct. The daemon's event loop hands its callbacks the embedded
 * struct kd_watch, and the intrusive lists of daemon/list.h hand back
 * their embedded links; each of them finds its owner with this.
 */
#ifndef KTLSO_COMMON_CONTAINER_OF_H
#define KTLSO_COMMON_CONTAINER_OF_H

#include <stddef.h>

/*
 * The struct of type @type whose member @member is at @ptr. @ptr must
 * point into such a struct: nothing is checked, as in the kernel.
 */
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif /* KTLSO_COMMON_CONTAINER_OF_H */
