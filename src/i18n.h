/* SPDX-License-Identifier: Apache-2.0 */
/* i18n.h: the language of what ackprof says to people (GNU gettext, domain "ackprof"). */
#ifndef ACKPROF_I18N_H
#define ACKPROF_I18N_H

#include <stdarg.h>
#include <stddef.h>

/* A message for people, translated; N_() only marks a string for xgettext. */
#define _(s)	i18n_gettext(s)
#define N_(s)	(s)

/*
 * Choose the language: lang ("zh", "en") when given, else LC_ALL, LC_MESSAGES,
 * LANG and LANGUAGE as gettext reads them.  Only LC_MESSAGES changes: numbers,
 * parsing and character classes stay in the C locale.  A missing or broken
 * catalog leaves everything in English.  Returns 0, or -1 for an unknown lang.
 */
int	 i18n_init(const char *lang);
/* 1 when messages go through the catalog (a language other than English was chosen). */
int	 i18n_active(void);
/* 1 when a catalog is in use: messages really are translated (not C.UTF-8 or en_US). */
int	 i18n_translating(void);
/* Back to English for the rest of the run (the MCP server speaks to programs). */
void	 i18n_english(void);
/* The catalog directory in use (the build tree's, else LOCALEDIR). */
const char *i18n_localedir(void);
/*
 * The translation of msgid, or msgid itself when there is none or when the
 * translation's printf directives do not take the same arguments.
 */
const char *i18n_gettext(const char *msgid);
/*
 * Format fmt translated, with its string arguments translated too when they
 * are phrases of the catalog (step names).  Returns a malloc'd string.
 */
char	*i18n_vasprintf(const char *fmt, va_list ap);
/*
 * snprintf in English into buf (for what programs read: -o json's "error"), and
 * remember the translation: printed later as a %s argument of a message, buf is
 * shown translated.  For messages built before they are printed (time windows).
 */
int	 i18n_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The display width of the widest of n labels, translated: for columns that line up. */
int	 i18n_widest(const char *const *labels, int n);
/* The arguments fmt takes, one letter each ("sdz..."), for tests; -1 if unknown. */
int	 i18n_signature(const char *fmt, char *sig, int n);

#endif
