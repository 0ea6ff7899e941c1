/*
 * Shared by the chunk-decoder fuzz targets (fuzz/adc.c, fuzz/lzfse.c): an
 * input is a 4-byte little-endian output length (its low 20 bits: up to
 * 1 MiB) and the stream.  Besides crashes, a finding is a decoder that
 * breaks its contract: a success whose output depends on what the buffer
 * held before (it read bytes it had not written), a stream that decodes
 * to two lengths, or a refusal that is not one proper line.
 */
#ifndef DC_FUZZ_CODEC_H
#define DC_FUZZ_CODEC_H

#include "fuzz.h"
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef dc_status (*fuzz_decoder)(const uint8_t *, size_t, uint8_t *, size_t,
                                  const char *, dc_error *);

static void fuzz_codec_expect(bool ok, const char *codec, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s decoder: %s\n", codec, what);
        abort();
    }
}

static dc_status fuzz_codec_run(fuzz_decoder decode, const uint8_t *in,
                                size_t in_len, uint8_t *out, size_t out_len)
{
    dc_error err = {0};
    dc_status st = decode(in, in_len, out, out_len, "fuzz chunk", &err);
    fuzz_check_error(st, &err);
    return st;
}

static int fuzz_codec(fuzz_decoder decode, const char *codec,
                      const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t out_len = ((size_t)data[0] | (size_t)data[1] << 8 |
                      (size_t)(data[2] & 0x0F) << 16);
    const uint8_t *in = data + 4;
    size_t in_len = size - 4;
    /* One spare byte for the "one more" run. */
    uint8_t *zeros = malloc(out_len + 1);
    uint8_t *ones = malloc(out_len + 1);
    if (zeros == NULL || ones == NULL)
        abort();
    memset(zeros, 0x00, out_len + 1);
    memset(ones, 0xFF, out_len + 1);
    dc_status st = fuzz_codec_run(decode, in, in_len, zeros, out_len);
    dc_status again = fuzz_codec_run(decode, in, in_len, ones, out_len);
    fuzz_codec_expect(st == again, codec, "two runs disagree");
    if (st == DC_OK) {
        fuzz_codec_expect(memcmp(zeros, ones, out_len) == 0, codec,
                          "output depends on the buffer's old bytes");
        fuzz_codec_expect(zeros[out_len] == 0x00 && ones[out_len] == 0xFF,
                          codec, "wrote past the output");
        fuzz_codec_expect(fuzz_codec_run(decode, in, in_len, zeros,
                                         out_len + 1) != DC_OK,
                          codec, "decoded to one byte more as well");
        if (out_len > 0)
            fuzz_codec_expect(fuzz_codec_run(decode, in, in_len, zeros,
                                             out_len - 1) != DC_OK,
                              codec, "decoded to one byte less as well");
    }
    free(zeros);
    free(ones);
    return 0;
}

#endif
