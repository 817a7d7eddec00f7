/* The [media] policy of a sandbox: its options as policy values, and
 * the plan's words for it (see media-policy.h). */
#include <stdio.h>
#include "media-policy.h"
#include "policy.h"

static enum cw_access to_access(enum cw_media_access a)
{
	switch (a) {
	case CW_MEDIA_ALLOW:
		return CW_ACCESS_ALLOW;
	case CW_MEDIA_ASK:
		return CW_ACCESS_ASK;
	case CW_MEDIA_DENY:
		break;
	}
	return CW_ACCESS_DENY;
}

void cw_sandbox_media_policy(const struct cw_sandbox_config *cfg,
	struct cw_policy *policy)
{
	policy->microphone = to_access(cfg->microphone);
	policy->camera = to_access(cfg->camera);
}

void cw_sandbox_media_print(const struct cw_sandbox_config *cfg, FILE *f)
{
	fprintf(f, "media:\n  audio = %s\n  microphone = %s\n  camera = %s\n",
		cfg->audio_playback ? "playback" : "none",
		cw_media_access_name(cfg->microphone),
		cw_media_access_name(cfg->camera));
}
