/*
 * Fuzz target: the container codecs (dc_codec_decode), each chunk decoded
 * into a buffer of exactly its stated size.  The first byte picks the
 * codec and that size; the rest is the stream.  Then, for the codecs that
 * encode, the rest is encoded, must decode to itself, and must be refused
 * as one byte longer or shorter: a codec bug is a finding, not only a
 * crash.
 */
#include "fuzz.h"
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(bool ok, const char *what, dc_codec codec, size_t size)
{
    if (!ok) {
        fprintf(stderr, "codec %s: %s (%zu bytes)\n", dc_codec_name(codec),
                what, size);
        abort();
    }
}

static void decode(dc_codec codec, const uint8_t *in, size_t in_len,
                   size_t out_len)
{
    uint8_t *out = malloc(out_len != 0 ? out_len : 1);
    if (out == NULL)
        abort();
    dc_error err = {0};
    fuzz_check_error(dc_codec_decode(codec, in, in_len, out, out_len,
                                     "fuzz.dmg: chunk 0 at offset 0", &err),
                     &err);
    free(out);
}

static void round_trip(dc_codec codec, int level, const uint8_t *plain,
                       size_t len)
{
    size_t bound = dc_codec_bound(codec, len);
    uint8_t *packed = malloc(bound), *back = malloc(len + 1);
    if (packed == NULL || back == NULL)
        abort();
    size_t packed_len;
    dc_error err = {0};
    expect(dc_codec_encode(codec, level, plain, len, packed, bound,
                           &packed_len, &err) == DC_OK,
           "cannot encode within its bound", codec, len);
    expect(dc_codec_decode(codec, packed, packed_len, back, len, "fuzz",
                           &err) == DC_OK && memcmp(back, plain, len) == 0,
           "does not decode to what was encoded", codec, len);
    dc_error_clear(&err);
    expect(dc_codec_decode(codec, packed, packed_len, back, len + 1, "fuzz",
                           &err) == DC_ERR_FORMAT,
           "a stream one byte short passes", codec, len);
    dc_error_clear(&err);
    expect(len == 0 || dc_codec_decode(codec, packed, packed_len, back,
                                       len - 1, "fuzz",
                                       &err) == DC_ERR_FORMAT,
           "a stream one byte long passes", codec, len);
    free(packed);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    dc_codec codec = (dc_codec)(data[0] % DC_CODEC_COUNT);
    /* 1 byte to 128 KiB: powers of two, and three bytes either side. */
    unsigned pick = data[0] / DC_CODEC_COUNT; /* 0..36 */
    size_t out_len = (size_t)1 << (pick % 18);
    if (pick >= 18 && out_len > 3)
        out_len += pick % 2 != 0 ? 3 : (size_t)-3;
    decode(codec, data + 1, size - 1, out_len);
    /* The stream's own length, as a container that is right would say. */
    decode(codec, data + 1, size - 1, size - 1);

    if (codec == DC_CODEC_STORED || codec == DC_CODEC_ZLIB ||
        codec == DC_CODEC_BZIP2 || codec == DC_CODEC_XZ)
        round_trip(codec, 1 + (int)(pick % 9), data + 1, size - 1);
    return 0;
}
