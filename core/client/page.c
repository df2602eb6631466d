#include "page.h"

#include <errno.h>
#include <string.h>

#include "json.h"
#include "path.h"

void mgr_pager_init(struct mgr_pager *p, const char *op)
{
	p->member = strcmp(op, "items") ? "entries" : "items";
	mgr_buf_init(&p->after);
	p->restarts = 0;
}

void mgr_pager_release(struct mgr_pager *p)
{
	mgr_buf_release(&p->after);
}

int mgr_pager_add(const struct mgr_pager *p, struct mgr_req *r)
{
	if (!p->after.len)
		return 0;
	/* A name is written as the manager writes names, bytes that are not
	 * UTF-8 included (utf8.h). */
	if (mgr_json_gen_cstr(r->g, "after") < 0 ||
	    mgr_json_gen_strn(r->g, p->after.data, p->after.len - 1) < 0)
		return -ENOMEM;
	return 0;
}

bool mgr_pager_first(const struct mgr_pager *p)
{
	return p->after.len == 0;
}

int mgr_pager_take(struct mgr_pager *p, const struct mgr_reply *rep, yajl_val *entries)
{
	yajl_val ents;
	const char *last;
	size_t n;

	*entries = NULL;
	if (rep->err == -ESTALE && p->restarts < MGR_PAGER_RESTARTS) {
		p->restarts++;
		p->after.len = 0;
		return MGR_PAGER_RESTART;
	}
	if (rep->err)
		return rep->err;
	ents = mgr_json_get(rep->result, p->member);
	if (!YAJL_IS_ARRAY(ents))
		return -EPROTO;
	n = ents->u.array.len;
	/* An empty page cannot be continued: there is no name to go on
	 * after, so it is the last whatever "more" says. */
	if (!YAJL_IS_TRUE(mgr_json_get(rep->result, "more")) || !n) {
		*entries = ents;
		return MGR_PAGER_DONE;
	}
	if (mgr_json_get_str(ents->u.array.values[n - 1], "name", &last) < 0)
		return -EPROTO;
	p->after.len = 0;
	if (mgr_buf_append(&p->after, last, strlen(last) + 1) < 0)
		return -ENOMEM;
	*entries = ents;
	return MGR_PAGER_MORE;
}
