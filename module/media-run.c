/* The [media] policy of a running sandbox: its own PipeWire nodes,
 * granted and revoked as the permissions say. Built into the media
 * module (media-module.c), with libpipewire. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "media.h"
#include "media-policy.h"
#include "permission.h"
#include "policy.h"

struct cw_sandbox_media {
	struct cw_media *media;
	struct cw_permissions *perms;
	struct cw_consent_listener listener;
	struct cw_consent_listener waiter[2];
	bool waiting[2];
};

static enum cw_capability device_cap(enum cw_media_device dev)
{
	return dev == CW_MEDIA_CAMERA ? CW_CAP_CAMERA : CW_CAP_MICROPHONE;
}

static bool cap_device(enum cw_capability cap, enum cw_media_device *dev)
{
	switch (cap) {
	case CW_CAP_MICROPHONE:
		*dev = CW_MEDIA_MICROPHONE;
		return true;
	case CW_CAP_CAMERA:
		*dev = CW_MEDIA_CAMERA;
		return true;
	case CW_CAP_SCREENCOPY:
	case CW_CAP_CLIPBOARD:
	case CW_CAP_CLIPBOARD_MANAGER:
	case CW_CAP_OPEN_URI:
	case CW_CAP_NOTIFICATIONS:
		break;
	}
	return false;
}

/* allow: yes (until a revoke); deny: no; ask: what this run or the store
 * already says. The same state with a display or without (issue 19). */
static enum cw_decision verdict(struct cw_sandbox_media *sm,
	enum cw_media_device dev)
{
	return cw_permissions_check(sm->perms, device_cap(dev));
}

static void answered(struct cw_consent_listener *w, enum cw_capability cap,
	enum cw_decision decision)
{
	bool allowed = decision == CW_DECISION_ALLOW;
	enum cw_media_device dev = CW_MEDIA_MICROPHONE;
	struct cw_sandbox_media *sm = cw_container_of(w, sm,
		waiter[CW_MEDIA_MICROPHONE]);
	if (w != &sm->waiter[CW_MEDIA_MICROPHONE]) {
		dev = CW_MEDIA_CAMERA;
		sm = cw_container_of(w, sm, waiter[CW_MEDIA_CAMERA]);
	}
	sm->waiting[dev] = false;
	if (allowed) {
		cw_media_grant(sm->media, dev, true);
	}
}

static void want(void *data, enum cw_media_device dev)
{
	struct cw_sandbox_media *sm = data;
	if (sm->waiting[dev]) {
		return;
	}
	switch (verdict(sm, dev)) {
	case CW_DECISION_ALLOW:
		cw_media_grant(sm->media, dev, true);
		return;
	case CW_DECISION_ASK:
		sm->waiting[dev] = true;
		sm->waiter[dev].changed = answered;
		cw_permissions_wait(sm->perms, device_cap(dev),
			dev == CW_MEDIA_CAMERA ? "use the camera" :
			"record from the microphone", &sm->waiter[dev]);
		return;
	case CW_DECISION_DENY:
		break;
	}
	cw_log(CW_LOG_INFO, "media: %s denied", cw_media_device_name(dev));
}

/* deny: revoked; allow: granted in the store */
static void changed(struct cw_consent_listener *l, enum cw_capability cap,
	enum cw_decision decision)
{
	struct cw_sandbox_media *sm = cw_container_of(l, sm, listener);
	enum cw_media_device dev;
	if (cap_device(cap, &dev) && decision != CW_DECISION_ASK) {
		cw_media_grant(sm->media, dev, decision == CW_DECISION_ALLOW);
	}
}

struct cw_sandbox_media *cw_sandbox_media_start(struct cw_loop *loop,
	const struct cw_sandbox_config *cfg, struct cw_permissions *perms,
	const char *app, const char *instance, const char *socket_path,
	char *err, size_t errlen)
{
	if (perms == NULL) {
		/* a static answer could not be revoked */
		snprintf(err, errlen, "no permission state for the sandbox");
		return NULL;
	}
	struct cw_sandbox_media *sm = calloc(1, sizeof(*sm));
	if (sm == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sm->perms = perms;
	struct cw_media_config mc = {
		.app = app,
		.instance = instance,
		.socket_path = socket_path,
		.playback = cfg->audio_playback,
		.microphone = verdict(sm, CW_MEDIA_MICROPHONE) ==
			CW_DECISION_ALLOW,
		.camera = verdict(sm, CW_MEDIA_CAMERA) == CW_DECISION_ALLOW,
	};
	sm->media = cw_media_create(loop, &mc, want, sm, err, errlen);
	if (sm->media == NULL) {
		free(sm);
		return NULL;
	}
	sm->listener.changed = changed;
	cw_permissions_listen(perms, &sm->listener);
	return sm;
}

void cw_sandbox_media_stop(struct cw_sandbox_media *sm)
{
	if (sm == NULL) {
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (sm->waiting[i]) {
			cw_consent_unlisten(&sm->waiter[i]);
		}
	}
	cw_consent_unlisten(&sm->listener);
	cw_media_destroy(sm->media);
	free(sm);
}
