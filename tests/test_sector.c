/*
 * The sector codec against bytes made by other tools (the corpus), against
 * slow reference versions written from the definitions in FORMATS.md, and
 * against deliberate damage.  Every test that touches the EDC or the
 * parity runs once per implementation of them (skipped when the CPU lacks
 * it), and the implementations are checked against each other.
 */
#include "testutil.h"

#include "sector.h"

enum { RAW = 2352, STORED_MODE2 = 2336 };

/* A corpus file, or skip() when the corpus or the file is absent. */
static uint8_t *corpus_file(const char *name, size_t *len)
{
    const char *dir = test_corpus();
    if (dir == NULL)
        skip();
    char *path = test_path(dir, name);
    uint8_t *data = test_read_file(path, len);
    free(path);
    if (data == NULL)
        skip();
    return data;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Deterministic filler (xorshift32), so failures reproduce. */
static void fill_random(uint8_t *data, size_t len, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)(x >> 24);
    }
}

static const dc_codec_impl codec_impls[] = {
    DC_CODEC_PORTABLE, DC_CODEC_PCLMUL_AVX2, DC_CODEC_AVX512};
_Static_assert(sizeof codec_impls / sizeof codec_impls[0] == DC_CODEC_COUNT,
               "every implementation is tested");

/* Selects the implementation the test runs under, or skips it. */
static void use_codec(void **state)
{
    if (!dc_sector_codec_select(*(const dc_codec_impl *)*state))
        skip();
}

/* --- slow references, straight from FORMATS.md 1.3 and 1.4 ------------- */

static uint32_t reference_edc(const uint8_t *data, size_t len)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ 0xD8018001u : crc >> 1;
    }
    return crc;
}

static uint8_t reference_mul2(uint8_t x)
{
    return (uint8_t)(x & 0x80 ? (x << 1) ^ 0x11D : x << 1);
}

/* Both parity symbols of one vector by brute force: the pair (p0, p1) for
 * which the plain sum and the alpha-weighted sum of the codeword vanish. */
static void reference_vector(const uint8_t *input, size_t start, size_t step,
                             size_t count, size_t wrap, uint8_t *p0,
                             uint8_t *p1)
{
    uint8_t a = 0, b = 0;
    for (size_t i = 0; i < count; i++) {
        uint8_t s = input[(start + i * step) % wrap];
        a = reference_mul2(a ^ s);
        b ^= s;
    }
    for (int x = 0; x < 256; x++) {
        uint8_t y = (uint8_t)(x ^ b);
        /* Weighted sum of the completed codeword: alpha * (a ^ x) ^ y. */
        if ((reference_mul2((uint8_t)(a ^ x)) ^ y) == 0) {
            *p0 = (uint8_t)x;
            *p1 = y;
            return;
        }
    }
    fail_msg("no parity pair");
}

static void reference_ecc(const uint8_t *raw, uint8_t *parity)
{
    uint8_t input[2236];
    memcpy(input, raw + 12, 2064);
    if (raw[15] == 2)
        memset(input, 0, 4);
    for (size_t m = 0; m < 86; m++)
        reference_vector(input, m, 86, 24, 2064, &input[2064 + m],
                         &input[2064 + 86 + m]);
    memcpy(parity, input + 2064, 172);
    for (size_t m = 0; m < 52; m++)
        reference_vector(input, (m / 2) * 86 + m % 2, 88, 43, 2236,
                         &parity[172 + m], &parity[172 + 52 + m]);
}

/* --- 1 and 5: raw Mode 1 sectors made by another tool ------------------- */

static void test_mode1_corpus(void **state)
{
    use_codec(state);
    size_t len;
    uint8_t *bin = corpus_file("bincue/libcdio/isofs-m1.bin", &len);
    assert_int_equal(len, 302 * RAW);
    for (size_t i = 0; i < len / RAW; i++) {
        const uint8_t *sector = bin + i * RAW;
        assert_int_equal(dc_sector_classify(sector), DC_SECTOR_MODE1);
        assert_int_equal(dc_sector_verify(sector), DC_CHECK_OK);
        int64_t lba;
        assert_true(dc_sector_header_lba(sector, &lba));
        assert_int_equal(lba, (int64_t)i);

        uint8_t rebuilt[RAW];
        dc_sector_encode_mode1(rebuilt, (int64_t)i, sector + 16);
        assert_memory_equal(rebuilt, sector, RAW);
    }
    /* The user data is the ISO 9660 image: its primary volume descriptor
     * sits in block 16. */
    size_t offset, size;
    dc_sector_user_span(DC_SECTOR_MODE1, &offset, &size);
    assert_memory_equal(bin + 16 * RAW + offset, "\x01" "CD001" "\x01", 7);
    free(bin);
}

static void test_edc_matches_corpus_field(void **state)
{
    use_codec(state);
    size_t len;
    uint8_t *bin = corpus_file("bincue/libcdio/isofs-m1.bin", &len);
    for (size_t i = 0; i < len / RAW; i++) {
        const uint8_t *sector = bin + i * RAW;
        assert_int_equal(dc_edc_compute(sector, 2064), le32(sector + 2064));
    }
    free(bin);
}

/* --- 2: Mode 2 sectors (VCD) stored as 2336 bytes in a Nero v1 image --- */

typedef struct nrg_track {
    uint32_t offset, length, start_lba;
} nrg_track;

/* Reads the ETNF (track-at-once) chunk of a Nero v1 image. */
static size_t nrg_tracks(const uint8_t *nrg, size_t len, nrg_track *tracks,
                         size_t max)
{
    assert_true(len > 8);
    assert_memory_equal(nrg + len - 8, "NERO", 4);
    size_t pos = be32(nrg + len - 4);
    while (pos + 8 <= len && memcmp(nrg + pos, "END!", 4) != 0) {
        size_t chunk_len = be32(nrg + pos + 4);
        assert_true(pos + 8 + chunk_len <= len);
        if (memcmp(nrg + pos, "ETNF", 4) == 0) {
            size_t count = chunk_len / 20;
            assert_true(count > 0 && count <= max);
            for (size_t i = 0; i < count; i++) {
                const uint8_t *entry = nrg + pos + 8 + 20 * i;
                tracks[i].offset = be32(entry);
                tracks[i].length = be32(entry + 4);
                tracks[i].start_lba = be32(entry + 12);
            }
            return count;
        }
        pos += 8 + chunk_len;
    }
    fail_msg("no ETNF chunk");
    return 0;
}

static void test_mode2_corpus(void **state)
{
    use_codec(state);
    size_t len;
    uint8_t *nrg = corpus_file("nrg/libcdio/videocd.nrg", &len);
    nrg_track tracks[8] = {{0}};
    size_t track_count = nrg_tracks(nrg, len, tracks, 8);
    assert_int_equal(track_count, 5);
    assert_int_equal(tracks[0].offset, 0);

    size_t form1 = 0, form2 = 0;
    for (size_t t = 0; t < track_count; t++) {
        assert_int_equal(tracks[t].length % STORED_MODE2, 0);
        assert_true((size_t)tracks[t].offset + tracks[t].length <= len);
        for (size_t i = 0; i < tracks[t].length / STORED_MODE2; i++) {
            const uint8_t *stored =
                nrg + tracks[t].offset + i * STORED_MODE2;
            int64_t lba = (int64_t)tracks[t].start_lba + (int64_t)i;
            uint8_t raw[RAW], rebuilt[RAW];
            dc_sector_encode_from_2336(raw, lba, stored);
            assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);

            dc_sector_kind kind = dc_sector_classify(raw);
            if (kind == DC_SECTOR_MODE2_FORM1) {
                form1++;
                assert_int_equal(dc_edc_compute(stored, 2056),
                                 le32(stored + 2056));
                dc_sector_encode_form1(rebuilt, lba, stored, stored + 8);
            } else {
                assert_int_equal(kind, DC_SECTOR_MODE2_FORM2);
                form2++;
                assert_int_equal(dc_edc_compute(stored, 2332),
                                 le32(stored + 2332));
                dc_sector_encode_form2(rebuilt, lba, stored, stored + 8);
            }
            assert_memory_equal(rebuilt, raw, RAW);
        }
    }
    assert_true(form1 > 0);
    assert_true(form2 > 0);
    free(nrg);
}

/* --- the optimised code against the slow references -------------------- */

static void test_edc_reference_lengths(void **state)
{
    use_codec(state);
    /* Around the 8-byte steps and the 4 x 512-byte side-by-side blocks. */
    static const size_t lengths[] = {0,    1,    7,    8,    9,    2047,
                                     2048, 2049, 2056, 2064, 2332, 4095,
                                     4096, 4100, 6200};
    static uint8_t data[6200];
    fill_random(data, sizeof data, 7);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
        assert_int_equal(dc_edc_compute(data, lengths[i]),
                         reference_edc(data, lengths[i]));
}

static void test_ecc_reference(void **state)
{
    use_codec(state);
    for (uint32_t seed = 1; seed <= 20; seed++) {
        uint8_t raw[RAW], parity[276];
        fill_random(raw, RAW, seed);
        /* Half Mode 1 (header in the ECC), half Mode 2 (header as zero). */
        raw[15] = (uint8_t)(seed % 2 + 1);
        reference_ecc(raw, parity);
        dc_ecc_generate(raw);
        assert_memory_equal(raw + 2076, parity, sizeof parity);
    }
}

/* The folding constants the Linux kernel's crc32-pclmul uses for the
 * standard CRC-32 (reflected 0xEDB88320): R1..R5 are x^(4*128+32),
 * x^(4*128-32), x^(128+32), x^(128-32) and x^64 mod P. */
static void test_fold_constants(void **state)
{
    assert_int_equal(dc_crc_fold_constant(0xEDB88320u, 4 * 128 + 32),
                     0x154442bd4);
    assert_int_equal(dc_crc_fold_constant(0xEDB88320u, 4 * 128 - 32),
                     0x1c6e41596);
    assert_int_equal(dc_crc_fold_constant(0xEDB88320u, 128 + 32),
                     0x1751997d0);
    assert_int_equal(dc_crc_fold_constant(0xEDB88320u, 128 - 32),
                     0x0ccaa009e);
    assert_int_equal(dc_crc_fold_constant(0xEDB88320u, 64), 0x163cd6124);
}

/* --- the implementations against the portable one ---------------------- */

/* Each length at several misalignments, in a heap block of exactly that
 * size so that the sanitizers see any read past either end. */
static void test_edc_implementations_agree(void **state)
{
    use_codec(state);
    enum { MAX_LENGTH = 4200 };
    static const size_t offsets[] = {0, 1, 3, 8, 15, 33};
    static uint8_t data[MAX_LENGTH + 64];
    fill_random(data, sizeof data, 21);
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        for (size_t len = 0; len <= MAX_LENGTH; len++) {
            const uint8_t *source = data + offsets[i];
            uint8_t *exact = malloc(len > 0 ? len : 1);
            assert_non_null(exact);
            memcpy(exact, source, len);
            uint32_t got = dc_edc_compute(exact, len);
            assert_true(dc_sector_codec_select(DC_CODEC_PORTABLE));
            uint32_t want = dc_edc_compute(source, len);
            use_codec(state);
            if (got != want)
                fail_msg("EDC of %zu bytes at offset %zu: %08x, want %08x",
                         len, offsets[i], got, want);
            free(exact);
        }
}

/* Encodes with impl into a heap sector of exactly RAW bytes. */
static uint8_t *encode_with(dc_codec_impl impl, int kind, int64_t lba,
                            const uint8_t subheader[4], const uint8_t *user)
{
    assert_true(dc_sector_codec_select(impl));
    uint8_t *raw = malloc(RAW);
    assert_non_null(raw);
    switch (kind) {
    case 0:
        dc_sector_encode_mode1(raw, lba, user);
        break;
    case 1:
        dc_sector_encode_form1(raw, lba, subheader, user);
        break;
    default:
        dc_sector_encode_form2(raw, lba, subheader, user);
        break;
    }
    return raw;
}

static void test_sector_implementations_agree(void **state)
{
    use_codec(state);
    dc_codec_impl impl = *(const dc_codec_impl *)*state;
    uint8_t user[DC_USER_FORM2];
    for (uint32_t seed = 1; seed <= 600; seed++) {
        fill_random(user, sizeof user, seed);
        int kind = (int)(seed % 3);
        int64_t lba = (int64_t)seed * 751 - 150;
        /* Form 1 and Form 2 by the submode bit; the rest random. */
        uint8_t subheader[4] = {user[0], user[1],
                                (uint8_t)(kind == 2 ? 0x20 : 0x08), user[3]};
        uint8_t *want = encode_with(DC_CODEC_PORTABLE, kind, lba, subheader,
                                    user);
        uint8_t *got = encode_with(impl, kind, lba, subheader, user);
        assert_memory_equal(got, want, RAW);

        /* Verification agrees too, on good and on damaged sectors. */
        size_t at = 16 + user[5] % (RAW - 16);
        for (int damaged = 0; damaged <= 1; damaged++) {
            got[at] ^= (uint8_t)damaged;
            assert_true(dc_sector_codec_select(DC_CODEC_PORTABLE));
            dc_sector_check expected = dc_sector_verify(got);
            assert_true(dc_sector_codec_select(impl));
            assert_int_equal(dc_sector_verify(got), expected);
            if (!damaged)
                assert_int_equal(expected, DC_CHECK_OK);
        }
        free(want);
        free(got);
    }
}

/* --- 3: damage is detected --------------------------------------------- */

static void encode_random_mode1(uint8_t *raw, uint32_t seed)
{
    uint8_t user[DC_USER_MODE1];
    fill_random(user, sizeof user, seed);
    dc_sector_encode_mode1(raw, 1234, user);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
}

static void assert_flip_gives(const uint8_t *good, size_t at,
                              dc_sector_check expected)
{
    uint8_t raw[RAW];
    memcpy(raw, good, RAW);
    raw[at] ^= 0x01;
    assert_int_equal(dc_sector_verify(raw), expected);
}

static void test_mode1_damage(void **state)
{
    use_codec(state);
    uint8_t raw[RAW];
    encode_random_mode1(raw, 11);
    assert_flip_gives(raw, 16, DC_CHECK_BAD_EDC);    /* first user byte */
    assert_flip_gives(raw, 2063, DC_CHECK_BAD_EDC);  /* last user byte */
    assert_flip_gives(raw, 14, DC_CHECK_BAD_EDC);    /* header frame */
    assert_flip_gives(raw, 2066, DC_CHECK_BAD_EDC);  /* the EDC itself */
    assert_flip_gives(raw, 2070, DC_CHECK_BAD_ECC);  /* zero area */
    assert_flip_gives(raw, 2076, DC_CHECK_BAD_ECC);  /* P */
    assert_flip_gives(raw, 2247, DC_CHECK_BAD_ECC);  /* last P */
    assert_flip_gives(raw, 2248, DC_CHECK_BAD_ECC);  /* Q */
    assert_flip_gives(raw, 2351, DC_CHECK_BAD_ECC);  /* last Q */
}

static void test_form1_damage_and_relocation(void **state)
{
    use_codec(state);
    static const uint8_t subheader[4] = {1, 2, 0x08, 0};
    uint8_t user[DC_USER_FORM1], raw[RAW];
    fill_random(user, sizeof user, 12);
    dc_sector_encode_form1(raw, 300, subheader, user);
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE2_FORM1);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    assert_flip_gives(raw, 24, DC_CHECK_BAD_EDC);
    assert_flip_gives(raw, 2073, DC_CHECK_BAD_EDC);
    assert_flip_gives(raw, 2100, DC_CHECK_BAD_ECC);
    assert_flip_gives(raw, 2300, DC_CHECK_BAD_ECC);
    /* Mode 2 EDC and ECC leave the address out: a moved sector is fine. */
    assert_flip_gives(raw, 13, DC_CHECK_OK);
}

static void test_form2_edc(void **state)
{
    use_codec(state);
    static const uint8_t subheader[4] = {1, 1, 0x64, 0x0F};
    uint8_t user[DC_USER_FORM2], raw[RAW];
    fill_random(user, sizeof user, 13);
    dc_sector_encode_form2(raw, 5000, subheader, user);
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE2_FORM2);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    assert_flip_gives(raw, 1000, DC_CHECK_BAD_EDC);
    assert_flip_gives(raw, 2349, DC_CHECK_BAD_EDC);

    /* An all-zero EDC means "not computed": damage then goes unseen. */
    memset(raw + 2348, 0, 4);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    assert_flip_gives(raw, 1000, DC_CHECK_OK);
    raw[2348] = 1;
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_BAD_EDC);
}

/* --- 4: header address and BCD ----------------------------------------- */

static void assert_header(int64_t lba, const uint8_t msf[3])
{
    uint8_t raw[RAW];
    memset(raw, 0xAA, sizeof raw);
    dc_sector_write_header(raw, lba, 1);
    assert_memory_equal(raw, dc_sync_pattern, DC_SYNC_SIZE);
    assert_memory_equal(raw + 12, msf, 3);
    assert_int_equal(raw[15], 1);
    assert_int_equal(raw[16], 0xAA); /* nothing past the header */
}

static void test_header_msf(void **state)
{
    assert_header(0, (const uint8_t[]){0x00, 0x02, 0x00});
    assert_header(-150, (const uint8_t[]){0x00, 0x00, 0x00});
    assert_header(16, (const uint8_t[]){0x00, 0x02, 0x16});
    assert_header(4350, (const uint8_t[]){0x01, 0x00, 0x00});
    assert_header(449849, (const uint8_t[]){0x99, 0x59, 0x74});
    /* Outside 0..99:59:74 the address wraps, as MMC maps the lead-in. */
    assert_header(-151, (const uint8_t[]){0x99, 0x59, 0x74});
    assert_header(449850, (const uint8_t[]){0x00, 0x00, 0x00});

    uint8_t raw[RAW];
    for (int64_t lba = -150; lba <= 449849; lba += 997) {
        int64_t back;
        dc_sector_write_header(raw, lba, 2);
        assert_true(dc_sector_header_lba(raw, &back));
        assert_int_equal(back, lba);
    }
    dc_sector_write_header(raw, 449849, 1);
    int64_t back;
    assert_true(dc_sector_header_lba(raw, &back));
    assert_int_equal(back, 449849);
}

static void test_header_rejects_non_bcd(void **state)
{
    static const uint8_t bad[][3] = {
        {0x0A, 0x02, 0x00}, {0xA0, 0x02, 0x00}, {0x00, 0x1F, 0x00},
        {0x00, 0x60, 0x00}, {0x00, 0x02, 0x75}, {0x00, 0x02, 0x0C},
        {0xFF, 0xFF, 0xFF}};
    uint8_t raw[RAW];
    dc_sector_write_header(raw, 0, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(raw + 12, bad[i], 3);
        int64_t lba = 77;
        assert_false(dc_sector_header_lba(raw, &lba));
        assert_int_equal(lba, 77);
    }
}

/* --- classification ---------------------------------------------------- */

static void test_classify_and_span(void **state)
{
    uint8_t raw[RAW];
    memset(raw, 0, sizeof raw);
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_NO_SYNC);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);

    dc_sector_write_header(raw, 0, 0);
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE0);
    dc_sector_write_header(raw, 0, 3);
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_BAD_MODE);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);

    dc_sector_write_header(raw, 0, 2);
    raw[16 + 2] = 0x20;  /* Form 2 bit in the first copy only */
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE2);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    raw[20 + 2] = 0x20;
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE2_FORM2);
    raw[16 + 2] = raw[20 + 2] = 0x08;
    assert_int_equal(dc_sector_classify(raw), DC_SECTOR_MODE2_FORM1);

    static const struct {
        dc_sector_kind kind;
        size_t offset, size;
    } spans[] = {
        {DC_SECTOR_MODE1, 16, 2048},       {DC_SECTOR_MODE2_FORM1, 24, 2048},
        {DC_SECTOR_MODE2_FORM2, 24, 2324}, {DC_SECTOR_MODE2, 16, 2336},
        {DC_SECTOR_MODE0, 16, 2336},       {DC_SECTOR_NO_SYNC, 0, 2352},
        {DC_SECTOR_BAD_MODE, 16, 2336}};
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        size_t offset = 1, size = 1;
        dc_sector_user_span(spans[i].kind, &offset, &size);
        assert_int_equal(offset, spans[i].offset);
        assert_int_equal(size, spans[i].size);
    }
}

/* Data, audio, or nothing said: what the label checks weigh. */
static void test_weigh(void **state)
{
    (void)state;
    uint8_t raw[RAW];
    int64_t lba = -1;
    memset(raw, 0, sizeof raw);
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_NONE);
    raw[RAW - 1] = 1; /* one sample not silent */
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_AUDIO);
    dc_sector_write_header(raw, 1234, 2);
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_DATA);
    assert_int_equal(lba, 1234);
    dc_sector_write_header(raw, 0, 0); /* an empty Mode 0 sector is data */
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_DATA);
    raw[15] = 3;
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_NONE);
    dc_sector_write_header(raw, 0, 1);
    raw[13] = 0x6A; /* seconds 6A: not BCD */
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_NONE);
    raw[0] = 1; /* the sync broken: samples */
    assert_int_equal(dc_sector_weigh(raw, &lba), DC_EVIDENCE_AUDIO);
}

/* --- 6: round trips on generated data ---------------------------------- */

static void assert_round_trip(const uint8_t *raw, int64_t lba,
                              dc_sector_kind kind, const uint8_t *user,
                              size_t user_size)
{
    assert_int_equal(dc_sector_classify(raw), kind);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    int64_t back;
    assert_true(dc_sector_header_lba(raw, &back));
    assert_int_equal(back, lba);
    size_t offset, size;
    dc_sector_user_span(kind, &offset, &size);
    assert_int_equal(size, user_size);
    assert_memory_equal(raw + offset, user, size);
}

static void test_round_trips(void **state)
{
    use_codec(state);
    static const uint8_t form1_sub[4] = {0, 0, 0x08, 0};
    static const uint8_t form2_sub[4] = {1, 0, 0x24, 0x01};
    uint8_t user[DC_USER_FORM2], raw[RAW], again[RAW];
    for (uint32_t seed = 100; seed < 140; seed++) {
        int64_t lba = (int64_t)(seed - 100) * 11213 - 150; /* to 99:06 */
        fill_random(user, sizeof user, seed);

        dc_sector_encode_mode1(raw, lba, user);
        assert_round_trip(raw, lba, DC_SECTOR_MODE1, user, DC_USER_MODE1);

        dc_sector_encode_form1(raw, lba, form1_sub, user);
        assert_round_trip(raw, lba, DC_SECTOR_MODE2_FORM1, user,
                          DC_USER_FORM1);
        dc_sector_encode_from_2336(again, lba, raw + 16);
        assert_memory_equal(again, raw, RAW);

        dc_sector_encode_form2(raw, lba, form2_sub, user);
        assert_round_trip(raw, lba, DC_SECTOR_MODE2_FORM2, user,
                          DC_USER_FORM2);
    }
}

/* The test once per implementation, named after it. */
#define CODEC_TEST(test, impl) \
    {#test " [" #impl "]", test, NULL, NULL, (void *)&codec_impls[impl]}
#define FOR_EACH_CODEC(test)                   \
    CODEC_TEST(test, DC_CODEC_PORTABLE),       \
    CODEC_TEST(test, DC_CODEC_PCLMUL_AVX2),    \
    CODEC_TEST(test, DC_CODEC_AVX512)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FOR_EACH_CODEC(test_mode1_corpus),
        FOR_EACH_CODEC(test_edc_matches_corpus_field),
        FOR_EACH_CODEC(test_mode2_corpus),
        FOR_EACH_CODEC(test_edc_reference_lengths),
        FOR_EACH_CODEC(test_ecc_reference),
        cmocka_unit_test(test_fold_constants),
        CODEC_TEST(test_edc_implementations_agree, DC_CODEC_PCLMUL_AVX2),
        CODEC_TEST(test_edc_implementations_agree, DC_CODEC_AVX512),
        CODEC_TEST(test_sector_implementations_agree, DC_CODEC_PCLMUL_AVX2),
        CODEC_TEST(test_sector_implementations_agree, DC_CODEC_AVX512),
        FOR_EACH_CODEC(test_mode1_damage),
        FOR_EACH_CODEC(test_form1_damage_and_relocation),
        FOR_EACH_CODEC(test_form2_edc),
        cmocka_unit_test(test_header_msf),
        cmocka_unit_test(test_header_rejects_non_bcd),
        cmocka_unit_test(test_classify_and_span),
        cmocka_unit_test(test_weigh),
        FOR_EACH_CODEC(test_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
