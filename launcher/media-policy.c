/* The [media] policy of a sandbox: its options as policy values, and
 * the plan's words for it (see media-policy.h). */
#include <stdio.h>
#include "media-policy.h"
#include "policy.h"

static struct cw_cap_rule to_access(enum cw_media_access a)
{
	struct cw_cap_rule r = { CW_DECISION_DENY, false };
	switch (a) {
	case CW_MEDIA_ALLOW:
		r.decision = CW_DECISION_ALLOW;
		break;
	case CW_MEDIA_ASK:
		r.decision = CW_DECISION_ASK;
		break;
	case CW_MEDIA_DENY:
		break;
	}
	return r;
}

void cw_sandbox_media_policy(const struct cw_sandbox_config *cfg,
	struct cw_policy *policy)
{
	policy->rules[CW_CAP_MICROPHONE] = to_access(cfg->microphone);
	policy->rules[CW_CAP_CAMERA] = to_access(cfg->camera);
}

void cw_sandbox_media_print(const struct cw_sandbox_config *cfg, FILE *f)
{
	fprintf(f, "media:\n  audio = %s\n  microphone = %s\n  camera = %s\n",
		cfg->audio_playback ? "playback" : "none",
		cw_media_access_name(cfg->microphone),
		cw_media_access_name(cfg->camera));
}
