/* BIN/CUE: the cue grammar and its layouts, sound and MOTOROLA files,
 * malformed sheets (each error names the sheet and the line), the corpus
 * sheets, and writing BIN/CUE back (single and split). */
#include "testutil.h"

#include "discconv/discconv.h"
#include "format.h"
#include "sector.h"

#include <sndfile.h>

#define AUDIO 2352

typedef test_dir fixture;

/* Valid raw Mode 1 sectors from LBA `lba` on. */
static uint8_t *write_mode1(const char *dir, const char *name, int count,
                            int64_t lba)
{
    uint8_t *user = test_random_bytes(2048, (unsigned)lba + 99);
    uint8_t *data = malloc((size_t)count * AUDIO);
    assert_non_null(data);
    for (int i = 0; i < count; i++) {
        user[0] = (uint8_t)i;
        dc_sector_encode_mode1(data + (size_t)i * AUDIO, lba + i, user);
    }
    char *path = test_path(dir, name);
    test_write_file(path, data, (size_t)count * AUDIO);
    free(path);
    free(user);
    return data;
}

static char *write_cue(const char *dir, const char *name, const char *text)
{
    char *path = test_path(dir, name);
    test_write_file(path, text, strlen(text));
    return path;
}

static dc_image *open_ok(const char *path)
{
    dc_image *image = test_open(path);
    assert_string_equal(dc_image_format_name(image), "bincue");
    return image;
}

static dc_image *open_cue(const char *dir, const char *name,
                          const char *text)
{
    char *path = write_cue(dir, name, text);
    dc_image *image = open_ok(path);
    free(path);
    return image;
}

/* Opening fails with `status`, and the message names the sheet and line. */
static void expect_error(const char *dir, const char *name, const char *text,
                         const char *format, dc_status status, int line)
{
    char *path = write_cue(dir, name, text);
    dc_image *image = NULL;
    dc_error err = {0};
    dc_status got = dc_image_open(&image, path, format, &err);
    assert_null(image);
    if (got != status)
        fail_msg("%s: status %s, expected %s (%s)", name, dc_status_name(got),
                 dc_status_name(status), err.message);
    char where[600];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    if (strstr(err.message, where) == NULL)
        fail_msg("%s: message \"%s\" does not contain \"%s\"", name,
                 err.message, where);
    free(path);
}

static uint8_t *read_raw(dc_image *image, int track, int64_t first,
                         int64_t count)
{
    uint8_t *buffer = malloc((size_t)count * AUDIO + 1);
    dc_error err = {0};
    if (dc_image_read(image, track, first, count, DC_FORM_RAW, NULL, buffer,
                      NULL, &err) != DC_OK)
        fail_msg("read: %s", err.message);
    return buffer;
}

static uint8_t *read_stored(dc_image *image, int track, int64_t first,
                            int64_t count)
{
    const dc_track *t = &dc_image_disc(image)->tracks[track];
    uint8_t *buffer = malloc((size_t)count * t->stored_size + 1);
    dc_error err = {0};
    if (image->ops->read_stored(image, track, first, count, buffer, &err) !=
        DC_OK)
        fail_msg("read_stored: %s", err.message);
    return buffer;
}

/* ---------------------------------------------------------------------- */
/* Layouts                                                                 */
/* ---------------------------------------------------------------------- */

static void test_redump_multi_file(void **state)
{
    fixture *f = *state;
    uint8_t *t1 = write_mode1(f->dir, "Game (Track 1).bin", 20, 0);
    uint8_t *t2 = test_write_random(f->dir, "Game (Track 2).bin", 200 * AUDIO, 2);
    uint8_t *t3 = test_write_random(f->dir, "Game (Track 3).bin", 60 * AUDIO, 3);
    dc_image *image = open_cue(f->dir, "Game.cue",
        "FILE \"Game (Track 1).bin\" BINARY\n"
        "  TRACK 01 MODE1/2352\n"
        "    INDEX 01 00:00:00\n"
        "FILE \"Game (Track 2).bin\" BINARY\n"
        "  TRACK 02 AUDIO\n"
        "    INDEX 00 00:00:00\n"
        "    INDEX 01 00:02:00\n"
        "FILE \"Game (Track 3).bin\" BINARY\n"
        "  TRACK 03 AUDIO\n"
        "    INDEX 00 00:00:00\n"
        "    INDEX 01 00:00:10\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 3);
    const dc_track *a = &disc->tracks[0], *b = &disc->tracks[1],
                   *c = &disc->tracks[2];
    assert_int_equal(a->mode, DC_MODE_MODE1);
    assert_int_equal(a->stored_size, 2352);
    assert_int_equal(a->start_lba, 0);
    assert_int_equal(a->length, 20);
    assert_int_equal(b->mode, DC_MODE_AUDIO);
    assert_int_equal(b->start_lba, 20);
    assert_int_equal(b->length, 200);
    test_assert_index(b, 0, 0, 0);
    test_assert_index(b, 1, 1, 150);
    assert_int_equal(dc_track_index1_lba(b), 170);
    assert_int_equal(c->start_lba, 220);
    assert_int_equal(c->length, 60);
    test_assert_index(c, 1, 1, 10);

    uint8_t *got = read_raw(image, 2, 5, 10);
    assert_memory_equal(got, t3 + 5 * AUDIO, 10 * AUDIO);
    free(got);
    got = read_raw(image, 0, 0, 20);
    assert_memory_equal(got, t1, 20 * AUDIO);
    free(got);
    got = read_stored(image, 1, 199, 1);
    assert_memory_equal(got, t2 + 199 * AUDIO, AUDIO);
    free(got);
    dc_image_close(image);
    free(t1);
    free(t2);
    free(t3);
}

/* EAC's "non-compliant" sheets: track 2's pregap is the end of a.bin. */
static void test_eac_pregap_in_previous_file(void **state)
{
    fixture *f = *state;
    uint8_t *a = test_write_random(f->dir, "a.bin", 100 * AUDIO, 10);
    uint8_t *b = test_write_random(f->dir, "b.bin", 100 * AUDIO, 11);
    dc_image *image = open_cue(f->dir, "eac.cue",
        "FILE \"a.bin\" BINARY\n"
        "  TRACK 01 AUDIO\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 02 AUDIO\n"
        "    INDEX 00 00:01:00\n"
        "FILE \"b.bin\" BINARY\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 03 AUDIO\n"
        "    INDEX 01 00:00:50\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 3);
    assert_int_equal(disc->tracks[0].length, 75);
    assert_int_equal(disc->tracks[1].start_lba, 75);
    assert_int_equal(disc->tracks[1].length, 75);
    test_assert_index(&disc->tracks[1], 0, 0, 0);
    test_assert_index(&disc->tracks[1], 1, 1, 25);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 100);
    assert_int_equal(disc->tracks[2].start_lba, 150);
    assert_int_equal(disc->tracks[2].length, 50);

    /* Sectors 20..29 of track 2 straddle the two files. */
    uint8_t *got = read_raw(image, 1, 20, 10);
    assert_memory_equal(got, a + 95 * AUDIO, 5 * AUDIO);
    assert_memory_equal(got + 5 * AUDIO, b, 5 * AUDIO);
    free(got);
    dc_image_close(image);
    free(a);
    free(b);
}

static void test_pregap_postgap_shift_addresses(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "gaps.bin", 200 * AUDIO, 20));
    dc_image *image = open_cue(f->dir, "gaps.cue",
        "FILE \"gaps.bin\" BINARY\n"
        "  TRACK 01 AUDIO\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 02 AUDIO\n"
        "    PREGAP 00:03:00\n"
        "    INDEX 01 00:01:00\n"
        "    POSTGAP 00:01:00\n"
        "  TRACK 03 AUDIO\n"
        "    INDEX 01 00:02:00\n");
    const dc_disc *disc = dc_image_disc(image);
    const dc_track *t2 = &disc->tracks[1], *t3 = &disc->tracks[2];
    assert_int_equal(disc->tracks[0].length, 75);
    assert_int_equal(t2->pregap_unstored, 225);
    assert_int_equal(t2->postgap_unstored, 75);
    assert_int_equal(t2->start_lba, 75 + 225);
    assert_int_equal(t2->length, 75);
    assert_int_equal(t3->start_lba, 300 + 75 + 75);
    assert_int_equal(t3->length, 50);
    dc_image_close(image);
}

static void test_sloppy_text(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "x.bin", 30 * AUDIO, 30));
    /* BOM, CRLF, lower case, tabs, trailing blanks, no final newline. */
    dc_image *image = open_cue(f->dir, "sloppy.cue",
        "\xEF\xBB\xBF\r\n"
        "file\t\"x.bin\"\tbinary  \r\n"
        "\ttrack 01 audio\r\n"
        "\t\tindex 01 00:00:00 \t\r\n"
        "  Track 02 Audio \r\n"
        "\tiNdEx 01 00:00:10");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    assert_int_equal(disc->tracks[0].length, 10);
    assert_int_equal(disc->tracks[1].start_lba, 10);
    assert_int_equal(disc->tracks[1].length, 20);
    dc_image_close(image);
}

static void test_file_names(void **state)
{
    fixture *f = *state;
    uint8_t *data = test_write_random(f->dir, "my disc (v1).bin", 4 * AUDIO, 40);
    free(test_write_random(f->dir, "plain.bin", 5 * AUDIO, 41));
    free(test_write_random(f->dir, "two words.bin", 6 * AUDIO, 42));
    free(test_write_random(f->dir, "lower.bin", 7 * AUDIO, 43));
    const struct {
        const char *file_line;
        int64_t length;
    } cases[] = {
        {"FILE \"my disc (v1).bin\" BINARY", 4},
        {"FILE plain.bin BINARY", 5},
        {"FILE two words.bin BINARY", 6},   /* unquoted, with a space */
        {"FILE \"LOWER.BIN\" BINARY", 7},   /* case differs on disk */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "%s\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
                 cases[i].file_line);
        dc_image *image = open_cue(f->dir, "names.cue", text);
        assert_int_equal(dc_image_disc(image)->tracks[0].length,
                         cases[i].length);
        if (i == 0) {
            uint8_t *got = read_raw(image, 0, 0, 4);
            assert_memory_equal(got, data, 4 * AUDIO);
            free(got);
        }
        dc_image_close(image);
    }
    free(data);
}

/* A one-FILE sheet whose file was renamed: the sheet's own stem + .bin. */
static void test_stem_fallback(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "P.BIN", 9 * AUDIO, 50));
    dc_image *image = open_cue(f->dir, "p.cue",
        "FILE \"BOING.BIN\" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n");
    assert_int_equal(dc_image_disc(image)->tracks[0].length, 9);
    dc_image_close(image);
    /* With two FILEs there is no telling which one was renamed. */
    expect_error(f->dir, "p.cue",
                 "FILE \"BOING.BIN\" BINARY\nTRACK 01 AUDIO\n"
                 "INDEX 01 00:00:00\nFILE \"P.BIN\" BINARY\nTRACK 02 AUDIO\n"
                 "INDEX 01 00:00:00\n", NULL, DC_ERR_INPUT_IO, 1);
}

static void test_motorola_is_swapped(void **state)
{
    fixture *f = *state;
    uint8_t *data = test_write_random(f->dir, "be.bin", 3 * AUDIO, 60);
    dc_image *image = open_cue(f->dir, "be.cue",
        "FILE \"be.bin\" MOTOROLA\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n");
    uint8_t *got = read_raw(image, 0, 1, 2);
    for (size_t i = 0; i < 2 * AUDIO; i += 2) {
        assert_int_equal(got[i], data[AUDIO + i + 1]);
        assert_int_equal(got[i + 1], data[AUDIO + i]);
    }
    free(got);
    dc_image_close(image);
    free(data);
}

static void write_wav(const char *path, int rate, int channels,
                      const short *samples, sf_count_t frames)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    assert_int_equal(sf_writef_short(sf, samples, frames), frames);
    sf_close(sf);
}

static void test_wave_file(void **state)
{
    fixture *f = *state;
    enum { FRAMES = 1000 }; /* one whole sector and 412 frames */
    short *samples = (short *)test_random_bytes(FRAMES * 4, 70);
    char *wav = test_path(f->dir, "song.wav");
    write_wav(wav, 44100, 2, samples, FRAMES);
    dc_image *image = open_cue(f->dir, "song.cue",
        "FILE \"song.wav\" WAVE\n"
        "TRACK 01 AUDIO\nINDEX 01 00:00:00\n"
        "TRACK 02 AUDIO\nINDEX 01 00:00:01\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    assert_int_equal(disc->tracks[0].length, 1);
    assert_int_equal(disc->tracks[1].length, 1);
    assert_true(dc_image_warning_count(image) > 0); /* padded last sector */
    uint8_t *got = read_raw(image, 0, 0, 1);
    for (int i = 0; i < 588 * 2; i++) {
        uint16_t v = (uint16_t)samples[i];
        assert_int_equal(got[2 * i], v & 0xFF);
        assert_int_equal(got[2 * i + 1], v >> 8);
    }
    free(got);
    got = read_raw(image, 1, 0, 1);
    for (int i = 0; i < 588 * 2; i++) {
        uint16_t v = i < (FRAMES - 588) * 2 ? (uint16_t)samples[588 * 2 + i]
                                            : 0;
        assert_int_equal(got[2 * i] | got[2 * i + 1] << 8, v);
    }
    free(got);
    dc_image_close(image);

    write_wav(wav, 48000, 2, samples, FRAMES);
    expect_error(f->dir, "song.cue", "FILE \"song.wav\" WAVE\n"
                 "TRACK 01 AUDIO\nINDEX 01 00:00:00\n", NULL,
                 DC_ERR_UNSUPPORTED, 1);
    write_wav(wav, 44100, 1, samples, FRAMES);
    expect_error(f->dir, "song.cue", "REM mono\nFILE \"song.wav\" WAVE\n"
                 "TRACK 01 AUDIO\nINDEX 01 00:00:00\n", NULL,
                 DC_ERR_UNSUPPORTED, 2);
    /* A data track cannot come from a sound file. */
    write_wav(wav, 44100, 2, samples, FRAMES);
    expect_error(f->dir, "song.cue", "FILE \"song.wav\" WAVE\n"
                 "TRACK 01 MODE1/2352\nINDEX 01 00:00:00\n", NULL,
                 DC_ERR_FORMAT, 2);
    free(wav);
    free(samples);
}

static void test_mixed_sizes_in_one_file(void **state)
{
    fixture *f = *state;
    size_t len = 20 * 2048 + 15 * AUDIO;
    uint8_t *data = test_write_random(f->dir, "mixed.bin", len, 80);
    dc_image *image = open_cue(f->dir, "mixed.cue",
        "FILE \"mixed.bin\" BINARY\n"
        "  TRACK 01 MODE1/2048\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 02 AUDIO\n"
        "    INDEX 00 00:00:20\n"
        "    INDEX 01 00:00:30\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->tracks[0].stored_size, 2048);
    assert_int_equal(disc->tracks[0].length, 20);
    assert_int_equal(disc->tracks[1].stored_size, 2352);
    assert_int_equal(disc->tracks[1].start_lba, 20);
    assert_int_equal(disc->tracks[1].length, 15);
    test_assert_index(&disc->tracks[1], 1, 1, 10);
    uint8_t *got = read_stored(image, 0, 19, 1);
    assert_memory_equal(got, data + 19 * 2048, 2048);
    free(got);
    got = read_raw(image, 1, 0, 15);
    assert_memory_equal(got, data + 20 * 2048, 15 * AUDIO);
    free(got);
    dc_image_close(image);
    free(data);
}

static void test_modes(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "m.bin", 2448 * 4 + 2336 * 2 + 2048 * 2 +
                                           2324 * 2 + 2352 * 2, 90));
    dc_image *image = open_cue(f->dir, "m.cue",
        "FILE m.bin BINARY\n"
        "TRACK 01 CDG\nINDEX 01 00:00:00\n"
        "TRACK 02 CDI/2336\nINDEX 01 00:00:04\n"
        "TRACK 03 MODE2/2048\nINDEX 01 00:00:06\n"
        "TRACK 04 MODE2/2324\nINDEX 01 00:00:08\n"
        "TRACK 05 MODE2/2352 RW_RAW\nINDEX 01 00:00:10\n");
    const dc_track *t = dc_image_disc(image)->tracks;
    assert_int_equal(t[0].mode, DC_MODE_AUDIO);
    assert_true(t[0].has_subchannel);
    assert_int_equal(t[0].stored_size, 2448);
    assert_int_equal(t[0].length, 4);
    assert_int_equal(t[1].mode, DC_MODE_MODE2_MIXED);
    assert_true(t[1].cdi);
    assert_int_equal(t[1].stored_size, 2336);
    assert_int_equal(t[2].mode, DC_MODE_MODE2_FORM1);
    assert_int_equal(t[3].mode, DC_MODE_MODE2_FORM2);
    assert_int_equal(t[3].stored_size, 2324);
    assert_int_equal(t[4].mode, DC_MODE_MODE2_MIXED);
    assert_false(t[4].cdi);
    assert_int_equal(t[4].length, 2);
    dc_image_close(image);
}

static void test_metadata_kept(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "meta.bin", 20 * AUDIO, 100));
    dc_image *image = open_cue(f->dir, "meta.cue",
        "REM GENRE Rock\n"
        "REM COMMENT \"ripped twice\"\n"
        "CATALOG 0724384960650\n"
        "TITLE \"Caf\xE9 Songs\"\n"      /* Windows-1252 */
        "PERFORMER \"The Band\"\n"
        "SONGWRITER Someone Else\n"      /* unquoted, with a space */
        "FILE \"meta.bin\" BINARY\n"
        "  TRACK 01 AUDIO\n"
        "    TITLE \"First\"\n"
        "    PERFORMER \"Solo\"\n"
        "    FLAGS DCP PRE\n"
        "    ISRC USABC9912345\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 02 AUDIO\n"
        "    COMPOSER \"Comp\"\n"
        "    FLAGS 4CH SCMS\n"
        "    INDEX 01 00:00:10\n"
        "    INDEX 02 00:00:15\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_string_equal(disc->mcn, "0724384960650");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE],
                        "Caf\xC3\xA9 Songs");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_PERFORMER], "The Band");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_SONGWRITER],
                        "Someone Else");
    assert_int_equal(disc->comment_count, 2);
    assert_string_equal(disc->comments[0], "GENRE Rock");
    assert_string_equal(disc->comments[1], "COMMENT \"ripped twice\"");
    const dc_track *t1 = &disc->tracks[0], *t2 = &disc->tracks[1];
    assert_string_equal(t1->cdtext.field[DC_CDTEXT_TITLE], "First");
    assert_string_equal(t1->cdtext.field[DC_CDTEXT_PERFORMER], "Solo");
    assert_int_equal(t1->flags, DC_FLAG_DCP | DC_FLAG_PRE);
    assert_string_equal(t1->isrc, "USABC9912345");
    assert_string_equal(t2->cdtext.field[DC_CDTEXT_COMPOSER], "Comp");
    assert_int_equal(t2->flags, DC_FLAG_4CH | DC_FLAG_SCMS);
    assert_string_equal(t2->isrc, "");
    test_assert_index(t2, 1, 2, 5);
    dc_image_close(image);
}

static void test_sessions(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "s1.bin", 100 * AUDIO, 110));
    free(test_write_random(f->dir, "s2.bin", 300 * AUDIO, 111));
    dc_image *image = open_cue(f->dir, "sessions.cue",
        "REM SESSION 01\n"
        "FILE \"s1.bin\" BINARY\n"
        "  TRACK 01 AUDIO\n"
        "    INDEX 01 00:00:00\n"
        "REM SESSION 02\n"
        "FILE \"s2.bin\" BINARY\n"
        "  TRACK 02 MODE1/2352\n"
        "    INDEX 00 00:00:00\n"
        "    INDEX 01 00:02:00\n");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->session_count, 2);
    assert_int_equal(disc->comment_count, 0);
    assert_int_equal(disc->tracks[0].session, 1);
    assert_int_equal(disc->tracks[1].session, 2);
    /* FORMATS.md 1.9: 6750 lead-out + 4500 lead-in, then the 150-sector
     * pregap: INDEX 01 of the new session 11 400 after the old end. */
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 100 + 11400);
    dc_image_close(image);
}

/* ---------------------------------------------------------------------- */
/* Malformed sheets                                                        */
/* ---------------------------------------------------------------------- */

static void test_malformed(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "cdda.bin", 10 * AUDIO, 120));
    free(test_write_random(f->dir, "odd.bin", 3 * AUDIO + 5, 121));
    const struct {
        const char *text;
        dc_status status;
        int line;
    } cases[] = {
        /* missing FILE */
        {"REM x\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n", DC_ERR_FORMAT, 2},
        /* bad MSF, as in libcdio's bad-msf-1/2/3.cue */
        {"REM a\nREM b\n\nFILE \"cdda.bin\" BINARY\n\nTRACK 01 AUDIO\n"
         "    INDEX 01 00:00:100\n", DC_ERR_FORMAT, 7},
        {"REM a\nREM b\n\nFILE \"cdda.bin\" BINARY\n\nTRACK 01 AUDIO\n"
         "    INDEX 01 00:90:00\n", DC_ERR_FORMAT, 7},
        {"REM a\nREM b\n\nFILE \"cdda.bin\" BINARY\n\nTRACK 01 AUDIO\n"
         "    INDEX 01 xx:yy:0\n", DC_ERR_FORMAT, 7},
        /* track numbers */
        {"FILE cdda.bin BINARY\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n"
         "TRACK 01 AUDIO\nINDEX 01 00:00:05\n", DC_ERR_FORMAT, 4},
        {"FILE cdda.bin BINARY\nTRACK 00 AUDIO\nINDEX 01 00:00:00\n",
         DC_ERR_FORMAT, 2},
        {"FILE cdda.bin BINARY\nTRACK 100 AUDIO\nINDEX 01 00:00:00\n",
         DC_ERR_FORMAT, 2},
        /* file missing, in a two-FILE sheet */
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n"
         "FILE \"nothere.bin\" BINARY\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n",
         DC_ERR_INPUT_IO, 4},
        /* bad mode */
        {"FILE cdda.bin BINARY\n\nTRACK 01 MODE3_FORM1\nINDEX 01 00:00:00\n",
         DC_ERR_FORMAT, 3},
        /* bad CATALOG, as in bad-cat1/2/3.cue */
        {"REM x\nCATALOG\nFILE cdda.bin BINARY\nTRACK 01 AUDIO\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 2},
        {"CATALOG \"167890123\"\nFILE cdda.bin BINARY\nTRACK 01 AUDIO\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 1},
        {"CATALOG 123456789b123\nFILE cdda.bin BINARY\nTRACK 01 AUDIO\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 1},
        /* indexes */
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n"
         "INDEX 03 00:00:02\n", DC_ERR_FORMAT, 4},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:05\n"
         "TRACK 02 AUDIO\nINDEX 01 00:00:02\n", DC_ERR_FORMAT, 5},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 00 00:00:00\n"
         "TRACK 02 AUDIO\nINDEX 01 00:00:02\n", DC_ERR_FORMAT, 2},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n"
         "TRACK 02 AUDIO\nINDEX 01 00:00:00\n", DC_ERR_FORMAT, 2},
        /* other commands */
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nFOO bar\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 3},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nISRC ABC\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 3},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nFLAGS DATA\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 3},
        {"FILE \"cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
         DC_ERR_FORMAT, 1},
        {"FILE cdda.bin OGGVORBIS\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
         DC_ERR_FORMAT, 1},
        {"FILE cdda.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n"
         "PREGAP 00:02:00\n", DC_ERR_FORMAT, 4},
        {"FILE cdda.bin BINARY\nREM SESSION 03\nTRACK 01 AUDIO\n"
         "INDEX 01 00:00:00\n", DC_ERR_FORMAT, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%02zu.cue", i);
        expect_error(f->dir, name, cases[i].text, NULL, cases[i].status,
                     cases[i].line);
    }
}

/* The sheet claims more than its file holds: it opens with what is there,
 * the truncation naming the line, and counting the missing sectors. */
static void expect_truncated(const char *dir, const char *name,
                             const char *text, int line, int64_t missing,
                             int tracks, int64_t last_length)
{
    char *path = write_cue(dir, name, text);
    dc_image *image = open_ok(path);
    char where[600];
    snprintf(where, sizeof where, "%s:%d: truncated: ", path, line);
    int64_t got_missing;
    const char *truncation = dc_image_truncation(image, &got_missing);
    if (truncation == NULL || strncmp(truncation, where, strlen(where)) != 0)
        fail_msg("%s: truncation \"%s\" does not start with \"%s\"", name,
                 truncation != NULL ? truncation : "(none)", where);
    assert_int_equal(got_missing, missing);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, tracks);
    assert_int_equal(disc->tracks[tracks - 1].length, last_length);
    dc_image_close(image);
    free(path);
}

static void test_truncated(void **state)
{
    fixture *f = *state;
    free(test_write_random(f->dir, "cdda.bin", 10 * AUDIO, 120));
    free(test_write_random(f->dir, "odd.bin", 3 * AUDIO + 5, 121));
    /* A file that ends in a sector: the FILE line, one sector missing. */
    expect_truncated(f->dir, "odd.cue", "REM x\nFILE odd.bin BINARY\n"
                     "TRACK 01 AUDIO\nINDEX 01 00:00:00\n", 2, 1, 1, 3);
    /* 10 * 2352 bytes are 11 whole 2048-byte sectors and 1984 bytes. */
    expect_truncated(f->dir, "m1.cue", "FILE cdda.bin BINARY\n"
                     "TRACK 01 MODE1/2048\nINDEX 01 00:00:00\n", 1, 1, 1, 11);
    /* INDEX 01 of track 2 past the end of the file's 10 sectors: track 2
     * is gone, 10 sectors claimed before it are missing. */
    expect_truncated(f->dir, "past.cue", "FILE cdda.bin BINARY\n"
                     "TRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 02 AUDIO\n"
                     "INDEX 01 00:00:20\n", 5, 10, 1, 10);
    /* An INDEX 00 inside, INDEX 01 past the end: track 2 is gone, its
     * pregap too; track 3 in the next file stays. */
    expect_truncated(f->dir, "two.cue", "FILE cdda.bin BINARY\n"
                     "TRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 02 AUDIO\n"
                     "INDEX 00 00:00:08\nINDEX 01 00:00:12\n"
                     "FILE odd.bin BINARY\nTRACK 03 AUDIO\n"
                     "INDEX 01 00:00:00\n", 6, 3, 2, 3);
}

static void test_toc_is_not_a_cue(void **state)
{
    fixture *f = *state;
    static const char toc[] =
        "CD_DA\n\nTRACK AUDIO\nFILE \"cdda.bin\" 0\n";
    static const char toc_catalog[] =
        "CATALOG \"1234567890123\"\n\nTRACK AUDIO\nSILENCE 0:0:74\n";
    expect_error(f->dir, "a.toc", toc, "bincue", DC_ERR_FORMAT, 1);
    expect_error(f->dir, "b.toc", toc_catalog, "bincue", DC_ERR_FORMAT, 3);
    char *path = test_path(f->dir, "b.toc");
    dc_image *image = NULL;
    dc_error err = {0};
    assert_int_not_equal(dc_image_open(&image, path, "bincue", &err), DC_OK);
    assert_non_null(strstr(err.message, "not a cue sheet"));
    free(path);

    dc_probe_input probe = {.path = "a.toc", .head = (const uint8_t *)toc,
                            .head_size = sizeof toc - 1};
    assert_int_equal(dc_format_bincue.probe(&probe), DC_PROBE_NO);
    probe.head = (const uint8_t *)toc_catalog;
    probe.head_size = sizeof toc_catalog - 1;
    assert_int_equal(dc_format_bincue.probe(&probe), DC_PROBE_NO);
}

/* Probes see bytes only; pointing at the BIN finds the sheet beside it
 * that names it (the core's sidecar rule). */
static void test_probe_and_sibling(void **state)
{
    fixture *f = *state;
    static const char cue[] =
        "\xEF\xBB\xBF  REM made by hand\r\nFILE \"Game.bin\" BINARY\r\n"
        "TRACK 01 AUDIO\r\nINDEX 01 00:00:00\r\n";
    dc_probe_input probe = {.path = "x.cue", .head = (const uint8_t *)cue,
                            .head_size = sizeof cue - 1};
    assert_int_equal(dc_format_bincue.probe(&probe), DC_PROBE_CERTAIN);

    uint8_t *data = test_write_random(f->dir, "Game.bin", 8 * AUDIO, 130);
    char *bin = test_path(f->dir, "Game.bin");
    probe.path = bin;
    probe.head = data;
    probe.head_size = 8 * AUDIO;
    assert_int_equal(dc_format_bincue.probe(&probe), DC_PROBE_NO);
    char *cue_path = write_cue(f->dir, "GAME.CUE", cue);
    assert_int_equal(dc_format_bincue.probe(&probe), DC_PROBE_NO);
    dc_image *image = open_ok(bin);
    assert_int_equal(dc_image_disc(image)->tracks[0].length, 8);
    dc_image_close(image);
    free(cue_path);
    free(bin);
    free(data);
}

/* A sheet that shares an image's name but names another file never
 * changes how the image is read (issue 11's example). */
static void test_sidecar_naming_another_file(void **state)
{
    fixture *f = *state;
    free(write_mode1(f->dir, "disc.img", 20, 0));
    free(test_write_random(f->dir, "other.bin", 4 * AUDIO, 7));
    free(write_cue(f->dir, "disc.cue", "FILE \"other.bin\" BINARY\n"
                   "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"));
    char *img = test_path(f->dir, "disc.img");
    dc_image *image = test_open(img);
    assert_string_equal(dc_image_format_name(image), "img");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc->tracks[0].mode, DC_MODE_MODE1);
    assert_int_equal(disc->tracks[0].length, 20);
    dc_image_close(image);

    /* Once the sheet names it, the sheet describes it. */
    free(write_cue(f->dir, "disc.cue", "FILE \"DISC.IMG\" BINARY\n"
                   "  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n"));
    image = open_ok(img);
    assert_int_equal(dc_image_disc(image)->tracks[0].length, 20);
    dc_image_close(image);
    free(img);
}

/* ---------------------------------------------------------------------- */
/* The corpus                                                              */
/* ---------------------------------------------------------------------- */

static dc_image *open_corpus(const char *corpus, const char *name)
{
    char *path = test_path(corpus, name);
    dc_image *image = open_ok(path);
    free(path);
    return image;
}

static int64_t disc_end(const dc_disc *disc)
{
    const dc_track *last = &disc->tracks[disc->track_count - 1];
    return last->start_lba + last->length;
}

/* Expected answers from libcdio's cd-info (corpus MANIFEST.md). */
static void test_corpus_track_tables(void **state)
{
    (void)state;
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    dc_image *image = open_corpus(corpus, "bincue/libcdio/p1.cue");
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[0]), 75);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 225);
    assert_int_equal(disc_end(disc), 302);
    assert_string_equal(disc->mcn, "0000010271955");
    assert_true(disc->tracks[0].flags & DC_FLAG_DCP);
    dc_image_close(image);

    image = open_corpus(corpus, "bincue/libcdio/cdda_4_5.cue");
    disc = dc_image_disc(image);
    assert_int_equal(disc->tracks[0].number, 4);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[0]), 0);
    assert_int_equal(disc->tracks[1].number, 5);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 150);
    assert_int_equal(disc_end(disc), 302);
    dc_image_close(image);

    image = open_corpus(corpus, "bincue/libcdio/cdda.cue");
    disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 1);
    assert_int_equal(disc_end(disc), 302);
    assert_string_equal(disc->mcn, "0000010271955");
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE],
                        "Join us now we have the software");
    assert_string_equal(disc->tracks[0].cdtext.field[DC_CDTEXT_TITLE], "Soft");
    dc_image_close(image);

    image = open_corpus(corpus, "bincue/libcdio/isofs-m1.cue");
    disc = dc_image_disc(image);
    assert_int_equal(disc->tracks[0].mode, DC_MODE_MODE1);
    assert_int_equal(disc_end(disc), 302);
    assert_string_equal(disc->mcn, "0000012101954");
    dc_image_close(image);

    image = open_corpus(corpus, "bincue/libcdio-cdtext-2011/cdtext.cue");
    disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 3);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[1]), 300);
    assert_int_equal(dc_track_index1_lba(&disc->tracks[2]), 600);
    assert_int_equal(disc_end(disc), 906);
    assert_non_null(disc->cdtext_packs);
    assert_string_equal(disc->cdtext.field[DC_CDTEXT_TITLE],
                        "The Voice of the Gnu");
    assert_string_equal(disc->tracks[0].cdtext.field[DC_CDTEXT_TITLE],
                        "I Will Survive");
    assert_string_equal(disc->tracks[2].cdtext.field[DC_CDTEXT_TITLE],
                        "Gnu Opera");
    dc_image_close(image);
}

/* Every corpus sheet: accepted where libcdio accepts it, bad-*.cue
 * refused as malformed, vcd_demo.cue refused for its missing BIN. */
static void test_corpus_all_sheets(void **state)
{
    (void)state;
    const char *corpus = test_corpus();
    if (corpus == NULL)
        skip();
    static const char *const folders[] = {"bincue/libcdio",
                                          "bincue/libcdio-cdtext-2011"};
    int seen = 0;
    for (size_t d = 0; d < 2; d++) {
        char *folder = test_path(corpus, folders[d]);
        DIR *dir = opendir(folder);
        assert_non_null(dir);
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            const char *dot = strrchr(e->d_name, '.');
            if (dot == NULL || strcmp(dot, ".cue") != 0)
                continue;
            char *path = test_path(folder, e->d_name);
            dc_image *image = NULL;
            dc_error err = {0};
            dc_status status = dc_image_open(&image, path, NULL, &err);
            dc_status expected = strncmp(e->d_name, "bad-", 4) == 0
                                     ? DC_ERR_FORMAT
                                 : strcmp(e->d_name, "vcd_demo.cue") == 0
                                     ? DC_ERR_INPUT_IO
                                     : DC_OK;
            if (status != expected)
                fail_msg("%s: %s, expected %s (%s)", path,
                         dc_status_name(status), dc_status_name(expected),
                         err.message);
            if (expected != DC_OK && strstr(err.message, path) == NULL)
                fail_msg("%s: message does not name it: %s", path,
                         err.message);
            dc_image_close(image);
            free(path);
            seen++;
        }
        closedir(dir);
        free(folder);
    }
    assert_true(seen >= 11);
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

static void convert_ok(dc_image *source, const char *out,
                       const dc_convert_options *options)
{
    dc_convert_result result;
    dc_error err = {0};
    if (dc_convert(source, out, options, &result, &err) != DC_OK)
        fail_msg("convert to %s: %s", out, err.message);
    dc_convert_result_free(&result);
}

static dc_image *convert_and_reopen(dc_image *source, const char *out,
                                    const dc_convert_options *options)
{
    convert_ok(source, out, options);
    return open_ok(out);
}

static void assert_same_text(const dc_cdtext *a, const dc_cdtext *b)
{
    for (int i = 0; i < DC_CDTEXT_FIELD_COUNT; i++) {
        if (a->field[i] == NULL || b->field[i] == NULL)
            assert_ptr_equal(a->field[i], b->field[i]);
        else
            assert_string_equal(a->field[i], b->field[i]);
    }
}

/* Same track table; `first` is the source's track number to start at
 * when only one track was written. */
static void assert_same_tracks(const dc_disc *a, const dc_disc *b, int from,
                               bool same_sizes)
{
    assert_string_equal(a->mcn, b->mcn);
    for (int i = 0; i < b->track_count; i++) {
        const dc_track *x = &a->tracks[from + i], *y = &b->tracks[i];
        assert_int_equal(x->number, y->number);
        assert_int_equal(x->mode, y->mode);
        assert_int_equal(x->cdi, y->cdi);
        if (same_sizes)
            assert_int_equal(x->stored_size, y->stored_size);
        assert_int_equal(x->length, y->length);
        assert_int_equal(x->pregap_unstored, y->pregap_unstored);
        assert_int_equal(x->postgap_unstored, y->postgap_unstored);
        assert_int_equal(x->flags, y->flags);
        assert_string_equal(x->isrc, y->isrc);
        assert_int_equal(x->index_count, y->index_count);
        for (int k = 0; k < x->index_count; k++) {
            assert_int_equal(x->index[k].number, y->index[k].number);
            assert_int_equal(x->index[k].offset, y->index[k].offset);
        }
        assert_same_text(&x->cdtext, &y->cdtext);
    }
}

static void assert_same_disc(const dc_disc *a, const dc_disc *b,
                             bool same_sizes)
{
    assert_int_equal(a->track_count, b->track_count);
    assert_int_equal(a->session_count, b->session_count);
    assert_same_tracks(a, b, 0, same_sizes);
    for (int i = 0; i < a->track_count; i++) {
        assert_int_equal(a->tracks[i].start_lba, b->tracks[i].start_lba);
        assert_int_equal(a->tracks[i].session, b->tracks[i].session);
    }
    assert_same_text(&a->cdtext, &b->cdtext);
    assert_int_equal(a->comment_count, b->comment_count);
    for (int i = 0; i < a->comment_count; i++)
        assert_string_equal(a->comments[i], b->comments[i]);
}

static void assert_same_sectors(dc_image *a, int from, dc_image *b)
{
    const dc_disc *disc = dc_image_disc(b);
    for (int i = 0; i < disc->track_count; i++) {
        int64_t n = disc->tracks[i].length;
        uint8_t *x = read_raw(a, from + i, 0, n);
        uint8_t *y = read_raw(b, i, 0, n);
        assert_memory_equal(x, y, (size_t)n * AUDIO);
        free(x);
        free(y);
    }
}

static bool exists(const char *dir, const char *name)
{
    char *path = test_path(dir, name);
    struct stat st;
    bool found = stat(path, &st) == 0;
    free(path);
    return found;
}

static dc_image *write_source_set(const char *dir)
{
    free(write_mode1(dir, "src1.bin", 30, 0));
    free(test_write_random(dir, "src2.bin", 200 * AUDIO, 141));
    free(test_write_random(dir, "src3.bin", 100 * AUDIO, 142));
    return open_cue(dir, "src.cue",
        "REM DATE 1999\n"
        "CATALOG 0724384960650\n"
        "TITLE \"Disc \"\n"
        "PERFORMER \"Band\"\n"
        "FILE \"src1.bin\" BINARY\n"
        "  TRACK 01 MODE1/2352\n"
        "    INDEX 01 00:00:00\n"
        "    POSTGAP 00:02:00\n"
        "FILE \"src2.bin\" BINARY\n"
        "  TRACK 02 AUDIO\n"
        "    TITLE \"Two\"\n"
        "    FLAGS DCP PRE\n"
        "    ISRC GBAYE0000001\n"
        "    PREGAP 00:01:00\n"
        "    INDEX 01 00:00:00\n"
        "  TRACK 03 AUDIO\n"
        "    INDEX 00 00:01:00\n"
        "    INDEX 01 00:02:00\n"
        "    INDEX 02 00:02:10\n"
        "REM SESSION 02\n"
        "FILE \"src3.bin\" BINARY\n"
        "  TRACK 04 AUDIO\n"
        "    INDEX 01 00:00:00\n");
}

static void test_write_single_and_split(void **state)
{
    fixture *f = *state;
    dc_image *source = write_source_set(f->dir);
    dc_convert_options options = {0};

    char *single = test_path(f->dir, "single.cue");
    dc_image *copy = convert_and_reopen(source, single, &options);
    assert_true(exists(f->dir, "single.bin"));
    assert_same_disc(dc_image_disc(source), dc_image_disc(copy), true);
    assert_same_sectors(source, 0, copy);
    dc_image_close(copy);

    /* "-o NAME.bin" names the pair the same way; bincue.split is the
     * format's own option, and another format's is refused. */
    static const char *const other[] = {"iso.split=yes", NULL};
    options.format_options = other;
    char *refused = test_path(f->dir, "refused.cue");
    dc_convert_result refusal;
    dc_error refusal_err = {0};
    assert_int_equal(dc_convert(source, refused, &options, &refusal,
                                &refusal_err), DC_ERR_USAGE);
    assert_non_null(strstr(refusal_err.message, "the target is bincue"));
    dc_convert_result_free(&refusal);
    free(refused);
    static const char *const unknown[] = {"bincue.splat=yes", NULL};
    options.format_options = unknown;
    dc_error unknown_err = {0};
    assert_int_equal(dc_convert(source, single, &options, &refusal,
                                &unknown_err), DC_ERR_USAGE);
    assert_non_null(strstr(unknown_err.message, "no option 'splat'"));
    dc_convert_result_free(&refusal);
    static const char *const split_options[] = {"bincue.split=yes", NULL};
    options.format_options = split_options;
    char *split = test_path(f->dir, "split.bin");
    dc_convert_result result;
    dc_error err = {0};
    if (dc_convert(source, split, &options, &result, &err) != DC_OK)
        fail_msg("split: %s", err.message);
    assert_int_equal(result.output_count, 5);
    dc_convert_result_free(&result);
    for (int t = 1; t <= 4; t++) {
        char name[64];
        /* redump names: one digit on a disc of fewer than ten tracks */
        snprintf(name, sizeof name, "split (Track %d).bin", t);
        assert_true(exists(f->dir, name));
    }
    char *split_cue = test_path(f->dir, "split.cue");
    copy = open_ok(split_cue);
    assert_same_disc(dc_image_disc(source), dc_image_disc(copy), true);
    assert_same_sectors(source, 0, copy);
    dc_image_close(copy);

    /* The cue text itself: CRLF, quoted names, times per FILE. */
    size_t len = 0;
    char *text = (char *)test_read_file(split_cue, &len);
    assert_non_null(text);
    text = realloc(text, len + 1);
    text[len] = '\0';
    assert_non_null(strstr(text, "FILE \"split (Track 3).bin\" BINARY\r\n"
                                 "  TRACK 03 AUDIO\r\n"
                                 "    INDEX 00 00:00:00\r\n"
                                 "    INDEX 01 00:01:00\r\n"));
    assert_non_null(strstr(text, "REM SESSION 02\r\n"));
    assert_non_null(strstr(text, "FLAGS DCP PRE\r\n"));
    assert_null(strstr(text, "\n\n"));
    free(text);

    free(single);
    free(split);
    free(split_cue);
    dc_image_close(source);
}

static void test_write_user_framing_and_one_track(void **state)
{
    fixture *f = *state;
    dc_image *source = write_source_set(f->dir);
    /* No extension: the format has to be named. */
    dc_convert_options options = {.framing = DC_FRAMING_USER,
                                  .format_name = "bincue"};
    char *out = test_path(f->dir, "user");
    convert_ok(source, out, &options);
    assert_true(exists(f->dir, "user.bin"));
    free(out);
    out = test_path(f->dir, "user.cue");
    dc_image *copy = open_ok(out);
    const dc_disc *disc = dc_image_disc(copy);
    assert_int_equal(disc->tracks[0].stored_size, 2048);
    assert_same_disc(dc_image_disc(source), disc, false);
    /* The raw sectors come back regenerated, identical. */
    assert_same_sectors(source, 0, copy);
    dc_image_close(copy);
    free(out);

    options = (dc_convert_options){.track_number = 3};
    out = test_path(f->dir, "three.cue");
    copy = convert_and_reopen(source, out, &options);
    disc = dc_image_disc(copy);
    assert_int_equal(disc->track_count, 1);
    assert_same_tracks(dc_image_disc(source), disc, 2, true);
    assert_same_sectors(source, 2, copy);
    dc_image_close(copy);
    free(out);
    dc_image_close(source);
}

/* CD+G keeps its subchannel; MOTOROLA audio is written little-endian; a
 * sound file becomes BIN; CD-TEXT packs travel in a .cdt. */
static void test_write_special_sources(void **state)
{
    fixture *f = *state;
    uint8_t *cdg = test_write_random(f->dir, "karaoke.bin", 6 * 2448, 150);
    uint8_t *be = test_write_random(f->dir, "be.bin", 4 * AUDIO, 151);
    short *samples = (short *)test_random_bytes(3 * 588 * 4, 152);
    char *wav = test_path(f->dir, "w.wav");
    write_wav(wav, 44100, 2, samples, 3 * 588);
    dc_image *source = open_cue(f->dir, "special.cue",
        "FILE karaoke.bin BINARY\nTRACK 01 CDG\nINDEX 01 00:00:00\n"
        "FILE be.bin MOTOROLA\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n"
        "FILE w.wav WAVE\nTRACK 03 AUDIO\nINDEX 01 00:00:00\n");
    dc_convert_options options = {0};
    char *out = test_path(f->dir, "special-out.cue");
    dc_image *copy = convert_and_reopen(source, out, &options);
    assert_same_disc(dc_image_disc(source), dc_image_disc(copy), true);
    uint8_t *got = read_stored(copy, 0, 0, 6);
    assert_memory_equal(got, cdg, 6 * 2448);
    free(got);
    assert_same_sectors(source, 0, copy);
    /* In the written BIN the MOTOROLA audio is little-endian. */
    size_t len = 0;
    char *bin_path = test_path(f->dir, "special-out.bin");
    uint8_t *bin = test_read_file(bin_path, &len);
    assert_non_null(bin);
    free(bin_path);
    assert_int_equal(len, 6 * 2448 + 7 * AUDIO);
    assert_int_equal(bin[6 * 2448], be[1]);
    assert_int_equal(bin[6 * 2448 + 1], be[0]);
    free(bin);
    dc_image_close(copy);
    dc_image_close(source);
    free(out);
    free(wav);
    free(samples);
    free(cdg);
    free(be);

    const char *corpus = test_corpus();
    if (corpus == NULL)
        return;
    source = open_corpus(corpus, "bincue/libcdio-cdtext-2011/cdtext.cue");
    out = test_path(f->dir, "texts.cue");
    copy = convert_and_reopen(source, out, &options);
    const dc_disc *a = dc_image_disc(source), *b = dc_image_disc(copy);
    assert_same_disc(a, b, true);
    assert_int_equal(a->cdtext_packs_size, b->cdtext_packs_size);
    assert_memory_equal(a->cdtext_packs, b->cdtext_packs, a->cdtext_packs_size);
    assert_true(exists(f->dir, "texts.cdt"));
    dc_image_close(copy);
    dc_image_close(source);
    free(out);
}

int main(void)
{
#define T(test) cmocka_unit_test_setup_teardown(test, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_redump_multi_file),
        T(test_eac_pregap_in_previous_file),
        T(test_pregap_postgap_shift_addresses),
        T(test_sloppy_text),
        T(test_file_names),
        T(test_stem_fallback),
        T(test_motorola_is_swapped),
        T(test_wave_file),
        T(test_mixed_sizes_in_one_file),
        T(test_modes),
        T(test_metadata_kept),
        T(test_sessions),
        T(test_malformed),
        T(test_truncated),
        T(test_toc_is_not_a_cue),
        T(test_probe_and_sibling),
        T(test_sidecar_naming_another_file),
        cmocka_unit_test(test_corpus_track_tables),
        cmocka_unit_test(test_corpus_all_sheets),
        T(test_write_single_and_split),
        T(test_write_user_framing_and_one_track),
        T(test_write_special_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
