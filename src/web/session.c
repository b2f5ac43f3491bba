/* SPDX-License-Identifier: BSD-2-Clause */
/* Tokens, hashes, CSRF tokens, cookies, form text checks and limiters (see session.h). */
#include "web/session.h"

#include "web/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* A CSRF token issued up to this far in the future still passes (clocks of several
 * processes, a manual test clock moved back a little). */
#define CSRF_SKEW_S 60

/* ---- the process key ---- */

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static uint8_t process_key[WEB_SESSION_KEY_BYTES];
static int key_status = IPBL_EIO;

static void key_init(void)
{
	if (sodium_init() < 0) {
		return;
	}
	randombytes_buf(process_key, sizeof(process_key));
	key_status = 0;
}

int web_session_global_init(void)
{
	pthread_once(&key_once, key_init);
	return key_status;
}

const uint8_t *web_session_key(void)
{
	return process_key;
}

/* ---- tokens ---- */

void web_session_random_hex(size_t bytes, char *out)
{
	uint8_t buf[64];
	if (bytes > sizeof(buf)) {
		bytes = sizeof(buf);
	}
	randombytes_buf(buf, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, buf, bytes);
	sodium_memzero(buf, sizeof(buf));
}

bool web_session_is_hex(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

void web_session_hash(const char *token, char out[WEB_SESSION_HASH_LEN])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	memcpy(out, "b2:", 3);
	sodium_bin2hex(out + 3, WEB_SESSION_HASH_LEN - 3, h, sizeof(h));
}

/* ---- CSRF ---- */

/* HMAC-SHA-256 of purpose NUL T NUL binding, as hex into out (65 bytes). */
static void csrf_mac(const uint8_t key[WEB_SESSION_KEY_BYTES], const char *purpose,
		     const char *stamp, const char *binding, char out[65])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, key, WEB_SESSION_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)binding, strlen(binding));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

void web_session_csrf_make(const uint8_t key[WEB_SESSION_KEY_BYTES], const char *purpose,
			   const char *binding, int64_t now_s, char out[WEB_SESSION_CSRF_LEN])
{
	char stamp[20];
	char mac[65];
	snprintf(stamp, sizeof(stamp), "%" PRIx64, (uint64_t)(now_s < 0 ? 0 : now_s));
	csrf_mac(key, purpose, stamp, binding, mac);
	snprintf(out, WEB_SESSION_CSRF_LEN, "%s.%s", stamp, mac);
}

bool web_session_csrf_check(const uint8_t key[WEB_SESSION_KEY_BYTES], const char *purpose,
			    const char *binding, const char *token, int64_t now_s,
			    int64_t max_age_s)
{
	if (token == NULL || binding == NULL || binding[0] == '\0') {
		return false;
	}
	const char *dot = strchr(token, '.');
	size_t stamp_len = dot ? (size_t)(dot - token) : 0;
	if (dot == NULL || stamp_len == 0 || stamp_len > 16 || !web_session_is_hex(dot + 1, 64)) {
		return false;
	}
	char stamp[20];
	memcpy(stamp, token, stamp_len);
	stamp[stamp_len] = '\0';
	uint64_t t = 0;
	for (size_t i = 0; i < stamp_len; i++) {
		char c = stamp[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0) {
			return false;
		}
		t = t << 4 | (uint64_t)v;
	}
	if (t > (uint64_t)INT64_MAX || (int64_t)t > now_s + CSRF_SKEW_S ||
	    now_s - (int64_t)t > max_age_s) {
		return false;
	}
	char mac[65];
	csrf_mac(key, purpose, stamp, binding, mac);
	return sodium_memcmp(mac, dot + 1, 64) == 0;
}

/* ---- cookies ---- */

bool web_session_cookie_get(const char *header, const char *name, char *out, size_t len)
{
	if (header == NULL || len == 0) {
		return false;
	}
	size_t name_len = strlen(name);
	const char *p = header;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';') {
			p++;
		}
		const char *end = p;
		while (*end != '\0' && *end != ';') {
			end++;
		}
		if ((size_t)(end - p) > name_len && strncmp(p, name, name_len) == 0 &&
		    p[name_len] == '=') {
			const char *v = p + name_len + 1;
			size_t vlen = (size_t)(end - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) {
				vlen--;
			}
			if (vlen == 0 || vlen >= len) {
				return false;
			}
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

void web_session_cookie_format(char *out, size_t len, const char *name, const char *value,
			       const char *path, int64_t max_age_s, bool secure)
{
	snprintf(out, len, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s", name, value,
		 path, (long long)(max_age_s < 0 ? 0 : max_age_s), secure ? "; Secure" : "");
}

/* ---- form text ---- */

bool web_session_text_ok(const char *s, size_t len, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x20 || c == 0x7F) {
			if (!(multiline && (c == '\t' || c == '\n' || c == '\r'))) {
				return false;
			}
		}
		size_t n = web_utf8_len(p + i, len - i);
		if (n == 0) {
			return false;
		}
		/* C1 controls (U+0080..U+009F) are not text either */
		if (n == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
			return false;
		}
		i += n;
	}
	return true;
}

size_t web_session_text_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			n++;
		}
	}
	return n;
}

bool web_session_address_ok(const char *s)
{
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (len == 0 || len > 254 || at == NULL || at == s || strchr(at + 1, '@') != NULL) {
		return false;
	}
	const char *dot = strchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || s[len - 1] == '.') {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' ||
		    c == ';') {
			return false;
		}
	}
	return web_session_text_ok(s, len, false);
}

/* ---- limiters ---- */

void web_session_limiter_init(web_limiter_t *l, uint32_t limit, int64_t window_ms)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->limit = limit;
	l->window_ms = window_ms;
	randombytes_buf(l->hash_key, sizeof(l->hash_key));
}

void web_session_limiter_fini(web_limiter_t *l)
{
	pthread_mutex_destroy(&l->lock);
}

static uint64_t key_hash(const web_limiter_t *l, const char *key)
{
	uint8_t h[crypto_shorthash_BYTES];
	crypto_shorthash(h, (const unsigned char *)key, strlen(key), l->hash_key);
	uint64_t v = 0;
	memcpy(&v, h, sizeof(v));
	return v ? v : 1; /* 0 marks a free slot */
}

static bool slot_live(const web_limiter_t *l, const web_limit_slot_t *s, int64_t now_ms)
{
	return s->key != 0 && now_ms - s->start_ms < l->window_ms;
}

/* The slot of key: its own when present, else (when create) a free or stale one in its
 * probe range, else the one whose window started first. NULL when absent and !create. */
static web_limit_slot_t *slot_find(web_limiter_t *l, uint64_t k, int64_t now_ms, bool create)
{
	size_t base = (size_t)(k % WEB_LIMIT_SLOTS);
	web_limit_slot_t *spare = NULL;
	web_limit_slot_t *oldest = NULL;
	for (size_t i = 0; i < WEB_LIMIT_PROBE; i++) {
		web_limit_slot_t *s = &l->slots[(base + i) % WEB_LIMIT_SLOTS];
		if (s->key == k) {
			if (!slot_live(l, s, now_ms)) {
				s->count = 0;
				s->start_ms = now_ms;
			}
			return s;
		}
		if (spare == NULL && !slot_live(l, s, now_ms)) {
			spare = s;
		}
		if (oldest == NULL || s->start_ms < oldest->start_ms) {
			oldest = s;
		}
	}
	if (!create) {
		return NULL;
	}
	web_limit_slot_t *s = spare ? spare : oldest;
	*s = (web_limit_slot_t){ .key = k, .start_ms = now_ms, .count = 0 };
	return s;
}

static void set_retry(const web_limiter_t *l, const web_limit_slot_t *s, int64_t now_ms,
		      int64_t *retry_ms)
{
	if (retry_ms != NULL) {
		int64_t left = s->start_ms + l->window_ms - now_ms;
		*retry_ms = left > 0 ? left : 0;
	}
}

bool web_session_limiter_take(web_limiter_t *l, const char *key, int64_t now_ms, int64_t *retry_ms)
{
	uint64_t k = key_hash(l, key);
	pthread_mutex_lock(&l->lock);
	web_limit_slot_t *s = slot_find(l, k, now_ms, true);
	bool ok = s->count < l->limit;
	if (ok) {
		s->count++;
	} else {
		set_retry(l, s, now_ms, retry_ms);
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

bool web_session_limiter_blocked(web_limiter_t *l, const char *key, int64_t now_ms,
				 int64_t *retry_ms)
{
	uint64_t k = key_hash(l, key);
	pthread_mutex_lock(&l->lock);
	web_limit_slot_t *s = slot_find(l, k, now_ms, false);
	bool blocked = s != NULL && s->count >= l->limit;
	if (blocked) {
		set_retry(l, s, now_ms, retry_ms);
	}
	pthread_mutex_unlock(&l->lock);
	return blocked;
}

void web_session_limiter_reset(web_limiter_t *l, const char *key)
{
	uint64_t k = key_hash(l, key);
	pthread_mutex_lock(&l->lock);
	size_t base = (size_t)(k % WEB_LIMIT_SLOTS);
	for (size_t i = 0; i < WEB_LIMIT_PROBE; i++) {
		web_limit_slot_t *s = &l->slots[(base + i) % WEB_LIMIT_SLOTS];
		if (s->key == k) {
			*s = (web_limit_slot_t){ 0 };
		}
	}
	pthread_mutex_unlock(&l->lock);
}
