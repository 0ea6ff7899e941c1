/*
 * Images over 4 GiB: sparse ISO, BIN/CUE, raw IMG and NRG files whose
 * last sectors lie past 2^32 bytes (a file offset that no longer fits in
 * 32 bits) are read through the public API and must give back exactly the
 * sectors written there.  Sparse files cost almost no disk.
 */
#include "testutil.h"

#include "discconv/discconv.h"
#include "sector.h"

#include <fcntl.h>

#define PAST_4GIB (INT64_C(1) << 21)   /* 2048-byte sectors in 4 GiB */
#define MARKED 40                      /* sectors written past 4 GiB */
#define SECTORS (PAST_4GIB + MARKED)

typedef struct fixture {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tempdir();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_remove_dir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void fill(uint8_t *data, size_t len, int64_t seed)
{
    unsigned s = (unsigned)seed * 2654435761u;
    for (size_t i = 0; i < len; i++) {
        s = s * 1103515245u + 12345u;
        data[i] = (uint8_t)(s >> 16);
    }
}

/* A sparse file of `size` bytes. */
static int make_sparse(const char *path, int64_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    return fd;
}

static void put_at(int fd, int64_t offset, const void *data, size_t len)
{
    assert_int_equal(pwrite(fd, data, len, (off_t)offset), (ssize_t)len);
}

/* The sector numbers written with recognisable data: the one that ends
 * at or crosses 4 GiB, and the MARKED last ones. */
static int64_t marked_sector(int i, unsigned size)
{
    return i == 0 ? (INT64_C(1) << 32) / size : SECTORS - MARKED + i - 1;
}

/* Writes user data for every marked sector: cooked, or encoded raw Mode 1
 * at its own LBA. */
static void write_marked(int fd, unsigned size, int64_t base)
{
    uint8_t user[2048], raw[DC_RAW_SECTOR];
    for (int i = 0; i <= MARKED; i++) {
        int64_t sector = marked_sector(i, size);
        fill(user, sizeof user, sector);
        if (size == 2048) {
            put_at(fd, base + sector * size, user, sizeof user);
        } else {
            dc_sector_encode_mode1(raw, sector, user);
            put_at(fd, base + sector * size, raw, sizeof raw);
        }
    }
}

static dc_image *open_image(const char *path, const char *format)
{
    dc_image *image = NULL;
    dc_error err = {0};
    if (dc_image_open(&image, path, format, &err) != DC_OK)
        fail_msg("open %s: %s", path, err.message);
    return image;
}

/* Reads the marked sectors of track `t` (stored sector = file sector -
 * first) as user data, one at a time and the last ones in one read, with
 * verification; compares them with what was written. */
static void check_marked(dc_image *image, int t, int64_t first, unsigned size)
{
    uint8_t want[2048];
    uint8_t *got = malloc((size_t)MARKED * 2048);
    assert_non_null(got);
    dc_read_options options = {.verify = true};
    dc_read_report report = {0};
    dc_error err = {0};
    for (int i = 0; i <= MARKED; i++) {
        int64_t sector = marked_sector(i, size);
        if (sector < first)
            continue;
        if (dc_image_read(image, t, sector - first, 1, DC_FORM_USER, &options,
                          got, &report, &err) != DC_OK)
            fail_msg("read sector %lld: %s", (long long)sector, err.message);
        fill(want, sizeof want, sector);
        assert_memory_equal(got, want, sizeof want);
    }
    if (dc_image_read(image, t, SECTORS - MARKED - first, MARKED, DC_FORM_USER,
                      &options, got, &report, &err) != DC_OK)
        fail_msg("read the last sectors: %s", err.message);
    for (int i = 0; i < MARKED; i++) {
        fill(want, sizeof want, SECTORS - MARKED + i);
        assert_memory_equal(got + (size_t)i * 2048, want, sizeof want);
    }
    assert_int_equal(report.bad_edc, 0);
    assert_int_equal(report.mode_mismatch, 0);
    free(got);
}

static void test_iso(void **state)
{
    fixture *f = *state;
    char *path = test_path(f->dir, "big.iso");
    int fd = make_sparse(path, SECTORS * 2048);
    put_at(fd, 16 * 2048, "\001CD001\001", 7);
    write_marked(fd, 2048, 0);
    close(fd);

    dc_image *image = open_image(path, NULL);
    assert_string_equal(dc_image_format_name(image), "iso");
    assert_int_equal(dc_image_disc(image)->tracks[0].length, SECTORS);
    check_marked(image, 0, 0, 2048);

    /* Raw sectors made from the user data carry their own LBA. */
    uint8_t raw[DC_RAW_SECTOR], want[2048];
    dc_error err = {0};
    assert_int_equal(dc_image_read(image, 0, SECTORS - 1, 1, DC_FORM_RAW, NULL,
                                   raw, NULL, &err), DC_OK);
    assert_int_equal(dc_sector_verify(raw), DC_CHECK_OK);
    fill(want, sizeof want, SECTORS - 1);
    assert_memory_equal(raw + 16, want, sizeof want);
    dc_image_close(image);
    free(path);
}

static void test_bin_one_track(void **state)
{
    fixture *f = *state;
    char *bin = test_path(f->dir, "big.bin");
    char *cue = test_path(f->dir, "big.cue");
    int fd = make_sparse(bin, SECTORS * DC_RAW_SECTOR);
    write_marked(fd, DC_RAW_SECTOR, 0);
    close(fd);
    const char *sheet = "FILE \"big.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
                        "    INDEX 01 00:00:00\n";
    test_write_file(cue, sheet, strlen(sheet));

    dc_image *image = open_image(cue, NULL);
    assert_int_equal(dc_image_disc(image)->tracks[0].length, SECTORS);
    check_marked(image, 0, 0, DC_RAW_SECTOR);
    dc_image_close(image);
    free(bin);
    free(cue);
}

/* Track 2 starts past 4 GiB into the file: its address comes from the
 * cue time of 466 minutes, its bytes from offset 2^21 * 2352. */
static void test_bin_track_past_4gib(void **state)
{
    fixture *f = *state;
    char *bin = test_path(f->dir, "two.bin");
    char *cue = test_path(f->dir, "two.cue");
    int fd = make_sparse(bin, SECTORS * DC_RAW_SECTOR);
    write_marked(fd, DC_RAW_SECTOR, 0);
    close(fd);
    const char *sheet = "FILE \"two.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
                        "    INDEX 01 00:00:00\n  TRACK 02 MODE1/2352\n"
                        "    INDEX 01 466:02:02\n";
    test_write_file(cue, sheet, strlen(sheet));

    dc_image *image = open_image(cue, NULL);
    const dc_disc *disc = dc_image_disc(image);
    assert_int_equal(disc->track_count, 2);
    assert_int_equal(disc->tracks[1].start_lba, PAST_4GIB);
    assert_int_equal(disc->tracks[1].length, MARKED);
    check_marked(image, 1, PAST_4GIB, DC_RAW_SECTOR);
    dc_image_close(image);
    free(bin);
    free(cue);
}

static void test_raw_img(void **state)
{
    fixture *f = *state;
    char *path = test_path(f->dir, "big.img");
    int fd = make_sparse(path, SECTORS * DC_RAW_SECTOR);
    /* Syncs at the start tell the probe the sector size. */
    uint8_t user[2048] = {0}, raw[DC_RAW_SECTOR];
    for (int i = 0; i < 4; i++) {
        dc_sector_encode_mode1(raw, i, user);
        put_at(fd, (int64_t)i * DC_RAW_SECTOR, raw, sizeof raw);
    }
    write_marked(fd, DC_RAW_SECTOR, 0);
    close(fd);

    dc_image *image = open_image(path, NULL);
    assert_string_equal(dc_image_format_name(image), "img");
    assert_int_equal(dc_image_disc(image)->tracks[0].length, SECTORS);
    check_marked(image, 0, 0, DC_RAW_SECTOR);
    dc_image_close(image);
    free(path);
}

static void put_be(uint8_t *p, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(value >> (8 * (bytes - 1 - i)));
}

/* A disc-at-once NRG v2 (CUEX + DAOX, 64-bit offsets) of one 2048-byte
 * Mode 1 track, its chunks behind the sectors past 4 GiB. */
static void test_nrg(void **state)
{
    fixture *f = *state;
    char *path = test_path(f->dir, "big.nrg");
    int64_t data_end = SECTORS * 2048;
    uint8_t chunks[8 + 32 + 8 + 22 + 42 + 8 + 12];
    memset(chunks, 0, sizeof chunks);
    uint8_t *p = chunks;
    memcpy(p, "CUEX", 4);
    put_be(p + 4, 32, 4);
    static const struct { uint8_t track, index; int32_t lba; } points[] = {
        {0x00, 0x00, -150}, {0x01, 0x00, -150}, {0x01, 0x01, 0},
        {0xAA, 0x01, (int32_t)SECTORS},
    };
    for (int i = 0; i < 4; i++) {
        uint8_t *cp = p + 8 + 8 * i;
        cp[0] = 0x41;
        cp[1] = points[i].track;
        cp[2] = points[i].index;
        put_be(cp + 4, (uint32_t)points[i].lba, 4);
    }
    p += 8 + 32;
    memcpy(p, "DAOX", 4);
    put_be(p + 4, 22 + 42, 4);
    put_be(p + 8, 22 + 42, 4);
    p[8 + 20] = 1;                     /* first track */
    p[8 + 21] = 1;                     /* last track */
    uint8_t *entry = p + 8 + 22;
    put_be(entry + 12, 2048, 2);       /* sector size */
    entry[14] = 0x00;                  /* Mode 1, user data */
    put_be(entry + 18, 0, 8);          /* index 0 */
    put_be(entry + 26, 0, 8);          /* index 1 */
    put_be(entry + 34, (uint64_t)data_end, 8);
    p += 8 + 22 + 42;
    memcpy(p, "END!", 4);
    p += 8;
    memcpy(p, "NER5", 4);
    put_be(p + 4, (uint64_t)data_end, 8);

    int fd = make_sparse(path, data_end);
    write_marked(fd, 2048, 0);
    put_at(fd, data_end, chunks, sizeof chunks);
    close(fd);

    dc_image *image = open_image(path, NULL);
    assert_string_equal(dc_image_format_name(image), "nrg");
    assert_int_equal(dc_image_disc(image)->tracks[0].length, SECTORS);
    check_marked(image, 0, 0, 2048);
    dc_image_close(image);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_iso, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bin_one_track, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bin_track_past_4gib, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_img, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nrg, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
