/* ISO and raw IMG formats and the conversion pipeline: framing kept,
 * stripped and regenerated; sector checks; outputs all-or-nothing. */
#include "testutil.h"

#include "discconv/discconv.h"
#include "sector.h"

#define ISO_SECTORS 40

typedef struct fixture {
    char *dir;
    char *iso;         /* ISO_SECTORS random sectors, CD001 at sector 16 */
    uint8_t *iso_data;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tempdir();
    f->iso = test_path(f->dir, "in.iso");
    f->iso_data = malloc(ISO_SECTORS * 2048);
    test_fill_random(f->iso_data, ISO_SECTORS * 2048, 7);
    memcpy(f->iso_data + 16 * 2048, "\001CD001\001", 7);
    test_write_file(f->iso, f->iso_data, ISO_SECTORS * 2048);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_remove_dir(f->dir);
    free(f->dir);
    free(f->iso);
    free(f->iso_data);
    free(f);
    return 0;
}

static dc_status convert(const char *in, const char *out,
                         dc_convert_options *options, dc_read_report *report,
                         dc_error *err)
{
    dc_image *image = test_open(in);
    dc_convert_result result;
    dc_status status = dc_convert(image, out, options, &result, err);
    if (report != NULL)
        *report = result.report;
    dc_convert_result_free(&result);
    dc_image_close(image);
    return status;
}

static void convert_ok(const char *in, const char *out,
                       dc_convert_options *options)
{
    dc_error err = {0};
    if (convert(in, out, options, NULL, &err) != DC_OK)
        fail_msg("convert %s -> %s: %s", in, out, err.message);
}

static void test_iso_model(void **state)
{
    fixture *f = *state;
    dc_image *image = test_open(f->iso);
    assert_string_equal(dc_image_format_name(image), "iso");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc->tracks[0].mode, DC_MODE_MODE1);
    assert_int_equal(disc->tracks[0].stored_size, 2048);
    assert_int_equal(disc->tracks[0].length, ISO_SECTORS);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[0]), 0);
    dc_image_close(image);
}

/* ISO -> raw IMG regenerates every sector's framing; the codec's own
 * verifier (known-answer tested in test_sector) must accept them all. */
static void test_iso_to_raw_and_back(void **state)
{
    fixture *f = *state;
    char *img = test_path(f->dir, "raw.img");
    char *back = test_path(f->dir, "back.iso");
    dc_convert_options options = {0};
    convert_ok(f->iso, img, &options);

    size_t len;
    uint8_t *raw = test_read_file(img, &len);
    assert_int_equal(len, ISO_SECTORS * 2352);
    for (int i = 0; i < ISO_SECTORS; i++) {
        const uint8_t *s = raw + (size_t)i * 2352;
        int64_t lba;
        assert_int_equal(dc_sector_classify(s), DC_SECTOR_MODE1);
        assert_true(dc_sector_header_lba(s, &lba));
        assert_int_equal(lba, i);
        assert_int_equal(dc_sector_verify(s), DC_CHECK_OK);
        assert_memory_equal(s + 16, f->iso_data + (size_t)i * 2048, 2048);
    }
    free(raw);

    dc_image *image = test_open(img);
    assert_string_equal(dc_image_format_name(image), "img");
    assert_int_equal(dc_image_disc(image)->tracks[0].stored_size, 2352);
    dc_image_close(image);

    convert_ok(img, back, &options);
    uint8_t *round = test_read_file(back, &len);
    assert_int_equal(len, ISO_SECTORS * 2048);
    assert_memory_equal(round, f->iso_data, len);
    free(round);
    free(img);
    free(back);
}

static void test_iso_to_bincue_and_back(void **state)
{
    fixture *f = *state;
    char *cue = test_path(f->dir, "disc.cue");
    char *bin = test_path(f->dir, "disc.bin");
    char *back = test_path(f->dir, "back2.iso");
    dc_convert_options options = {0};
    convert_ok(f->iso, cue, &options);
    size_t len;
    uint8_t *raw = test_read_file(bin, &len);
    assert_non_null(raw);
    assert_int_equal(len, ISO_SECTORS * 2352);
    assert_int_equal(dc_sector_verify(raw + 5 * 2352), DC_CHECK_OK);
    free(raw);

    convert_ok(cue, back, &options);
    uint8_t *round = test_read_file(back, &len);
    assert_int_equal(len, ISO_SECTORS * 2048);
    assert_memory_equal(round, f->iso_data, len);
    free(round);
    free(cue);
    free(bin);
    free(back);
}

/* Builds a raw image from the ISO's sectors; `patch` may alter sectors. */
static char *write_raw(fixture *f, const char *name,
                       void (*patch)(uint8_t *raw, int lba))
{
    uint8_t *raw = malloc(ISO_SECTORS * 2352);
    for (int i = 0; i < ISO_SECTORS; i++) {
        dc_sector_encode_mode1(raw + (size_t)i * 2352, i,
                               f->iso_data + (size_t)i * 2048);
        if (patch != NULL)
            patch(raw + (size_t)i * 2352, i);
    }
    char *path = test_path(f->dir, name);
    test_write_file(path, raw, ISO_SECTORS * 2352);
    free(raw);
    return path;
}

static void make_sector_21_form1(uint8_t *raw, int lba)
{
    static const uint8_t subheader[4] = {0, 0, 0x08, 0};
    uint8_t user[2048];
    if (lba != 21)
        return;
    memcpy(user, raw + 16, 2048);
    dc_sector_encode_form1(raw, lba, subheader, user);
}

/* A Mode 2 sector inside a Mode 1 track is reported, and stripped by its
 * own mode byte (user data at 24), not shifted by the track's. */
static void test_mode_mismatch_reported(void **state)
{
    fixture *f = *state;
    char *img = write_raw(f, "mixed.img", make_sector_21_form1);
    char *iso = test_path(f->dir, "mixed.iso");
    dc_convert_options options = {0};
    dc_read_report report;
    dc_error err = {0};
    assert_int_equal(convert(img, iso, &options, &report, &err), DC_OK);
    assert_int_equal(report.mode_mismatch, 1);
    assert_int_equal(report.first_bad_lba, 21);
    size_t len;
    uint8_t *out = test_read_file(iso, &len);
    assert_memory_equal(out, f->iso_data, len);
    free(out);
    free(img);
    free(iso);
}

static void corrupt_sector_9(uint8_t *raw, int lba)
{
    if (lba == 9)
        raw[1000] ^= 0x40;
}

static void test_verify_reports_bad_sector(void **state)
{
    fixture *f = *state;
    char *img = write_raw(f, "bad.img", corrupt_sector_9);
    char *iso1 = test_path(f->dir, "bad1.iso");
    char *iso2 = test_path(f->dir, "bad2.iso");
    dc_convert_options options = {0};
    dc_read_report report;
    dc_error err = {0};
    assert_int_equal(convert(img, iso1, &options, &report, &err), DC_OK);
    assert_int_equal(report.bad_edc, 0); /* not asked to verify */
    options.read.verify = true;
    assert_int_equal(convert(img, iso2, &options, &report, &err), DC_OK);
    assert_int_equal(report.bad_edc, 1);
    assert_int_equal(report.first_bad_lba, 9);
    free(img);
    free(iso1);
    free(iso2);
}

/* An XA track: Form 1 everywhere but one Form 2 sector. */
static void make_sector_30_form2(uint8_t *raw, int lba)
{
    static const uint8_t subheader[4] = {0, 0, 0x28, 0};
    uint8_t user[2324];
    if (lba == 30) {
        memset(user, 0xA5, sizeof user);
        dc_sector_encode_form2(raw, lba, subheader, user);
    } else {
        uint8_t data[2048];
        static const uint8_t form1[4] = {0, 0, 0x08, 0};
        memcpy(data, raw + 16, 2048);
        dc_sector_encode_form1(raw, lba, form1, data);
    }
}

/* Form 2 payloads never shrink to 2048 bytes unless the user asks. */
static void test_form2_not_truncated_silently(void **state)
{
    fixture *f = *state;
    char *img = write_raw(f, "xa.img", make_sector_30_form2);
    char *iso = test_path(f->dir, "xa.iso");
    dc_convert_options options = {0};
    dc_read_report report;
    dc_error err = {0};
    int before = test_count_entries(f->dir);
    assert_int_equal(convert(img, iso, &options, &report, &err),
                     DC_ERR_CANNOT_HOLD);
    assert_non_null(strstr(err.message, "Form 2"));
    assert_non_null(strstr(err.message, "LBA 30"));
    assert_int_equal(err.advice, DC_ADVICE_ALLOW_FORM2_TRUNCATION);
    assert_int_equal(test_count_entries(f->dir), before); /* no leftovers */

    options.read.allow_form2_truncation = true;
    memset(&err, 0, sizeof err);
    assert_int_equal(convert(img, iso, &options, &report, &err), DC_OK);
    assert_int_equal(report.form2_truncated, 1);
    size_t len;
    uint8_t *out = test_read_file(iso, &len);
    assert_int_equal(out[30 * 2048], 0xA5);
    assert_memory_equal(out + 2048, f->iso_data + 2048, 2048);
    free(out);
    free(img);
    free(iso);
}

static void test_existing_output_needs_force(void **state)
{
    fixture *f = *state;
    char *out = test_path(f->dir, "exists.img");
    test_write_file(out, "keep me", 7);
    dc_convert_options options = {0};
    dc_error err = {0};
    int before = test_count_entries(f->dir);
    assert_int_equal(convert(f->iso, out, &options, NULL, &err), DC_ERR_OUTPUT);
    assert_int_equal(err.advice, DC_ADVICE_FORCE);
    assert_non_null(strstr(err.message, "allow replacing it"));
    size_t len;
    uint8_t *kept = test_read_file(out, &len);
    assert_int_equal(len, 7);
    free(kept);
    assert_int_equal(test_count_entries(f->dir), before);

    options.force = true;
    convert_ok(f->iso, out, &options);
    kept = test_read_file(out, &len);
    assert_int_equal(len, ISO_SECTORS * 2352);
    free(kept);
    free(out);
}

static void test_input_is_not_output(void **state)
{
    fixture *f = *state;
    dc_convert_options options = {.force = true, .format_name = "iso"};
    dc_error err = {0};
    assert_int_equal(convert(f->iso, f->iso, &options, NULL, &err),
                     DC_ERR_USAGE);
    size_t len;
    uint8_t *data = test_read_file(f->iso, &len);
    assert_memory_equal(data, f->iso_data, ISO_SECTORS * 2048);
    free(data);
}

static void test_unknown_target_extension(void **state)
{
    fixture *f = *state;
    char *out = test_path(f->dir, "out.xyz");
    dc_convert_options options = {0};
    dc_error err = {0};
    assert_int_equal(convert(f->iso, out, &options, NULL, &err), DC_ERR_USAGE);
    assert_int_equal(err.advice, DC_ADVICE_NAME_FORMAT);
    assert_non_null(strstr(err.message, "name the format"));
    assert_false(access(out, F_OK) == 0);
    free(out);
}

/* A trailing partial sector is kept (zero-padded) and the user told. */
static void test_partial_iso_sector_padded(void **state)
{
    fixture *f = *state;
    char *odd = test_path(f->dir, "odd.iso");
    test_write_file(odd, f->iso_data, ISO_SECTORS * 2048 - 100);
    dc_image *image = test_open(odd);
    assert_int_equal(dc_image_disc(image)->tracks[0].length, ISO_SECTORS);
    /* A file that ends inside a sector is truncated by that sector. */
    int64_t missing;
    const char *truncation = dc_image_truncation(image, &missing);
    assert_non_null(truncation);
    assert_non_null(strstr(truncation, "odd.iso: truncated: "));
    assert_int_equal(missing, 1);
    uint8_t sector[2048];
    dc_error err = {0};
    assert_int_equal(dc_image_read(image, 0, ISO_SECTORS - 1, 1, DC_FORM_USER,
                                   NULL, sector, NULL, &err), DC_OK);
    assert_memory_equal(sector, f->iso_data + (ISO_SECTORS - 1) * 2048,
                        2048 - 100);
    assert_int_equal(sector[2047], 0);

    /* dc_convert refuses it, with the advice; allowed, it notes it. */
    char *out = test_path(f->dir, "odd.bin");
    dc_convert_options options = {.format_name = "bincue"};
    dc_convert_result result;
    assert_int_equal(dc_convert(image, out, &options, &result, &err),
                     DC_ERR_FORMAT);
    assert_int_equal(err.advice, DC_ADVICE_ALLOW_TRUNCATED);
    assert_non_null(strstr(err.message, truncation));
    dc_convert_result_free(&result);
    dc_error_clear(&err);
    options.allow_truncated = true;
    assert_int_equal(dc_convert(image, out, &options, &result, &err), DC_OK);
    assert_int_equal(result.note_count, 1);
    assert_non_null(strstr(result.notes[0], "1 sector the image claims is "
                                            "missing"));
    dc_convert_result_free(&result);
    free(out);
    dc_image_close(image);
    free(odd);
}

static void test_reads_out_of_range_refused(void **state)
{
    fixture *f = *state;
    dc_image *image = test_open(f->iso);
    uint8_t sector[2352];
    dc_error err = {0};
    assert_int_equal(dc_image_read(image, 0, ISO_SECTORS, 1, DC_FORM_RAW,
                                   NULL, sector, NULL, &err), DC_ERR_USAGE);
    memset(&err, 0, sizeof err);
    assert_int_equal(dc_image_read(image, 1, 0, 1, DC_FORM_RAW, NULL, sector,
                                   NULL, &err), DC_ERR_USAGE);
    dc_image_close(image);
}

static void test_raw_img_with_track1_pregap(void **state)
{
    fixture *f = *state;
    /* A dump that starts at 00:00:00 holds the 150-sector pregap. */
    size_t sectors = 150 + 20;
    uint8_t *raw = calloc(sectors, 2352);
    uint8_t user[2048] = {0};
    for (size_t i = 0; i < sectors; i++)
        dc_sector_encode_mode1(raw + i * 2352, (int64_t)i - 150, user);
    char *path = test_path(f->dir, "pregap.img");
    test_write_file(path, raw, sectors * 2352);
    free(raw);
    dc_image *image = test_open(path);
    const dc_track *t = &dc_image_disc(image)->tracks[0];
    assert_int_equal(t->start_lba, -150);
    assert_int_equal(dc_track_pregap(t), 150);
    assert_int_equal(dc_track_index1_lba(t), 0);
    dc_image_close(image);
    free(path);
}

/* Raw dumps of 2448-byte sectors (2352 + 96 subchannel) and of 2336-byte
 * Mode 2 sectors are told apart by content and give the same user data. */
static void test_raw_img_2448_and_2336(void **state)
{
    fixture *f = *state;
    static const uint8_t form1[4] = {0, 0, 0x08, 0};
    uint8_t *with_sub = calloc(ISO_SECTORS, 2448);
    uint8_t *m2 = calloc(ISO_SECTORS, 2336);
    for (int i = 0; i < ISO_SECTORS; i++) {
        uint8_t raw[2352];
        dc_sector_encode_mode1(with_sub + (size_t)i * 2448, i,
                               f->iso_data + (size_t)i * 2048);
        memset(with_sub + (size_t)i * 2448 + 2352, 0xFF, 96);
        dc_sector_encode_form1(raw, i, form1, f->iso_data + (size_t)i * 2048);
        memcpy(m2 + (size_t)i * 2336, raw + 16, 2336);
    }
    char *sub = test_path(f->dir, "sub.img");
    char *mode2 = test_path(f->dir, "m2.img");
    test_write_file(sub, with_sub, ISO_SECTORS * 2448);
    test_write_file(mode2, m2, ISO_SECTORS * 2336);

    const char *paths[] = {sub, mode2};
    const unsigned sizes[] = {2448, 2336};
    for (int k = 0; k < 2; k++) {
        dc_image *image = test_open(paths[k]);
        const dc_track *t = &dc_image_disc(image)->tracks[0];
        assert_int_equal(t->stored_size, sizes[k]);
        assert_int_equal(t->length, ISO_SECTORS);
        assert_int_equal(t->has_subchannel, sizes[k] == 2448);
        uint8_t *user = malloc(ISO_SECTORS * 2048);
        dc_error err = {0};
        assert_int_equal(dc_image_read(image, 0, 0, ISO_SECTORS, DC_FORM_USER,
                                       NULL, user, NULL, &err), DC_OK);
        assert_memory_equal(user, f->iso_data, ISO_SECTORS * 2048);
        free(user);
        dc_image_close(image);
    }
    free(with_sub);
    free(m2);
    free(sub);
    free(mode2);
}

/* A raw dump that starts with track 1's pregap of empty Mode 0 sectors
 * is typed by the first sector that holds data. */
static void test_raw_img_mode_after_empty_pregap(void **state)
{
    fixture *f = *state;
    static const uint8_t form1[4] = {0, 0, 0x08, 0};
    size_t sectors = 150 + ISO_SECTORS;
    uint8_t *raw = calloc(sectors, 2352);
    for (size_t i = 0; i < 150; i++) {
        dc_sector_write_header(raw + i * 2352, (int64_t)i - 150, 0);
    }
    for (size_t i = 150; i < sectors; i++)
        dc_sector_encode_form1(raw + i * 2352, (int64_t)i - 150, form1,
                               f->iso_data + (i - 150) * 2048);
    char *path = test_path(f->dir, "m0.img");
    test_write_file(path, raw, sectors * 2352);
    free(raw);
    dc_image *image = test_open(path);
    const dc_track *t = &dc_image_disc(image)->tracks[0];
    assert_int_equal(t->mode, DC_MODE_MODE2_MIXED);
    assert_int_equal(t->start_lba, -150);
    dc_image_close(image);
    char *iso = test_path(f->dir, "m0.iso");
    dc_convert_options options = {0};
    dc_read_report report;
    dc_error err = {0};
    assert_int_equal(convert(path, iso, &options, &report, &err), DC_OK);
    assert_int_equal(report.mode_mismatch, 0);
    size_t len;
    uint8_t *out = test_read_file(iso, &len);
    assert_int_equal(len, ISO_SECTORS * 2048);
    assert_memory_equal(out, f->iso_data, len);
    free(out);
    free(iso);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_iso_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iso_to_raw_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iso_to_bincue_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_mismatch_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_bad_sector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form2_not_truncated_silently, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_output_needs_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_is_not_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_target_extension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_iso_sector_padded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_out_of_range_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_img_with_track1_pregap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_img_2448_and_2336, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_img_mode_after_empty_pregap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
