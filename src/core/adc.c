/*
 * ADC (Apple Data Compression, DMG chunk type 0x80000004): a plain LZ77
 * stream of codes, each led by one byte c (FORMATS.md §6.3):
 *   1xxxxxxx             (c & 0x7F) + 1 literal bytes follow
 *   01LLLLLL DDDDDDDD DDDDDDDD
 *                        a match of L + 4 bytes from D + 1 back
 *   00LLLLDD DDDDDDDD    a match of L + 3 bytes from D + 1 back
 * Matches may overlap what they write.  There is no end code: the
 * stream is its input length, and must make exactly the output length.
 */
#include "container.h"
#include "lz_copy.h"

#include <stdarg.h>
#include <stdio.h>

static dc_status adc_fail(dc_error *err, const char *where, size_t at,
                          const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static dc_status adc_fail(dc_error *err, const char *where, size_t at,
                          const char *fmt, ...)
{
    char why[160];
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, sizeof why, fmt, args);
    va_end(args);
    return dc_fail(err, DC_ERR_FORMAT, "%s: ADC code at input offset %zu: %s",
                   where, at, why);
}

dc_status dc_adc_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len, const char *where, dc_error *err)
{
    const uint8_t *src = in;
    const uint8_t *src_end = in + in_len;
    uint8_t *dst = out;
    uint8_t *out_end = out + out_len;

    while (dst < out_end) {
        size_t at = (size_t)(src - in);
        if (src == src_end)
            return adc_fail(err, where, at,
                            "the stream ends after %zu of %zu bytes",
                            (size_t)(dst - out), out_len);
        unsigned code = src[0];
        size_t room = (size_t)(out_end - dst);
        if (code & 0x80) {
            size_t length = (code & 0x7F) + 1;
            if ((size_t)(src_end - src) - 1 < length)
                return adc_fail(err, where, at,
                                "%zu literal bytes run past the input's end",
                                length);
            if (length > room)
                return adc_fail(err, where, at,
                                "%zu literal bytes run past the %zu bytes "
                                "of output", length, out_len);
            lz_literal(dst, src + 1, length, out_end,
                       (size_t)(src_end - src) > length + LZ_SLACK);
            src += 1 + length;
            dst += length;
            continue;
        }
        size_t length, distance;
        if (code & 0x40) {
            if (src_end - src < 3)
                return adc_fail(err, where, at,
                                "a 3-byte code cut off by the input's end");
            length = (code & 0x3F) + 4;
            distance = ((size_t)src[1] << 8 | src[2]) + 1;
            src += 3;
        } else {
            if (src_end - src < 2)
                return adc_fail(err, where, at,
                                "a 2-byte code cut off by the input's end");
            length = ((code & 0x3F) >> 2) + 3;
            distance = ((size_t)(code & 0x03) << 8 | src[1]) + 1;
            src += 2;
        }
        if (distance > (size_t)(dst - out))
            return adc_fail(err, where, at,
                            "match distance %zu reaches before the output "
                            "start (%zu bytes written)",
                            distance, (size_t)(dst - out));
        if (length > room)
            return adc_fail(err, where, at,
                            "a match of %zu bytes runs past the %zu bytes "
                            "of output", length, out_len);
        lz_match(dst, distance, length, out_end);
        dst += length;
    }
    if (src != src_end)
        return adc_fail(err, where, (size_t)(src - in),
                        "the stream holds more than %zu bytes of output "
                        "(%zu input bytes left)",
                        out_len, (size_t)(src_end - src));
    return DC_OK;
}
