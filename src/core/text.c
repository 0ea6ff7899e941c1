/* Text into UTF-8 (text.h). */
#include "text.h"
#include "paths.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dc_text_valid_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s != '\0') {
        int extra = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1
                  : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || (extra == 1 && *s < 0xC2))
            return false;
        s++;
        for (int i = 0; i < extra; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* Windows-1252 0x80..0x9F; the rest of its upper half is Latin-1. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
    0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
};

char *dc_text_to_utf8(const char *text, dc_charset charset)
{
    if (dc_text_valid_utf8(text))
        return dc_strdup(text);
    char *out = malloc(strlen(text) * 3 + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        unsigned c = *s;
        if (charset == DC_CHARSET_WINDOWS_1252 && c >= 0x80 && c < 0xA0)
            c = cp1252_high[c - 0x80];
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xE0 | c >> 12);
            *o++ = (char)(0x80 | (c >> 6 & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

void dc_text_append(dc_text_buffer *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0) {
        b->failed = true;
        return;
    }
    size_t need = b->len + (size_t)n + 1;
    if (need > b->cap) {
        char *grown = realloc(b->data, need * 2);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = need * 2;
    }
    va_start(args, fmt);
    vsnprintf(b->data + b->len, b->cap - b->len, fmt, args);
    va_end(args);
    b->len += (size_t)n;
}

/* Converts with iconv, growing the output as needed; NULL when a byte
 * sequence is invalid or has no counterpart in `to`. */
static char *convert(const char *in, size_t in_len, const char *from,
                     const char *to, size_t *out_len)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = in_len * 4 + 8, used = 0;
    char *out = malloc(cap);
    char *src = (char *)in;
    size_t left = in_len;
    while (out != NULL) {
        char *dst = out + used;
        size_t room = cap - used - 1;
        size_t done = iconv(cd, &src, &left, &dst, &room);
        used = (size_t)(dst - out);
        if (done != (size_t)-1 && left == 0) {
            /* iconv counts characters it could only approximate: a
             * conversion that substituted is no conversion. */
            if (done > 0) {
                free(out);
                out = NULL;
            }
            break;
        }
        if (errno != E2BIG) {
            free(out);
            out = NULL;
            break;
        }
        cap *= 2;
        char *grown = realloc(out, cap);
        if (grown == NULL)
            free(out);
        out = grown;
    }
    iconv_close(cd);
    if (out != NULL) {
        out[used] = '\0';
        if (out_len != NULL)
            *out_len = used;
    }
    return out;
}

char *dc_text_from_charset(const char *bytes, size_t len, const char *charset)
{
    return convert(bytes, len, charset, "UTF-8", NULL);
}

char *dc_text_to_charset(const char *utf8, const char *charset, size_t *len)
{
    return convert(utf8, strlen(utf8), "UTF-8", charset, len);
}

/* Length of the UTF-8 sequence at p, or 0 when it is not one. */
static int utf8_length(const unsigned char *p)
{
    int n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 && p[0] >= 0xC2 ? 2
          : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

char *dc_text_printable(const char *text)
{
    /* Every byte becomes at most "\xNN". */
    char *out = malloc(strlen(text) * 4 + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        int n = utf8_length(p);
        /* U+0080..U+009F, the C1 controls, are C2 80..C2 9F. */
        bool c1 = n == 2 && p[0] == 0xC2 && p[1] < 0xA0;
        if (n == 0 || c1 || (n == 1 && (*p < 0x20 || *p == 0x7F))) {
            int count = c1 ? 2 : 1;
            for (int i = 0; i < count; i++)
                o += sprintf(o, "\\x%02X", p[i]);
            p += count;
        } else {
            memcpy(o, p, (size_t)n);
            o += n;
            p += n;
        }
    }
    *o = '\0';
    return out;
}
