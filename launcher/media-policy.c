/* The [media] policy of a sandbox: its options as policy values, and
 * the plan's words for it (see media-policy.h). */
#include <stdio.h>
#include <string.h>
#include "media-policy.h"
#include "policy.h"

void cw_sandbox_media_policy(const struct cw_sandbox_config *cfg,
	struct cw_policy *policy)
{
	policy->rules[CW_CAP_MICROPHONE] =
		(struct cw_cap_rule){ .decision = cfg->microphone };
	policy->rules[CW_CAP_CAMERA] =
		(struct cw_cap_rule){ .decision = cfg->camera };
	/* [portals]: what the manifest or an override set, else the base
	 * policy's default */
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (strncmp(cw_capability_info(i)->key, "portals.", 8) != 0) {
			continue;
		}
		policy->rules[i] = cfg->portal_set[i] ?
			(struct cw_cap_rule){ .decision = cfg->portal[i] } :
			cw_capability_default(i, policy->base);
	}
}

void cw_sandbox_media_print(const struct cw_sandbox_config *cfg, FILE *f)
{
	fprintf(f, "media:\n  audio = %s\n  microphone = %s\n  camera = %s\n",
		cfg->audio_playback ? "playback" : "none",
		cw_decision_name(cfg->microphone),
		cw_decision_name(cfg->camera));
}

void cw_sandbox_portals_print(const struct cw_policy *policy, FILE *f)
{
	fprintf(f, "portals:\n");
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		const char *key = cw_capability_info(i)->key;
		if (strncmp(key, "portals.", 8) == 0) {
			fprintf(f, "  %s = %s\n", key + 8,
				cw_cap_rule_word(policy->rules[i]));
		}
	}
}
