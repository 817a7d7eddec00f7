#ifndef CW_VERDICT_H
#define CW_VERDICT_H

/*
 * What the proxy does with a message, ordered from most to least permissive.
 * classify() functions and hooks return one; one switch acts on it.
 */
enum cw_verdict {
	CW_PASS = 0,  /* forward unchanged */
	CW_REWRITE,   /* forward with arguments changed (a capped version) */
	CW_ASK,       /* hold until the user answers */
	CW_DENY,      /* refuse through the protocol's own failure path */
	CW_HIDE,      /* drop silently: the client never learns it existed */
	CW_ERROR,     /* protocol error: wl_display.error, then disconnect */
};

#endif
