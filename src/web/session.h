/* SPDX-License-Identifier: BSD-2-Clause */
/* The security pieces of the dispute forms and the deputy console: unguessable tokens and
 * the hashes the store keeps instead of them, CSRF tokens, cookies, form text checks and the
 * in-memory limits per client, per filer address and per deputy name.
 *
 * DESIGN
 * A token (a case link, a session id, the CSRF cookie) is random bytes from libsodium shown
 * as lower-case hex; the store keeps only "b2:" + BLAKE2b-256 of the hex text, so a copy of
 * the database opens no case and no session. A CSRF token is "T.MAC": T the Unix time of
 * issue in hex, MAC = HMAC-SHA-256 under a per-process random key of (purpose, T, binding),
 * where binding is the client's CSRF cookie (dispute forms) or its session id (console). It
 * needs no storage, expires after a maximum age, and dies with the process (a form loaded
 * before a restart must be loaded again). The limiters are fixed windows in a fixed-size
 * table keyed by a keyed hash of the key text, shared by every server thread under a mutex:
 * memory stays bounded whatever the clients send, at the price of forgetting the oldest
 * entries when more keys than slots are active, and of starting afresh on a restart. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define WEB_SESSION_KEY_BYTES 32   /* the per-process CSRF key */
#define WEB_SESSION_HASH_LEN 68	   /* "b2:" + 64 hex digits + NUL */
#define WEB_SESSION_CASE_BYTES 16  /* a case link token: 128 bits */
#define WEB_SESSION_ID_BYTES 32	   /* a session id: 256 bits */
#define WEB_SESSION_CSRF_BYTES 16  /* the CSRF cookie: 128 bits */
#define WEB_SESSION_CSRF_LEN 88	   /* "T.MAC" with the NUL */
#define WEB_SESSION_COOKIE_MAX 256 /* a formatted Set-Cookie value */

/* Start libsodium and draw the per-process key, once (any thread, any number of times).
 * Returns 0 or IPBL_EIO when libsodium cannot start. */
int web_session_global_init(void) IPBL_MUSTCHECK;
/* The per-process key (web_session_global_init must have succeeded). */
const uint8_t *web_session_key(void);

/* bytes random bytes as 2 * bytes lower-case hex digits and a NUL into out. */
void web_session_random_hex(size_t bytes, char *out);
/* True when s is exactly len lower-case hex digits (a token as we issue them). */
bool web_session_is_hex(const char *s, size_t len);
/* "b2:" + the BLAKE2b-256 of token, in hex, into out: what the store keeps. */
void web_session_hash(const char *token, char out[WEB_SESSION_HASH_LEN]);

/* A CSRF token for purpose ("case", "deputy") bound to binding, issued at now_s. */
void web_session_csrf_make(const uint8_t key[WEB_SESSION_KEY_BYTES], const char *purpose,
			   const char *binding, int64_t now_s, char out[WEB_SESSION_CSRF_LEN]);
/* True when token was made by web_session_csrf_make with the same key, purpose and
 * binding, at most max_age_s seconds before now_s and not in the future (a minute of slack).
 * Compares in constant time. token and binding may be NULL (then false). */
bool web_session_csrf_check(const uint8_t key[WEB_SESSION_KEY_BYTES], const char *purpose,
			    const char *binding, const char *token, int64_t now_s,
			    int64_t max_age_s);

/* The value of cookie name in a Cookie header ("a=1; b=2") into out; false when absent,
 * empty or longer than len - 1. header may be NULL. */
bool web_session_cookie_get(const char *header, const char *name, char *out, size_t len);
/* A Set-Cookie value: NAME=VALUE; Path=PATH; Max-Age=N; HttpOnly; SameSite=Strict and, when
 * secure, Secure. max_age_s 0 deletes the cookie. */
void web_session_cookie_format(char *out, size_t len, const char *name, const char *value,
			       const char *path, int64_t max_age_s, bool secure);

/* Whether s[0..len) is text a form may hold: valid UTF-8 (RFC 3629), no NUL nor other
 * control characters, except tab and line ends when multiline. */
bool web_session_text_ok(const char *s, size_t len, bool multiline);
/* The number of characters (code points) of valid UTF-8 text. */
size_t web_session_text_chars(const char *s, size_t len);
/* A plausible mail address: one '@', a local part and a domain with a dot, no spaces nor
 * control characters, at most 254 bytes. */
bool web_session_address_ok(const char *s);

/* ---- limiters ---- */

#define WEB_LIMIT_SLOTS 1024
#define WEB_LIMIT_PROBE 16

typedef struct {
	uint64_t key;	  /* keyed hash of the key text; 0 = free */
	int64_t start_ms; /* the start of its window */
	uint32_t count;	  /* events in that window */
} web_limit_slot_t;

/* At most limit events per key in each window of window_ms, counted from a key's first
 * event. Thread-safe. */
typedef struct {
	pthread_mutex_t lock;
	uint32_t limit;
	int64_t window_ms;
	uint8_t hash_key[16];
	web_limit_slot_t slots[WEB_LIMIT_SLOTS];
} web_limiter_t;

void web_session_limiter_init(web_limiter_t *l, uint32_t limit, int64_t window_ms);
void web_session_limiter_fini(web_limiter_t *l);
/* Count one event of key at now_ms. False, and nothing counted, when key already had limit
 * events in its window; *retry_ms (may be NULL) then gets the wait until the window ends. */
bool web_session_limiter_take(web_limiter_t *l, const char *key, int64_t now_ms, int64_t *retry_ms);
/* Whether key is at its limit now (take would refuse), without counting anything. */
bool web_session_limiter_blocked(web_limiter_t *l, const char *key, int64_t now_ms,
				 int64_t *retry_ms);
/* Forget key (a successful login clears its failures). */
void web_session_limiter_reset(web_limiter_t *l, const char *key);
