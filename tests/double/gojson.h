/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gojson: JSON the way Go's encoding/json treats it, for the aliyun test
 * double.  Decoding follows json.Decoder with UseNumber (numbers keep their
 * literal text, invalid UTF-8 becomes U+FFFD, duplicate keys: last wins);
 * encoding follows json.Encoder (object keys sorted bytewise, Go's string
 * escapes, optional HTML escaping, tab or compact layout).
 */
#ifndef GOJSON_H
#define GOJSON_H

#include <stddef.h>

/* A growable byte buffer; every add aborts on out-of-memory. */
struct buf {
	char	*p;
	size_t	 n, cap;
};

void	buf_add(struct buf *, const void *, size_t);
void	buf_adds(struct buf *, const char *);
void	buf_addc(struct buf *, char);
void	buf_free(struct buf *);
/* Terminates the contents with a NUL (not counted in n) and returns them. */
char	*buf_str(struct buf *);

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype	  type;
	int		  b;		/* J_BOOL */
	char		 *s;		/* J_STR: decoded UTF-8; J_NUM: literal */
	size_t		  n;		/* length of s */
	size_t		  len, cap;	/* J_ARR, J_OBJ: member count */
	struct jv	**v;		/* J_ARR items, J_OBJ values */
	char		**k;		/* J_OBJ keys, in input order */
	size_t		 *kn;		/* J_OBJ key lengths */
};

/*
 * Decodes the first value of p[0..n) like json.Decoder.Decode: leading
 * whitespace is skipped and whatever follows the value is not looked at.
 * Returns NULL on a syntax error or an empty input.  *end (if not NULL)
 * gets the offset just past the value.
 */
struct jv	*gj_decode(const char *, size_t, size_t *);
/* Like json.Unmarshal: only whitespace may surround the single value. */
struct jv	*gj_parse_strict(const char *, size_t);
void		 gj_free(struct jv *);

/* Object member by exact (case-sensitive) key; the last duplicate wins. */
const struct jv	*gj_get(const struct jv *, const char *);
/* The member's string value, or NULL when absent or not a string. */
const char	*gj_getstr(const struct jv *, const char *);

enum gj_style { GJ_COMPACT, GJ_TABS };

/*
 * Encodes v as json.Encoder would after SetIndent("", "\t") (GJ_TABS) or
 * with no indentation (GJ_COMPACT).  depth is the indentation level the
 * value starts at (0 for a document).
 */
void	gj_encode(struct buf *, const struct jv *, enum gj_style, int, int);
/* One quoted string, escaped as Go's encoder does. */
void	gj_string(struct buf *, const char *, size_t, int);

#endif
