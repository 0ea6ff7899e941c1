/*
 * The DMG chunk decoders of our own (src/core/adc.c, src/core/lzfse.c) on
 * streams built here from the formats' descriptions (FORMATS.md §6.3,
 * §6.7): every kind of code, overlapping copies, and the refusals.  The
 * corpus' real ADC and LZFSE chunks are tests/codecs.sh's.
 */
#include "testutil.h"
#include "container.h"

/* A stream being built, and the output it must decode to. */
typedef struct {
    uint8_t in[4096];
    size_t in_len;
    uint8_t want[8192];
    size_t want_len;
} stream;

static void put(stream *s, const void *bytes, size_t len)
{
    assert_true(s->in_len + len <= sizeof s->in);
    memcpy(s->in + s->in_len, bytes, len);
    s->in_len += len;
}

static void put_byte(stream *s, unsigned byte)
{
    uint8_t b = (uint8_t)byte;
    put(s, &b, 1);
}

static void put_le32(stream *s, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    put(s, b, 4);
}

static void put_le64(stream *s, uint64_t v)
{
    put_le32(s, (uint32_t)v);
    put_le32(s, (uint32_t)(v >> 32));
}

/* What the output must hold: literal bytes, and a match as a copy one
 * byte at a time from `distance` back. */
static void want_literal(stream *s, const void *bytes, size_t len)
{
    assert_true(s->want_len + len <= sizeof s->want);
    memcpy(s->want + s->want_len, bytes, len);
    s->want_len += len;
}

static void want_match(stream *s, size_t distance, size_t len)
{
    assert_true(distance >= 1 && distance <= s->want_len);
    assert_true(s->want_len + len <= sizeof s->want);
    for (size_t i = 0; i < len; i++, s->want_len++)
        s->want[s->want_len] = s->want[s->want_len - distance];
}

/* Bytes that do not repeat soon, for literals. */
static void noise(uint8_t *bytes, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        bytes[i] = (uint8_t)(seed >> 16);
    }
}

typedef dc_status (*decoder)(const uint8_t *, size_t, uint8_t *, size_t,
                             const char *, dc_error *);

static void expect_decodes(decoder decode, const stream *s)
{
    uint8_t *out = malloc(s->want_len + 1);
    assert_non_null(out);
    dc_error err = {0};
    dc_status st = decode(s->in, s->in_len, out, s->want_len, "t", &err);
    if (st != DC_OK)
        fail_msg("refused: %s", err.message);
    assert_memory_equal(out, s->want, s->want_len);
    free(out);
}

/* Refused as DC_ERR_FORMAT with one line that names `where`, the place
 * and says what `why` says. */
static void expect_refusal(decoder decode, const uint8_t *in, size_t in_len,
                           size_t out_len, const char *message)
{
    uint8_t *out = malloc(out_len + 1);
    assert_non_null(out);
    dc_error err = {0};
    assert_int_equal(decode(in, in_len, out, out_len, "x.dmg: chunk 3", &err),
                     DC_ERR_FORMAT);
    assert_string_equal(err.message, message);
    free(out);
}

/* ---- ADC ------------------------------------------------------------ */

static void adc_literal(stream *s, const void *bytes, size_t len)
{
    assert_true(len >= 1 && len <= 128);
    put_byte(s, 0x80 | (unsigned)(len - 1));
    put(s, bytes, len);
    want_literal(s, bytes, len);
}

/* The 2-byte code when it fits (3-18 bytes, distance up to 1024), else
 * the 3-byte one (4-67 bytes, distance up to 65536). */
static void adc_match(stream *s, size_t distance, size_t len, bool short_code)
{
    if (short_code) {
        assert_true(len >= 3 && len <= 18 && distance <= 1024);
        put_byte(s, (unsigned)((len - 3) << 2 | (distance - 1) >> 8));
        put_byte(s, (unsigned)((distance - 1) & 0xFF));
    } else {
        assert_true(len >= 4 && len <= 67 && distance <= 65536);
        put_byte(s, 0x40 | (unsigned)(len - 4));
        put_byte(s, (unsigned)((distance - 1) >> 8));
        put_byte(s, (unsigned)((distance - 1) & 0xFF));
    }
    want_match(s, distance, len);
}

static void test_adc_codes(void **state)
{
    (void)state;
    stream s = {0};
    /* 0x83 = four literals, 0x04 0x03 = 4 bytes from 4 back, 0x46 0x00
     * 0x01 = 10 bytes from 2 back. */
    adc_literal(&s, "abcd", 4);
    adc_match(&s, 4, 4, true);
    assert_memory_equal(s.in, "\x83" "abcd" "\x04\x03", 7);
    adc_literal(&s, "xy", 2);
    adc_match(&s, 2, 10, false);
    assert_memory_equal(s.in + 7, "\x81" "xy" "\x46\x00\x01", 6);
    expect_decodes(dc_adc_decode, &s);
    assert_memory_equal(s.want, "abcdabcdxyxyxyxyxyxy", 20);
}

static void test_adc_long_and_overlapping(void **state)
{
    (void)state;
    stream s = {0};
    uint8_t bytes[1152];
    noise(bytes, sizeof bytes, 7);
    for (int i = 0; i < 9; i++)
        adc_literal(&s, bytes + 128 * i, 128);
    /* The farthest short distance, a long one, the longest codes. */
    adc_match(&s, 1024, 18, true);
    adc_match(&s, 300, 67, false);
    /* Every small distance, overlapping its own output, with output
     * after it (whole-word copies) and at the very end (exact). */
    for (size_t d = 1; d <= 20; d++) {
        adc_literal(&s, bytes + d, 20);
        adc_match(&s, d, 67, false);
        adc_match(&s, d, 3, true);
    }
    adc_literal(&s, "e", 1);
    adc_match(&s, 1, 18, true);
    expect_decodes(dc_adc_decode, &s);
}

static void test_adc_refusals(void **state)
{
    (void)state;
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x80" "a\x00\x01", 4, 4,
                   "x.dmg: chunk 3: ADC code at input offset 2: match "
                   "distance 2 reaches before the output start (1 bytes "
                   "written)");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc", 4, 5,
                   "x.dmg: chunk 3: ADC code at input offset 4: the stream "
                   "ends after 3 of 5 bytes");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc", 4, 2,
                   "x.dmg: chunk 3: ADC code at input offset 0: 3 literal "
                   "bytes run past the 2 bytes of output");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc\x80" "d", 6, 3,
                   "x.dmg: chunk 3: ADC code at input offset 4: the stream "
                   "holds more than 3 bytes of output (2 input bytes left)");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc\x04", 5, 9,
                   "x.dmg: chunk 3: ADC code at input offset 4: a 2-byte "
                   "code cut off by the input's end");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc\x40\x00", 6, 9,
                   "x.dmg: chunk 3: ADC code at input offset 4: a 3-byte "
                   "code cut off by the input's end");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x85" "a", 2, 9,
                   "x.dmg: chunk 3: ADC code at input offset 0: 6 literal "
                   "bytes run past the input's end");
    expect_refusal(dc_adc_decode, (const uint8_t *)"\x82" "abc\x3c\x00", 6, 9,
                   "x.dmg: chunk 3: ADC code at input offset 4: a match of "
                   "18 bytes runs past the 9 bytes of output");
    /* Nothing in, nothing out. */
    dc_error err = {0};
    uint8_t out[1];
    assert_int_equal(dc_adc_decode(out, 0, out, 0, "t", &err), DC_OK);
}

/* ---- LZFSE: stored and LZVN blocks --------------------------------- */

static void lzfse_stored(stream *s, const void *bytes, size_t len)
{
    put(s, "bvx-", 4);
    put_le32(s, (uint32_t)len);
    put(s, bytes, len);
    want_literal(s, bytes, len);
}

static void test_lzfse_stored(void **state)
{
    (void)state;
    stream s = {0};
    lzfse_stored(&s, "hello, ", 7);
    lzfse_stored(&s, "", 0);
    lzfse_stored(&s, "world", 5);
    put(&s, "bvx$", 4);
    expect_decodes(dc_lzfse_decode, &s);

    stream empty = {0};
    put(&empty, "bvx$", 4);
    expect_decodes(dc_lzfse_decode, &empty);
}

/* An LZVN block under construction: its codes go to `payload`. */
typedef struct {
    stream *s;
    uint8_t payload[3072];
    size_t len;
    size_t start;    /* the block's output starts here in s->want */
    size_t distance; /* the last one given */
} lzvn;

static void code(lzvn *v, const void *bytes, size_t len)
{
    assert_true(v->len + len <= sizeof v->payload);
    memcpy(v->payload + v->len, bytes, len);
    v->len += len;
}

static void code_byte(lzvn *v, unsigned byte)
{
    uint8_t b = (uint8_t)byte;
    code(v, &b, 1);
}

/* Literal and match (M 3-10), D in 11 bits ("small") or 16 ("large"). */
static void lzvn_small(lzvn *v, const char *lit, size_t l, size_t m,
                       size_t d, bool large)
{
    /* With 3 literals only M 3-4 has a code, 2: 3-6, 1: 3-8. */
    assert_true(m >= 3 && m <= 10 && m <= 10 - 2 * l + (l == 3));
    if (large) {
        code_byte(v, (unsigned)(l << 6 | (m - 3) << 3 | 7));
        code_byte(v, (unsigned)(d & 0xFF));
        code_byte(v, (unsigned)(d >> 8));
    } else {
        assert_true(d < 2048);
        code_byte(v, (unsigned)(l << 6 | (m - 3) << 3 | d >> 8));
        code_byte(v, (unsigned)(d & 0xFF));
    }
    code(v, lit, l);
    want_literal(v->s, lit, l);
    want_match(v->s, d, m);
    v->distance = d;
}

/* Literal 0-3, match 3-34, D in 14 bits. */
static void lzvn_medium(lzvn *v, const char *lit, size_t l, size_t m, size_t d)
{
    assert_true(l <= 3 && m >= 3 && m <= 34 && d < 16384);
    unsigned word = (unsigned)(d << 2 | ((m - 3) & 3));
    code_byte(v, 0xA0 | (unsigned)(l << 3 | (m - 3) >> 2));
    code_byte(v, word & 0xFF);
    code_byte(v, word >> 8);
    code(v, lit, l);
    want_literal(v->s, lit, l);
    want_match(v->s, d, m);
    v->distance = d;
}

/* Literal 1-3 and match 3-10 at the previous distance. */
static void lzvn_previous(lzvn *v, const char *lit, size_t l, size_t m)
{
    assert_true(l >= 1 && m >= 3 && m <= 10 - 2 * l + (l == 3));
    code_byte(v, (unsigned)(l << 6 | (m - 3) << 3 | 6));
    code(v, lit, l);
    want_literal(v->s, lit, l);
    want_match(v->s, v->distance, m);
}

static void lzvn_literal(lzvn *v, const uint8_t *lit, size_t l)
{
    assert_true(l >= 1 && l <= 271);
    if (l < 16) {
        code_byte(v, 0xE0 | (unsigned)l);
    } else {
        code_byte(v, 0xE0);
        code_byte(v, (unsigned)(l - 16));
    }
    code(v, lit, l);
    want_literal(v->s, lit, l);
}

static void lzvn_match(lzvn *v, size_t m)
{
    assert_true(m >= 1 && m <= 271);
    if (m < 16) {
        code_byte(v, 0xF0 | (unsigned)m);
    } else {
        code_byte(v, 0xF0);
        code_byte(v, (unsigned)(m - 16));
    }
    want_match(v->s, v->distance, m);
}

static void lzvn_begin(lzvn *v, stream *s)
{
    v->s = s;
    v->len = 0;
    v->start = s->want_len;
    v->distance = 0;
}

static void lzvn_end(lzvn *v)
{
    code(v, "\x06\0\0\0\0\0\0\0", 8);
    put(v->s, "bvxn", 4);
    put_le32(v->s, (uint32_t)(v->s->want_len - v->start));
    put_le32(v->s, (uint32_t)v->len);
    put(v->s, v->payload, v->len);
}

static void test_lzvn_codes(void **state)
{
    (void)state;
    stream s = {0};
    uint8_t bytes[1100];
    noise(bytes, sizeof bytes, 3);
    lzvn v;
    lzvn_begin(&v, &s);
    for (int i = 0; i < 4; i++)
        lzvn_literal(&v, bytes + 271 * i, 271);
    /* Back to the very first byte. */
    lzvn_small(&v, "abc", 3, 4, 1087, false);
    lzvn_small(&v, "d", 1, 8, 4, false);
    lzvn_previous(&v, "e", 1, 4);
    lzvn_match(&v, 5);
    lzvn_medium(&v, "fg", 2, 34, 1000);
    lzvn_match(&v, 271);
    code_byte(&v, 0x0E); /* no-ops */
    code_byte(&v, 0x16);
    lzvn_small(&v, "", 0, 10, 1084, true);
    lzvn_small(&v, "ij", 2, 6, 1, false);
    lzvn_literal(&v, (const uint8_t *)"hi", 2);
    lzvn_match(&v, 16);
    lzvn_medium(&v, "", 0, 3, 3);
    lzvn_end(&v);

    /* A second LZVN block reaching into the first, a stored one between:
     * matches may reach any earlier block of the stream. */
    lzfse_stored(&s, "0123456789", 10);
    lzvn_begin(&v, &s);
    lzvn_small(&v, "", 0, 8, 1200, true);
    lzvn_small(&v, "xyz", 3, 3, 7, false);
    lzvn_end(&v);
    put(&s, "bvx$", 4);
    expect_decodes(dc_lzfse_decode, &s);
}

/* ---- LZFSE: an LZFSE block built by hand ---------------------------- */

/* Frequency tables in the v2 header's code, least significant bit first:
 * 0 -> 00, 1 -> 10 (2 bits); 24..1047 -> 1111 + 10 bits (14 bits). */
typedef struct {
    uint8_t bytes[1024];
    size_t len;
    uint64_t accum;
    int have;
} freq_writer;

static void freq_put(freq_writer *w, unsigned value)
{
    assert_true(value == 0 || (value >= 24 && value <= 1047));
    if (value == 0) {
        w->have += 2;
    } else {
        w->accum |= (uint64_t)((value - 24) << 4 | 15) << w->have;
        w->have += 14;
    }
    while (w->have >= 8) {
        w->bytes[w->len++] = (uint8_t)w->accum;
        w->accum >>= 8;
        w->have -= 8;
    }
}

/*
 * A bvx2 block of two (L = 4, M = 10, D = 4 + 1 extra bit) matches over
 * 8 literals 'A'.  Each table gives all its states to one symbol, so no
 * state bits are read; the match stream is 8 zero bytes (the padding
 * every encoder writes) and one byte with the two D bits.  `l_freq`
 * (64 when valid) and the bits are the tests' to spoil.
 */
static void lzfse_block(stream *s, unsigned l_freq, unsigned d_bits,
                        uint32_t matches)
{
    freq_writer w = {0};
    for (int i = 0; i < 20; i++)
        freq_put(&w, i == 4 ? l_freq : 0); /* L symbol 4: L = 4 */
    for (int i = 0; i < 20; i++)
        freq_put(&w, i == 10 ? 64 : 0); /* M symbol 10: M = 10 */
    for (int i = 0; i < 64; i++)
        freq_put(&w, i == 4 ? 256 : 0); /* D symbol 4: 4 + 1 bit */
    for (int i = 0; i < 256; i++)
        freq_put(&w, i == 'A' ? 1024 : 0);
    if (w.have > 0)
        w.bytes[w.len++] = (uint8_t)w.accum;

    uint32_t header_size = (uint32_t)(32 + w.len);
    uint64_t literals = 8, literal_payload = 0, lmd_payload = 9;
    put(s, "bvx2", 4);
    put_le32(s, 28);
    put_le64(s, literals | literal_payload << 20 | (uint64_t)matches << 40 |
                    (uint64_t)(0 + 7) << 60);
    /* Two bits used of the last byte: 6 unused. */
    put_le64(s, lmd_payload << 40 | (uint64_t)(-6 + 7) << 60);
    put_le64(s, header_size);
    put(s, w.bytes, w.len);
    put(s, "\0\0\0\0\0\0\0\0", 8);
    put_byte(s, d_bits);
    /* The first match's bit is read first: the higher one.  (A distance
     * the tests make too far has no output to expect.) */
    for (int i = 0; i < 2; i++) {
        size_t distance = 4 + (d_bits >> (1 - i) & 1);
        want_literal(s, "AAAA", 4);
        if (distance <= s->want_len)
            want_match(s, distance, 10);
    }
}

static void test_lzfse_block(void **state)
{
    (void)state;
    /* After stored bytes, the D bits matter: 01 = 4 then 5 back. */
    stream s = {0};
    lzfse_stored(&s, "0123456789", 10);
    lzfse_block(&s, 64, 1, 2);
    put(&s, "bvx$", 4);
    expect_decodes(dc_lzfse_decode, &s);
    assert_memory_equal(s.want + 10, "AAAAAAAAAAAAAA" "AAAA" "AAAAAAAAAA", 28);

    stream t = {0};
    lzfse_stored(&t, "0123456789", 10);
    lzfse_block(&t, 64, 3, 2);
    put(&t, "bvx$", 4);
    expect_decodes(dc_lzfse_decode, &t);
    assert_memory_equal(t.want + 10, "AAAA9AAAA9AA" "AAAA", 16);
}

static void test_lzfse_refusals(void **state)
{
    (void)state;
    stream s = {0};
    lzfse_block(&s, 64, 2, 2); /* the first D is 5, after 4 bytes */
    put(&s, "bvx$", 4);
    expect_refusal(dc_lzfse_decode, s.in, s.in_len, 28,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: match "
                   "distance 5 reaches before the output start");

    stream big = {0};
    lzfse_block(&big, 65, 0, 2);
    put(&big, "bvx$", 4);
    expect_refusal(dc_lzfse_decode, big.in, big.in_len, 28,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: a "
                   "frequency table sums to more than its states");

    stream many = {0};
    lzfse_block(&many, 64, 0, 10001);
    put(&many, "bvx$", 4);
    expect_refusal(dc_lzfse_decode, many.in, many.in_len, 28,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: 8 "
                   "literals and 10001 matches, more than a block holds "
                   "(40000, 10000)");

    stream ok = {0};
    lzfse_stored(&ok, "0123456789", 10);
    lzfse_block(&ok, 64, 0, 2);
    size_t end = ok.in_len;
    put(&ok, "bvx$", 4);
    /* Cut inside the match stream; output left short or overlong. */
    expect_refusal(dc_lzfse_decode, ok.in, end - 1, 38,
                   "x.dmg: chunk 3: LZFSE block at input offset 18: payload "
                   "of 0 + 9 bytes runs past the input's end");
    expect_refusal(dc_lzfse_decode, ok.in, ok.in_len, 30,
                   "x.dmg: chunk 3: LZFSE block at input offset 18: 28 "
                   "bytes, more than the 20 the output has left");
    expect_refusal(dc_lzfse_decode, ok.in, ok.in_len, 39,
                   "x.dmg: chunk 3: LZFSE block at input offset 155: the "
                   "stream ends after 38 of 39 bytes");
    expect_refusal(dc_lzfse_decode, ok.in, end, 38,
                   "x.dmg: chunk 3: LZFSE block at input offset 155: the "
                   "stream ends after 38 of 38 bytes, without its end "
                   "marker");
    put(&ok, "x", 1);
    expect_refusal(dc_lzfse_decode, ok.in, ok.in_len, 38,
                   "x.dmg: chunk 3: LZFSE block at input offset 155: 1 "
                   "input bytes follow the end marker");

    expect_refusal(dc_lzfse_decode, (const uint8_t *)"bvx9", 4, 0,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: unknown "
                   "block magic 62 76 78 39");
    expect_refusal(dc_lzfse_decode, (const uint8_t *)"bvx-\x05\0\0\0ab", 10,
                   5, "x.dmg: chunk 3: LZFSE block at input offset 0: 5 "
                   "stored bytes run past the input's end");
    /* LZVN: a match with no distance yet, an undefined code, bytes after
     * the end code, a code cut off. */
    expect_refusal(dc_lzfse_decode,
                   (const uint8_t *)"bvxn\x03\0\0\0\x09\0\0\0\xF3\x06\0\0\0\0\0\0\0"
                   "bvx$", 25, 3,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: match "
                   "distance 0 reaches before the output start");
    expect_refusal(dc_lzfse_decode,
                   (const uint8_t *)"bvxn\x03\0\0\0\x09\0\0\0\x70\x06\0\0\0\0\0\0\0"
                   "bvx$", 25, 3,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: undefined "
                   "LZVN code 0x70 at payload offset 0");
    expect_refusal(dc_lzfse_decode,
                   (const uint8_t *)"bvxn\x01\0\0\0\x0b\0\0\0\xE1z\x06\0\0\0\0\0\0\0\0"
                   "bvx$", 27, 1,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: 1 LZVN "
                   "payload bytes after its end code");
    expect_refusal(dc_lzfse_decode,
                   (const uint8_t *)"bvxn\x01\0\0\0\x02\0\0\0\xE0\x00" "bvx$",
                   18, 1,
                   "x.dmg: chunk 3: LZFSE block at input offset 0: LZVN code "
                   "at payload offset 0 cut off by the payload's end");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adc_codes),
        cmocka_unit_test(test_adc_long_and_overlapping),
        cmocka_unit_test(test_adc_refusals),
        cmocka_unit_test(test_lzfse_stored),
        cmocka_unit_test(test_lzvn_codes),
        cmocka_unit_test(test_lzfse_block),
        cmocka_unit_test(test_lzfse_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
