/* SPDX-License-Identifier: Apache-2.0 */
/*
 * target.c: validation of every user-supplied identifier before any aliyun call,
 * and the description sanitizer of the specification (^[a-zA-Z0-9_-]*$).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "target.h"
#include "util.h"

#define NSLOTS 32

static pcre2_code *slots[NSLOTS];

int
re_match(int slot, const char *pattern, const char *s, size_t len)
{
	pcre2_match_data *md;
	int errc, rc;
	PCRE2_SIZE erro;

	if (slot < 0 || slot >= NSLOTS)
		abort();
	if (slots[slot] == NULL) {
		slots[slot] = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF, &errc, &erro, NULL);
		if (slots[slot] == NULL)
			abort();	/* a pattern bug: every test would show it */
	}
	md = pcre2_match_data_create_from_pattern(slots[slot], NULL);
	if (md == NULL)
		abort();
	/* Invalid UTF-8 is an error (negative), so it never validates. */
	rc = pcre2_match(slots[slot], (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

void
re_free_all(void)
{
	int i;

	for (i = 0; i < NSLOTS; i++) {
		pcre2_code_free(slots[i]);
		slots[i] = NULL;
	}
}

void
target_free_patterns(void)
{
	re_free_all();
}

/* Slots 0-9 belong to this file; timewin.c uses 10 and up. */
int
valid_cluster_id(const char *s)
{
	/* ACK cluster ids: "c" and 32 lowercase hex digits. */
	return re_match(0, "^c[0-9a-f]{32}\\z", s, strlen(s));
}

const char target_ns_rule[] = N_("lowercase letters, digits and '-', at most 63");
const char target_pod_rule[] = N_("lowercase letters, digits, '-' and '.', at most 253");

int
valid_namespace(const char *s)
{
	/* An RFC 1123 label, as Kubernetes requires of namespaces. */
	return strlen(s) <= 63 &&
	    re_match(1, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", s, strlen(s));
}

int
valid_pod(const char *s)
{
	/* An RFC 1123 subdomain, as Kubernetes requires of pod names. */
	return strlen(s) <= 253 && re_match(2,
	    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z",
	    s, strlen(s));
}

/*
 * A SysOM task id: a letter or digit first, so that it can never be read as a flag
 * (`aliyun ... --task-id --help`).  Every place a task id comes from (the command line,
 * MCP, a state file, invoke-diagnosis's answer) checks it here before any call.
 */
int
valid_task_id(const char *s)
{
	return re_match(3, "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", s, strlen(s));
}

int
valid_region(const char *s)
{
	return re_match(4, "^[a-z]{2,}(-[a-z0-9]+)+\\z", s, strlen(s));
}

int
valid_profile_name(const char *s)
{
	/* Not "-…": the name follows --profile in the argv we build, and must not read as an option. */
	return re_match(5, "^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}\\z", s, strlen(s));
}

int
valid_description(const char *s)
{
	return re_match(6, "^[a-zA-Z0-9_-]*\\z", s, strlen(s));
}

/*
 * Chinese symptom words and their English keywords, longest first so that
 * 高负载 wins over 高.  A mapped word becomes a separate _-delimited token.
 */
static const struct {
	const char *zh;
	const char *en;
} words[] = {
	{ "网络抖动", "network_jitter" }, { "网络延迟", "network_latency" },
	{ "内存泄漏", "memory_leak" }, { "内存泄露", "memory_leak" },
	{ "内存溢出", "oom" }, { "内存不足", "memory_pressure" },
	{ "磁盘延迟", "io_latency" }, { "磁盘满", "disk_full" },
	{ "响应慢", "slow_response" }, { "负载高", "high_load" },
	{ "高负载", "high_load" }, { "CPU限流", "cpu_throttling" },
	{ "丢包", "packet_loss" }, { "重传", "retransmission" },
	{ "限流", "throttling" }, { "节流", "throttling" },
	{ "负载", "load" }, { "内存", "memory" }, { "网络", "network" },
	{ "抖动", "jitter" }, { "延迟", "latency" }, { "时延", "latency" },
	{ "卡顿", "stall" }, { "卡死", "hang" }, { "夯住", "hang" },
	{ "磁盘", "disk" }, { "重启", "restart" }, { "崩溃", "crash" },
	{ "超时", "timeout" }, { "泄漏", "leak" }, { "泄露", "leak" },
	{ "使用率", "usage" }, { "占用", "usage" }, { "飙升", "spike" },
	{ "异常", "abnormal" }, { "容器", "container" }, { "进程", "process" },
	{ "调度", "scheduling" }, { "文件", "file" }, { "缓存", "cache" },
	{ "读写", "io" }, { "吞吐", "throughput" }, { "性能", "performance" },
	{ "诊断", "diagnosis" }, { "慢", "slow" }, { "高", "high" },
	{ "低", "low" }, { "满", "full" }, { "挂", "down" },
};

#define DESC_MAX 128

char *
sanitize_description(const char *in)
{
	struct buf b = {0};
	const char *p = in;
	size_t i, n;
	int sep = 0;	/* a separator is pending */
	char *out, *w;

	buf_add(&b, "", 0);
	while (*p) {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			n = strlen(words[i].zh);
			if (strncmp(p, words[i].zh, n) == 0)
				break;
		}
		if (i < sizeof(words) / sizeof(words[0])) {
			if (b.len)
				buf_adds(&b, "_");
			buf_adds(&b, words[i].en);
			sep = 1;
			p += n;
			continue;
		}
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    (c >= 'A' && c <= 'Z')) {
			if (sep && b.len && b.p[b.len - 1] != '_')
				buf_adds(&b, "_");
			sep = 0;
			char lc = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			buf_add(&b, &lc, 1);
		} else if (c == '_' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			sep = 1;
		} else if (c >= 0x80) {
			/* Any other non-ASCII character is dropped whole (all its bytes). */
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
			sep = 1;
			continue;
		}
		/* ASCII punctuation is dropped without splitting the word it sits in. */
		p++;
	}
	/* Collapse runs of '_' and trim them at both ends. */
	out = xmalloc(b.len + 1);
	w = out;
	for (i = 0; i < b.len; i++) {
		if (b.p[i] == '_' && (w == out || w[-1] == '_'))
			continue;
		*w++ = b.p[i];
	}
	while (w > out && w[-1] == '_')
		w--;
	*w = '\0';
	if (strlen(out) > DESC_MAX) {
		out[DESC_MAX] = '\0';
		w = out + DESC_MAX;
		while (w > out && w[-1] == '_')
			*--w = '\0';
	}
	buf_free(&b);
	return out;
}
