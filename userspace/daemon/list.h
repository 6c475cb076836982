/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intrusive doubly linked list: circular, around a head that is not an
 * element, in the shape of the kernel's struct list_head. The daemon uses
 * it where an element must leave from anywhere in O(1): the handshakes in
 * flight (runner.c) and the eviction order of the client tables
 * (client_cache.c, client_conns.c).
 *
 *	struct kd_list all;		(a head)
 *	struct thing { struct kd_list link; ... };
 *
 *	kd_list_init(&all);
 *	kd_list_add_tail(&t->link, &all);	(the newest last)
 *	t = kd_list_first_entry(&all, struct thing, link);	(NULL: empty)
 *	kd_list_del(&t->link);
 *
 * No lock inside: the lists' owners say what protects them.
 */
#ifndef KTLSOD_LIST_H
#define KTLSOD_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/container_of.h"

struct kd_list {
	struct kd_list *prev, *next;
};

/* @head: an empty list. */
static inline void kd_list_init(struct kd_list *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool kd_list_empty(const struct kd_list *head)
{
	return head->next == head;
}

/* @n, not on any list, goes last on @head's list. */
static inline void kd_list_add_tail(struct kd_list *n, struct kd_list *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/*
 * @n leaves its list. Its links are cleared, so that a use after this
 * faults rather than walking the list it left.
 */
static inline void kd_list_del(struct kd_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = NULL;
	n->next = NULL;
}

/* The first element of @head's list, a @type linked by @member, or NULL. */
#define kd_list_first_entry(head, type, member)				\
	(kd_list_empty(head) ? NULL :					\
	 container_of((head)->next, type, member))

/*
 * Every link @pos of @head's list, first to last; @tmp holds the next
 * one, so that @pos may leave the list in the body.
 */
#define kd_list_for_each_safe(pos, tmp, head)				\
	for ((pos) = (head)->next, (tmp) = (pos)->next;			\
	     (pos) != (head);						\
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif /* KTLSOD_LIST_H */
