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
