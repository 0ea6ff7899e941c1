/* The compressed-container layer: chunk maps checked as a whole, every
 * codec's round trip and its refusals (cross-checked against zlib's own
 * coder), the chunked source against the plain bytes at random offsets
 * with one and four workers, and the chunk writer read back through it. */
#include "testutil.h"

#include "container.h"
#include "output.h"

#include <zlib.h>

#define KIB 1024

/* Bytes that compress like real files: words, runs and some noise. */
static uint8_t *plain_bytes(size_t len, unsigned seed)
{
    static const char *const words[] = {"sector ", "track ", "volume\n",
                                        "ISO 9660 ", "0123456789 ", "disc "};
    uint8_t *data = malloc(len);
    assert_non_null(data);
    size_t at = 0;
    while (at < len) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 6];
        size_t n = strlen(w);
        if ((seed >> 8) % 17 == 0) { /* a run of noise */
            n = 1 + (seed >> 20) % 64;
            for (size_t i = 0; i < n && at + i < len; i++)
                data[at + i] = (uint8_t)((seed >> 3) * (i + 7));
        } else {
            memcpy(data + at, w, at + n <= len ? n : len - at);
        }
        at += n;
    }
    return data;
}

/* ---------------------------------------------------------------------- */
/* Chunk maps                                                              */
/* ---------------------------------------------------------------------- */

static void add(dc_chunk_map *map, int64_t out_offset, int64_t out_length,
                int64_t in_offset, int64_t in_length, dc_codec codec,
                int index)
{
    dc_error err = {0};
    dc_chunk c = {out_offset, out_length, in_offset, in_length, codec, 1,
                  index};
    assert_int_equal(dc_chunk_map_add(map, &c, &err), DC_OK);
}

static dc_status validate(dc_chunk_map *map, int64_t input, int64_t size,
                          dc_error *err)
{
    dc_error_clear(err);
    assert_int_equal(dc_chunk_map_name_group(map, 1, "partition 1 (Apple_HFS)",
                                             err),
                     DC_OK);
    return dc_chunk_map_validate(map, input, size, "x.dmg", err);
}

static void test_map_sorts_unsorted_chunks(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add(&map, 4096, 512, 300, 100, DC_CODEC_ZLIB, 2);
    add(&map, 0, 512, 0, 512, DC_CODEC_STORED, 0);
    add(&map, 512, 1024, 0, 0, DC_CODEC_ZERO, 1);
    dc_error err = {0};
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_OK);
    assert_int_equal(map.chunks[0].out_offset, 0);
    assert_int_equal(map.chunks[1].out_offset, 512);
    assert_int_equal(map.chunks[2].out_offset, 4096);
    assert_int_equal(map.size, 8192);
    dc_chunk_map_free(&map);
}

static void test_map_refuses_overlap(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add(&map, 0, 2048, 0, 100, DC_CODEC_ZLIB, 0);
    add(&map, 1536, 512, 100, 100, DC_CODEC_ZLIB, 1);
    dc_error err = {0};
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_ERR_FORMAT);
    assert_string_equal(err.message,
                        "x.dmg: partition 1 (Apple_HFS) chunk 1 at offset "
                        "100: overlaps partition 1 (Apple_HFS) chunk 0 "
                        "(image bytes 1536 to 2048)");
    dc_chunk_map_free(&map);
}

static void test_map_refuses_chunk_past_image_end(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add(&map, 0, 4096, 0, 100, DC_CODEC_BZIP2, 0);
    add(&map, 4096, 4097, 100, 100, DC_CODEC_BZIP2, 1);
    dc_error err = {0};
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "x.dmg: partition 1 (Apple_HFS) "
                                        "chunk 1 at offset 100: covers bytes "
                                        "4096 to 8193 of the image, which "
                                        "holds 8192"));
    dc_chunk_map_free(&map);
}

static void test_map_refuses_chunk_past_input_end(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add(&map, 0, 4096, 900, 101, DC_CODEC_XZ, 0);
    dc_error err = {0};
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "chunk 0 at offset 900: reads 101 "
                                        "bytes from offset 900, past the end "
                                        "of the input (1000 bytes)"));
    dc_chunk_map_free(&map);
}

static void test_map_refuses_absurd_chunks(void **state)
{
    (void)state;
    dc_error err = {0};
    dc_chunk_map map = {0};
    add(&map, 0, 0, 0, 10, DC_CODEC_ZLIB, 0);
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "chunk 0 at offset 0: holds no bytes"));
    dc_chunk_map_free(&map);

    add(&map, 0, 512, 0, 500, DC_CODEC_STORED, 0);
    assert_int_equal(validate(&map, 1000, 8192, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "is stored as 500 bytes but stands "
                                        "for 512"));
    dc_chunk_map_free(&map);

    /* 1 MiB of zlib cannot stand for 512 bytes. */
    add(&map, 0, 512, 0, 1 << 20, DC_CODEC_ZLIB, 0);
    assert_int_equal(validate(&map, 2 << 20, 8192, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "more than any encoder makes"));
    dc_chunk_map_free(&map);

    add(&map, 0, DC_CHUNK_MAX + 512, 0, 100, DC_CODEC_ZLIB, 0);
    assert_int_equal(validate(&map, 1000, DC_CHUNK_MAX * 2, &err),
                     DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "more than the 67108864 a chunk may "
                                        "hold"));
    dc_chunk_map_free(&map);

    /* A zero chunk reads nothing: any size the image holds. */
    add(&map, 0, (int64_t)1 << 40, 0, 0, DC_CODEC_ZERO, 0);
    assert_int_equal(validate(&map, 0, (int64_t)1 << 40, &err), DC_OK);
    dc_chunk_map_free(&map);
}

/* ---------------------------------------------------------------------- */
/* Codecs                                                                  */
/* ---------------------------------------------------------------------- */

static const dc_codec encodable[] = {DC_CODEC_STORED, DC_CODEC_ZLIB,
                                     DC_CODEC_BZIP2, DC_CODEC_XZ};

/* ADC and LZFSE streams of literals only, as their formats describe them
 * (an ADC byte 0x80 + n - 1 before n <= 128 literals; LZFSE's "bvx-"
 * block of stored bytes, then "bvx$"): there are no encoders for them. */
static uint8_t *literal_encode(dc_codec codec, const uint8_t *in, size_t len,
                               size_t *out_len)
{
    uint8_t *out = malloc(len + len / 128 + 16), *p = out;
    if (codec == DC_CODEC_ADC) {
        for (size_t at = 0; at < len; at += 128) {
            size_t n = len - at < 128 ? len - at : 128;
            *p++ = (uint8_t)(0x80 + n - 1);
            memcpy(p, in + at, n);
            p += n;
        }
    } else {
        memcpy(p, "bvx-", 4);
        for (int i = 0; i < 4; i++)
            p[4 + i] = (uint8_t)(len >> (8 * i));
        memcpy(p + 8, in, len);
        p += 8 + len;
        memcpy(p, "bvx$", 4);
        p += 4;
    }
    *out_len = (size_t)(p - out);
    return out;
}

static uint8_t *encode(dc_codec codec, const uint8_t *in, size_t len,
                       size_t *out_len)
{
    if (codec == DC_CODEC_ADC || codec == DC_CODEC_LZFSE)
        return literal_encode(codec, in, len, out_len);
    dc_error err = {0};
    size_t bound = dc_codec_bound(codec, len);
    uint8_t *out = malloc(bound);
    assert_non_null(out);
    assert_int_equal(dc_codec_encode(codec, 0, in, len, out, bound, out_len,
                                     &err),
                     DC_OK);
    assert_true(*out_len <= bound);
    return out;
}

static void test_codecs_round_trip(void **state)
{
    (void)state;
    size_t len = 300 * KIB + 17;
    uint8_t *plain = plain_bytes(len, 1);
    uint8_t *back = malloc(len + 1);
    for (size_t i = 0; i < sizeof encodable / sizeof *encodable; i++) {
        dc_codec codec = encodable[i];
        size_t packed_len;
        uint8_t *packed = encode(codec, plain, len, &packed_len);
        if (codec != DC_CODEC_STORED)
            assert_true(packed_len < len / 2);
        dc_error err = {0};
        assert_int_equal(dc_codec_decode(codec, packed, packed_len, back, len,
                                         "t", &err),
                         DC_OK);
        assert_memory_equal(back, plain, len);
        free(packed);
    }
    free(back);
    free(plain);
}

/* A chunk that should be longer, shorter, or whose stream is cut. */
static void test_codecs_refuse_wrong_lengths(void **state)
{
    (void)state;
    size_t len = 64 * KIB;
    uint8_t *plain = plain_bytes(len, 2);
    uint8_t *back = malloc(len + 1);
    char where[] = "x.dmg: partition 1 chunk 3 at offset 512";
    for (size_t i = 0; i < sizeof encodable / sizeof *encodable; i++) {
        dc_codec codec = encodable[i];
        size_t packed_len;
        uint8_t *packed = encode(codec, plain, len, &packed_len);
        dc_error err = {0};
        assert_int_equal(dc_codec_decode(codec, packed, packed_len, back,
                                         len + 1, where, &err),
                         DC_ERR_FORMAT);
        assert_non_null(strstr(err.message, where));
        if (codec != DC_CODEC_STORED)
            assert_non_null(strstr(err.message, "ends after 65536 of its "
                                                "65537 bytes"));
        dc_error_clear(&err);
        assert_int_equal(dc_codec_decode(codec, packed, packed_len, back,
                                         len - 1, where, &err),
                         DC_ERR_FORMAT);
        if (codec != DC_CODEC_STORED)
            assert_non_null(strstr(err.message, "holds more than its 65535 "
                                                "bytes"));
        if (codec == DC_CODEC_STORED) {
            free(packed);
            continue;
        }
        size_t cuts[] = {packed_len - 1, packed_len / 2, 3, 0};
        for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
            dc_error_clear(&err);
            assert_int_equal(dc_codec_decode(codec, packed, cuts[c], back, len,
                                             where, &err),
                             DC_ERR_FORMAT);
            assert_non_null(strstr(err.message, where));
            assert_null(strchr(err.message, '\n'));
        }
        /* A flipped byte in the middle is caught (each has a checksum). */
        packed[packed_len / 2] ^= 0x55;
        dc_error_clear(&err);
        assert_int_equal(dc_codec_decode(codec, packed, packed_len, back, len,
                                         where, &err),
                         DC_ERR_FORMAT);
        free(packed);
    }
    free(back);
    free(plain);
}

/* zlib chunks made by zlib itself decode, and ours decode with zlib:
 * the same format whichever library does the work. */
static void test_zlib_agrees_with_zlib(void **state)
{
    (void)state;
    size_t len = 200 * KIB;
    uint8_t *plain = plain_bytes(len, 3);
    uLongf theirs_len = compressBound(len);
    uint8_t *theirs = malloc(theirs_len);
    assert_int_equal(compress2(theirs, &theirs_len, plain, len, 9), Z_OK);
    uint8_t *back = malloc(len);
    dc_error err = {0};
    assert_int_equal(dc_codec_decode(DC_CODEC_ZLIB, theirs, theirs_len, back,
                                     len, "t", &err),
                     DC_OK);
    assert_memory_equal(back, plain, len);

    size_t ours_len;
    uint8_t *ours = encode(DC_CODEC_ZLIB, plain, len, &ours_len);
    uLongf back_len = len;
    memset(back, 0, len);
    assert_int_equal(uncompress(back, &back_len, ours, ours_len), Z_OK);
    assert_int_equal(back_len, len);
    assert_memory_equal(back, plain, len);
    free(ours);
    free(theirs);
    free(back);
    free(plain);
}

static void test_zero_and_unknown_codecs(void **state)
{
    (void)state;
    uint8_t out[100];
    memset(out, 0xAA, sizeof out);
    dc_error err = {0};
    assert_int_equal(dc_codec_decode(DC_CODEC_ZERO, NULL, 0, out, sizeof out,
                                     "t", &err),
                     DC_OK);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(dc_codec_decode((dc_codec)99, out, 1, out, 1, "t", &err),
                     DC_ERR_FORMAT);
    assert_string_equal(dc_codec_name(DC_CODEC_XZ), "xz");
    dc_error_clear(&err);
    size_t n;
    assert_int_equal(dc_codec_encode(DC_CODEC_ADC, 0, out, 1, out, 1, &n,
                                     &err),
                     DC_ERR_UNSUPPORTED);
}

/* ---------------------------------------------------------------------- */
/* The chunked source                                                      */
/* ---------------------------------------------------------------------- */

/* An image of `size` bytes with zero runs, cut into chunks of varied
 * sizes: each compressed with `codec` (or stored, or zero, or left out as
 * a gap), laid out in an input with junk between chunks, added to the map
 * in reverse. */
typedef struct container {
    uint8_t *plain;
    size_t size;
    uint8_t *input;
    size_t input_len;
    dc_chunk_map map;
} container;

static void build(container *c, dc_codec codec, size_t size)
{
    *c = (container){0};
    c->size = size;
    c->plain = plain_bytes(size, 7);
    /* Zeros over whole chunks: zero chunks, and gaps. */
    size_t zeros = size - size / 3 < 400 * KIB ? size - size / 3 : 400 * KIB;
    memset(c->plain + size / 3, 0, zeros);
    c->input = malloc(2 * size + 64 * KIB);
    size_t at = 0, in_at = 13;
    int index = 0;
    dc_chunk chunks[256];
    bool gap[256];
    while (at < size) {
        size_t n = (size_t)(16 + index * 37 % 96) * KIB;
        if (n > size - at)
            n = size - at;
        dc_chunk k = {(int64_t)at, (int64_t)n, 0, 0, codec, 1, index};
        gap[index] = false;
        bool zero = true;
        for (size_t i = 0; i < n && zero; i++)
            zero = c->plain[at + i] == 0;
        if (zero && index % 2 == 0) {
            k.codec = DC_CODEC_ZERO;
        } else if (zero) {
            gap[index] = true;
        } else {
            if (index % 5 == 4)
                k.codec = DC_CODEC_STORED;
            size_t packed_len;
            uint8_t *packed = encode(k.codec, c->plain + at, n, &packed_len);
            memcpy(c->input + in_at, packed, packed_len);
            free(packed);
            k.in_offset = (int64_t)in_at;
            k.in_length = (int64_t)packed_len;
            in_at += packed_len + (size_t)index % 7;
        }
        chunks[index++] = k;
        at += n;
    }
    c->input_len = in_at;
    for (int i = index - 1; i >= 0; i--)
        if (!gap[i])
            add(&c->map, chunks[i].out_offset, chunks[i].out_length,
                chunks[i].in_offset, chunks[i].in_length, chunks[i].codec,
                chunks[i].index);
}

static void free_container(container *c)
{
    free(c->plain);
    free(c->input);
    dc_chunk_map_free(&c->map);
}

static void open_chunked(container *c, int workers, dc_source **input,
                         dc_source **source)
{
    dc_error err = {0};
    assert_int_equal(dc_source_memory(input, c->input, c->input_len, "x.dmg",
                                      &err),
                     DC_OK);
    assert_int_equal(validate(&c->map, (int64_t)c->input_len,
                              (int64_t)c->size, &err),
                     DC_OK);
    assert_int_equal(dc_source_chunked(source, *input, &c->map, workers,
                                       "x.dmg", &err),
                     DC_OK);
    assert_int_equal(dc_source_size(*source), (int64_t)c->size);
}

static void read_everywhere(dc_codec codec, int workers)
{
    container c;
    build(&c, codec, 1536 * KIB + 100);
    dc_source *input, *source;
    open_chunked(&c, workers, &input, &source);
    uint8_t *buf = malloc(c.size);
    dc_error err = {0};
    /* Sequentially, in sectors, then in big blocks. */
    for (size_t block = 2048; block <= 1 << 20; block *= 512) {
        for (size_t at = 0; at < c.size; at += block) {
            size_t n = c.size - at < block ? c.size - at : block;
            assert_int_equal(dc_source_read_at(source, (int64_t)at, buf, n,
                                               &err),
                             DC_OK);
            assert_memory_equal(buf, c.plain + at, n);
        }
    }
    /* Front to back in views, as dc_write_plain copies an image: decoded
     * chunks are seen where they lie, the rest is read. */
    int viewed = 0, read = 0;
    for (size_t at = 0; at < c.size;) {
        const uint8_t *view;
        size_t n;
        assert_int_equal(dc_source_view(source, (int64_t)at, 300 * KIB,
                                         &view, &n, &err),
                         DC_OK);
        assert_true(n > 0 && n <= 300 * KIB && n <= c.size - at);
        if (view == NULL) {
            assert_int_equal(dc_source_read_at(source, (int64_t)at, buf, n,
                                               &err),
                             DC_OK);
            view = buf;
            read++;
        } else {
            viewed++;
        }
        assert_memory_equal(view, c.plain + at, n);
        at += n;
    }
    assert_true(read > 0); /* the zero chunks and gaps */
    assert_true(codec == DC_CODEC_STORED ? viewed == 0 : viewed > 0);
    /* At random offsets, crossing chunks and gaps. */
    unsigned seed = 99;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 4) % c.size;
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 4) % (200 * KIB);
        if (n > c.size - at)
            n = c.size - at;
        assert_int_equal(dc_source_read_at(source, (int64_t)at, buf, n, &err),
                         DC_OK);
        assert_memory_equal(buf, c.plain + at, n);
    }
    /* Past the end: a short read, as any source. */
    size_t got;
    assert_int_equal(dc_source_read_some(source, (int64_t)c.size - 10, buf,
                                         100, &got, &err),
                     DC_OK);
    assert_int_equal(got, 10);
    free(buf);
    dc_source_close(source);
    dc_source_close(input);
    free_container(&c);
}

static void test_chunked_reads_zlib(void **state)
{
    (void)state;
    read_everywhere(DC_CODEC_ZLIB, 1);
    read_everywhere(DC_CODEC_ZLIB, 4);
}

static void test_chunked_reads_bzip2(void **state)
{
    (void)state;
    read_everywhere(DC_CODEC_BZIP2, 1);
    read_everywhere(DC_CODEC_BZIP2, 4);
}

static void test_chunked_reads_xz(void **state)
{
    (void)state;
    read_everywhere(DC_CODEC_XZ, 1);
    read_everywhere(DC_CODEC_XZ, 4);
}

/* Through the decoders of src/core/adc.c and src/core/lzfse.c. */
static void test_chunked_reads_adc_and_lzfse(void **state)
{
    (void)state;
    read_everywhere(DC_CODEC_ADC, 1);
    read_everywhere(DC_CODEC_LZFSE, 4);
}

static void test_chunked_reads_stored(void **state)
{
    (void)state;
    read_everywhere(DC_CODEC_STORED, 1);
    read_everywhere(DC_CODEC_STORED, 4);
}

/* A damaged chunk fails the reads that need it, naming it, and no other. */
static void test_chunked_damaged_chunk(void **state)
{
    (void)state;
    for (int workers = 1; workers <= 4; workers += 3) {
        container c;
        build(&c, DC_CODEC_ZLIB, 512 * KIB);
        /* Chunk 2 of the map as built (added in reverse). */
        dc_chunk *bad = NULL;
        for (int i = 0; i < c.map.count; i++)
            if (c.map.chunks[i].index == 2)
                bad = &c.map.chunks[i];
        assert_non_null(bad);
        int64_t bad_from = bad->out_offset, bad_to = bad_from + bad->out_length;
        char want[128];
        snprintf(want, sizeof want, "x.dmg: partition 1 (Apple_HFS) chunk 2 "
                 "at offset %lld: zlib stream is corrupt",
                 (long long)bad->in_offset);
        c.input[bad->in_offset + bad->in_length / 2] ^= 0xFF;
        dc_source *input, *source;
        open_chunked(&c, workers, &input, &source);
        uint8_t *buf = malloc(c.size);
        dc_error err = {0};
        for (size_t at = 0; at < c.size; at += 2048) {
            dc_error_clear(&err);
            dc_status s = dc_source_read_at(source, (int64_t)at, buf, 2048,
                                            &err);
            if ((int64_t)at + 2048 > bad_from && (int64_t)at < bad_to) {
                assert_int_equal(s, DC_ERR_FORMAT);
                assert_non_null(strstr(err.message, want));
            } else {
                assert_int_equal(s, DC_OK);
                assert_memory_equal(buf, c.plain + at, 2048);
            }
        }
        free(buf);
        dc_source_close(source);
        dc_source_close(input);
        free_container(&c);
    }
}

static void test_chunked_refuses_unvalidated_map(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add(&map, 4096, 512, 0, 10, DC_CODEC_ZLIB, 1);
    add(&map, 0, 512, 0, 10, DC_CODEC_ZLIB, 0);
    map.size = 8192;
    uint8_t byte = 0;
    dc_source *input, *source;
    dc_error err = {0};
    assert_int_equal(dc_source_memory(&input, &byte, 1, "x.dmg", &err), DC_OK);
    assert_int_equal(dc_source_chunked(&source, input, &map, 1, "x.dmg",
                                       &err),
                     DC_ERR_USAGE);
    assert_null(source);
    assert_null(map.chunks);
    dc_source_close(input);
}

/* ---------------------------------------------------------------------- */
/* The chunk writer                                                        */
/* ---------------------------------------------------------------------- */

static void write_and_read_back(const char *dir, dc_codec codec, int workers)
{
    size_t size = 2 * 1024 * KIB + 333, chunk = 128 * KIB;
    uint8_t *plain = plain_bytes(size, 11);
    memset(plain + 3 * chunk, 0, chunk);           /* a zero chunk */
    test_fill_random(plain + 5 * chunk, chunk, 5); /* one that won't shrink */

    char *path = test_path(dir, "chunks.bin");
    dc_output_policy policy = {.stream_fd = -1};
    dc_output_set set;
    dc_output_set_init(&set, &policy);
    dc_output *out;
    dc_error err = {0};
    assert_int_equal(dc_output_set_add(&set, path, &out, &err), DC_OK);
    assert_int_equal(dc_output_write(out, "HEAD", 4, &err), DC_OK);
    dc_chunk_writer *writer;
    assert_int_equal(dc_chunk_writer_start(&writer, out, codec, 0, chunk,
                                           workers, &err),
                     DC_OK);
    /* Pieces of odd sizes, not chunk-aligned. */
    for (size_t at = 0, n = 1; at < size; at += n, n = n * 3 + 1) {
        if (n > size - at)
            n = size - at;
        assert_int_equal(dc_chunk_writer_feed(writer, plain + at, n, &err),
                         DC_OK);
    }
    dc_chunk_map map;
    assert_int_equal(dc_chunk_writer_finish(writer, &map, &err), DC_OK);
    assert_int_equal(map.size, (int64_t)size);
    assert_int_equal(map.count, (int)((size + chunk - 1) / chunk));
    assert_int_equal(map.chunks[3].codec, DC_CODEC_ZERO);
    assert_int_equal(map.chunks[3].in_length, 0);
    assert_int_equal(map.chunks[5].codec, DC_CODEC_STORED);
    assert_int_equal(map.chunks[5].in_length, (int64_t)chunk);
    assert_int_equal(map.chunks[0].codec, codec);
    assert_int_equal(map.chunks[0].in_offset, 0);
    assert_int_equal(dc_output_set_commit(&set, &err), DC_OK);
    dc_output_set_abort(&set);

    dc_source *file, *body, *source;
    assert_int_equal(dc_source_open_file(&file, path, &err), DC_OK);
    assert_int_equal(dc_source_window(&body, file, 4,
                                      dc_source_size(file) - 4, path, &err),
                     DC_OK);
    assert_int_equal(dc_chunk_map_validate(&map, dc_source_size(body),
                                           (int64_t)size, path, &err),
                     DC_OK);
    assert_int_equal(dc_source_chunked(&source, body, &map, workers, path,
                                       &err),
                     DC_OK);
    uint8_t *back = malloc(size);
    assert_int_equal(dc_source_read_at(source, 0, back, size, &err), DC_OK);
    assert_memory_equal(back, plain, size);
    free(back);
    dc_source_close(source);
    dc_source_close(body);
    dc_source_close(file);
    unlink(path);
    free(path);
    free(plain);
}

static void test_writer_round_trip(void **state)
{
    test_dir *f = *state;
    static const dc_codec codecs[] = {DC_CODEC_ZLIB, DC_CODEC_BZIP2,
                                      DC_CODEC_XZ, DC_CODEC_STORED};
    for (size_t i = 0; i < sizeof codecs / sizeof *codecs; i++) {
        write_and_read_back(f->dir, codecs[i], 1);
        write_and_read_back(f->dir, codecs[i], 4);
    }
}

static void test_writer_refuses_what_it_cannot_do(void **state)
{
    (void)state;
    dc_chunk_writer *writer;
    dc_error err = {0};
    dc_output out = {.fd = -1};
    assert_int_equal(dc_chunk_writer_start(&writer, &out, DC_CODEC_LZFSE, 0,
                                           KIB, 1, &err),
                     DC_ERR_UNSUPPORTED);
    dc_error_clear(&err);
    assert_int_equal(dc_chunk_writer_start(&writer, &out, DC_CODEC_ZLIB, 0,
                                           (size_t)DC_CHUNK_MAX + 1, 1, &err),
                     DC_ERR_USAGE);
    assert_null(writer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_sorts_unsorted_chunks),
        cmocka_unit_test(test_map_refuses_overlap),
        cmocka_unit_test(test_map_refuses_chunk_past_image_end),
        cmocka_unit_test(test_map_refuses_chunk_past_input_end),
        cmocka_unit_test(test_map_refuses_absurd_chunks),
        cmocka_unit_test(test_codecs_round_trip),
        cmocka_unit_test(test_codecs_refuse_wrong_lengths),
        cmocka_unit_test(test_zlib_agrees_with_zlib),
        cmocka_unit_test(test_zero_and_unknown_codecs),
        cmocka_unit_test(test_chunked_reads_zlib),
        cmocka_unit_test(test_chunked_reads_bzip2),
        cmocka_unit_test(test_chunked_reads_xz),
        cmocka_unit_test(test_chunked_reads_adc_and_lzfse),
        cmocka_unit_test(test_chunked_reads_stored),
        cmocka_unit_test(test_chunked_damaged_chunk),
        cmocka_unit_test(test_chunked_refuses_unvalidated_map),
        cmocka_unit_test_setup_teardown(test_writer_round_trip,
                                        test_dir_setup, test_dir_teardown),
        cmocka_unit_test(test_writer_refuses_what_it_cannot_do),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
