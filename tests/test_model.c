/* The model: MSF text, validation, CD-TEXT packs. */
#include "testutil.h"

#include "model.h"

static void test_msf_parse(void **state)
{
    int64_t frames;
    assert_true(dc_msf_parse("00:00:00", &frames));
    assert_int_equal(frames, 0);
    assert_true(dc_msf_parse("00:02:00", &frames));
    assert_int_equal(frames, 150);
    assert_true(dc_msf_parse("79:59:74", &frames));
    assert_int_equal(frames, (79 * 60 + 59) * 75 + 74);
    assert_true(dc_msf_parse("120:00:00", &frames)); /* DVD-sized bins */
    assert_int_equal(frames, 120 * 60 * 75);
    /* The corpus's bad-msf-*.cue cases, and friends. */
    assert_false(dc_msf_parse("00:00:100", &frames));
    assert_false(dc_msf_parse("00:00:75", &frames));
    assert_false(dc_msf_parse("00:90:00", &frames));
    assert_false(dc_msf_parse("00:60:00", &frames));
    assert_false(dc_msf_parse("xx:yy:0", &frames));
    assert_false(dc_msf_parse("00:00", &frames));
    assert_false(dc_msf_parse("00:00:00:00", &frames));
    assert_false(dc_msf_parse("-1:00:00", &frames));
    assert_false(dc_msf_parse("9999999:00:00", &frames));
}

static void test_msf_format(void **state)
{
    char text[DC_MSF_TEXT_SIZE];
    dc_msf_format(0, text);
    assert_string_equal(text, "00:00:00");
    dc_msf_format((79 * 60 + 59) * 75 + 74, text);
    assert_string_equal(text, "79:59:74");
    dc_msf_format(150 * 60 * 75 + 1, text);
    assert_string_equal(text, "150:00:01");
}

static dc_track *add(dc_disc *disc, int number, int64_t start, int64_t length)
{
    dc_error err = {0};
    dc_track *t = dc_disc_add_track(disc, &err);
    assert_non_null(t);
    t->number = number;
    t->start_lba = start;
    t->length = length;
    t->stored_size = 2352;
    assert_int_equal(dc_track_add_index(t, 1, 0, &err), DC_OK);
    return t;
}

static void expect_invalid(dc_disc *disc, const char *needle)
{
    dc_error err = {0};
    assert_int_equal(dc_disc_validate(disc, "x.cue", &err), DC_ERR_FORMAT);
    if (strstr(err.message, needle) == NULL)
        fail_msg("'%s' does not mention '%s'", err.message, needle);
    assert_non_null(strstr(err.message, "x.cue"));
    dc_disc_free(disc);
}

static void test_validate(void **state)
{
    dc_disc disc = {0};
    dc_error err = {0};
    add(&disc, 1, 0, 100);
    add(&disc, 2, 100, 50);
    assert_int_equal(dc_disc_validate(&disc, "x.cue", &err), DC_OK);
    dc_disc_free(&disc);

    expect_invalid(&disc, "no tracks");
    add(&disc, 2, 0, 100);
    add(&disc, 1, 100, 50);
    expect_invalid(&disc, "track 1 follows track 2");
    add(&disc, 1, 0, 0);
    expect_invalid(&disc, "no sectors");
    add(&disc, 1, 0, 100);
    add(&disc, 2, 50, 100);
    expect_invalid(&disc, "overlaps");
    dc_track *t = add(&disc, 1, 0, 100);
    t->index[0].number = 0;
    expect_invalid(&disc, "no INDEX 01");
    t = add(&disc, 1, 0, 100);
    assert_int_equal(dc_track_add_index(t, 2, 100, &err), DC_OK);
    expect_invalid(&disc, "outside");
}

/* Known answers from libcdio's cd-info on the same packs (corpus
 * MANIFEST, cdtext.cue). */
static void test_cdtext_packs_from_corpus(void **state)
{
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    char *path = test_path(corpus, "bincue/libcdio-cdtext-2011/cdtext.cdt");
    size_t len = 0;
    uint8_t *packs = test_read_file(path, &len);
    if (packs == NULL)
        skip();
    dc_disc disc = {0};
    for (int n = 1; n <= 3; n++)
        add(&disc, n, (n - 1) * 300, 300);
    dc_error err = {0};
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, packs, len, path, &err),
                     DC_OK);
    assert_string_equal(disc.cdtext.field[DC_CDTEXT_TITLE],
                        "The Voice of the Gnu");
    assert_string_equal(disc.tracks[0].cdtext.field[DC_CDTEXT_TITLE],
                        "I Will Survive");
    assert_string_equal(disc.tracks[1].cdtext.field[DC_CDTEXT_TITLE],
                        "A Forest Full of Gnus");
    assert_string_equal(disc.tracks[2].cdtext.field[DC_CDTEXT_TITLE],
                        "Gnu Opera");
    assert_int_equal(disc.cdtext_packs_size, len - len % 18);

    /* The same packs behind a 4-byte MMC header read the same. */
    size_t body = len - len % 18;
    uint8_t *with_header = malloc(body + 4);
    with_header[0] = (uint8_t)((body + 2) >> 8);
    with_header[1] = (uint8_t)(body + 2);
    with_header[2] = with_header[3] = 0;
    memcpy(with_header + 4, packs, body);
    dc_disc again = {0};
    add(&again, 1, 0, 300);
    assert_int_equal(dc_disc_set_cdtext_packs(&again, with_header, body + 4,
                                              path, &err), DC_OK);
    assert_string_equal(again.cdtext.field[DC_CDTEXT_TITLE],
                        "The Voice of the Gnu");
    assert_memory_equal(again.cdtext_packs, packs, body);

    /* A pack stream cut short is refused, naming the origin. */
    assert_int_equal(dc_disc_set_cdtext_packs(&again, packs, 17, "cut.cdt",
                                              &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "cut.cdt"));
    dc_disc_free(&again);
    dc_disc_free(&disc);
    free(with_header);
    free(packs);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msf_parse),
        cmocka_unit_test(test_msf_format),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_cdtext_packs_from_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
