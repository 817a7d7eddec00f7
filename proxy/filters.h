/* The filters built on hooks; each registers its intercepted messages. */
#ifndef CW_FILTERS_H
#define CW_FILTERS_H

#include <stdbool.h>

bool cw_registry_filter_init(void);

#endif
