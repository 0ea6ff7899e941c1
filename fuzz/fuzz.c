/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "fuzz.h"
#include "labels.h"
#include "model.h"
#include "sector.h"

#include <cdio/logging.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sectors read at each end of a track: enough to cross every chunk and
 * extent boundary a small input can make, few enough that a track that
 * claims millions of sectors costs no more than a short one. */
#define READ_SECTORS 8
#define MAX_STORED 2448

static char *scratch;

/* libcdio logs what it dislikes to stdout, thousands of lines a second
 * under a fuzzer; errors that matter come back as dc_error. */
static void ignore_cdio_log(cdio_log_level_t level, const char *message)
{
    (void)level;
    (void)message;
}

__attribute__((constructor)) static void quiet_libcdio(void)
{
    cdio_log_set_handler(ignore_cdio_log);
}

static void die(const char *what)
{
    perror(what);
    abort();
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_scratch(void)
{
    nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(scratch);
}

const char *fuzz_dir(void)
{
    if (scratch != NULL)
        return scratch;
    const char *base = getenv("TMPDIR");
    struct stat st;
    if (base == NULL || base[0] == '\0')
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                       access("/dev/shm", W_OK) == 0
                   ? "/dev/shm" : "/tmp";
    size_t len = strlen(base) + sizeof "/discconv-fuzz.XXXXXX";
    scratch = malloc(len);
    if (scratch == NULL)
        die("malloc");
    snprintf(scratch, len, "%s/discconv-fuzz.XXXXXX", base);
    if (mkdtemp(scratch) == NULL)
        die(scratch);
    atexit(remove_scratch);
    return scratch;
}

char *fuzz_path(const char *name)
{
    const char *dir = fuzz_dir();
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (path == NULL)
        die("malloc");
    snprintf(path, len, "%s/%s", dir, name);
    return path;
}

void fuzz_write(const char *name, const void *data, size_t size)
{
    char *path = fuzz_path(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die(path);
    const uint8_t *bytes = data;
    while (size > 0) {
        ssize_t n = write(fd, bytes, size);
        if (n <= 0)
            die(path);
        bytes += n;
        size -= (size_t)n;
    }
    close(fd);
    free(path);
}

/* --- fixtures ----------------------------------------------------------- */

static void fill(uint8_t *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A 16-bit stereo 44.1 kHz WAV of `frames` sample pairs. */
static void write_wav(const char *name, uint32_t frames)
{
    size_t data_size = (size_t)frames * 4;
    uint8_t *wav = malloc(44 + data_size);
    if (wav == NULL)
        die("malloc");
    memcpy(wav, "RIFF", 4);
    put_le(wav + 4, (uint32_t)(36 + data_size), 4);
    memcpy(wav + 8, "WAVEfmt ", 8);
    put_le(wav + 16, 16, 4);
    put_le(wav + 20, 1, 2);       /* PCM */
    put_le(wav + 22, 2, 2);       /* channels */
    put_le(wav + 24, 44100, 4);
    put_le(wav + 28, 44100 * 4, 4);
    put_le(wav + 32, 4, 2);       /* block align */
    put_le(wav + 34, 16, 2);      /* bits */
    memcpy(wav + 36, "data", 4);
    put_le(wav + 40, (uint32_t)data_size, 4);
    fill(wav + 44, data_size, 7);
    fuzz_write(name, wav, 44 + data_size);
    free(wav);
}

/* One CD-TEXT pack, its CRC (CCITT, inverted, big-endian) added. */
static void put_pack(uint8_t *p, int type, int track, int seq, int position,
                     const uint8_t *text)
{
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)track;
    p[2] = (uint8_t)seq;
    p[3] = (uint8_t)(position < 15 ? position : 15);
    memcpy(p + 4, text, 12);
    unsigned crc = 0;
    for (int b = 0; b < 16; b++) {
        crc ^= (unsigned)p[b] << 8;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    crc = ~crc & 0xFFFF;
    p[16] = (uint8_t)(crc >> 8);
    p[17] = (uint8_t)crc;
}

/* TITLE packs for the disc and two tracks, then the three size
 * information packs (0x8F) that libcdio wants. */
static void write_cdtext(const char *name)
{
    static const char text[] = "FUZZ DISC\0TRACK ONE\0TRACK TWO";
    enum { TEXT_PACKS = (sizeof text + 11) / 12, PACKS = TEXT_PACKS + 3 };
    uint8_t packs[PACKS * 18], chunk[12];
    int track = 0, position = 0;
    for (int i = 0; i < TEXT_PACKS; i++) {
        memset(chunk, 0, sizeof chunk);
        for (size_t k = 0; k < 12 && (size_t)i * 12 + k < sizeof text; k++)
            chunk[k] = (uint8_t)text[(size_t)i * 12 + k];
        put_pack(packs + i * 18, 0x80, track, i, position, chunk);
        for (size_t k = 0; k < 12; k++, position++)
            if ((size_t)i * 12 + k < sizeof text &&
                text[(size_t)i * 12 + k] == '\0') {
                track++;
                position = -1;
            }
    }
    uint8_t info[36] = {0, 1, 2, 0, TEXT_PACKS};
    info[19] = 3;
    info[20] = PACKS - 1;
    info[28] = 9; /* English */
    for (int k = 0; k < 3; k++)
        put_pack(packs + (TEXT_PACKS + k) * 18, 0x8F, k, TEXT_PACKS + k, 0,
                 info + 12 * k);
    fuzz_write(name, packs, sizeof packs);
}

void fuzz_write_fixtures(void)
{
    enum { MODE1 = 24, AUDIO = 12, COOKED = 20, MODE2 = 12, SUB = 6 };
    uint8_t user[DC_USER_MODE2];
    uint8_t *buf = malloc((size_t)MODE1 * DC_RAW_SECTOR);
    if (buf == NULL)
        die("malloc");

    for (int i = 0; i < MODE1; i++) {
        fill(user, DC_USER_MODE1, (unsigned)i);
        if (i == 16)
            memcpy(user, "\001CD001\001", 7);
        dc_sector_encode_mode1(buf + (size_t)i * DC_RAW_SECTOR, i, user);
    }
    fuzz_write("a.bin", buf, (size_t)MODE1 * DC_RAW_SECTOR);

    uint8_t *sub = malloc((size_t)SUB * 2448);
    if (sub == NULL)
        die("malloc");
    for (int i = 0; i < SUB; i++) {
        memcpy(sub + (size_t)i * 2448, buf + (size_t)i * DC_RAW_SECTOR,
               DC_RAW_SECTOR);
        fill(sub + (size_t)i * 2448 + DC_RAW_SECTOR, DC_SUBCHANNEL_SIZE, 99);
    }
    fuzz_write("f.bin", sub, (size_t)SUB * 2448);
    free(sub);

    fill(buf, (size_t)AUDIO * DC_RAW_SECTOR, 3);
    fuzz_write("b.bin", buf, (size_t)AUDIO * DC_RAW_SECTOR);
    fuzz_write("m.bin", buf, 8 * DC_RAW_SECTOR);

    for (int i = 0; i < COOKED; i++) {
        fill(buf + (size_t)i * 2048, 2048, (unsigned)i + 100);
        if (i == 16)
            memcpy(buf + (size_t)i * 2048, "\001CD001\001", 7);
    }
    fuzz_write("c.iso", buf, (size_t)COOKED * 2048);

    uint8_t *m2336 = malloc((size_t)MODE2 * DC_USER_MODE2);
    if (m2336 == NULL)
        die("malloc");
    for (int i = 0; i < MODE2; i++) {
        uint8_t *raw = buf + (size_t)i * DC_RAW_SECTOR;
        uint8_t subheader[4] = {0, 0, (uint8_t)(i % 2 ? 0x28 : 0x08), 0};
        fill(user, DC_USER_FORM2, (unsigned)i + 200);
        if (i % 2)
            dc_sector_encode_form2(raw, i, subheader, user);
        else
            dc_sector_encode_form1(raw, i, subheader, user);
        memcpy(m2336 + (size_t)i * DC_USER_MODE2, raw + 16, DC_USER_MODE2);
    }
    fuzz_write("d.bin", buf, (size_t)MODE2 * DC_RAW_SECTOR);
    fuzz_write("e.bin", m2336, (size_t)MODE2 * DC_USER_MODE2);
    free(m2336);
    free(buf);

    write_wav("t.wav", 588 * 5 / 2);
    write_cdtext("x.cdt");
}

/* --- reading ------------------------------------------------------------ */

void fuzz_check_error(dc_status status, const dc_error *err)
{
    if (status == DC_OK)
        return;
    /* The command line prints err->message and exits by err->status.
     * Memory never runs out here (libFuzzer stops a big allocation as a
     * finding first), so "out of memory" would be a misreported input. */
    if (err->status == DC_OK || err->status == DC_ERR_NOMEM ||
        err->message[0] == '\0' || strchr(err->message, '\n') != NULL) {
        fprintf(stderr, "bad error report: status %d, recorded %d, "
                "message \"%s\"\n", status, err->status, err->message);
        abort();
    }
}

static void read_range(dc_image *image, int t, int64_t first, int64_t count,
                       dc_sector_form form, const dc_read_options *options,
                       uint8_t *buffer)
{
    dc_error err = {0};
    dc_read_report report = {0};
    fuzz_check_error(dc_image_read(image, t, first, count, form, options,
                                   buffer, &report, &err), &err);
}

void fuzz_read_image(dc_image *image)
{
    static const dc_sector_form forms[] = {DC_FORM_RAW, DC_FORM_USER,
                                           DC_FORM_MODE2_2336, DC_FORM_STORED};
    const dc_disc *disc = dc_image_disc(image);
    uint8_t *buffer = malloc((size_t)READ_SECTORS * MAX_STORED);
    if (buffer == NULL)
        die("malloc");
    for (int t = 0; t < disc->track_count; t++) {
        const dc_track *track = &disc->tracks[t];
        int64_t n = track->length < READ_SECTORS ? track->length : READ_SECTORS;
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            for (int pass = 0; pass < 2; pass++) {
                dc_read_options options = {.verify = pass == 1,
                                           .swap_audio = pass == 1,
                                           .allow_form2_truncation = pass == 1};
                read_range(image, t, 0, n, forms[f], &options, buffer);
                read_range(image, t, track->length - n, n, forms[f], &options,
                           buffer);
            }
        }
        dc_fsinfo info;
        dc_error err = {0};
        fuzz_check_error(dc_fsinfo_probe(image, t, &info, &err), &err);
    }
    for (int i = 0; i < dc_image_warning_count(image); i++)
        if (strchr(dc_image_warning(image, i), '\n') != NULL)
            abort(); /* warnings are printed one per line */
    free(buffer);
}

void fuzz_open_and_read(const char *name, const char *format)
{
    char *path = fuzz_path(name);
    dc_image *image = NULL;
    dc_error err = {0};
    dc_status status = dc_image_open(&image, path, format, &err);
    fuzz_check_error(status, &err);
    if (status == DC_OK) {
        fuzz_read_image(image);
        dc_image_close(image);
    } else if (image != NULL) {
        abort(); /* a failed open hands back nothing */
    }
    free(path);
}

void fuzz_open_descriptor(const dc_format *format, const char *name,
                          const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_write_fixtures();
        ready = true;
    }
    char *path = fuzz_path(name);
    dc_error err = {0};
    dc_source *source;
    dc_image *image = dc_image_new(path, format, &err);
    if (image != NULL &&
        dc_source_memory(&source, data, size, path, &err) == DC_OK) {
        dc_status status = dc_image_use_source(image, source, &err);
        if (status == DC_OK)
            status = format->open(image, &err);
        if (status == DC_OK)
            status = dc_disc_validate(&image->disc, path, &err);
        /* What dc_image_open does after the reader: claims and labels. */
        if (status == DC_OK)
            status = dc_image_check_claims(image, &err);
        if (status == DC_OK)
            status = dc_labels_survey(image, &err);
        fuzz_check_error(status, &err);
        if (status == DC_OK)
            fuzz_read_image(image);
    }
    dc_image_close(image);
    free(path);
}
