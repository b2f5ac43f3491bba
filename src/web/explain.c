/* SPDX-License-Identifier: BSD-2-Clause */
/* The bounce explainer behind POST /explain: what the bounce says (mail/bounce.h), this
 * list's view of the address when the bounce names our zone (engine_lookup), and the advice
 * built from both (engine/explain.h), rendered as HTML. */
#include <stdlib.h>
#include <string.h>

#include "engine/explain.h"
#include "mail/bounce.h"
#include "web/web_internal.h"

int web_explain(web_app_t *app, const char *bounce, size_t len, web_out_t *page)
{
	mail_bounce_t b;
	const mail_bounce_ours_t ours = { .zone = app->zone, .base_url = app->base_url };
	int ret = mail_bounce_parse(bounce, len, &ours, &b);
	if (ret != 0) {
		return ret;
	}
	engine_lookup_t l;
	const engine_lookup_t *lookup = NULL;
	if (b.ours && b.has_ip) {
		ret = web_lookup(app, &b.ip, &l);
		if (ret == 0) {
			lookup = &l;
		} else if (ret != IPBL_ENOENT) {
			return ret;
		}
	}
	explain_site_t site = { .zone = app->zone, .base_url = app->base_url };
	explain_advice_t *a = malloc(sizeof(*a)); /* 10 KB: not on the server thread's stack */
	if (a == NULL) {
		return IPBL_ENOMEM;
	}
	explain_advice(&b, &site, lookup, a);
	web_render_explain_advice(a, bounce, page);
	free(a);
	return 0;
}
