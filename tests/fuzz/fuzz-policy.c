/* libFuzzer: policy files (proxy/policy.c over common/ini.c). */
#include <stdint.h>
#include "fuzz-file.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *path = fuzz_write_file("policy.ini", data, len);
	char err[512] = "";
	struct cw_policy *policy = cw_policy_load(path, err, sizeof(err));
	if (policy == NULL) {
		if (err[0] == '\0') {
			abort(); /* a refusal always says why */
		}
		return 0;
	}
	/* what it loaded is usable: decide on some globals, print it */
	const char *ifaces[] = { "wl_compositor", "wl_seat",
		"zwlr_screencopy_manager_v1", "ext_data_control_manager_v1",
		"zwlr_layer_shell_v1", "zcw_unknown_v1" };
	for (size_t i = 0; i < sizeof(ifaces) / sizeof(ifaces[0]); i++) {
		cw_policy_classify_global(policy, ifaces[i], 7);
	}
	FILE *out = fopen("/dev/null", "w");
	cw_policy_print(policy, out);
	fclose(out);
	cw_policy_destroy(policy);
	return 0;
}
