/* NRG: images assembled byte by byte here (independently of the writer)
 * around known data, for DAO and TAO, v1 and v2, every sector layout,
 * sessions and metadata; malformed chunk tables; the corpus images against
 * libcdio's cd-info; and images written by discconv read back. */
#include "testutil.h"

#include "discconv/discconv.h"
#include "format.h"
#include "sector.h"

#define RAW 2352
#define COOKED 2048
#define M2 2336
#define SUB 2448

typedef test_dir fixture;

/* ---------------------------------------------------------------------- */
/* Building NRGs by hand                                                   */
/* ---------------------------------------------------------------------- */

typedef struct bytes {
    uint8_t *data;
    size_t len;
} bytes;

static void put(bytes *b, const void *data, size_t len)
{
    b->data = realloc(b->data, b->len + len + 1);
    assert_non_null(b->data);
    if (data != NULL)
        memcpy(b->data + b->len, data, len);
    else
        memset(b->data + b->len, 0, len);
    b->len += len;
}

static void put_be(bytes *b, uint64_t value, int size)
{
    uint8_t p[8];
    for (int i = size - 1; i >= 0; i--, value >>= 8)
        p[i] = (uint8_t)value;
    put(b, p, (size_t)size);
}

static void put_chunk(bytes *b, const char *id, const bytes *payload)
{
    put(b, id, 4);
    put_be(b, payload->len, 4);
    put(b, payload->data, payload->len);
}

static uint8_t bcd(int v) { return (uint8_t)((v / 10) << 4 | v % 10); }

/* One CUEX point (v2, signed LBA) or CUES point (v1, absolute M S F). */
static void put_cue(bytes *b, bool v2, unsigned control, int track, int index,
                    int64_t lba)
{
    uint8_t p[8] = {(uint8_t)(control << 4 | 1),
                    track == 0xAA ? 0xAA : bcd(track), bcd(index), 0};
    if (v2) {
        uint32_t v = (uint32_t)(int32_t)lba;
        p[4] = (uint8_t)(v >> 24);
        p[5] = (uint8_t)(v >> 16);
        p[6] = (uint8_t)(v >> 8);
        p[7] = (uint8_t)v;
    } else {
        int64_t frames = lba + 150;
        p[5] = (uint8_t)(frames / 4500);
        p[6] = (uint8_t)(frames / 75 % 60);
        p[7] = (uint8_t)(frames % 75);
    }
    put(b, p, 8);
}

typedef struct dao_track {
    const char *isrc;
    unsigned size;
    uint8_t code;
    int64_t index0, index1, end; /* file offsets */
} dao_track;

/* DAOX (v2) or DAOI (v1) payload. */
static void put_dao(bytes *b, bool v2, const char *mcn, int first, int last,
                    const dao_track *tracks, int count)
{
    int entry = v2 ? 42 : 30;
    put_be(b, (uint64_t)(22 + entry * count), 4);
    uint8_t header[18] = {0};
    if (mcn != NULL)
        memcpy(header, mcn, 13);
    header[15] = 1;
    header[16] = (uint8_t)first;
    header[17] = (uint8_t)last;
    put(b, header, 18);
    for (int i = 0; i < count; i++) {
        uint8_t isrc[12] = {0};
        if (tracks[i].isrc != NULL)
            memcpy(isrc, tracks[i].isrc, 12);
        put(b, isrc, 12);
        put_be(b, tracks[i].size, 2);
        uint8_t mode[4] = {tracks[i].code, 0, 0, 1};
        put(b, mode, 4);
        int w = v2 ? 8 : 4;
        put_be(b, (uint64_t)tracks[i].index0, w);
        put_be(b, (uint64_t)tracks[i].index1, w);
        put_be(b, (uint64_t)tracks[i].end, w);
    }
}

/* ETN2 (v2) or ETNF (v1) entry. */
static void put_etn(bytes *b, bool v2, int64_t offset, int64_t length,
                    uint8_t code, int64_t lba)
{
    put_be(b, (uint64_t)offset, v2 ? 8 : 4);
    put_be(b, (uint64_t)length, v2 ? 8 : 4);
    put_be(b, code, 4);
    put_be(b, (uint64_t)lba, 4);
    put_be(b, 0, v2 ? 8 : 4);
}

static void put_u32_chunk(bytes *b, const char *id, uint32_t value)
{
    bytes p = {0};
    put_be(&p, value, 4);
    put_chunk(b, id, &p);
    free(p.data);
}

static void put_footer(bytes *b, bool v2, uint64_t first_chunk)
{
    put(b, v2 ? "NER5" : "NERO", 4);
    put_be(b, first_chunk, v2 ? 8 : 4);
}

static void put_end(bytes *b) { put(b, "END!\0\0\0\0", 8); }

/* One track's cue points: lead-in and index 0 at `index0`, index 1, and
 * the lead-out. */
static void put_one_track_cue(bytes *cue, bool v2, unsigned control,
                              int64_t index0, int64_t index1, int64_t leadout)
{
    put_cue(cue, v2, control & 4, 0, 0, index0);
    put_cue(cue, v2, control, 1, 0, index0);
    put_cue(cue, v2, control, 1, 1, index1);
    put_cue(cue, v2, control & 4, 0xAA, 1, leadout);
}

/* A one-session DAO image's chunks after its sectors, END! and footer. */
static void put_dao_chunks(bytes *b, bool v2, const bytes *cue,
                           const bytes *dao)
{
    size_t first = b->len;
    put_chunk(b, v2 ? "CUEX" : "CUES", cue);
    put_chunk(b, v2 ? "DAOX" : "DAOI", dao);
    put_end(b);
    put_footer(b, v2, first);
}

/* An "ISO": random sectors with a volume descriptor at sector 16. */
static uint8_t *make_iso(int sectors, unsigned seed)
{
    uint8_t *iso = test_random_bytes((size_t)sectors * COOKED, seed);
    memcpy(iso + 16 * COOKED, "\001CD001\001", 7);
    return iso;
}

/* Raw sectors of user data from `lba` on: Mode 1, or XA Form 1 (the
 * subheader says Form 1). */
static uint8_t *encode_raw(const uint8_t *user, int sectors, int64_t lba,
                           bool mode2)
{
    static const uint8_t form1[4] = {0, 0, 0x08, 0};
    uint8_t *raw = malloc((size_t)sectors * RAW);
    assert_non_null(raw);
    for (int i = 0; i < sectors; i++) {
        uint8_t *s = raw + (size_t)i * RAW;
        const uint8_t *u = user + (size_t)i * COOKED;
        if (mode2)
            dc_sector_encode_form1(s, lba + i, form1, u);
        else
            dc_sector_encode_mode1(s, lba + i, u);
    }
    return raw;
}

static char *write_image(const char *dir, const char *name, const bytes *b)
{
    char *path = test_path(dir, name);
    test_write_file(path, b->data, b->len);
    return path;
}

static dc_image *open_nrg(const char *path)
{
    dc_image *image = test_open(path);
    assert_string_equal(dc_image_format_name(image), "nrg");
    return image;
}

static void convert_ok(dc_image *source, const char *out,
                       const dc_convert_options *options)
{
    dc_convert_result result;
    dc_error err = {0};
    if (dc_convert(source, out, options, &result, &err) != DC_OK)
        fail_msg("convert to %s: %s", out, err.message);
    dc_convert_result_free(&result);
}

/* Converts track `track` (0: all) to an ISO and compares it with `iso`. */
static void assert_iso(dc_image *image, const char *dir, int track,
                       const uint8_t *iso, size_t len)
{
    char *out = test_path(dir, "out.iso");
    unlink(out);
    dc_convert_options options = {.track_number = track};
    convert_ok(image, out, &options);
    size_t got_len = 0;
    uint8_t *got = test_read_file(out, &got_len);
    assert_non_null(got);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, iso, len);
    free(got);
    free(out);
}

static uint8_t *read_form(dc_image *image, int track, int64_t first,
                          int64_t count, dc_sector_form form)
{
    const dc_track *t = &dc_image_disc(image)->tracks[track];
    uint8_t *buffer = malloc((size_t)count * dc_sector_form_size(t, form) + 1);
    dc_error err = {0};
    if (dc_image_read(image, track, first, count, form, NULL, buffer, NULL,
                      &err) != DC_OK)
        fail_msg("read: %s", err.message);
    return buffer;
}

/* ---------------------------------------------------------------------- */
/* Layouts                                                                 */
/* ---------------------------------------------------------------------- */

/* Nero's data CD: track 1's 150-sector pregap (zeros) at offset 0, then
 * the ISO; v2 chunks.  The pregap before LBA 0 is left out of the model. */
static void test_dao_v2_mode1_2048(void **state)
{
    fixture *f = *state;
    enum { N = 40 };
    uint8_t *iso = make_iso(N, 1);
    bytes b = {0}, cue = {0}, dao = {0};
    put(&b, NULL, 150 * COOKED);
    put(&b, iso, N * COOKED);
    put_one_track_cue(&cue, true, 4, -150, 0, N);
    dao_track t = {NULL, COOKED, 0x00, 0, 150 * COOKED, (150 + N) * COOKED};
    put_dao(&dao, true, NULL, 1, 1, &t, 1);
    put_dao_chunks(&b, true, &cue, &dao);
    char *path = write_image(f->dir, "m1.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc->session_count, 1);
    const dc_track *t1 = &disc->tracks[0];
    assert_int_equal(t1->mode, DC_MODE_MODE1);
    assert_int_equal(t1->stored_size, COOKED);
    assert_int_equal(t1->start_lba, 0);
    assert_int_equal(t1->length, N);
    assert_int_equal(t1->index_count, 1);
    test_assert_index(t1, 0, 1, 0);
    assert_int_equal(dc_image_warning_count(image), 0);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);
    free(path);
    free(b.data);
    free(cue.data);
    free(dao.data);
    free(iso);
}

/* v1 chunks (CUES with M:S:F, DAOI with 32-bit offsets) around raw Mode 1
 * sectors whose headers say LBA -150 on. */
static void test_dao_v1_mode1_2352(void **state)
{
    fixture *f = *state;
    enum { N = 30 };
    uint8_t *iso = make_iso(N, 2);
    uint8_t *zeros = calloc(150, COOKED);
    uint8_t *pregap = encode_raw(zeros, 150, -150, false);
    uint8_t *raw = encode_raw(iso, N, 0, false);
    bytes b = {0}, cue = {0}, dao = {0};
    put(&b, pregap, 150 * RAW);
    put(&b, raw, N * RAW);
    put_one_track_cue(&cue, false, 4, -150, 0, N);
    dao_track t = {NULL, RAW, 0x05, 0, 150 * RAW, (150 + N) * RAW};
    put_dao(&dao, false, NULL, 1, 1, &t, 1);
    put_dao_chunks(&b, false, &cue, &dao);
    char *path = write_image(f->dir, "v1.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_track *t1 = &dc_image_disc(image)->tracks[0];
    assert_int_equal(t1->stored_size, RAW);
    assert_int_equal(t1->start_lba, 0);
    assert_int_equal(t1->length, N);
    uint8_t *got = read_form(image, 0, 0, N, DC_FORM_RAW);
    assert_memory_equal(got, raw, N * RAW);
    free(got);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);
    free(path);
    free(b.data);
    free(cue.data);
    free(dao.data);
    free(iso);
    free(zeros);
    free(pregap);
    free(raw);
}

/* Track-at-once, v1: two Mode 2 tracks of 2336-byte sectors (no sync or
 * header), as in VCDs; each track after the first follows a 150-sector
 * pregap the file leaves out. */
static void test_tao_v1_mode2_2336(void **state)
{
    fixture *f = *state;
    enum { N1 = 25, N2 = 10 };
    uint8_t *iso = make_iso(N1, 3);
    uint8_t *second = test_random_bytes(N2 * COOKED, 4);
    uint8_t *raw1 = encode_raw(iso, N1, 0, true);
    uint8_t *raw2 = encode_raw(second, N2, N1 + 150, true);
    bytes b = {0}, etn = {0};
    for (int i = 0; i < N1; i++)
        put(&b, raw1 + (size_t)i * RAW + 16, M2);
    for (int i = 0; i < N2; i++)
        put(&b, raw2 + (size_t)i * RAW + 16, M2);
    put_etn(&etn, false, 0, N1 * M2, 0x03, 0);
    put_etn(&etn, false, N1 * M2, N2 * M2, 0x03, N1);
    size_t first = b.len;
    put_chunk(&b, "ETNF", &etn);
    put_u32_chunk(&b, "SINF", 2);
    put_end(&b);
    put_footer(&b, false, first);
    char *path = write_image(f->dir, "tao.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    const dc_track *t1 = &disc->tracks[0], *t2 = &disc->tracks[1];
    assert_int_equal(t1->mode, DC_MODE_MODE2_MIXED);
    assert_int_equal(t1->stored_size, M2);
    assert_int_equal(t1->start_lba, 0);
    assert_int_equal(t1->pregap_unstored, 0);
    assert_int_equal(t2->number, 2);
    assert_int_equal(t2->start_lba, N1 + 150);
    assert_int_equal(t2->pregap_unstored, 150);
    assert_int_equal(t2->length, N2);
    /* Sync and header come back with the track's own addresses. */
    uint8_t *got = read_form(image, 1, 0, N2, DC_FORM_RAW);
    assert_memory_equal(got, raw2, N2 * RAW);
    free(got);
    assert_iso(image, f->dir, 1, iso, N1 * COOKED);
    dc_image_close(image);
    free(path);
    free(b.data);
    free(etn.data);
    free(iso);
    free(second);
    free(raw1);
    free(raw2);
}

/* Track-at-once, v2: raw Mode 2 (XA Form 1) sectors, ISO at offset 0 --
 * which the ISO probe would also take; the footer wins. */
static void test_tao_v2_mode2_2352(void **state)
{
    fixture *f = *state;
    enum { N = 24 };
    uint8_t *iso = make_iso(N, 5);
    uint8_t *raw = encode_raw(iso, N, 0, true);
    bytes b = {0}, etn = {0};
    put(&b, raw, N * RAW);
    put_etn(&etn, true, 0, N * RAW, 0x06, 0);
    size_t first = b.len;
    put_chunk(&b, "ETN2", &etn);
    put_end(&b);
    put_footer(&b, true, first);
    char *path = write_image(f->dir, "tao2.nrg", &b);
    dc_image *image = open_nrg(path);
    assert_int_equal(dc_image_disc(image)->tracks[0].stored_size, RAW);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);

    /* The same ISO, cooked, at offset 0 of a TAO image. */
    bytes c = {0}, e2 = {0};
    put(&c, iso, N * COOKED);
    put_etn(&e2, true, 0, N * COOKED, 0x00, 0);
    put_chunk(&c, "ETN2", &e2);
    put_end(&c);
    put_footer(&c, true, N * COOKED);
    free(path);
    path = write_image(f->dir, "tao-cooked.nrg", &c);
    image = open_nrg(path);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);
    free(path);
    free(b.data);
    free(c.data);
    free(etn.data);
    free(e2.data);
    free(iso);
    free(raw);
}

/* Audio with interleaved subchannel (0x10, 2448) and a raw Mode 1 track
 * with subchannel (0x0F): stored bytes come back whole, raw reads drop the
 * 96 subchannel bytes. */
static void test_dao_subchannel_2448(void **state)
{
    fixture *f = *state;
    enum { A = 20, D = 18 };
    uint8_t *audio = test_random_bytes(A * SUB, 6);
    uint8_t *iso = make_iso(D, 7);
    uint8_t *raw = encode_raw(iso, D, A, false);
    uint8_t *data = test_random_bytes(D * SUB, 8);
    for (int i = 0; i < D; i++)
        memcpy(data + (size_t)i * SUB, raw + (size_t)i * RAW, RAW);
    bytes b = {0}, cue = {0}, dao = {0};
    put(&b, audio, A * SUB);
    put(&b, data, D * SUB);
    put_cue(&cue, true, 0, 0, 0, 0);
    put_cue(&cue, true, 0, 1, 0, 0);
    put_cue(&cue, true, 0, 1, 1, 0);
    put_cue(&cue, true, 4, 2, 0, A);
    put_cue(&cue, true, 4, 2, 1, A);
    put_cue(&cue, true, 4, 0xAA, 1, A + D);
    dao_track t[2] = {
        {NULL, SUB, 0x10, 0, 0, A * SUB},
        {NULL, SUB, 0x0F, A * SUB, A * SUB, (A + D) * SUB},
    };
    put_dao(&dao, true, NULL, 1, 2, t, 2);
    put_dao_chunks(&b, true, &cue, &dao);
    char *path = write_image(f->dir, "sub.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_disc *disc = dc_image_disc(image);
    assert_true(disc->tracks[0].has_subchannel);
    assert_int_equal(disc->tracks[0].mode, DC_MODE_AUDIO);
    assert_int_equal(disc->tracks[1].mode, DC_MODE_MODE1);
    assert_int_equal(disc->tracks[1].start_lba, A);
    uint8_t *got = read_form(image, 0, 0, A, DC_FORM_STORED);
    assert_memory_equal(got, audio, A * SUB);
    free(got);
    got = read_form(image, 1, 0, D, DC_FORM_RAW);
    assert_memory_equal(got, raw, D * RAW);
    free(got);
    assert_iso(image, f->dir, 2, iso, D * COOKED);

    /* Written back, the subchannel travels: the same stored bytes. */
    char *out = test_path(f->dir, "sub-copy.nrg");
    dc_convert_options options = {0};
    convert_ok(image, out, &options);
    dc_image *copy = open_nrg(out);
    assert_true(dc_image_disc(copy)->tracks[1].has_subchannel);
    got = read_form(copy, 1, 0, D, DC_FORM_STORED);
    assert_memory_equal(got, data, D * SUB);
    free(got);
    dc_image_close(copy);
    dc_image_close(image);
    free(out);
    free(path);
    free(b.data);
    free(cue.data);
    free(dao.data);
    free(audio);
    free(iso);
    free(raw);
    free(data);
}

/* CD-Extra: audio in session 1, data in session 2 after the 11 400
 * sectors of lead-out, lead-in and pregap that no file stores. */
static void test_dao_multisession(void **state)
{
    fixture *f = *state;
    enum { A = 50, D = 20 };
    uint8_t *audio = test_random_bytes(A * RAW, 9);
    uint8_t *iso = make_iso(D, 10);
    bytes b = {0}, cue1 = {0}, dao1 = {0}, cue2 = {0}, dao2 = {0};
    put(&b, NULL, 150 * RAW);
    put(&b, audio, A * RAW);
    put(&b, iso, D * COOKED);
    put_one_track_cue(&cue1, true, 0, -150, 0, A);
    dao_track t1 = {NULL, RAW, 0x07, 0, 150 * RAW, (150 + A) * RAW};
    put_dao(&dao1, true, NULL, 1, 1, &t1, 1);
    int64_t start2 = A + 11400;
    put_cue(&cue2, true, 4, 0, 0, start2);
    put_cue(&cue2, true, 4, 2, 0, start2);
    put_cue(&cue2, true, 4, 2, 1, start2);
    put_cue(&cue2, true, 4, 0xAA, 1, start2 + D);
    int64_t at = (150 + A) * RAW;
    dao_track t2 = {NULL, COOKED, 0x00, at, at, at + D * COOKED};
    put_dao(&dao2, true, NULL, 2, 2, &t2, 1);
    size_t first = b.len;
    put_chunk(&b, "CUEX", &cue1);
    put_chunk(&b, "DAOX", &dao1);
    put_u32_chunk(&b, "SINF", 1);
    put_chunk(&b, "CUEX", &cue2);
    put_chunk(&b, "DAOX", &dao2);
    put_u32_chunk(&b, "SINF", 1);
    put_end(&b);
    put_footer(&b, true, first);
    char *path = write_image(f->dir, "extra.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->session_count, 2);
    assert_int_equal(disc->tracks[0].session, 1);
    assert_int_equal(disc->tracks[1].session, 2);
    assert_int_equal(disc->tracks[0].length, A);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), A + 11400);
    assert_int_equal(dc_image_warning_count(image), 0);
    uint8_t *got = read_form(image, 0, 0, A, DC_FORM_RAW);
    assert_memory_equal(got, audio, A * RAW);
    free(got);
    assert_iso(image, f->dir, 2, iso, D * COOKED);

    /* The session layout survives a round trip through BIN/CUE. */
    char *cue_out = test_path(f->dir, "extra.cue");
    dc_convert_options options = {0};
    convert_ok(image, cue_out, &options);
    dc_image *copy = test_open(cue_out);
    const dc_disc *c = dc_image_disc(copy);
    assert_int_equal(c->session_count, 2);
    assert_int_equal(c->tracks[1].session, 2);
    assert_int_equal(dc_track_index1_lba(&c->tracks[1]), A + 11400);
    dc_image_close(copy);
    dc_image_close(image);
    free(cue_out);
    free(path);
    free(b.data);
    free(cue1.data);
    free(dao1.data);
    free(cue2.data);
    free(dao2.data);
    free(audio);
    free(iso);
}

/* CRC-16 (0x1021) of a CD-TEXT pack, stored inverted, big-endian. */
static void pack_crc(uint8_t *pack)
{
    unsigned crc = 0;
    for (int i = 0; i < 16; i++) {
        crc ^= (unsigned)pack[i] << 8;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    crc = ~crc & 0xFFFF;
    pack[16] = (uint8_t)(crc >> 8);
    pack[17] = (uint8_t)crc;
}

/* Title packs ("Album", "Song") and the size-information block: 0x8F
 * packs carry 36 bytes -- charset, first and last track, copyright, pack
 * counts per type (0x80..0x8F), last sequence number and language per
 * block. */
static void put_cdtext(bytes *b)
{
    uint8_t packs[4][18] = {
        {0x80, 0, 0, 0, 'A', 'l', 'b', 'u', 'm', 0, 'S', 'o', 'n', 'g', 0, 0},
        {0x8F, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {0x8F, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0},
        {0x8F, 2, 3, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0},
    };
    for (int i = 0; i < 4; i++) {
        pack_crc(packs[i]);
        put(b, packs[i], 18);
    }
}

/* MCN, ISRC, flags, CD-TEXT, an index 2, and a pregap the file leaves out
 * (index 0 before the stored sectors), then everything written back. */
static void test_dao_metadata(void **state)
{
    fixture *f = *state;
    enum { A = 40, B = 30 };
    uint8_t *audio = test_random_bytes((A + B) * RAW, 11);
    bytes b = {0}, cue = {0}, dao = {0}, text = {0};
    put(&b, NULL, 150 * RAW);
    put(&b, audio, (A + B) * RAW);
    put_cue(&cue, true, 0, 0, 0, -150);
    put_cue(&cue, true, 2, 1, 0, -150);
    put_cue(&cue, true, 2, 1, 1, 0);
    put_cue(&cue, true, 2, 1, 2, 10);
    put_cue(&cue, true, 1, 2, 0, A);
    put_cue(&cue, true, 1, 2, 1, A + 75);
    put_cue(&cue, true, 0, 0xAA, 1, A + 75 + B);
    dao_track t[2] = {
        {"USABC9912345", RAW, 0x07, 0, 150 * RAW, (150 + A) * RAW},
        {NULL, RAW, 0x07, (150 + A) * RAW, (150 + A) * RAW,
         (150 + A + B) * RAW},
    };
    put_dao(&dao, true, "0724384960650", 1, 2, t, 2);
    put_cdtext(&text);
    size_t first = b.len;
    put_chunk(&b, "CUEX", &cue);
    put_chunk(&b, "DAOX", &dao);
    put_chunk(&b, "CDTX", &text);
    put_u32_chunk(&b, "SINF", 2);
    put_u32_chunk(&b, "MTYP", 1);
    put_end(&b);
    put_footer(&b, true, first);
    char *path = write_image(f->dir, "meta.nrg", &b);

    dc_image *image = open_nrg(path);
    const dc_disc *disc = dc_image_disc(image);
    assert_string_equal(disc->mcn, "0724384960650");
    const dc_track *t1 = &disc->tracks[0], *t2 = &disc->tracks[1];
    assert_string_equal(t1->isrc, "USABC9912345");
    assert_int_equal(t1->flags, DC_FLAG_DCP);
    assert_int_equal(t2->flags, DC_FLAG_PRE);
    test_assert_index(t1, 0, 1, 0);
    test_assert_index(t1, 1, 2, 10);
    assert_int_equal(t2->start_lba, A + 75);
    assert_int_equal(t2->pregap_unstored, 75);
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE], "Album");
    assert_string_equal(t1->cdtext.field[DC_CDTEXT_TITLE], "Song");

    char *out = test_path(f->dir, "meta-copy.nrg");
    dc_convert_options options = {0};
    convert_ok(image, out, &options);
    dc_image *copy = open_nrg(out);
    const dc_disc *c = dc_image_disc(copy);
    assert_string_equal(c->mcn, disc->mcn);
    assert_string_equal(c->tracks[0].isrc, t1->isrc);
    assert_int_equal(c->tracks[0].flags, t1->flags);
    assert_int_equal(c->tracks[1].flags, t2->flags);
    test_assert_index(&c->tracks[0], 1, 2, 10);
    assert_int_equal(c->cdtext_packs_size, disc->cdtext_packs_size);
    assert_memory_equal(c->cdtext_packs, disc->cdtext_packs,
                        disc->cdtext_packs_size);
    /* The writer stores the pregap (as silence): same INDEX 01. */
    assert_int_equal(dc_track_index1_lba(&c->tracks[1]), A + 75);
    assert_int_equal(c->tracks[1].start_lba, A);
    test_assert_index(&c->tracks[1], 0, 0, 0);
    uint8_t *x = read_form(image, 1, 0, B, DC_FORM_RAW);
    uint8_t *y = read_form(copy, 1, 75, B, DC_FORM_RAW);
    assert_memory_equal(x, y, B * RAW);
    free(x);
    free(y);
    dc_image_close(copy);
    dc_image_close(image);
    free(out);
    free(path);
    free(b.data);
    free(cue.data);
    free(dao.data);
    free(text.data);
    free(audio);
}

/* The entry's sector size wins over its mode code (with a warning); a
 * non-empty area before LBA 0 stays in the model. */
static void test_size_field_and_kept_lead(void **state)
{
    fixture *f = *state;
    enum { N = 20 };
    uint8_t *audio = test_random_bytes((150 + N) * SUB, 12);
    bytes b = {0}, cue = {0}, dao = {0};
    put(&b, audio, (150 + N) * SUB);
    put_one_track_cue(&cue, true, 0, -150, 0, N);
    /* code 0x07 says 2352 bytes, the size field 2448 */
    dao_track t = {NULL, SUB, 0x07, 0, 150 * SUB, (150 + N) * SUB};
    put_dao(&dao, true, NULL, 1, 1, &t, 1);
    put_dao_chunks(&b, true, &cue, &dao);
    char *path = write_image(f->dir, "size.nrg", &b);
    dc_image *image = open_nrg(path);
    const dc_track *t1 = &dc_image_disc(image)->tracks[0];
    assert_int_equal(t1->stored_size, SUB);
    assert_true(t1->has_subchannel);
    assert_int_equal(dc_image_warning_count(image), 1);
    assert_non_null(strstr(dc_image_warning(image, 0), "chunk DAOX at offset"));
    assert_int_equal(t1->start_lba, -150);
    assert_int_equal(t1->length, 150 + N);
    test_assert_index(t1, 0, 0, 0);
    test_assert_index(t1, 1, 1, 150);
    dc_image_close(image);
    free(path);
    free(b.data);
    free(cue.data);
    free(dao.data);
    free(audio);
}

/* ---------------------------------------------------------------------- */
/* Malformed images                                                        */
/* ---------------------------------------------------------------------- */

/* A minimal valid v2 image of 10 cooked sectors; `tweak` breaks it. */
typedef void (*tweak_fn)(bytes *b, size_t *first);

static void build_small(bytes *b, tweak_fn tweak)
{
    bytes cue = {0}, dao = {0};
    put(b, NULL, 10 * COOKED);
    put_one_track_cue(&cue, true, 4, 0, 0, 10);
    dao_track t = {NULL, COOKED, 0x00, 0, 0, 10 * COOKED};
    put_dao(&dao, true, NULL, 1, 1, &t, 1);
    size_t first = b->len;
    put_chunk(b, "CUEX", &cue);
    put_chunk(b, "DAOX", &dao);
    put_end(b);
    if (tweak != NULL)
        tweak(b, &first);
    put_footer(b, true, first);
    free(cue.data);
    free(dao.data);
}

static void set_be32(bytes *b, size_t at, uint32_t v)
{
    b->data[at] = (uint8_t)(v >> 24);
    b->data[at + 1] = (uint8_t)(v >> 16);
    b->data[at + 2] = (uint8_t)(v >> 8);
    b->data[at + 3] = (uint8_t)v;
}

/* Offsets inside build_small's chunk area. */
#define CUEX_AT(first) (first)
#define DAOX_AT(first) ((first) + 8 + 32)
#define ENTRY_AT(first) (DAOX_AT(first) + 8 + 22)

static void footer_past_end(bytes *b, size_t *first)
{
    (void)b;
    *first = 1u << 30;
}
static void footer_into_data(bytes *b, size_t *first)
{
    (void)b;
    *first = 100;
}
static void chunk_past_footer(bytes *b, size_t *first)
{
    set_be32(b, DAOX_AT(*first) + 4, 0x7FFFFFF0);
}
static void truncated_table(bytes *b, size_t *first)
{
    b->len -= 8 + 4; /* END! and half of DAOX's last field */
    (void)first;
}
static void no_end_chunk(bytes *b, size_t *first)
{
    (void)first;
    b->len -= 8;
}
static void zero_chunks_loop(bytes *b, size_t *first)
{
    (void)first;
    b->len -= 8;
    for (int i = 0; i < 5000; i++)
        put(b, "ZERO\0\0\0\0", 8);
    put_end(b);
}
static void track_past_file(bytes *b, size_t *first)
{
    set_be32(b, ENTRY_AT(*first) + 34 + 4, 0x40000000);
}
static void track_into_chunks(bytes *b, size_t *first)
{
    set_be32(b, ENTRY_AT(*first) + 34 + 4, (uint32_t)*first + COOKED);
}
/* 36 bytes of cue points: four and a half. */
static void cuex_not_whole(bytes *b, size_t *first)
{
    size_t end = CUEX_AT(*first) + 8 + 32;
    put(b, NULL, 4);
    memmove(b->data + end + 4, b->data + end, b->len - 4 - end);
    memset(b->data + end, 0, 4);
    set_be32(b, CUEX_AT(*first) + 4, 36);
}
static void cuex_bad_bcd(bytes *b, size_t *first)
{
    b->data[CUEX_AT(*first) + 8 + 8 + 1] = 0x1F;
}
static void dao_huge_count(bytes *b, size_t *first)
{
    b->data[DAOX_AT(*first) + 8 + 21] = 99;
    set_be32(b, CUEX_AT(*first) + 8 + 8 + 8 + 4, 5); /* index 1 after 0 */
    b->data[CUEX_AT(*first) + 8 + 16 + 1] = 0x99;    /* a 99th track */
}
static void misaligned_offsets(bytes *b, size_t *first)
{
    set_be32(b, ENTRY_AT(*first) + 26 + 4, 100);
}
static void sector_size_zero(bytes *b, size_t *first)
{
    b->data[ENTRY_AT(*first) + 12] = 0;
    b->data[ENTRY_AT(*first) + 13] = 0;
}
static void audio_in_2048(bytes *b, size_t *first)
{
    b->data[ENTRY_AT(*first) + 14] = 0x07;
}
static void no_dao_for_cue(bytes *b, size_t *first)
{
    memcpy(b->data + DAOX_AT(*first), "XXXX", 4);
}

/* Two tracks whose data overlap in the file. */
static void build_overlap(bytes *b)
{
    bytes cue = {0}, dao = {0};
    put(b, NULL, 20 * COOKED);
    put_cue(&cue, true, 4, 1, 1, 0);
    put_cue(&cue, true, 4, 2, 1, 10);
    dao_track t[2] = {{NULL, COOKED, 0x00, 0, 0, 12 * COOKED},
                      {NULL, COOKED, 0x00, 10 * COOKED, 10 * COOKED,
                       20 * COOKED}};
    put_dao(&dao, true, NULL, 1, 2, t, 2);
    put_dao_chunks(b, true, &cue, &dao);
    free(cue.data);
    free(dao.data);
}

static void expect_failure(const char *dir, const char *name, const bytes *b,
                           dc_status status, const char *chunk)
{
    char *path = write_image(dir, name, b);
    dc_image *image = NULL;
    dc_error err = {0};
    dc_status got = dc_image_open(&image, path, NULL, &err);
    assert_null(image);
    if (got != status)
        fail_msg("%s: %s, expected %s (%s)", name, dc_status_name(got),
                 dc_status_name(status), err.message);
    char where[64];
    snprintf(where, sizeof where, "%s at offset ", chunk);
    if (strstr(err.message, path) == NULL || strstr(err.message, where) == NULL)
        fail_msg("%s: \"%s\" does not name the file and \"%s\"", name,
                 err.message, where);
    free(path);
}

static void test_malformed(void **state)
{
    fixture *f = *state;
    const struct {
        const char *name;
        tweak_fn tweak;
        dc_status status;
        const char *chunk;
    } cases[] = {
        {"footer-past-end", footer_past_end, DC_ERR_FORMAT, "footer NER5"},
        {"footer-into-data", footer_into_data, DC_ERR_FORMAT, "chunk ????"},
        {"chunk-past-footer", chunk_past_footer, DC_ERR_FORMAT, "chunk DAOX"},
        {"truncated-table", truncated_table, DC_ERR_FORMAT, "chunk DAOX"},
        {"no-end", no_end_chunk, DC_ERR_FORMAT, "chunk END!"},
        {"zero-chunks", zero_chunks_loop, DC_ERR_FORMAT, "chunk ZERO"},
        {"track-past-file", track_past_file, DC_ERR_FORMAT, "chunk DAOX"},
        {"track-into-chunks", track_into_chunks, DC_ERR_FORMAT, "chunk DAOX"},
        {"cuex-not-whole", cuex_not_whole, DC_ERR_FORMAT, "chunk CUEX"},
        {"cuex-bad-bcd", cuex_bad_bcd, DC_ERR_FORMAT, "chunk CUEX"},
        {"dao-huge-count", dao_huge_count, DC_ERR_FORMAT, "chunk DAOX"},
        {"misaligned", misaligned_offsets, DC_ERR_FORMAT, "chunk DAOX"},
        {"size-zero", sector_size_zero, DC_ERR_FORMAT, "chunk DAOX"},
        {"audio-2048", audio_in_2048, DC_ERR_FORMAT, "chunk DAOX"},
        {"no-dao", no_dao_for_cue, DC_ERR_FORMAT, "chunk CUEX"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bytes b = {0};
        build_small(&b, cases[i].tweak);
        char name[64];
        snprintf(name, sizeof name, "%s.nrg", cases[i].name);
        expect_failure(f->dir, name, &b, cases[i].status, cases[i].chunk);
        free(b.data);
    }
    bytes b = {0};
    build_overlap(&b);
    expect_failure(f->dir, "overlap.nrg", &b, DC_ERR_FORMAT, "chunk DAOX");
    free(b.data);

    /* An unknown mode code is named, not guessed. */
    b = (bytes){0};
    build_small(&b, NULL);
    size_t first = b.len - 12 - 8 - (8 + 22 + 42) - (8 + 32);
    b.data[ENTRY_AT(first) + 14] = 0x20;
    expect_failure(f->dir, "mode-20.nrg", &b, DC_ERR_UNSUPPORTED, "chunk DAOX");
    free(b.data);
}

/* A chunk area larger than any NRG needs is refused before it is read: a
 * sparse 20 MiB file whose footer points at offset 0. */
static void test_huge_chunk_area(void **state)
{
    fixture *f = *state;
    char *path = test_path(f->dir, "huge.nrg");
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fseek(file, 20 << 20, SEEK_SET), 0);
    bytes footer = {0};
    put_footer(&footer, true, 0);
    assert_int_equal(fwrite(footer.data, 1, footer.len, file), footer.len);
    fclose(file);
    dc_image *image = NULL;
    dc_error err = {0};
    assert_int_equal(dc_image_open(&image, path, NULL, &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "footer NER5 at offset "));
    free(footer.data);
    free(path);
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

static void assert_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    uint8_t *x = test_read_file(a, &la), *y = test_read_file(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

/* Same track table, addresses and metadata; flags compared without the
 * data bit, which the mode implies.  `b` may store raw Mode 1 tracks as
 * 2048-byte user data (the NRG writer does when every sector regenerates,
 * as in these fixtures). */
static void assert_same_disc_stored(const dc_disc *a, const dc_disc *b,
                                   bool mode1_cooked)
{
    assert_int_equal(a->track_count, b->track_count);
    assert_int_equal(a->session_count, b->session_count);
    assert_string_equal(a->mcn, b->mcn);
    for (int i = 0; i < a->track_count; i++) {
        const dc_track *x = &a->tracks[i], *y = &b->tracks[i];
        assert_int_equal(x->number, y->number);
        assert_int_equal(x->session, y->session);
        assert_int_equal(x->mode, y->mode);
        bool cooked = mode1_cooked && x->mode == DC_MODE_MODE1 &&
                      x->stored_size == RAW;
        assert_int_equal(cooked ? 2048 : x->stored_size, y->stored_size);
        assert_int_equal(x->start_lba, y->start_lba);
        assert_int_equal(x->length, y->length);
        assert_int_equal(x->flags & ~DC_FLAG_DATA, y->flags & ~DC_FLAG_DATA);
        assert_string_equal(x->isrc, y->isrc);
        assert_int_equal(x->index_count, y->index_count);
        for (int k = 0; k < x->index_count; k++)
            test_assert_index(y, k, x->index[k].number, x->index[k].offset);
    }
}

static void assert_same_disc(const dc_disc *a, const dc_disc *b)
{
    assert_same_disc_stored(a, b, false);
}

static void write_raw_file(const char *dir, const char *name,
                           const uint8_t *data, size_t len)
{
    char *path = test_path(dir, name);
    test_write_file(path, data, len);
    free(path);
}

/* BIN/CUE -> NRG -> BIN/CUE: the same bins and an equivalent sheet, for
 * data, audio, mixed-mode and multi-session layouts. */
static void test_round_trip_bincue(void **state)
{
    fixture *f = *state;
    uint8_t *iso = make_iso(30, 13);
    uint8_t *m1 = encode_raw(iso, 30, 0, false);
    uint8_t *m2 = encode_raw(iso, 30, 0, true);
    uint8_t *audio = test_random_bytes(400 * RAW, 14);
    write_raw_file(f->dir, "m1.bin", m1, 30 * RAW);
    write_raw_file(f->dir, "m2.bin", m2, 30 * RAW);
    write_raw_file(f->dir, "cdda.bin", audio, 400 * RAW);
    /* mixed: data, then audio with a stored pregap and an index 2 */
    bytes mixed = {0};
    put(&mixed, m1, 30 * RAW);
    put(&mixed, audio, 400 * RAW);
    write_raw_file(f->dir, "mixed.bin", mixed.data, mixed.len);
    /* cooked: the NRG stores the Mode 1 track as 2048-byte user data,
     * every sector regenerating exactly; not so in "sessions", whose
     * sectors carry the addresses of LBA 0 in a track that starts later. */
    const struct {
        const char *name;
        const char *sheet;
        bool cooked;
    } cases[] = {
        {"data", "FILE \"m1.bin\" BINARY\n TRACK 01 MODE1/2352\n"
                 "  INDEX 01 00:00:00\n", true},
        {"xa", "FILE \"m2.bin\" BINARY\n TRACK 01 MODE2/2352\n"
               "  INDEX 01 00:00:00\n", false},
        {"audio", "CATALOG 0000000000017\n"
                  "FILE \"cdda.bin\" BINARY\n TRACK 01 AUDIO\n"
                  "  FLAGS DCP PRE\n  ISRC ZZDCV2600001\n  INDEX 01 00:00:00\n"
                  " TRACK 02 AUDIO\n  INDEX 00 00:02:00\n  INDEX 01 00:03:00\n",
         false},
        {"mixed", "FILE \"mixed.bin\" BINARY\n TRACK 01 MODE1/2352\n"
                  "  INDEX 01 00:00:00\n TRACK 02 AUDIO\n"
                  "  INDEX 00 00:00:30\n  INDEX 01 00:02:30\n"
                  "  INDEX 02 00:03:00\n", true},
        {"sessions", "REM SESSION 01\nFILE \"cdda.bin\" BINARY\n"
                     " TRACK 01 AUDIO\n  INDEX 01 00:00:00\n"
                     "REM SESSION 02\nFILE \"m1.bin\" BINARY\n"
                     " TRACK 02 MODE1/2352\n  INDEX 01 00:00:00\n", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.cue", cases[i].name);
        char *cue = test_path(f->dir, name);
        test_write_file(cue, cases[i].sheet, strlen(cases[i].sheet));
        snprintf(name, sizeof name, "%s.nrg", cases[i].name);
        char *nrg = test_path(f->dir, name);
        snprintf(name, sizeof name, "%s-back.cue", cases[i].name);
        char *back = test_path(f->dir, name);
        dc_convert_options options = {0};
        dc_image *source = test_open(cue);
        convert_ok(source, nrg, &options);
        dc_image *middle = open_nrg(nrg);
        assert_int_equal(dc_image_warning_count(middle), 0);
        assert_same_disc_stored(dc_image_disc(source), dc_image_disc(middle),
                                cases[i].cooked);
        convert_ok(middle, back, &options);
        dc_image *copy = test_open(back);
        assert_same_disc(dc_image_disc(source), dc_image_disc(copy));
        dc_image_close(copy);
        dc_image_close(middle);
        dc_image_close(source);
        /* the bins come back byte for byte */
        const char *bin = strstr(cases[i].sheet, "FILE \"") + 6;
        char src_bin[32];
        snprintf(src_bin, sizeof src_bin, "%.*s",
                 (int)(strchr(bin, '"') - bin), bin);
        char *a = test_path(f->dir, src_bin);
        snprintf(name, sizeof name, "%s-back.bin", cases[i].name);
        char *b = test_path(f->dir, name);
        if (strcmp(cases[i].name, "sessions") == 0) {
            /* two bins in, their concatenation out */
            size_t len = 0;
            uint8_t *got = test_read_file(b, &len);
            assert_int_equal(len, 400 * RAW + 30 * RAW);
            assert_memory_equal(got, audio, 400 * RAW);
            assert_memory_equal(got + 400 * RAW, m1, 30 * RAW);
            free(got);
        } else {
            assert_same_file(a, b);
        }
        free(a);
        free(b);
        free(cue);
        free(nrg);
        free(back);
    }
    free(mixed.data);
    free(iso);
    free(m1);
    free(m2);
    free(audio);
}

/* ISO -> NRG: Nero's data-CD layout (150 zero sectors, then the ISO at
 * 307 200, mode 0x00), and back to the same ISO. */
static void test_write_iso(void **state)
{
    fixture *f = *state;
    enum { N = 50 };
    uint8_t *iso = make_iso(N, 15);
    char *iso_path = test_path(f->dir, "in.iso");
    test_write_file(iso_path, iso, N * COOKED);
    char *nrg = test_path(f->dir, "in.nrg");
    dc_image *source = test_open(iso_path);
    dc_convert_options options = {0};
    convert_ok(source, nrg, &options);
    dc_image_close(source);

    size_t len = 0;
    uint8_t *data = test_read_file(nrg, &len);
    for (size_t i = 0; i < 150 * COOKED; i++)
        assert_int_equal(data[i], 0);
    assert_memory_equal(data + 150 * COOKED, iso, N * COOKED);
    assert_memory_equal(data + len - 12, "NER5", 4);
    uint8_t *chunks = data + (150 + N) * COOKED;
    assert_memory_equal(chunks, "CUEX", 4);
    uint8_t *daox = chunks + 8 + 4 * 8;
    assert_memory_equal(daox, "DAOX", 4);
    assert_int_equal(daox[8 + 22 + 14], 0x00); /* Mode 1, 2048 */
    free(data);

    dc_image *image = open_nrg(nrg);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);

    /* --raw stores Mode 1 as 2352-byte sectors (0x05) */
    char *raw_nrg = test_path(f->dir, "raw.nrg");
    source = test_open(iso_path);
    options.framing = DC_FRAMING_RAW;
    convert_ok(source, raw_nrg, &options);
    dc_image_close(source);
    image = open_nrg(raw_nrg);
    assert_int_equal(dc_image_disc(image)->tracks[0].stored_size, RAW);
    assert_iso(image, f->dir, 0, iso, N * COOKED);
    dc_image_close(image);
    free(raw_nrg);
    free(nrg);
    free(iso_path);
    free(iso);
}

/* One track of a disc moves to LBA 0 of its own image. */
static void test_write_one_track(void **state)
{
    fixture *f = *state;
    uint8_t *audio = test_random_bytes(200 * RAW, 16);
    write_raw_file(f->dir, "two.bin", audio, 200 * RAW);
    const char *sheet = "FILE \"two.bin\" BINARY\n TRACK 01 AUDIO\n"
                        "  INDEX 01 00:00:00\n TRACK 02 AUDIO\n"
                        "  INDEX 00 00:01:00\n  INDEX 01 00:01:50\n";
    char *cue = test_path(f->dir, "two.cue");
    test_write_file(cue, sheet, strlen(sheet));
    char *nrg = test_path(f->dir, "two.nrg");
    dc_image *source = test_open(cue);
    dc_convert_options options = {.track_number = 2};
    convert_ok(source, nrg, &options);
    dc_image *image = open_nrg(nrg);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc->tracks[0].number, 2);
    assert_int_equal(disc->tracks[0].start_lba, 0);
    assert_int_equal(disc->tracks[0].length, 125);
    test_assert_index(&disc->tracks[0], 1, 1, 50);
    uint8_t *got = read_form(image, 0, 0, 125, DC_FORM_RAW);
    assert_memory_equal(got, audio + 75 * RAW, 125 * RAW);
    free(got);
    dc_image_close(image);
    dc_image_close(source);
    free(cue);
    free(nrg);
    free(audio);
}

/* ---------------------------------------------------------------------- */
/* Corpus                                                                  */
/* ---------------------------------------------------------------------- */

static dc_image *open_corpus(const char *corpus, const char *name)
{
    char *path = test_path(corpus, name);
    dc_image *image = open_nrg(path);
    free(path);
    return image;
}

/*
 * Track tables as libcdio's cd-info prints them (corpus MANIFEST.md).
 * p1.nrg stores track 1 from LBA -150 with index 1 at 150: the silent
 * sectors before LBA 0 leave the model, the audio at 0..149 (cd-info's
 * "Hidden Track") stays as track 1's INDEX 00.  Where we part from
 * libcdio: it prints 0 channels for every NRG audio track (its NRG driver
 * keeps no channel count); the CUEX control nibble says 2.
 */
static void test_corpus_images(void **state)
{
    fixture *f = *state;
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    dc_image *image = open_corpus(corpus, "nrg/libcdio/p1.nrg");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[0]), 150);
    assert_int_equal(disc->tracks[0].start_lba, 0);
    test_assert_index(&disc->tracks[0], 0, 0, 0);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 300);
    assert_int_equal(disc->tracks[1].start_lba + disc->tracks[1].length, 302);
    assert_true(disc->tracks[0].flags & DC_FLAG_DCP);
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE],
                        "Join us now we have the software");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_PERFORMER],
                        "Richard Stallman");
    assert_int_equal(dc_image_warning_count(image), 0);
    /* Written again, Nero's own file comes back byte for byte. */
    char *out = test_path(f->dir, "p1.nrg");
    dc_convert_options options = {0};
    convert_ok(image, out, &options);
    char *original = test_path(corpus, "nrg/libcdio/p1.nrg");
    assert_same_file(original, out);
    free(original);
    free(out);
    dc_image_close(image);

    image = open_corpus(corpus, "nrg/libcdio/videocd.nrg");
    disc = dc_image_disc(image);
    static const int64_t starts[] = {0, 826, 1051, 1276, 1501};
    assert_int_equal(disc->track_count, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dc_track_index1_lba(&disc->tracks[i]), starts[i]);
        assert_int_equal(disc->tracks[i].stored_size, M2);
        assert_int_equal(disc->tracks[i].mode, DC_MODE_MODE2_MIXED);
    }
    assert_int_equal(disc->tracks[4].start_lba + disc->tracks[4].length, 1726);
    dc_fsinfo fs;
    dc_error err = {0};
    assert_int_equal(dc_fsinfo_probe(image, 0, &fs, &err), DC_OK);
    assert_true(fs.iso9660);
    assert_string_equal(fs.volume_id, "SVIDEOCD");
    assert_int_equal(fs.iso_blocks, 676);
    dc_image_close(image);
}

int main(void)
{
#define T(test) cmocka_unit_test_setup_teardown(test, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_dao_v2_mode1_2048),
        T(test_dao_v1_mode1_2352),
        T(test_tao_v1_mode2_2336),
        T(test_tao_v2_mode2_2352),
        T(test_dao_subchannel_2448),
        T(test_dao_multisession),
        T(test_dao_metadata),
        T(test_size_field_and_kept_lead),
        T(test_malformed),
        T(test_huge_chunk_area),
        T(test_round_trip_bincue),
        T(test_write_iso),
        T(test_write_one_track),
        T(test_corpus_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
