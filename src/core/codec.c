/*
 * The container codecs behind one interface: each chunk decodes to exactly
 * the length the container states, no more and no less.  zlib goes through
 * libdeflate when configure found it (a whole-buffer decoder several times
 * faster than zlib's inflate), else through zlib.
 */
#include "config.h" /* HAVE_LIBDEFLATE, HAVE_ISAL */
#include "container.h"

#include <bzlib.h>
#include <limits.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef HAVE_ISAL
#include <isa-l/crc.h>
#endif

/* An xz stream may ask for a dictionary of up to 1.5 GiB; the largest any
 * preset uses (xz -9) needs 65 MiB to decode.  More is refused rather
 * than allocated on a file's say-so. */
#define XZ_MEMORY_LIMIT (80u << 20)

/* UIF's LZMA chunks start with a flag byte, 5 property bytes and an
 * 8-byte size. */
#define UIF_LZMA_PREFIX 14

const char *dc_codec_name(dc_codec codec)
{
    static const char *const names[DC_CODEC_COUNT] = {
        [DC_CODEC_ZERO] = "zero", [DC_CODEC_STORED] = "stored",
        [DC_CODEC_ZLIB] = "zlib", [DC_CODEC_BZIP2] = "bzip2",
        [DC_CODEC_XZ] = "xz",     [DC_CODEC_ADC] = "ADC",
        [DC_CODEC_LZFSE] = "LZFSE", [DC_CODEC_LZMA_BCJ] = "LZMA",
    };
    return (unsigned)codec < DC_CODEC_COUNT ? names[codec] : "unknown codec";
}

/* The three ways a stream can disagree with its chunk's length. */
static dc_status ends_early(const char *where, dc_codec codec, size_t got,
                            size_t want, dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: %s stream ends after %zu of its "
                   "%zu bytes", where, dc_codec_name(codec), got, want);
}

static dc_status runs_long(const char *where, dc_codec codec, size_t want,
                           dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: %s stream holds more than its "
                   "%zu bytes", where, dc_codec_name(codec), want);
}

uint32_t dc_crc32(uint32_t crc, const void *bytes, size_t len)
{
#if defined HAVE_ISAL
    return crc32_gzip_refl(crc, bytes, len);
#elif defined HAVE_LIBDEFLATE
    return libdeflate_crc32(crc, bytes, len);
#else
    const uint8_t *p = bytes;
    while (len > 0) { /* zlib takes an unsigned int at a time */
        uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
#endif
}

uint32_t dc_crc32_combine(uint32_t crc_a, uint32_t crc_b, int64_t len_b)
{
    return (uint32_t)crc32_combine64(crc_a, crc_b, (z_off64_t)len_b);
}

static dc_status corrupt(const char *where, dc_codec codec, const char *why,
                         dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: %s stream is corrupt (%s)", where,
                   dc_codec_name(codec), why);
}

#ifdef HAVE_LIBDEFLATE
static dc_status zlib_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_len, const char *where, dc_error *err)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    size_t got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress(d, in, in_len, out, out_len, &got);
    libdeflate_free_decompressor(d);
    switch (r) {
    case LIBDEFLATE_SUCCESS:
        return got == out_len ? DC_OK
                              : ends_early(where, DC_CODEC_ZLIB, got, out_len,
                                           err);
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        return runs_long(where, DC_CODEC_ZLIB, out_len, err);
    default:
        /* libdeflate cannot tell a cut stream from a damaged one. */
        return corrupt(where, DC_CODEC_ZLIB, "bad data, or cut short", err);
    }
}
#else
static dc_status zlib_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                             size_t out_len, const char *where, dc_error *err)
{
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    z.next_in = (Bytef *)in;
    z.next_out = out;
    size_t in_left = in_len, out_left = out_len;
    uint8_t spare; /* a byte past the end: does the stream go on? */
    int r = Z_OK;
    while (r == Z_OK && z.total_out <= out_len) {
        if (z.avail_in == 0) {
            z.avail_in = in_left < UINT_MAX ? (uInt)in_left : UINT_MAX;
            in_left -= z.avail_in;
        }
        if (z.avail_out == 0 && out_left > 0) {
            z.avail_out = out_left < UINT_MAX ? (uInt)out_left : UINT_MAX;
            out_left -= z.avail_out;
        } else if (z.avail_out == 0) {
            z.next_out = &spare;
            z.avail_out = 1;
        }
        r = inflate(&z, Z_NO_FLUSH);
        if (r == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0)
            break;
        if (r == Z_BUF_ERROR)
            r = Z_OK; /* more room or input is handed over above */
    }
    size_t got = (size_t)z.total_out;
    const char *why = z.msg != NULL ? z.msg : "bad data";
    inflateEnd(&z);
    if (got > out_len)
        return runs_long(where, DC_CODEC_ZLIB, out_len, err);
    if (r == Z_STREAM_END)
        return got == out_len ? DC_OK
                              : ends_early(where, DC_CODEC_ZLIB, got, out_len,
                                           err);
    if (r == Z_BUF_ERROR || r == Z_OK)
        return ends_early(where, DC_CODEC_ZLIB, got, out_len, err);
    if (r == Z_MEM_ERROR)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return corrupt(where, DC_CODEC_ZLIB, why, err);
}
#endif

static dc_status bzip2_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t out_len, const char *where, dc_error *err)
{
    if (in_len > UINT_MAX || out_len > UINT_MAX)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: bzip2 chunk too large "
                       "to decode", where);
    bz_stream z = {0};
    if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    z.next_in = (char *)in;
    z.avail_in = (unsigned)in_len;
    z.next_out = (char *)out;
    z.avail_out = (unsigned)out_len;
    char spare; /* a byte past the end: does the stream go on? */
    bool full = false;
    int r;
    for (;;) {
        unsigned in_before = z.avail_in, out_before = z.avail_out;
        r = BZ2_bzDecompress(&z);
        if (r != BZ_OK)
            break;
        if (z.avail_out == 0 && !full) {
            full = true;
            z.next_out = &spare;
            z.avail_out = 1;
        } else if (z.avail_out == 0 || (z.avail_in == in_before &&
                                        z.avail_out == out_before)) {
            break; /* ran long, or no input left before the stream's end */
        }
    }
    size_t got = full ? out_len + (z.avail_out == 0) : out_len - z.avail_out;
    BZ2_bzDecompressEnd(&z);
    if (got > out_len)
        return runs_long(where, DC_CODEC_BZIP2, out_len, err);
    switch (r) {
    case BZ_STREAM_END:
        return got == out_len ? DC_OK
                              : ends_early(where, DC_CODEC_BZIP2, got, out_len,
                                           err);
    case BZ_OK:
        return got < out_len ? ends_early(where, DC_CODEC_BZIP2, got, out_len,
                                          err)
                             : corrupt(where, DC_CODEC_BZIP2, "cut short", err);
    case BZ_MEM_ERROR:
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    case BZ_DATA_ERROR_MAGIC:
        return corrupt(where, DC_CODEC_BZIP2, "no bzip2 signature", err);
    default:
        return corrupt(where, DC_CODEC_BZIP2, "bad data", err);
    }
}

static dc_status xz_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                           size_t out_len, const char *where, dc_error *err)
{
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&z, XZ_MEMORY_LIMIT, 0) != LZMA_OK)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    z.next_in = in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_len;
    uint8_t spare;
    lzma_ret r = lzma_code(&z, LZMA_FINISH);
    if (r == LZMA_OK && z.avail_out == 0) {
        /* The chunk is full: the stream must end here. */
        z.next_out = &spare;
        z.avail_out = 1;
        r = lzma_code(&z, LZMA_FINISH);
    }
    size_t got = (size_t)z.total_out;
    lzma_end(&z);
    if (got > out_len)
        return runs_long(where, DC_CODEC_XZ, out_len, err);
    switch (r) {
    case LZMA_STREAM_END:
        return got == out_len ? DC_OK
                              : ends_early(where, DC_CODEC_XZ, got, out_len,
                                           err);
    case LZMA_OK:
    case LZMA_BUF_ERROR:
        return got < out_len ? ends_early(where, DC_CODEC_XZ, got, out_len, err)
                             : corrupt(where, DC_CODEC_XZ, "cut short", err);
    case LZMA_MEMLIMIT_ERROR:
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: xz stream needs more "
                       "than %u MiB of memory to decode", where,
                       XZ_MEMORY_LIMIT >> 20);
    case LZMA_MEM_ERROR:
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    case LZMA_FORMAT_ERROR:
        return corrupt(where, DC_CODEC_XZ, "no xz signature", err);
    case LZMA_OPTIONS_ERROR:
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: xz stream uses options "
                       "liblzma does not support", where);
    default:
        return corrupt(where, DC_CODEC_XZ, "bad data", err);
    }
}

/* The LZMA1 decoder knows the size, so a stream with or without an end
 * marker ends where the chunk does; the BCJ filter then sees the stream's
 * end and passes its last few bytes through, as the x86 filter must. */
static dc_status lzma_bcj_decode(const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t out_len,
                                 const char *where, dc_error *err)
{
    enum { PREFIX = 1 + 5 + 8 };
    if (in_len < PREFIX)
        return corrupt(where, DC_CODEC_LZMA_BCJ, "shorter than its 14-byte "
                       "header", err);
    lzma_options_lzma options;
    lzma_filter lzma1 = {.id = LZMA_FILTER_LZMA1, .options = NULL};
    if (lzma_properties_decode(&lzma1, NULL, in + 1, 5) != LZMA_OK)
        return corrupt(where, DC_CODEC_LZMA_BCJ, "bad properties", err);
    options = *(lzma_options_lzma *)lzma1.options;
    free(lzma1.options);
    if (options.dict_size > XZ_MEMORY_LIMIT / 2)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: LZMA stream needs a "
                       "dictionary of %u bytes, more than %u MiB", where,
                       (unsigned)options.dict_size, XZ_MEMORY_LIMIT >> 21);
    options.ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
    options.ext_size_low = (uint32_t)out_len;
    options.ext_size_high = (uint32_t)((uint64_t)out_len >> 32);
    lzma_filter filters[3] = {
        {.id = LZMA_FILTER_X86, .options = NULL},
        {.id = LZMA_FILTER_LZMA1EXT, .options = &options},
        {.id = LZMA_VLI_UNKNOWN, .options = NULL},
    };
    lzma_filter *chain = in[0] != 0 ? filters : filters + 1;
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&z, chain) != LZMA_OK)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    z.next_in = in + PREFIX;
    z.avail_in = in_len - PREFIX;
    z.next_out = out;
    z.avail_out = out_len;
    lzma_ret r = lzma_code(&z, LZMA_FINISH);
    size_t got = (size_t)z.total_out;
    lzma_end(&z);
    switch (r) {
    case LZMA_STREAM_END:
        return got == out_len ? DC_OK
                              : ends_early(where, DC_CODEC_LZMA_BCJ, got,
                                           out_len, err);
    case LZMA_OK:
    case LZMA_BUF_ERROR:
        return ends_early(where, DC_CODEC_LZMA_BCJ, got, out_len, err);
    case LZMA_MEM_ERROR:
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    default:
        return corrupt(where, DC_CODEC_LZMA_BCJ, "bad data", err);
    }
}

dc_status dc_codec_decode(dc_codec codec, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t out_len, const char *where,
                          dc_error *err)
{
    switch (codec) {
    case DC_CODEC_ZERO:
        memset(out, 0, out_len);
        return DC_OK;
    case DC_CODEC_STORED:
        if (in_len != out_len)
            return dc_fail(err, DC_ERR_FORMAT, "%s: stored chunk holds %zu "
                           "bytes, not %zu", where, in_len, out_len);
        memcpy(out, in, out_len);
        return DC_OK;
    case DC_CODEC_ZLIB:
        return zlib_decode(in, in_len, out, out_len, where, err);
    case DC_CODEC_BZIP2:
        return bzip2_decode(in, in_len, out, out_len, where, err);
    case DC_CODEC_XZ:
        return xz_decode(in, in_len, out, out_len, where, err);
    case DC_CODEC_ADC:
        return dc_adc_decode(in, in_len, out, out_len, where, err);
    case DC_CODEC_LZFSE:
        return dc_lzfse_decode(in, in_len, out, out_len, where, err);
    case DC_CODEC_LZMA_BCJ:
        return lzma_bcj_decode(in, in_len, out, out_len, where, err);
    default:
        break;
    }
    return dc_fail(err, DC_ERR_FORMAT, "%s: unknown codec %d", where,
                   (int)codec);
}

/* ---------------------------------------------------------------------- */
/* Encoding                                                                */
/* ---------------------------------------------------------------------- */

size_t dc_codec_bound(dc_codec codec, size_t in_len)
{
    switch (codec) {
    case DC_CODEC_ZERO:
        return 0;
    case DC_CODEC_ZLIB: {
        size_t bound = compressBound((uLong)in_len);
#ifdef HAVE_LIBDEFLATE
        size_t fast = libdeflate_zlib_compress_bound(NULL, in_len);
        if (fast > bound)
            bound = fast;
#endif
        return bound;
    }
    case DC_CODEC_BZIP2: /* bzlib.h: 1% more, plus 600 bytes */
        return in_len + in_len / 100 + 600;
    case DC_CODEC_XZ:
        return lzma_stream_buffer_bound(in_len);
    case DC_CODEC_LZMA_BCJ: /* LZMA1 has no stored chunks: bytes that do
                               not compress grow by a few percent */
        return UIF_LZMA_PREFIX + in_len + in_len / 8 + 64;
    default: /* stored; ADC and LZFSE decode only, and never grow much */
        return in_len + in_len / 8 + 64;
    }
}

static dc_status too_small(dc_codec codec, dc_error *err)
{
    return dc_fail(err, DC_ERR_USAGE, "%s encoder: output buffer too small",
                   dc_codec_name(codec));
}

static dc_status zlib_encode(int level, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t out_size, size_t *out_len,
                             dc_error *err)
{
    if (level == 0)
        level = 6;
#ifdef HAVE_LIBDEFLATE
    struct libdeflate_compressor *c =
        libdeflate_alloc_compressor(level > 12 ? 12 : level);
    if (c == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    *out_len = libdeflate_zlib_compress(c, in, in_len, out, out_size);
    libdeflate_free_compressor(c);
    return *out_len != 0 ? DC_OK : too_small(DC_CODEC_ZLIB, err);
#else
    if (in_len > ULONG_MAX || out_size > ULONG_MAX)
        return too_small(DC_CODEC_ZLIB, err);
    uLongf size = (uLongf)out_size;
    int r = compress2(out, &size, in, (uLong)in_len, level > 9 ? 9 : level);
    *out_len = size;
    if (r == Z_MEM_ERROR)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return r == Z_OK ? DC_OK : too_small(DC_CODEC_ZLIB, err);
#endif
}

static dc_status bzip2_encode(int level, const uint8_t *in, size_t in_len,
                              uint8_t *out, size_t out_size, size_t *out_len,
                              dc_error *err)
{
    if (in_len > UINT_MAX || out_size > UINT_MAX)
        return too_small(DC_CODEC_BZIP2, err);
    unsigned size = (unsigned)out_size;
    int r = BZ2_bzBuffToBuffCompress((char *)out, &size, (char *)in,
                                     (unsigned)in_len,
                                     level == 0 || level > 9 ? 9 : level, 0, 0);
    *out_len = size;
    if (r == BZ_MEM_ERROR)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return r == BZ_OK ? DC_OK : too_small(DC_CODEC_BZIP2, err);
}

/* The LZMA dictionary for a chunk of in_len bytes at `level`: a larger
 * one compresses no better and costs memory on both sides (8 MiB at the
 * default preset). */
static dc_status lzma_options_for(int level, size_t in_len,
                                  lzma_options_lzma *options, dc_error *err)
{
    if (lzma_lzma_preset(options, level == 0 || level > 9 ? 6
                                                          : (uint32_t)level))
        return dc_fail(err, DC_ERR_USAGE, "LZMA encoder: no preset %d",
                       level);
    if (options->dict_size > in_len)
        options->dict_size = in_len < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN
                                                         : (uint32_t)in_len;
    return DC_OK;
}

static dc_status xz_encode(int level, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t out_size, size_t *out_len,
                           dc_error *err)
{
    lzma_options_lzma options;
    if (lzma_options_for(level, in_len, &options, err) != DC_OK)
        return err->status;
    lzma_filter filters[] = {
        {.id = LZMA_FILTER_LZMA2, .options = &options},
        {.id = LZMA_VLI_UNKNOWN, .options = NULL},
    };
    size_t pos = 0;
    lzma_ret r = lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC64, NULL, in,
                                           in_len, out, &pos, out_size);
    *out_len = pos;
    if (r == LZMA_MEM_ERROR)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return r == LZMA_OK ? DC_OK : too_small(DC_CODEC_XZ, err);
}

/* UIF's LZMA: its 14-byte prefix (the BCJ flag set, the properties as an
 * .lzma file has them, the plain size), then x86 BCJ and LZMA1 with an
 * end marker, as MagicISO's readers take it. */
static dc_status uif_lzma_encode(int level, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t out_size,
                                 size_t *out_len, dc_error *err)
{
    lzma_options_lzma options;
    if (lzma_options_for(level, in_len, &options, err) != DC_OK)
        return err->status;
    if (out_size < UIF_LZMA_PREFIX)
        return too_small(DC_CODEC_LZMA_BCJ, err);
    out[0] = 1; /* x86 BCJ */
    out[1] = (uint8_t)((options.pb * 5 + options.lp) * 9 + options.lc);
    for (int i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(options.dict_size >> (8 * i));
    for (int i = 0; i < 8; i++)
        out[6 + i] = (uint8_t)((uint64_t)in_len >> (8 * i));
    lzma_filter filters[] = {
        {.id = LZMA_FILTER_X86, .options = NULL},
        {.id = LZMA_FILTER_LZMA1, .options = &options},
        {.id = LZMA_VLI_UNKNOWN, .options = NULL},
    };
    size_t pos = UIF_LZMA_PREFIX;
    lzma_ret r = lzma_raw_buffer_encode(filters, NULL, in, in_len, out, &pos,
                                        out_size);
    *out_len = pos;
    if (r == LZMA_MEM_ERROR)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return r == LZMA_OK ? DC_OK : too_small(DC_CODEC_LZMA_BCJ, err);
}

dc_status dc_codec_encode(dc_codec codec, int level, const uint8_t *in,
                          size_t in_len, uint8_t *out, size_t out_size,
                          size_t *out_len, dc_error *err)
{
    *out_len = 0;
    switch (codec) {
    case DC_CODEC_STORED:
        if (out_size < in_len)
            return too_small(codec, err);
        memcpy(out, in, in_len);
        *out_len = in_len;
        return DC_OK;
    case DC_CODEC_ZLIB:
        return zlib_encode(level, in, in_len, out, out_size, out_len, err);
    case DC_CODEC_BZIP2:
        return bzip2_encode(level, in, in_len, out, out_size, out_len, err);
    case DC_CODEC_XZ:
        return xz_encode(level, in, in_len, out, out_size, out_len, err);
    case DC_CODEC_LZMA_BCJ:
        return uif_lzma_encode(level, in, in_len, out, out_size, out_len,
                               err);
    default:
        return dc_fail(err, DC_ERR_UNSUPPORTED, "no %s encoder",
                       dc_codec_name(codec));
    }
}
