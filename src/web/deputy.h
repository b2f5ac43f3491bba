/* SPDX-License-Identifier: BSD-2-Clause */
/* The deputy console under /deputy/: login with a password (argon2id), a session cookie, the
 * queue of open cases, the full evidence of any address (reporters and trap addresses
 * shown), and the actions: delist, void a report (its reporter is fined), uphold a
 * challenged report, fine or ban a reporter, reply on a case and close it. Every action goes
 * through the engine or lands in the audit log. */
#pragma once

#include "web/web_internal.h"

/* Answer a request whose path starts with /deputy (web_cases_route sends them here). */
void web_deputy_route(web_app_t *app, const web_request_t *rq, web_response_t *rs);
