/* cdrdao TOC: hand-written TOC files over small data files: #byte offsets,
 * MSF and sample lengths, ZERO/SILENCE, START/PREGAP/INDEX, big-endian
 * audio swapped, WAV, CD-TEXT, and malformed files (each error names the
 * file and the line). */
#include "testutil.h"

#include "discconv/discconv.h"
#include "format.h"

#include <sndfile.h>

#define AUDIO 2352

typedef test_dir fixture;

static char *write_toc(const char *dir, const char *text)
{
    char *path = test_path(dir, "disc.toc");
    test_write_file(path, text, strlen(text));
    return path;
}

static dc_image *open_toc(const char *dir, const char *text)
{
    char *path = write_toc(dir, text);
    dc_image *image = test_open(path);
    assert_string_equal(dc_image_format_name(image), "toc");
    free(path);
    return image;
}

static void expect_error(const char *dir, const char *text, dc_status status,
                         int line)
{
    char *path = write_toc(dir, text);
    dc_image *image = NULL;
    dc_error err = {0};
    dc_status got = dc_image_open(&image, path, "toc", &err);
    assert_null(image);
    if (got != status)
        fail_msg("status %s, expected %s (%s) for:\n%s", dc_status_name(got),
                 dc_status_name(status), err.message, text);
    char where[600];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    if (strncmp(err.message, where, strlen(where)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err.message,
                 where);
    free(path);
}

/* The TOC claims more than its file holds: it opens with what is there,
 * and the truncation names the line and counts the missing sectors. */
static void expect_truncated(const char *dir, const char *text, int line,
                             int64_t missing, int64_t length)
{
    dc_image *image = open_toc(dir, text);
    char *path = test_path(dir, "disc.toc");
    char where[600];
    snprintf(where, sizeof where, "%s:%d: truncated: ", path, line);
    int64_t got_missing;
    const char *truncation = dc_image_truncation(image, &got_missing);
    if (truncation == NULL || strncmp(truncation, where, strlen(where)) != 0)
        fail_msg("truncation \"%s\" does not start with \"%s\"",
                 truncation != NULL ? truncation : "(none)", where);
    assert_int_equal(got_missing, missing);
    assert_int_equal(dc_image_disc(image)->tracks[0].length, length);
    dc_image_close(image);
    free(path);
}

static uint8_t *read_stored(dc_image *image, int track, int64_t first,
                            int64_t count)
{
    const dc_track *t = &dc_image_disc(image)->tracks[track];
    uint8_t *buffer = malloc((size_t)count * t->stored_size + 1);
    dc_error err = {0};
    if (dc_image_read(image, track, first, count, DC_FORM_STORED, NULL,
                      buffer, NULL, &err) != DC_OK)
        fail_msg("read: %s", err.message);
    return buffer;
}

static void swap16(uint8_t *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint8_t b = data[i];
        data[i] = data[i + 1];
        data[i + 1] = b;
    }
}

/* #offset, an MSF length, big-endian audio served little-endian. */
static void test_byte_offset_and_swap(void **state)
{
    fixture *f = *state;
    uint8_t *raw = test_write_random(f->dir, "a.bin", 200 + 10 * AUDIO, 1);
    dc_image *image = open_toc(f->dir, "CD_DA\nTRACK AUDIO\nCOPY\n"
                               "DATAFILE \"a.bin\" #200 0:0:3\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc->tracks[0].length, 3);
    assert_int_equal(disc->tracks[0].start_lba, 0);
    assert_true(disc->tracks[0].flags & DC_FLAG_DCP);
    uint8_t *got = read_stored(image, 0, 0, 3);
    swap16(raw + 200, 3 * AUDIO);
    assert_memory_equal(got, raw + 200, 3 * AUDIO);
    free(got);
    dc_image_close(image);
    free(raw);
}

/* SWAP says the file is little-endian already; a length in samples. */
static void test_swap_and_samples(void **state)
{
    fixture *f = *state;
    uint8_t *raw = test_write_random(f->dir, "a.bin", 4 * AUDIO, 2);
    dc_image *image = open_toc(f->dir, "TRACK AUDIO\nSWAP\n"
                               "FILE \"a.bin\" 588 1176\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->tracks[0].length, 2);
    uint8_t *got = read_stored(image, 0, 0, 2);
    assert_memory_equal(got, raw + AUDIO, 2 * AUDIO);
    free(got);
    dc_image_close(image);
    free(raw);
}

/* Pieces concatenate: file, ZERO, file to its end; data is not swapped. */
static void test_pieces_and_zero(void **state)
{
    fixture *f = *state;
    uint8_t *data = test_write_random(f->dir, "d.iso", 5 * 2048, 3);
    dc_image *image = open_toc(f->dir, "CD_ROM\nTRACK MODE1\n"
                               "DATAFILE \"d.iso\" 0:0:2\nZERO 0:0:2\n"
                               "FILE \"d.iso\" 0:0:1\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->tracks[0].length, 8);
    assert_int_equal(disc->tracks[0].stored_size, 2048);
    uint8_t *got = read_stored(image, 0, 0, 8);
    assert_memory_equal(got, data, 2 * 2048);
    for (int i = 0; i < 2 * 2048; i++)
        assert_int_equal(got[2 * 2048 + i], 0);
    assert_memory_equal(got + 4 * 2048, data + 2048, 4 * 2048);
    free(got);
    dc_image_close(image);
    free(data);
}

/* START makes a stored pregap (INDEX 00), PREGAP an unstored one, INDEX
 * counts from INDEX 01; tracks follow by length plus unstored pregap. */
static void test_start_pregap_index(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "a.bin", 20 * AUDIO, 4));
    dc_image *image = open_toc(f->dir,
                               "TRACK AUDIO\nFILE \"a.bin\" 0 0:0:10\n"
                               "START 0:0:4\nINDEX 0:0:2\nINDEX 0:0:5\n"
                               "TRACK AUDIO\nPREGAP 0:2:0\n"
                               "FILE \"a.bin\" 0:0:10\n"
                               "TRACK AUDIO\nSILENCE 0:0:3\nSTART\n"
                               "FILE \"a.bin\" 0:0:0 0:0:2\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 3);
    const dc_track *t = &disc->tracks[0];
    assert_int_equal(t->length, 10);
    test_assert_index(t, 0, 0, 0);
    test_assert_index(t, 1, 1, 4);
    test_assert_index(t, 2, 2, 6);
    test_assert_index(t, 3, 3, 9);
    t = &disc->tracks[1];
    assert_int_equal(t->pregap_unstored, 150);
    assert_int_equal(t->start_lba, 10 + 150);
    assert_int_equal(t->length, 10);
    t = &disc->tracks[2];
    assert_int_equal(t->start_lba, 170);
    test_assert_index(t, 0, 0, 0);
    test_assert_index(t, 1, 1, 3);
    assert_int_equal(t->length, 5);
    dc_image_close(image);
}

static void test_cdtext_catalog_isrc(void **state)
{
    fixture *f = *state;
    dc_image *image = open_toc(f->dir,
        "CD_DA\nCATALOG \"0724385356926\"\n"
        "CD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n"
        "  LANGUAGE 0 {\n    TITLE \"Disc \\\"One\\\"\"\n"
        "    PERFORMER \"Caf\\351\"\n    GENRE { 0, 10, 65, 0 }\n  }\n"
        "  LANGUAGE 1 { TITLE \"Other\" }\n}\n"
        "TRACK AUDIO\nISRC \"USEM39600078\"\nPRE_EMPHASIS\n"
        "FOUR_CHANNEL_AUDIO\n"
        "CD_TEXT { LANGUAGE 0 { TITLE \"Song\" SONGWRITER \"Me\" } }\n"
        "SILENCE 0:0:10\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_string_equal(disc->mcn, "0724385356926");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE], "Disc \"One\"");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_PERFORMER],
                        "Caf\xC3\xA9");
    assert_null(disc->cdtext.field[DC_CDTEXT_GENRE]);
    const dc_track *t = &disc->tracks[0];
    assert_string_equal(t->isrc, "USEM39600078");
    assert_true(t->flags & DC_FLAG_PRE);
    assert_true(t->flags & DC_FLAG_4CH);
    assert_string_equal(t->cdtext.field[DC_CDTEXT_TITLE], "Song");
    assert_string_equal(t->cdtext.field[DC_CDTEXT_SONGWRITER], "Me");
    uint8_t *got = read_stored(image, 0, 0, 10);
    for (int i = 0; i < 10 * AUDIO; i++)
        assert_int_equal(got[i], 0);
    free(got);
    dc_image_close(image);
}

/* Every mode with its block size; RW_RAW adds 96 bytes. */
static void test_modes(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "m.bin", 2448 * 2, 5));
    static const struct { const char *mode; unsigned size; } modes[] = {
        {"AUDIO", 2352}, {"MODE0", 2336}, {"MODE1", 2048},
        {"MODE1_RAW", 2352}, {"MODE2", 2336}, {"MODE2_FORM1", 2048},
        {"MODE2_FORM2", 2324}, {"MODE2_FORM_MIX", 2336},
        {"MODE2_RAW", 2352}, {"AUDIO RW_RAW", 2448}, {"MODE1_RAW RW", 2448},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char text[200];
        snprintf(text, sizeof text, "TRACK %s\nFILE \"m.bin\" 0 0:0:1\n",
                 modes[i].mode);
        dc_image *image = open_toc(f->dir, text);
        assert_int_equal(dc_image_disc(image)->tracks[0].stored_size,
                         modes[i].size);
        dc_image_close(image);
    }
}

/* A .wav file is decoded, its samples little-endian already. */
static void test_wav(void **state)
{
    fixture *f = *state;
    short samples[AUDIO / 2 * 2];
    for (int i = 0; i < AUDIO; i++)
        samples[i] = (short)(i * 37);
    SF_INFO info = {.samplerate = 44100, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    char *path = test_path(f->dir, "t.wav");
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    assert_int_equal(sf_writef_short(sf, samples, AUDIO / 2), AUDIO / 2);
    sf_close(sf);
    free(path);
    dc_image *image = open_toc(f->dir, "TRACK AUDIO\nFILE \"t.wav\" 0\n");
    assert_int_equal(dc_image_disc(image)->tracks[0].length, 2);
    uint8_t *got = read_stored(image, 0, 1, 1);
    for (int i = 0; i < AUDIO / 2; i++) {
        uint16_t v = (uint16_t)samples[AUDIO / 2 + i];
        assert_int_equal(got[2 * i], v & 0xFF);
        assert_int_equal(got[2 * i + 1], v >> 8);
    }
    free(got);
    dc_image_close(image);
}

static void test_malformed(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "a.bin", 4 * AUDIO, 6));
    const char *d = f->dir;
    expect_error(d, "TRACK AUDIO\nFILE \"a.bin\" 0:0:5\n", DC_ERR_FORMAT, 2);
    expect_error(d, "TRACK AUDIO\nDATAFILE \"a.bin\" #99999999\n",
                 DC_ERR_FORMAT, 2);
    expect_error(d, "TRACK AUDIO\nFILE \"a.bin\" 0:0:75\n", DC_ERR_FORMAT, 2);
    expect_error(d, "TRACK AUDIO\n\nFILE \"a.bin 0\n", DC_ERR_FORMAT, 3);
    expect_error(d, "CD_TEXT {\n LANGUAGE 0 {\n TITLE \"x\"\n",
                 DC_ERR_FORMAT, 2);
    expect_error(d, "CD_TEXT {\n LANGUAGE 0 { TITLE \"x\" }\n",
                 DC_ERR_FORMAT, 1);
    expect_error(d, "TRACK MODE3\nSILENCE 1:0:0\n", DC_ERR_FORMAT, 1);
    expect_error(d, "CATALOG \"12345\"\nTRACK AUDIO\nSILENCE 1\n",
                 DC_ERR_FORMAT, 1);
    expect_error(d, "TRACK AUDIO\nISRC \"bad\"\nSILENCE 0:0:1\n",
                 DC_ERR_FORMAT, 2);
    expect_error(d, "TRACK AUDIO\nFILE \"missing.bin\" 0\n",
                 DC_ERR_INPUT_IO, 2);
    expect_error(d, "TRACK AUDIO\nSTART 0:0:1\n", DC_ERR_FORMAT, 1);
    expect_error(d, "TRACK AUDIO\nSILENCE 0:0:2\nSTART 0:0:5\n",
                 DC_ERR_FORMAT, 1);
    expect_error(d, "TRACK AUDIO\nSILENCE 0:0:9\nINDEX 0:0:5\nINDEX 0:0:4\n",
                 DC_ERR_FORMAT, 4);
    expect_error(d, "TRACK AUDIO\nZERO 9999:0:0\n", DC_ERR_FORMAT, 2);
    expect_error(d, "CD_DA\n// nothing\n", DC_ERR_FORMAT, 1);
    expect_error(d, "TRACK AUDIO\nSILENCE 0:0:1\nFILE \"a.bin\" 0 7\n"
                    "SILENCE 0:0:1\n", DC_ERR_UNSUPPORTED, 3);
    /* Lengths past the end of the file, and data sectors that do not fit
     * it: truncated, not malformed (a.bin holds 4 audio sectors). */
    expect_truncated(d, "TRACK AUDIO\nFILE \"a.bin\" 0 0:0:5\n", 2, 1, 4);
    expect_truncated(d, "TRACK AUDIO\nFILE \"a.bin\" 0 99999:0:0\n", 2,
                     99999LL * 60 * 75 - 4, 4);
    /* 4 * 2352 bytes are 4 whole 2048-byte sectors and 1216 bytes. */
    expect_truncated(d, "TRACK MODE1\nFILE \"a.bin\" 0\n", 2, 1, 4);
}

/* The probe takes TOC text and leaves cue sheets alone. */
static void test_probe(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "a.bin", 4 * AUDIO, 7));
    char *path = test_path(f->dir, "sheet.cue");
    const char *cue = "CATALOG 0724385356926\nFILE \"a.bin\" BINARY\n"
                      "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n";
    test_write_file(path, cue, strlen(cue));
    dc_image *image = test_open(path);
    assert_string_equal(dc_image_format_name(image), "bincue");
    dc_image_close(image);
    free(path);
    /* A TOC named .txt is still found by content. */
    path = test_path(f->dir, "disc.txt");
    const char *toc = "// x\nTRACK AUDIO\nFILE \"a.bin\" 0\n";
    test_write_file(path, toc, strlen(toc));
    image = test_open(path);
    assert_string_equal(dc_image_format_name(image), "toc");
    dc_image_close(image);
    free(path);
    /* Notes that quote TOC words in prose are no TOC (the corpus's own
     * MANIFEST.md was taken for one). */
    path = test_path(f->dir, "notes.md");
    const char *notes = "# Notes\n| cdda.toc | TOC: CD_DA, TRACK AUDIO |\n"
                        "TRACK MODE1 from isofs-m1.bin\n";
    test_write_file(path, notes, strlen(notes));
    dc_error err = {0};
    assert_int_not_equal(dc_image_open(&image, path, NULL, &err), DC_OK);
    assert_int_equal(err.status, DC_ERR_UNSUPPORTED);
    free(path);
}

int main(void)
{
#define T(test) cmocka_unit_test_setup_teardown(test, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_byte_offset_and_swap), T(test_swap_and_samples),
        T(test_pieces_and_zero),      T(test_start_pregap_index),
        T(test_cdtext_catalog_isrc),  T(test_modes),
        T(test_wav),                  T(test_malformed),
        T(test_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
