/*
 * grow.h - room in a dynamic array, by doubling (base layer).
 *
 *     struct thing *v = NULL;
 *     size_t n = 0, alloc = 0;
 *
 *     if (KGROW(v, alloc, n + 1) < 0)
 *             return KE_NOMEM;
 *     v[n++] = t;
 *
 * On failure the array and its capacity are unchanged (and still owned by
 * the caller).
 */
#ifndef KYOKUN_GROW_H
#define KYOKUN_GROW_H

#include "kerr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Make room for need elements of size bytes in the array whose address is
 * at slot (a pointer to the array pointer) and whose capacity is *cap
 * elements.  The first allocation holds at least 64 bytes and 4 elements;
 * then the capacity doubles.  Returns 0, or KE_NOMEM (also when the size
 * would overflow).  The pointer is read and written with memcpy, so slot may
 * point to any object pointer type.
 */
static inline int kgrow(void *slot, size_t *cap, size_t need, size_t size)
{
	size_t max = SIZE_MAX / size, n;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return KE_NOMEM;
	n = *cap ? *cap : size >= 16 ? 4 : 64 / size;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	memcpy(&p, slot, sizeof(p));
	p = realloc(p, n * size);
	if (!p)
		return KE_NOMEM;
	memcpy(slot, &p, sizeof(p));
	*cap = n;
	return 0;
}

/* Room for need elements in the array arr of capacity cap (lvalues). */
#define KGROW(arr, cap, need) kgrow(&(arr), &(cap), (need), sizeof(*(arr)))

#endif
