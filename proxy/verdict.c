#include "verdict.h"

const char *cw_verdict_name(enum cw_verdict verdict)
{
	switch (verdict) {
	case CW_PASS:
		return "PASS";
	case CW_REWRITE:
		return "REWRITE";
	case CW_ASK:
		return "ASK";
	case CW_DENY:
		return "DENY";
	case CW_HIDE:
		return "HIDE";
	case CW_ERROR:
		return "ERROR";
	}
	return "?";
}
