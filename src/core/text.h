/*
 * Text for the descriptor formats: what they read comes in UTF-8 or a
 * single-byte character set, the model holds UTF-8; what they write grows
 * in a buffer.
 */
#ifndef DC_TEXT_H
#define DC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum dc_charset {
    DC_CHARSET_WINDOWS_1252, /* what Windows tools write (cue sheets) */
    DC_CHARSET_LATIN1        /* ISO-8859-1 (cdrdao's CD-TEXT) */
} dc_charset;

bool dc_text_valid_utf8(const char *text);
/* A malloc'd UTF-8 copy: the text itself when it is valid UTF-8, else read
 * as `charset`.  NULL when memory runs out. */
char *dc_text_to_utf8(const char *text, dc_charset charset);

/* `len` bytes in the iconv character set `charset` ("CP932") as a
 * malloc'd UTF-8 string; NULL when the bytes are not valid in it or
 * memory runs out. */
char *dc_text_from_charset(const char *bytes, size_t len, const char *charset);
/* UTF-8 text in the iconv character set `charset`, malloc'd with a NUL
 * after its *len bytes; NULL when the set cannot hold a character of it
 * (or memory runs out). */
char *dc_text_to_charset(const char *utf8, const char *charset, size_t *len);

/* A malloc'd copy of UTF-8 text safe to print on a terminal: control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 are shown as
 * \xNN escapes.  NULL when memory runs out. */
char *dc_text_printable(const char *text);

/* A growing text; `failed` once memory ran out (data is then whatever
 * fitted).  Start from {0}; the caller frees data. */
typedef struct dc_text_buffer {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} dc_text_buffer;

void dc_text_append(dc_text_buffer *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
