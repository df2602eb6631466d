/* batch: one session for many commands, read from standard input one a
 * line, so that what one line acquires stays held for the next. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgrctl.h"

/* Split line into words in place, with sh's quoting but no expansion:
 * '...' is literal, "..." keeps \" \\ \$ \` as escapes, a backslash
 * elsewhere quotes the next character, and # at the start of a word begins
 * a comment.  -EINVAL for an unterminated quote. */
static int split_words(char *line, char ***words, int *nwords, int *cap)
{
	char *r = line, *w = line, *start, **grown;

	*nwords = 0;
	for (;;) {
		while (*r && isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			return 0;
		start = w;
		while (*r && !isspace((unsigned char)*r)) {
			if (*r == '\'') {
				for (r++; *r && *r != '\''; )
					*w++ = *r++;
				if (!*r++)
					return -EINVAL;
			} else if (*r == '"') {
				for (r++; *r && *r != '"'; ) {
					if (*r == '\\' && r[1] && strchr("\"\\$`", r[1]))
						r++;
					*w++ = *r++;
				}
				if (!*r++)
					return -EINVAL;
			} else {
				if (*r == '\\' && r[1])
					r++;
				*w++ = *r++;
			}
		}
		/* Step over the separator before terminating the word, since
		 * w may have caught up with r. */
		if (*r)
			r++;
		*w++ = '\0';
		if (*nwords + 1 >= *cap) {
			grown = realloc(*words, (*cap * 2 + 8) * sizeof(**words));
			if (!grown)
				return -ENOMEM;
			*words = grown;
			*cap = *cap * 2 + 8;
		}
		(*words)[(*nwords)++] = start;
	}
}

int cmd_batch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	struct opts saved = s->defaults;
	char *line = NULL, **words = NULL;
	size_t linecap = 0;
	int nwords, wordcap = 0, err, st = ST_OK;

	if (s->in_batch)
		return sess_usage_err(s, cmd, "batch cannot run inside batch");
	s->in_batch = true;
	/* Options given to batch itself hold for every line. */
	s->defaults = *o;
	/* Between lines the session must answer the manager's keepalive, or
	 * what it holds is lost while the input pauses.  Input that stdio
	 * has buffered would not wake a poll, so there is none. */
	if (sess_keepalive(s))
		setvbuf(stdin, NULL, _IONBF, 0);
	for (;;) {
		if (s->client && sess_keepalive(s))
			sess_serve_until(s, STDIN_FILENO, POLLIN);
		if (getline(&line, &linecap, stdin) < 0)
			break;
		s->lineno++;
		err = split_words(line, &words, &nwords, &wordcap);
		if (err == -EINVAL) {
			st = sess_usage_err(s, NULL, "unterminated quote");
			break;
		}
		if (err < 0) {
			st = sess_fail(s, err, "out of memory");
			break;
		}
		if (!nwords)
			continue;
		st = ctl_run_words(s, nwords, words);
		fflush(stdout);
		if (st)
			break;
	}
	s->defaults = saved;
	s->in_batch = false;
	s->lineno = 0;
	free(words);
	free(line);
	return st;
}

