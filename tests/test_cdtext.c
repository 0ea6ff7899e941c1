/* The CD-TEXT codec: every block, MS-JIS, the genre pack, TAB, the size
 * information, what the encoder says it loses, what the decoder refuses. */
#include "testutil.h"

#include "format.h"
#include "model.h"
#include "text.h"

#define PACK 18

static void make_disc(dc_disc *disc, int tracks)
{
    dc_error err = {0};
    for (int n = 1; n <= tracks; n++) {
        dc_track *t = dc_disc_add_track(disc, &err);
        assert_non_null(t);
        t->number = n;
    }
}

static dc_cdtext *disc_block(dc_disc *disc, int block)
{
    return (dc_cdtext *)dc_disc_cdtext(disc, block);
}

static dc_cdtext *track_block(dc_disc *disc, int track, int block)
{
    return (dc_cdtext *)dc_track_cdtext(&disc->tracks[track], block);
}

static void set(dc_cdtext *text, dc_cdtext_field field, const char *value)
{
    dc_error err = {0};
    assert_int_equal(dc_cdtext_set(text, field, value, &err), DC_OK);
}

/* CRC-16/CCITT over the first 16 bytes, inverted: the MMC rule, written
 * again here so the test does not trust the codec's own. */
static unsigned crc_of(const uint8_t *pack)
{
    unsigned crc = 0;
    for (int i = 0; i < 16; i++) {
        crc ^= (unsigned)pack[i] << 8;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000 ? crc << 1 ^ 0x1021 : crc << 1) & 0xFFFF;
    }
    return ~crc & 0xFFFF;
}

/* English (Latin-1 with accents) in block 0, Japanese in block 1. */
static void make_two_languages(dc_disc *disc)
{
    make_disc(disc, 3);
    disc->cdtext_block_count = 2;
    disc->cdtext_block[0] = (dc_cdtext_block){.language = 0x09,
                                              .charset = DC_CDTEXT_ISO_8859_1,
                                              .genre_code = 27};
    disc->cdtext_block[1] = (dc_cdtext_block){.language = 0x69,
                                              .charset = DC_CDTEXT_MS_JIS,
                                              .genre_code = 27,
                                              .copyright = true};
    set(disc_block(disc, 0), DC_CDTEXT_TITLE, "Caf\xc3\xa9 Songs, a title "
        "long enough to span packs");
    set(disc_block(disc, 0), DC_CDTEXT_PERFORMER, "The Band");
    set(disc_block(disc, 0), DC_CDTEXT_GENRE, "Animal Soundz");
    set(disc_block(disc, 0), DC_CDTEXT_DISC_ID, "XY-1");
    set(disc_block(disc, 1), DC_CDTEXT_TITLE,
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\xad\x8c"); /* 日本語の歌 */
    set(disc_block(disc, 1), DC_CDTEXT_PERFORMER,
        "\xe3\x83\x90\xe3\x83\xb3\xe3\x83\x89");                       /* バンド */
    set(disc_block(disc, 1), DC_CDTEXT_GENRE, "World");
    const char *titles[3] = {"One", "Two", "Three"};
    const char *jp_titles[3] = {
        "\xe4\xb8\x80", "\xe4\xba\x8c\xe3\x81\xa4\xe7\x9b\xae", /* 一, 二つ目 */
        "\xe4\xb8\x89\xe7\x95\xaa\xe7\x9b\xae\xe3\x81\xae\xe6\x9b\xb2"}; /* 三番目の曲 */
    for (int t = 0; t < 3; t++) {
        set(track_block(disc, t, 0), DC_CDTEXT_TITLE, titles[t]);
        /* the same performer on every track: TAB after the first */
        set(track_block(disc, t, 0), DC_CDTEXT_PERFORMER, "The Band");
        set(track_block(disc, t, 1), DC_CDTEXT_TITLE, jp_titles[t]);
        set(track_block(disc, t, 1), DC_CDTEXT_PERFORMER,
            "\xe3\x83\x90\xe3\x83\xb3\xe3\x83\x89");
        set(track_block(disc, t, 0), DC_CDTEXT_UPC_ISRC, "XXA0100000");
    }
}

static void assert_same_text(const dc_cdtext *a, const dc_cdtext *b)
{
    for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++) {
        if (a->field[f] == NULL)
            assert_null(b->field[f]);
        else
            assert_string_equal(a->field[f], b->field[f]);
    }
}

/* decode(encode(x)) == x for two languages, one of them MS-JIS. */
static void test_two_languages_round_trip(void **state)
{
    (void)state;
    dc_disc disc = {0}, again = {0};
    dc_error err = {0};
    make_two_languages(&disc);
    uint8_t *packs;
    size_t size;
    assert_int_equal(dc_cdtext_encode(&disc, NULL, &packs, &size, &err), DC_OK);
    assert_non_null(packs);
    assert_int_equal(size % PACK, 0);

    /* The bytes follow the rules another reader relies on. */
    int last_block = 0, sequence = -1, wide_packs = 0, tabs = 0;
    for (size_t at = 0; at < size; at += PACK) {
        const uint8_t *p = packs + at;
        int block = p[3] >> 4 & 7;
        assert_int_equal(crc_of(p), p[16] << 8 | p[17]);
        if (block != last_block) {
            assert_int_equal(block, last_block + 1);
            last_block = block;
            sequence = -1;
        }
        assert_int_equal(p[2], sequence + 1); /* each block from 0 */
        sequence = p[2];
        if (p[3] & 0x80) {
            assert_int_equal(block, 1); /* double-byte text in block 1 */
            wide_packs++;
        }
        for (int k = 4; k + 1 < 16; k++)
            tabs += p[0] == 0x81 && p[k] == 0x09 && p[k + 1] == 0;
    }
    assert_int_equal(last_block, 1);
    assert_true(wide_packs > 0);
    assert_true(tabs >= 2);

    make_disc(&again, 3);
    assert_int_equal(dc_disc_set_cdtext_packs(&again, NULL, packs, size,
                                              "encoded", &err), DC_OK);
    assert_int_equal(again.cdtext_block_count, 2);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(again.cdtext_block[k].language,
                         disc.cdtext_block[k].language);
        assert_int_equal(again.cdtext_block[k].charset,
                         disc.cdtext_block[k].charset);
        assert_int_equal(again.cdtext_block[k].genre_code, 27);
        assert_int_equal(again.cdtext_block[k].copyright,
                         disc.cdtext_block[k].copyright);
        assert_same_text(dc_disc_cdtext(&disc, k), dc_disc_cdtext(&again, k));
        for (int t = 0; t < 3; t++)
            assert_same_text(dc_track_cdtext(&disc.tracks[t], k),
                             dc_track_cdtext(&again.tracks[t], k));
    }
    free(packs);
    dc_disc_free(&again);
    dc_disc_free(&disc);
}

/* Notes reach a conversion's result. */
typedef struct noted {
    dc_convert_result result;
    dc_write_job job;
} noted;

static void start_notes(noted *n)
{
    memset(n, 0, sizeof *n);
    n->job.result = &n->result;
}

static bool has_note(const noted *n, const char *needle)
{
    for (int i = 0; i < n->result.note_count; i++)
        if (strstr(n->result.notes[i], needle) != NULL)
            return true;
    return false;
}

/* Text no CD-TEXT character set holds is written with '?' and said so;
 * Japanese alone in a block from a cue sheet becomes MS-JIS, kept. */
static void test_lost_characters_are_noted(void **state)
{
    (void)state;
    dc_disc disc = {0}, again = {0};
    dc_error err = {0};
    make_disc(&disc, 2);
    set(track_block(&disc, 0, 0), DC_CDTEXT_TITLE,
        "\xe6\x97\xa5\xe6\x9c\xac");                   /* 日本 */
    set(track_block(&disc, 1, 0), DC_CDTEXT_TITLE,
        "\xe2\x98\x95 \xe4\xba\x8c");                  /* ☕ 二: no set has ☕ */
    noted n;
    start_notes(&n);
    uint8_t *packs;
    size_t size;
    assert_int_equal(dc_cdtext_encode(&disc, &n.job, &packs, &size, &err),
                     DC_OK);
    assert_true(has_note(&n, "the title of track 2 has characters MS-JIS "
                             "cannot hold"));
    assert_true(has_note(&n, "full-width"));
    make_disc(&again, 2);
    assert_int_equal(dc_disc_set_cdtext_packs(&again, NULL, packs, size,
                                              "encoded", &err), DC_OK);
    assert_int_equal(again.cdtext_block[0].charset, DC_CDTEXT_MS_JIS);
    assert_string_equal(dc_track_cdtext(&again.tracks[0], 0)->field[
                            DC_CDTEXT_TITLE], "\xe6\x97\xa5\xe6\x9c\xac");
    /* ？　二 : the lost character is a full-width question mark */
    assert_string_equal(dc_track_cdtext(&again.tracks[1], 0)->field[
                            DC_CDTEXT_TITLE],
                        "\xef\xbc\x9f\xe3\x80\x80\xe4\xba\x8c");
    free(packs);
    dc_convert_result_free(&n.result);
    dc_disc_free(&again);
    dc_disc_free(&disc);
}

/* A genre or disc id for a track has no place in CD-TEXT: said, not
 * dropped in silence. */
static void test_track_genre_is_noted(void **state)
{
    (void)state;
    dc_disc disc = {0};
    dc_error err = {0};
    make_disc(&disc, 1);
    set(track_block(&disc, 0, 0), DC_CDTEXT_GENRE, "Jazz");
    set(track_block(&disc, 0, 0), DC_CDTEXT_TITLE, "Tune");
    noted n;
    start_notes(&n);
    uint8_t *packs;
    size_t size;
    assert_int_equal(dc_cdtext_encode(&disc, &n.job, &packs, &size, &err),
                     DC_OK);
    assert_true(has_note(&n, "the genre of track 1 is left out"));
    free(packs);
    dc_convert_result_free(&n.result);
    dc_disc_free(&disc);
}

/* Packs made by hand: block 0 with a title pack and its size info. */
static size_t hand_packs(uint8_t *out)
{
    static const char title[] = "Hand made";
    memset(out, 0, 4 * PACK);
    out[0] = 0x80;
    memcpy(out + 4, title, sizeof title - 1);
    for (int part = 0; part < 3; part++) {
        uint8_t *p = out + (size_t)(1 + part) * PACK;
        p[0] = 0x8F;
        p[1] = (uint8_t)part;
        p[2] = (uint8_t)(1 + part);
    }
    uint8_t *info = out + PACK + 4; /* 36 bytes over three payloads */
    uint8_t bytes[36] = {0x00, 1, 1, 0, [4] = 1, [19] = 3, [20] = 3,
                         [28] = 0x09};
    for (int part = 0; part < 3; part++)
        memcpy(info + part * PACK, bytes + part * 12, 12);
    for (int i = 0; i < 4; i++) {
        unsigned crc = crc_of(out + i * PACK);
        out[i * PACK + 16] = (uint8_t)(crc >> 8);
        out[i * PACK + 17] = (uint8_t)crc;
    }
    return 4 * PACK;
}

static void expect_refused(uint8_t *packs, size_t size, const char *needle)
{
    dc_disc disc = {0};
    dc_error err = {0};
    make_disc(&disc, 1);
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, packs, size,
                                              "hand.cdt", &err),
                     DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, needle));
    assert_non_null(strstr(err.message, "hand.cdt"));
    dc_disc_free(&disc);
}

/* Counts that disagree with what they count are errors. */
static void test_contradictions_are_refused(void **state)
{
    (void)state;
    uint8_t packs[5 * PACK];
    size_t size = hand_packs(packs);
    dc_disc disc = {0};
    dc_error err = {0};
    make_disc(&disc, 1);
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, packs, size,
                                              "hand.cdt", &err), DC_OK);
    assert_string_equal(disc.cdtext.field[DC_CDTEXT_TITLE], "Hand made");
    dc_disc_free(&disc);

    hand_packs(packs);
    packs[2 * PACK + 2] = 7; /* a gap in the sequence numbers */
    expect_refused(packs, size, "sequence number 7 after 1");

    hand_packs(packs);
    packs[PACK + 4 + 4] = 2; /* says two title packs, there is one */
    expect_refused(packs, size, "counts 2 packs of type 0x80");

    hand_packs(packs);
    packs[3 * PACK + 3] = 0x00;
    packs[PACK + 3] = packs[2 * PACK + 3] = 0x10; /* block 1, then 0 */
    expect_refused(packs, size, "belongs to block 0, after block 1");
}

/* The genre pack's code is not text (libcdio's test disc repeats it in
 * every genre pack); cd-info: "Animal Soundz", code 27. */
static void test_genre_from_corpus(void **state)
{
    (void)state;
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    char *path = test_path(corpus, "bincue/libcdio-cdtext-2011/cdtext.cdt");
    size_t len = 0;
    uint8_t *data = test_read_file(path, &len);
    free(path);
    if (data == NULL)
        skip();
    dc_disc disc = {0};
    dc_error err = {0};
    make_disc(&disc, 3);
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, data, len, "2011",
                                              &err), DC_OK);
    assert_string_equal(disc.cdtext.field[DC_CDTEXT_GENRE], "Animal Soundz");
    assert_int_equal(disc.cdtext_block[0].genre_code, 27);
    assert_string_equal(dc_cdtext_genre_name(27), "World Music");
    assert_int_equal(disc.cdtext_block[0].charset, DC_CDTEXT_ASCII);
    assert_int_equal(disc.cdtext_block[0].language, 0x09);
    free(data);
    dc_disc_free(&disc);
}

static void test_printable(void **state)
{
    (void)state;
    char *s = dc_text_printable("Animal Sou\x1b[2Jndz \xc2\x85 caf\xc3\xa9 "
                                "\x7f \xff");
    assert_string_equal(s, "Animal Sou\\x1B[2Jndz \\xC2\\x85 caf\xc3\xa9 "
                           "\\x7F \\xFF");
    free(s);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(dc_cdtext_language_name(0x08), "German");
    assert_string_equal(dc_cdtext_language_name(0x69), "Japanese");
    assert_string_equal(dc_cdtext_language_name(0x30), "unknown");
    assert_string_equal(dc_cdtext_charset_name(0x80), "MS-JIS");
    assert_null(dc_cdtext_genre_name(28));
    dc_disc disc = {0};
    assert_ptr_equal(dc_disc_cdtext(&disc, 0), &disc.cdtext);
    assert_ptr_equal(dc_disc_cdtext(&disc, 7), &disc.cdtext_other[6]);
    assert_null(dc_disc_cdtext(&disc, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_languages_round_trip),
        cmocka_unit_test(test_lost_characters_are_noted),
        cmocka_unit_test(test_track_genre_is_noted),
        cmocka_unit_test(test_contradictions_are_refused),
        cmocka_unit_test(test_genre_from_corpus),
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
