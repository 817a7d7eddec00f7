#include <stdlib.h>
#include <string.h>
#include "objmap.h"
#include "wire.h"

void cw_objmap_init(struct cw_objmap *map)
{
	memset(map, 0, sizeof(*map));
	map->nclient = 1; /* id 0 is null, never an object */
}

void cw_objmap_finish(struct cw_objmap *map)
{
	free(map->client);
	free(map->server);
	memset(map, 0, sizeof(*map));
}

static bool grow(struct cw_object **array, uint32_t *cap, uint32_t need)
{
	if (need <= *cap) {
		return true;
	}
	uint32_t ncap = *cap ? *cap : 64;
	while (ncap < need) {
		ncap *= 2;
	}
	struct cw_object *n = realloc(*array, (size_t)ncap * sizeof(**array));
	if (n == NULL) {
		return false;
	}
	memset(n + *cap, 0, (size_t)(ncap - *cap) * sizeof(*n));
	*array = n;
	*cap = ncap;
	return true;
}

enum cw_objmap_result cw_objmap_insert(struct cw_objmap *map, uint32_t id,
	bool from_server, const struct cw_interface *iface, uint32_t version)
{
	struct cw_object **array;
	uint32_t *n, *cap, i;
	if (from_server) {
		if (id < CW_SERVER_ID_START) {
			return CW_OBJMAP_WRONG_SIDE;
		}
		array = &map->server;
		n = &map->nserver;
		cap = &map->capserver;
		i = id - CW_SERVER_ID_START;
	} else {
		if (id == 0 || id > CW_CLIENT_ID_MAX) {
			return CW_OBJMAP_WRONG_SIDE;
		}
		array = &map->client;
		n = &map->nclient;
		cap = &map->capclient;
		i = id;
	}
	if (i > *n) {
		return CW_OBJMAP_NOT_NEXT;
	}
	if (i >= CW_OBJMAP_MAX) {
		return CW_OBJMAP_FULL;
	}
	if (i == *n) {
		if (!grow(array, cap, i + 1)) {
			return CW_OBJMAP_NO_MEMORY;
		}
		*n = i + 1;
	}
	struct cw_object *obj = &(*array)[i];
	if (!from_server && obj->state != CW_OBJECT_FREE) {
		return CW_OBJMAP_IN_USE;
	}
	if (obj->state == CW_OBJECT_FREE) {
		map->used++;
	}
	obj->iface = iface;
	obj->version = version;
	obj->state = CW_OBJECT_LIVE;
	return CW_OBJMAP_OK;
}

void cw_objmap_remove(struct cw_objmap *map, uint32_t id)
{
	struct cw_object *obj = cw_objmap_get(map, id);
	if (obj != NULL) {
		memset(obj, 0, sizeof(*obj));
		map->used--;
	}
}

const char *cw_objmap_result_str(enum cw_objmap_result r)
{
	switch (r) {
	case CW_OBJMAP_OK:
		return "ok";
	case CW_OBJMAP_WRONG_SIDE:
		return "outside the sender's id range";
	case CW_OBJMAP_IN_USE:
		return "already in use";
	case CW_OBJMAP_NOT_NEXT:
		return "not the next free id";
	case CW_OBJMAP_FULL:
		return "too many objects";
	case CW_OBJMAP_NO_MEMORY:
		return "out of memory";
	}
	return "?";
}
