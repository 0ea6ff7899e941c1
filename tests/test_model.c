/* The model: MSF text, validation, CD-TEXT packs. */
#include "testutil.h"

#include "model.h"
#include "source.h"

#include <cdio/cdtext.h>

/* The first error wins until it is cleared; then the next one is kept. */
static void test_error_clear(void **state)
{
    dc_error err = {0};
    assert_int_equal(dc_fail(&err, DC_ERR_FORMAT, "first %d", 1),
                     DC_ERR_FORMAT);
    dc_fail(&err, DC_ERR_OUTPUT, "second");
    assert_int_equal(err.status, DC_ERR_FORMAT);
    assert_string_equal(err.message, "first 1");

    dc_error_clear(&err);
    assert_int_equal(err.status, DC_OK);
    assert_string_equal(err.message, "");
    assert_int_equal(dc_fail(&err, DC_ERR_OUTPUT, "third"), DC_ERR_OUTPUT);
    assert_int_equal(err.status, DC_ERR_OUTPUT);
    assert_string_equal(err.message, "third");
    dc_error_clear(NULL);

    /* A message stays one line whatever bytes a file put in it. */
    dc_error_clear(&err);
    dc_fail(&err, DC_ERR_FORMAT, "x.toc:3: found \"%s\"", "a\nb\r\tc\x7f");
    assert_string_equal(err.message, "x.toc:3: found \"a?b??c?\"");
}

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

/* Track lists as users type them; anything else is refused whole. */
static void test_track_list_parse(void **state)
{
    (void)state;
    bool wanted[DC_MAX_TRACKS + 1];
    dc_error err = {0};
    assert_int_equal(dc_track_list_parse("1,3-5,99", wanted, &err), DC_OK);
    for (int n = 0; n <= DC_MAX_TRACKS; n++)
        assert_int_equal(wanted[n], n == 1 || (n >= 3 && n <= 5) || n == 99);
    static const char *const bad[] = {"", "0", "100", "1,", ",1", "1,,2",
                                      "3-1", "1-", "-2", "1 ,2", "+1", "a",
                                      "1-2-3", "2-100"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dc_error_clear(&err);
        if (dc_track_list_parse(bad[i], wanted, &err) != DC_ERR_USAGE)
            fail_msg("'%s' was taken as a track list", bad[i]);
        assert_int_equal(err.advice, DC_ADVICE_CHOOSE_TRACKS);
    }
}

/* The tracks a message names, as ranges. */
static void test_describe_tracks(void **state)
{
    (void)state;
    dc_disc disc = {0};
    char text[DC_TRACK_TEXT_SIZE];
    dc_disc_describe_tracks(&disc, false, text, sizeof text);
    assert_string_equal(text, "no tracks");
    add(&disc, 1, 0, 10)->mode = DC_MODE_MODE1;
    dc_disc_describe_tracks(&disc, false, text, sizeof text);
    assert_string_equal(text, "track 1");
    dc_disc_describe_tracks(&disc, true, text, sizeof text);
    assert_string_equal(text, "no audio tracks");
    add(&disc, 2, 10, 10);
    add(&disc, 3, 20, 10);
    add(&disc, 5, 30, 10)->mode = DC_MODE_MODE1;
    add(&disc, 6, 40, 10);
    dc_disc_describe_tracks(&disc, false, text, sizeof text);
    assert_string_equal(text, "tracks 1-3, 5-6");
    dc_disc_describe_tracks(&disc, true, text, sizeof text);
    assert_string_equal(text, "tracks 2-3, 6");
    dc_disc_free(&disc);
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
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, packs, len, path, &err),
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
    assert_int_equal(dc_disc_set_cdtext_packs(&again, NULL, with_header, body + 4,
                                              path, &err), DC_OK);
    assert_string_equal(again.cdtext.field[DC_CDTEXT_TITLE],
                        "The Voice of the Gnu");
    assert_memory_equal(again.cdtext_packs, packs, body);

    /* A pack stream cut short is refused, naming the origin. */
    assert_int_equal(dc_disc_set_cdtext_packs(&again, NULL, packs, 17, "cut.cdt",
                                              &err), DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "cut.cdt"));
    dc_disc_free(&again);
    dc_disc_free(&disc);
    free(with_header);
    free(packs);
    free(path);
}

/* Packs we encode decode to every field again, short strings sharing a
 * pack included. */
static void test_cdtext_encode_round_trip(void **state)
{
    dc_disc disc = {0};
    dc_error err = {0};
    for (int n = 1; n <= 3; n++)
        add(&disc, n, (n - 1) * 300, 300);
    dc_cdtext_set(&disc.cdtext, DC_CDTEXT_TITLE, "A rather long album title "
                  "that spans several packs", &err);
    dc_cdtext_set(&disc.cdtext, DC_CDTEXT_PERFORMER, "Caf\xc3\xa9 Band", &err);
    dc_cdtext_set(&disc.tracks[0].cdtext, DC_CDTEXT_TITLE, "One", &err);
    dc_cdtext_set(&disc.tracks[2].cdtext, DC_CDTEXT_TITLE, "Three", &err);
    dc_cdtext_set(&disc.tracks[1].cdtext, DC_CDTEXT_SONGWRITER, "Writer", &err);
    uint8_t *packs;
    size_t size;
    assert_int_equal(dc_cdtext_encode(&disc, NULL, &packs, &size, &err), DC_OK);
    assert_non_null(packs);
    assert_int_equal(size % 18, 0);

    dc_disc copy = {0};
    for (int n = 1; n <= 3; n++)
        add(&copy, n, (n - 1) * 300, 300);
    assert_int_equal(dc_disc_set_cdtext_packs(&copy, NULL, packs, size, "encoded",
                                              &err), DC_OK);
    assert_string_equal(copy.cdtext.field[DC_CDTEXT_TITLE],
                        disc.cdtext.field[DC_CDTEXT_TITLE]);
    assert_string_equal(copy.cdtext.field[DC_CDTEXT_PERFORMER], "Caf\xc3\xa9 Band");
    assert_string_equal(copy.tracks[0].cdtext.field[DC_CDTEXT_TITLE], "One");
    assert_null(copy.tracks[1].cdtext.field[DC_CDTEXT_TITLE]);
    assert_string_equal(copy.tracks[2].cdtext.field[DC_CDTEXT_TITLE], "Three");
    assert_string_equal(copy.tracks[1].cdtext.field[DC_CDTEXT_SONGWRITER],
                        "Writer");
    free(packs);
    dc_disc_free(&copy);

    /* No text, no packs. */
    dc_disc bare = {0};
    add(&bare, 1, 0, 10);
    assert_int_equal(dc_cdtext_encode(&bare, NULL, &packs, &size, &err), DC_OK);
    assert_null(packs);
    dc_disc_free(&bare);
    dc_disc_free(&disc);
}

/* The third-party packs, decoded and encoded again, decode the same. */
static void test_cdtext_encode_corpus(void **state)
{
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    char *path = test_path(corpus, "bincue/libcdio-cdtext-2011/cdtext.cdt");
    size_t len = 0;
    uint8_t *original = test_read_file(path, &len);
    if (original == NULL)
        skip();
    dc_disc disc = {0}, again = {0};
    dc_error err = {0};
    for (int n = 1; n <= 3; n++) {
        add(&disc, n, (n - 1) * 300, 300);
        add(&again, n, (n - 1) * 300, 300);
    }
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, original, len, path, &err),
                     DC_OK);
    uint8_t *packs;
    size_t size;
    assert_int_equal(dc_cdtext_encode(&disc, NULL, &packs, &size, &err), DC_OK);
    assert_int_equal(dc_disc_set_cdtext_packs(&again, NULL, packs, size, "again",
                                              &err), DC_OK);
    for (int f = 0; f <= DC_CDTEXT_DISC_ID; f++) {
        for (int t = -1; t < 3; t++) {
            const dc_cdtext *a = t < 0 ? &disc.cdtext : &disc.tracks[t].cdtext;
            const dc_cdtext *b = t < 0 ? &again.cdtext : &again.tracks[t].cdtext;
            if (a->field[f] == NULL)
                assert_null(b->field[f]);
            else
                assert_string_equal(a->field[f], b->field[f]);
        }
    }
    free(packs);
    free(original);
    free(path);
    dc_disc_free(&disc);
    dc_disc_free(&again);
}

/* libcdio, as the reference reader, agrees on the corpus pack files it
 * can parse (its parser goes wrong only on strings that start inside a
 * pack, which these files do not have). */
static void test_cdtext_decode_matches_libcdio(void **state)
{
    static const char *files[] = {
        "bincue/libcdio/cdtext.cdt", "bincue/libcdio/cdtext-libburnia.cdt",
        "bincue/libcdio-cdtext-2011/cdtext.cdt",
    };
    static const cdtext_field_t cdio_field[] = {
        [DC_CDTEXT_TITLE] = CDTEXT_FIELD_TITLE,
        [DC_CDTEXT_PERFORMER] = CDTEXT_FIELD_PERFORMER,
        [DC_CDTEXT_SONGWRITER] = CDTEXT_FIELD_SONGWRITER,
        [DC_CDTEXT_COMPOSER] = CDTEXT_FIELD_COMPOSER,
        [DC_CDTEXT_ARRANGER] = CDTEXT_FIELD_ARRANGER,
        [DC_CDTEXT_MESSAGE] = CDTEXT_FIELD_MESSAGE,
    };
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    int compared = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = test_path(corpus, files[i]);
        size_t len = 0;
        uint8_t *data = test_read_file(path, &len);
        free(path);
        if (data == NULL)
            continue;
        dc_disc disc = {0};
        dc_error err = {0};
        for (int n = 1; n <= 20; n++)
            add(&disc, n, n * 10, 10);
        assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, data, len, files[i],
                                                  &err), DC_OK);
        cdtext_t *reference = cdtext_init();
        size_t skip_header = data[0] < 0x80 ? 4 : 0;
        assert_int_equal(cdtext_data_init(reference, data + skip_header,
                                          (len - skip_header) / 18 * 18), 0);
        for (int t = 0; t <= 20; t++) {
            const dc_cdtext *ours = t == 0 ? &disc.cdtext
                                           : &disc.tracks[t - 1].cdtext;
            for (int f = DC_CDTEXT_TITLE; f <= DC_CDTEXT_MESSAGE; f++) {
                const char *theirs = cdtext_get_const(reference, cdio_field[f],
                                                      (track_t)t);
                if (theirs == NULL || theirs[0] == '\0')
                    assert_null(ours->field[f]);
                else
                    assert_string_equal(ours->field[f], theirs);
                compared += theirs != NULL && theirs[0] != '\0';
            }
        }
        cdtext_destroy(reference);
        dc_disc_free(&disc);
        free(data);
    }
    assert_true(compared > 20);
}

/* A real disc's packs (cdtext-krosis.cdt, from a pressed CD): songwriter,
 * composer and arranger are "" for the disc, "Krosis" for track 1 and a
 * TAB ("as before") for tracks 2-10, as the pack bytes show.  libcdio
 * 2.1.0 gives "Krosis" to the disc instead and stops at the TABs. */
static void test_cdtext_decode_real_disc(void **state)
{
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    char *path = test_path(corpus, "bincue/libcdio/cdtext-krosis.cdt");
    size_t len = 0;
    uint8_t *data = test_read_file(path, &len);
    if (data == NULL)
        skip();
    dc_disc disc = {0};
    dc_error err = {0};
    for (int n = 1; n <= 10; n++)
        add(&disc, n, n * 10, 10);
    assert_int_equal(dc_disc_set_cdtext_packs(&disc, NULL, data, len, path, &err),
                     DC_OK);
    assert_string_equal(disc.cdtext.field[DC_CDTEXT_TITLE],
                        "A Memoir of Free Will");
    assert_null(disc.cdtext.field[DC_CDTEXT_SONGWRITER]);
    for (int t = 0; t < 10; t++) {
        assert_string_equal(disc.tracks[t].cdtext.field[DC_CDTEXT_SONGWRITER],
                            "Krosis");
        assert_string_equal(disc.tracks[t].cdtext.field[DC_CDTEXT_ARRANGER],
                            "Krosis");
    }
    assert_string_equal(disc.tracks[9].cdtext.field[DC_CDTEXT_TITLE],
                        "A Memior of Free Will");
    dc_disc_free(&disc);
    free(data);
    free(path);
}

/* Sources: a file, a window of it and bytes in memory read alike; reads
 * stop at the end, exact reads past it fail naming the source and the
 * offset, and a window outside its parent is refused. */
static void test_sources(void **state)
{
    test_dir *f = *state;
    uint8_t *bytes = test_random_bytes(10000, 5);
    char *path = test_path(f->dir, "data.bin");
    test_write_file(path, bytes, 10000);
    dc_error err = {0};
    dc_source *file, *window, *memory;
    assert_int_equal(dc_source_open_file(&file, path, &err), DC_OK);
    assert_int_equal(dc_source_size(file), 10000);
    assert_int_equal(dc_source_window(&window, file, 1000, 500, "w", &err),
                     DC_OK);
    assert_int_equal(dc_source_memory(&memory, bytes + 1000, 500, "m", &err),
                     DC_OK);
    dc_file_id id;
    assert_true(dc_source_file_id(window, &id));
    assert_false(dc_source_file_id(memory, &id));
    uint8_t a[600], b[600];
    size_t got_a, got_b;
    assert_int_equal(dc_source_read_some(window, 100, a, 600, &got_a, &err),
                     DC_OK);
    assert_int_equal(dc_source_read_some(memory, 100, b, 600, &got_b, &err),
                     DC_OK);
    assert_int_equal(got_a, 400);
    assert_int_equal(got_b, 400);
    assert_memory_equal(a, bytes + 1100, 400);
    assert_memory_equal(b, bytes + 1100, 400);
    assert_int_equal(dc_source_read_at(window, 400, a, 200, &err),
                     DC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "w: file ends at offset 500"));
    dc_error_clear(&err);
    dc_source *outside;
    assert_int_equal(dc_source_window(&outside, file, 9900, 200, "x", &err),
                     DC_ERR_FORMAT);
    dc_error_clear(&err);
    assert_int_equal(dc_source_open_file(&outside, f->dir, &err),
                     DC_ERR_INPUT_IO);
    assert_non_null(strstr(err.message, "is a directory"));
    dc_source_close(memory);
    dc_source_close(window);
    dc_source_close(file);
    free(path);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_clear),
        cmocka_unit_test_setup_teardown(test_sources, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test(test_msf_parse),
        cmocka_unit_test(test_msf_format),
        cmocka_unit_test(test_track_list_parse),
        cmocka_unit_test(test_describe_tracks),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_cdtext_packs_from_corpus),
        cmocka_unit_test(test_cdtext_encode_round_trip),
        cmocka_unit_test(test_cdtext_encode_corpus),
        cmocka_unit_test(test_cdtext_decode_matches_libcdio),
        cmocka_unit_test(test_cdtext_decode_real_disc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
