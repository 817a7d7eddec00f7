/*
 * The objects of one connection, client-allocated and server-allocated,
 * typed from the signatures that created them. Ids are never renumbered:
 * both sides see the same ids.
 */
#ifndef CW_OBJMAP_H
#define CW_OBJMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "cw-interface.h"
#include "wire.h"

/* The most objects one side of one connection may have (ids per side). */
#define CW_OBJMAP_MAX 262144

enum cw_object_state {
	CW_OBJECT_FREE = 0,
	CW_OBJECT_LIVE,
	/*
	 * Destroyed, waiting for wl_display.delete_id (client ids) or for
	 * reuse (server ids): events already in flight still need the
	 * interface so their fds can be counted.
	 */
	CW_OBJECT_ZOMBIE,
	/* Answered by the proxy itself; never existed upstream. */
	CW_OBJECT_LOCAL,
	/* Waiting for the user's answer; exists upstream only if allowed. */
	CW_OBJECT_HELD,
};

enum cw_object_flags {
	/* a capture whose permission was revoked while it ran */
	CW_OBJECT_REVOKED = 1 << 0,
};

struct cw_object {
	const struct cw_interface *iface;
	uint32_t version;
	uint8_t state; /* enum cw_object_state */
	uint8_t flags; /* enum cw_object_flags */
	/* rectangles added to a region, or damaged on a surface since its
	 * last commit (conn.c: CW_MAX_RECTS) */
	uint16_t rects;
};

struct cw_objmap {
	struct cw_object *client; /* index: id */
	uint32_t nclient, capclient;
	struct cw_object *server; /* index: id - CW_SERVER_ID_START */
	uint32_t nserver, capserver;
	/* slots not free, both sides (a server slot stays taken until the
	 * compositor reuses its id) */
	uint32_t used;
};

void cw_objmap_init(struct cw_objmap *map);
void cw_objmap_finish(struct cw_objmap *map);

/* NULL for an id never allocated or freed. Inline: every message looks
 * up its object. */
static inline struct cw_object *cw_objmap_get(struct cw_objmap *map,
	uint32_t id)
{
	struct cw_object *obj;
	if (id >= CW_SERVER_ID_START) {
		uint32_t i = id - CW_SERVER_ID_START;
		if (i >= map->nserver) {
			return NULL;
		}
		obj = &map->server[i];
	} else {
		if (id == 0 || id >= map->nclient) {
			return NULL;
		}
		obj = &map->client[id];
	}
	return obj->state == CW_OBJECT_FREE ? NULL : obj;
}

enum cw_objmap_result {
	CW_OBJMAP_OK,
	CW_OBJMAP_WRONG_SIDE, /* client id from the server or the reverse */
	CW_OBJMAP_IN_USE,     /* a live or not yet deleted client id */
	CW_OBJMAP_NOT_NEXT,   /* beyond the next free id */
	CW_OBJMAP_FULL,
	CW_OBJMAP_NO_MEMORY,
};

/*
 * Inserts a new object. from_server says who allocated the id: client ids
 * must be free and at most one past the highest; server ids replace
 * whatever was there.
 */
enum cw_objmap_result cw_objmap_insert(struct cw_objmap *map, uint32_t id,
	bool from_server, const struct cw_interface *iface, uint32_t version);

/* Frees the slot: wl_display.delete_id, or a server object's destructor. */
void cw_objmap_remove(struct cw_objmap *map, uint32_t id);

const char *cw_objmap_result_str(enum cw_objmap_result r);

#endif
