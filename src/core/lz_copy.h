/*
 * Copies shared by the LZ-style decoders (adc.c, lzfse.c): a match copies
 * bytes from `distance` back in the output, overlapping the way a copy
 * one byte at a time would.  Where the output has room past the copy,
 * whole 8- or 16-byte moves are used and may write a few bytes past its
 * end; those bytes are the output's own, overwritten by what follows.
 */
#ifndef DC_LZ_COPY_H
#define DC_LZ_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bytes a wide copy may write past its end. */
#define LZ_SLACK 16

static inline uint64_t lz_load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t lz_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/*
 * Writes `length` bytes at dst from dst - distance (1 <= distance, the
 * source inside the output already written).  `out_end` is the end of
 * the output buffer: with LZ_SLACK bytes to spare the copy goes in whole
 * words, otherwise byte by byte, exactly.
 */
static inline void lz_match(uint8_t *dst, size_t distance, size_t length,
                            const uint8_t *out_end)
{
    const uint8_t *src = dst - distance;
    uint8_t *end = dst + length;
    if ((size_t)(out_end - end) >= LZ_SLACK) {
        if (distance >= 16) {
            do {
                memcpy(dst, src, 16);
                dst += 16;
                src += 16;
            } while (dst < end);
            return;
        }
        if (distance == 1) {
            memset(dst, *src, length);
            return;
        }
        if (distance < 8) {
            /* The first 8 bytes one at a time; from there on the pattern
             * repeats at a multiple of `distance` that is >= 8, which
             * whole words can copy. */
            for (int i = 0; i < 8; i++)
                dst[i] = src[i];
            size_t period = distance * ((8 + distance - 1) / distance);
            src = dst + 8 - period;
            dst += 8;
        }
        while (dst < end) {
            memcpy(dst, src, 8);
            dst += 8;
            src += 8;
        }
        return;
    }
    while (dst < end)
        *dst++ = *src++;
}

/* Copies `length` literal bytes; `src` must be readable for LZ_SLACK
 * bytes past the literal when the output has room for a wide copy. */
static inline void lz_literal(uint8_t *dst, const uint8_t *src, size_t length,
                              const uint8_t *out_end, bool src_slack)
{
    if (src_slack && length <= LZ_SLACK &&
        (size_t)(out_end - dst) >= LZ_SLACK) {
        memcpy(dst, src, LZ_SLACK);
        return;
    }
    memcpy(dst, src, length);
}

#endif
