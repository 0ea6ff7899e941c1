/*
 * Text as descriptors hold it: cue sheets, TOC and CloneCD files come in
 * UTF-8 or in a single-byte character set; the model holds UTF-8.
 */
#ifndef DC_TEXT_H
#define DC_TEXT_H

#include <stdbool.h>

typedef enum dc_charset {
    DC_CHARSET_WINDOWS_1252, /* what Windows tools write (cue sheets) */
    DC_CHARSET_LATIN1        /* ISO-8859-1 (cdrdao's CD-TEXT) */
} dc_charset;

bool dc_text_valid_utf8(const char *text);
/* A malloc'd UTF-8 copy: the text itself when it is valid UTF-8, else read
 * as `charset`.  NULL when memory runs out. */
char *dc_text_to_utf8(const char *text, dc_charset charset);

#endif
