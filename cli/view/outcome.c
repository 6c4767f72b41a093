/* A session's outcome in one line (outcome.h). */
#include "outcome.h"

#include <inttypes.h>

#include "sbuf.h"

/* "REP ": the field that carried the code, and a space; "" when unknown. */
static const char *
code_field(const struct flow_outcome *o, int version)
{
	switch (o->result) {
	case FLOW_RES_REFUSED:
		return version == 4 ? "CD " : version == 5 ? "REP " : "";
	case FLOW_RES_AUTH_FAILED:
		return o->phase == FLOW_PH_AUTH ? "STATUS " : "MTYP ";
	case FLOW_RES_NO_METHOD:
	case FLOW_RES_OPAQUE:
		return "METHOD ";
	default:
		return "";
	}
}

size_t
outcome_line(const struct flow_outcome *o, int version, uint64_t off,
	     const char *const side_names[2], char *buf, size_t cap)
{
	const char *side = side_names != NULL ? side_names[o->side == FLOW_SERVER]
					      : flow_side_name(o->side);
	struct sbuf sb;

	sb_init(&sb, buf, cap);
	sb_puts(&sb, flow_result_name(o->result));
	switch (o->result) {
	case FLOW_RES_REFUSED:
	case FLOW_RES_NO_METHOD:
	case FLOW_RES_AUTH_FAILED:
	case FLOW_RES_OPAQUE:
		sb_printf(&sb, ": %s0x%02x ", code_field(o, version), (unsigned)o->code);
		sb_puts(&sb, o->meaning != NULL ? o->meaning : "");
		if (o->result == FLOW_RES_OPAQUE && o->why[0] != '\0') {
			sb_puts(&sb, ": ");
			sb_puts(&sb, o->why);
		}
		break;
	case FLOW_RES_VIOLATION:
	case FLOW_RES_CLOSED:
		sb_printf(&sb, " by the %s", side);
		if (o->result == FLOW_RES_CLOSED && o->close == FLOW_RESET)
			sb_puts(&sb, " (reset)");
		sb_printf(&sb, " in the %s phase at offset 0x%04" PRIx64, flow_phase_name(o->phase),
			  off);
		if (o->field != NULL) {
			sb_puts(&sb, " in ");
			sb_puts(&sb, o->field);
		}
		if (o->why[0] != '\0') {
			sb_puts(&sb, ": ");
			sb_puts(&sb, o->why);
		}
		break;
	default:
		break;
	}
	return sb.len;
}
