/*
 * A message in words: its title ("SOCKS4a CONNECT request"), its arrow, the
 * bytes it covers, and, for one that is truncated or malformed, where it
 * stopped, the total it is known to need and what is wrong with it.
 *
 * The hex view, the -v trace line, JSON and the front end's errors all use
 * these, so the same message reads the same way everywhere.
 */
#include <string.h>

#include "fieldtext.h"
#include "msgtext.h"
#include "fieldtext_int.h"

static const struct field *
find_kind(const struct msg *m, enum field_kind kind)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->kind == kind)
			return &m->fields[i];
	return NULL;
}

static const struct field *
find_by_table(const struct msg *m, const struct name_table *t)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->names == t)
			return &m->fields[i];
	return NULL;
}

const char *
msg_arrow(const struct msg *m, const struct view_opts *o)
{
	return msg_received(m, o) ? "<-" : "->";
}


/* SOCKS4a when the request carries a host name, or says it will (0.0.0.x). */
static bool
is_socks4a(const struct msg *m)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].desc->presence == PRESENT_IF_SOCKS4A)
			return true;
	const struct field *ip = find_kind(m, FK_IPV4);
	return ip != NULL && ip->len == 4 && proto_socks4a_marker(ip->bytes);
}

/* The command's name for a title, or NULL when the code has none.  Its
 * length, so that "RESOLVE (Tor)" titles as "RESOLVE". */
static const char *
command_name(const struct msg *m, const struct name_table *t, int *len)
{
	const struct field *cmd = find_by_table(m, t);

	if (cmd == NULL || !field_complete(cmd))
		return NULL;
	const struct name_entry *e = names_find(t, cmd->num);
	if (e == NULL || (e->flags & NE_UNASSIGNED))
		return NULL;
	const char *aside = strstr(e->name, " (");
	*len = aside != NULL ? (int)(aside - e->name) : (int)strlen(e->name);
	return e->name;
}

/* A reply in its role, after its version: BIND's replies say what their
 * address is. */
static const char *const role_titles[] = {
	[VIEW_ROLE_BIND_FIRST] = "first BIND reply (where the server listens)",
	[VIEW_ROLE_BIND_SECOND] = "second BIND reply (the peer that connected)",
};

size_t
msg_title(const struct msg *m, char *buf, size_t cap)
{
	return msg_title_as(m, NULL, buf, cap);
}

size_t
msg_title_as(const struct msg *m, const struct view_opts *o, char *buf, size_t cap)
{
	struct sbuf sb;
	const char *version = NULL;
	const struct name_table *commands = NULL;

	sb_init(&sb, buf, cap);
	if (m->desc == NULL) {
		sb_puts(&sb, "unknown message");
		return sb.len;
	}
	if (msg_role_titled(m, o)) {
		sb_printf(&sb, "%s %s", m->desc->type == MSG_S5_REPLY ? "SOCKS5" : "SOCKS4",
			  role_titles[o->role]);
		return sb.len;
	}
	if (m->desc->type == MSG_S4_REQUEST) {
		version = is_socks4a(m) ? "SOCKS4a" : "SOCKS4";
		commands = &names_s4_command;
	} else if (m->desc->type == MSG_S5_REQUEST) {
		version = "SOCKS5";
		commands = &names_s5_command;
	}
	if (version == NULL) {
		sb_puts(&sb, m->desc->title);
		return sb.len;
	}
	int len = 0;
	const char *command = command_name(m, commands, &len);
	if (command != NULL)
		sb_printf(&sb, "%s %.*s request", version, len, command);
	else
		sb_printf(&sb, "%s request", version);
	return sb.len;
}
/* The fields, one per server message, that carry its answer. */
static const char *const code_names[] = { "METHOD", "STATUS", "REP", "CD" };

const struct field *
msg_code_field(const struct msg *m)
{
	if (m->desc == NULL || m->desc->dir != DIR_SERVER)
		return NULL;
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		for (size_t k = 0; k < sizeof(code_names) / sizeof(code_names[0]); k++)
			if (strcmp(f->desc->name, code_names[k]) == 0)
				return field_complete(f) && !(f->flags & FF_BAD) ? f : NULL;
	}
	return NULL;
}

size_t
msg_code_text(const struct msg *m, char *buf, size_t cap)
{
	const struct field *f = msg_code_field(m);
	const char *meaning;
	struct sbuf sb;

	sb_init(&sb, buf, cap);
	if (f == NULL)
		return 0;
	meaning = field_code_meaning(f, f->num);
	sb_printf(&sb, "%s 0x%02x", f->desc->name, (unsigned)f->num);
	if (meaning != NULL)
		sb_printf(&sb, " %s", meaning);
	return sb.len;
}
