/*
 * DMG (Apple UDIF) target: the disc's one data track, as 2048-byte
 * sectors (an ISO, or whatever the track holds), made a whole-device image.
 * The sectors are cut into 1 MiB chunks that the core's chunk writer
 * compresses in parallel (zlib, bzip2 or xz, as the codec option says);
 * then come the XML property list with one `blkx` ("whole disk") holding
 * the `mish` chunk table, and the 512-byte `koly` trailer.  That is what
 * hdiutil writes for a volume without a partition map, and what 7-Zip
 * and dmg2img read best: 7-Zip extracts the one partition as the image
 * itself, and dmg2img, which appends chunks instead of placing them, has
 * one table to walk.  The layout is ../shared/FORMATS.md §6.
 */
#include "write.h"
#include "labels.h"
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISO_SECTOR 2048
#define DMG_SECTOR 512
/* hdiutil's chunk: 2048 sectors of 512 bytes. */
#define CHUNK_BYTES ((size_t)1 << 20)
/* What a mish asks readers to allocate per chunk, in sectors: hdiutil's
 * figure for 1 MiB chunks. */
#define BUFFERS_REQUESTED 0x808
/* hdiutil's blocks descriptor for a "whole disk" blkx. */
#define WHOLE_DISK_DESCRIPTOR 0xFFFFFFFEu

enum {
    MISH_HEADER = 204,
    MISH_ENTRY = 40,
    CHECKSUM_CRC32 = 2,
    KOLY_FLATTENED = 1,
    VARIANT_DEVICE = 1
};

/* Chunk types of a mish entry. */
enum {
    CHUNK_ZERO = 0x00000000,
    CHUNK_STORED = 0x00000001,
    CHUNK_ZLIB = 0x80000005,
    CHUNK_BZIP2 = 0x80000006,
    CHUNK_XZ = 0x80000008,
    CHUNK_END = 0xFFFFFFFF
};

/* The codec option's choices, in its order (the first is the default). */
static const dc_codec codec_choices[] = {DC_CODEC_ZLIB, DC_CODEC_BZIP2,
                                         DC_CODEC_XZ};

const dc_format_option dmg_write_options[DMG_WRITE_OPTION_COUNT] = {
    {"codec", DC_OPTION_CHOICE, "how chunks are compressed: zlib (UDZO, "
     "read everywhere), bzip2 (UDBZ) or lzma (ULMO, macOS 10.15 on)",
     "zlib,bzip2,lzma"},
};

/* --- the tables --------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* A checksum field: type, size in bits, then the value in 128 bytes. */
static void put_crc32(uint8_t *p, uint32_t crc)
{
    put32(p, CHECKSUM_CRC32);
    put32(p + 4, 32);
    put32(p + 8, crc);
}

static uint32_t chunk_type(dc_codec codec)
{
    switch (codec) {
    case DC_CODEC_ZERO: return CHUNK_ZERO;
    case DC_CODEC_STORED: return CHUNK_STORED;
    case DC_CODEC_ZLIB: return CHUNK_ZLIB;
    case DC_CODEC_BZIP2: return CHUNK_BZIP2;
    case DC_CODEC_XZ: return CHUNK_XZ;
    default: return CHUNK_END; /* not one the writer makes */
    }
}

static void put_entry(uint8_t *p, uint32_t type, int64_t first_sector,
                      int64_t sectors, int64_t in_offset, int64_t in_length)
{
    memset(p, 0, MISH_ENTRY);
    put32(p, type);
    put64(p + 8, (uint64_t)first_sector);
    put64(p + 16, (uint64_t)sectors);
    put64(p + 24, (uint64_t)in_offset);
    put64(p + 32, (uint64_t)in_length);
}

dc_status dmg_mish_encode(const dc_chunk_map *map, int64_t sectors,
                          int64_t data_end, uint32_t crc, uint8_t **mish,
                          size_t *mish_len, dc_error *err)
{
    *mish = NULL;
    /* At most one entry per chunk, and the terminator. */
    size_t size = MISH_HEADER + ((size_t)map->count + 1) * MISH_ENTRY;
    uint8_t *table = calloc(1, size);
    if (table == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    uint8_t *entries = table + MISH_HEADER;
    uint32_t count = 0;
    int64_t at = 0;      /* the next sector the table must cover */
    int64_t packed = 0;  /* the end of the chunks' bytes so far */
    for (int i = 0; i < map->count; i++) {
        const dc_chunk *c = &map->chunks[i];
        if (c->out_offset != at * DMG_SECTOR || c->out_length <= 0 ||
            c->out_length % DMG_SECTOR != 0 ||
            chunk_type(c->codec) == CHUNK_END) {
            free(table);
            return dc_fail(err, DC_ERR_FORMAT, "DMG writer: chunk %d does "
                           "not follow on at sector %lld", i, (long long)at);
        }
        int64_t n = c->out_length / DMG_SECTOR;
        uint8_t *last = count > 0 ? entries + (count - 1) * MISH_ENTRY : NULL;
        if (c->codec == DC_CODEC_ZERO && last != NULL &&
            last[0] == 0 && last[3] == 0) {
            /* A zero chunk after a zero chunk: one longer run. */
            uint64_t run = 0;
            for (int k = 16; k < 24; k++)
                run = run << 8 | last[k];
            put64(last + 16, run + (uint64_t)n);
        } else {
            int64_t in_offset = c->codec == DC_CODEC_ZERO ? packed
                                                          : c->in_offset;
            put_entry(entries + count * MISH_ENTRY, chunk_type(c->codec), at,
                      n, in_offset, c->in_length);
            count++;
        }
        if (c->codec != DC_CODEC_ZERO)
            packed = c->in_offset + c->in_length;
        at += n;
    }
    if (at != sectors) {
        free(table);
        return dc_fail(err, DC_ERR_FORMAT, "DMG writer: the chunks cover "
                       "%lld sectors of %lld", (long long)at,
                       (long long)sectors);
    }
    put_entry(entries + count * MISH_ENTRY, CHUNK_END, sectors, 0, data_end,
              0);
    count++;

    memcpy(table, "mish", 4);
    put32(table + 4, 1);                 /* version */
    put64(table + 8, 0);                 /* first sector */
    put64(table + 16, (uint64_t)sectors);
    put64(table + 24, 0);                /* data start */
    put32(table + 32, BUFFERS_REQUESTED);
    put32(table + 36, WHOLE_DISK_DESCRIPTOR);
    put_crc32(table + 64, crc);
    put32(table + 200, count);
    *mish = table;
    *mish_len = MISH_HEADER + (size_t)count * MISH_ENTRY;
    return DC_OK;
}

/* Text that grows; `failed` once memory ran out. */
typedef struct text_buffer {
    char *data;
    size_t len, size;
    bool failed;
} text_buffer;

static void text_add(text_buffer *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_add(text_buffer *t, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
        va_list args;
        va_start(args, fmt);
        int n = vsnprintf(t->data != NULL ? t->data + t->len : NULL,
                          t->size - t->len, fmt, args);
        va_end(args);
        if (n < 0) {
            t->failed = true;
        } else if ((size_t)n < t->size - t->len) {
            t->len += (size_t)n;
            return;
        } else {
            size_t size = (t->size + (size_t)n + 1) * 2;
            char *grown = realloc(t->data, size);
            if (grown == NULL)
                t->failed = true;
            else
                t->data = grown, t->size = size;
        }
    }
}

/* Base64 (RFC 4648) in lines of 44 characters, each indented by `indent`,
 * as hdiutil lays out a plist's data. */
static void text_add_base64(text_buffer *t, const uint8_t *bytes, size_t len,
                            const char *indent)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789+/";
    enum { LINE_BYTES = 33 };
    for (size_t at = 0; at < len; at += LINE_BYTES) {
        char line[LINE_BYTES / 3 * 4 + 1];
        size_t n = len - at < LINE_BYTES ? len - at : LINE_BYTES, k = 0;
        for (size_t i = 0; i < n; i += 3) {
            const uint8_t *p = bytes + at + i;
            uint32_t v = (uint32_t)p[0] << 16 |
                         (i + 1 < n ? (uint32_t)p[1] << 8 : 0) |
                         (i + 2 < n ? p[2] : 0);
            line[k++] = alphabet[v >> 18 & 63];
            line[k++] = alphabet[v >> 12 & 63];
            line[k++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
            line[k++] = i + 2 < n ? alphabet[v & 63] : '=';
        }
        line[k] = '\0';
        text_add(t, "%s%s\n", indent, line);
    }
}

/* One resource of a resource-fork array, its keys in hdiutil's order. */
static void add_resource(text_buffer *t, const char *name, bool cfname,
                         const uint8_t *data, size_t len)
{
    text_add(t, "\t\t\t<dict>\n"
                "\t\t\t\t<key>Attributes</key>\n"
                "\t\t\t\t<string>0x0050</string>\n");
    if (cfname)
        text_add(t, "\t\t\t\t<key>CFName</key>\n"
                    "\t\t\t\t<string>%s</string>\n", name);
    text_add(t, "\t\t\t\t<key>Data</key>\n\t\t\t\t<data>\n");
    text_add_base64(t, data, len, "\t\t\t\t");
    text_add(t, "\t\t\t\t</data>\n"
                "\t\t\t\t<key>ID</key>\n"
                "\t\t\t\t<string>0</string>\n"
                "\t\t\t\t<key>Name</key>\n"
                "\t\t\t\t<string>%s</string>\n"
                "\t\t\t</dict>\n", name);
}

dc_status dmg_plist_build(const uint8_t *mish, size_t mish_len,
                          const char *name, char **text, size_t *text_len,
                          dc_error *err)
{
    /* The plst resource hdiutil writes: 1032 bytes, two of them set. */
    uint8_t plst[1032] = {0};
    plst[517] = 1;
    plst[519] = 1;
    text_buffer t = {0};
    text_add(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                 "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                 "<plist version=\"1.0\">\n"
                 "<dict>\n"
                 "\t<key>resource-fork</key>\n"
                 "\t<dict>\n"
                 "\t\t<key>blkx</key>\n"
                 "\t\t<array>\n");
    add_resource(&t, name, true, mish, mish_len);
    text_add(&t, "\t\t</array>\n"
                 "\t\t<key>plst</key>\n"
                 "\t\t<array>\n");
    add_resource(&t, "", false, plst, sizeof plst);
    text_add(&t, "\t\t</array>\n"
                 "\t</dict>\n"
                 "</dict>\n"
                 "</plist>\n");
    if (t.failed) {
        free(t.data);
        *text = NULL;
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    *text = t.data;
    *text_len = t.len;
    return DC_OK;
}

void dmg_koly_encode(uint8_t koly[DMG_KOLY_SIZE], const dmg_koly_fields *f)
{
    memset(koly, 0, DMG_KOLY_SIZE);
    memcpy(koly, "koly", 4);
    put32(koly + 4, 4);                  /* version */
    put32(koly + 8, DMG_KOLY_SIZE);
    put32(koly + 12, KOLY_FLATTENED);
    put64(koly + 32, f->data_fork_length); /* the fork starts at 0 */
    put32(koly + 56, 1);                 /* segment 1 of 1 */
    put32(koly + 60, 1);
    put_crc32(koly + 80, f->data_fork_crc);
    put64(koly + 216, f->plist_offset);
    put64(koly + 224, f->plist_length);
    put_crc32(koly + 352, f->master_crc);
    put32(koly + 488, VARIANT_DEVICE);
    put64(koly + 492, f->sectors);
}

/* --- the target --------------------------------------------------------- */

/* The one data track a DMG will hold, by position, or -1 with the reason:
 * the whole device is that track, so audio beside it has no place. */
static int pick_track(const dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int wanted = job->options->track_number;
    int pick = -1, audio = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (pick < 0 && (wanted != 0 ? t->number == wanted
                                     : dc_track_is_data(t)))
            pick = i;
        audio += t->mode == DC_MODE_AUDIO;
    }
    for (int i = 0; i < disc->track_count; i++) {
        const char *found = dc_labels_contradiction(job->source, i);
        if (found != NULL && disc->tracks[i].mode == DC_MODE_AUDIO &&
            (pick < 0 ? wanted == 0 : pick == i)) {
            dc_fail(err, DC_ERR_FORMAT, "%s: %s: correct the label to "
                    "write it as a DMG, or keep its raw sectors (BIN/CUE)",
                    job->source->path, found);
            return -1;
        }
    }
    if (pick < 0) {
        dc_fail_advise(err, DC_ERR_CANNOT_HOLD, DC_ADVICE_WRITE_AUDIO, "%s: "
                       "no data track, and a DMG cannot hold audio: write "
                       "it as sound files, or write BIN/CUE",
                       job->source->path);
        return -1;
    }
    if (wanted == 0 && audio > 0) {
        dc_fail_advise(err, DC_ERR_CANNOT_HOLD, DC_ADVICE_CHOOSE_TRACK,
                       "%s: %d audio track%s beside the data track, and a "
                       "DMG holds one data track as a whole device: choose "
                       "track %d, or write BIN/CUE", job->source->path,
                       audio, audio == 1 ? "" : "s",
                       disc->tracks[pick].number);
        return -1;
    }
    const dc_track *t = &disc->tracks[pick];
    if (dc_track_user_size(t) != ISO_SECTOR) {
        bool is_audio = t->mode == DC_MODE_AUDIO;
        dc_fail_advise(err, DC_ERR_CANNOT_HOLD,
                       is_audio ? DC_ADVICE_WRITE_AUDIO : DC_ADVICE_NONE,
                       "%s: track %d is %s with %u-byte sectors; a DMG "
                       "holds 2048-byte user data: %s", job->source->path,
                       t->number,
                       is_audio ? "audio" : dc_track_mode_name(t->mode),
                       dc_track_user_size(t),
                       is_audio ? "write it as a sound file"
                                : "write BIN/CUE instead");
        return -1;
    }
    return pick;
}

dc_status dmg_check(const dc_write_job *job, dc_error *err)
{
    if (job->options->framing == DC_FRAMING_RAW)
        return dc_fail(err, DC_ERR_USAGE, "a DMG holds 2048-byte user data "
                       "only; for raw sectors write BIN/CUE or IMG");
    return pick_track(job, err) < 0 ? err->status : DC_OK;
}

/* The blkx's name, hdiutil's "whole disk (TYPE : 0)", TYPE the Apple
 * partition type of what the track holds (7-Zip names the extracted
 * partition after it: Apple_ISO gives ".iso"). */
static const char *whole_disk_name(dc_image *image, int track,
                                   dc_error *err)
{
    dc_fsinfo fs;
    if (dc_fsinfo_probe(image, track, &fs, err) != DC_OK)
        return NULL;
    return fs.iso9660 ? "whole disk (Apple_ISO : 0)"
           : fs.udf   ? "whole disk (Apple_UDF : 0)"
                      : "whole disk (Unknown : 0)";
}

/* What the streamed sectors go through: the image's CRC-32, then the
 * chunk writer. */
typedef struct feed_state {
    dc_chunk_writer *writer;
    uint32_t crc;
} feed_state;

static dc_status feed(void *context, const uint8_t *sectors, int64_t count,
                      dc_error *err)
{
    feed_state *state = context;
    size_t len = (size_t)count * ISO_SECTOR;
    state->crc = dc_crc32(state->crc, sectors, len);
    return dc_chunk_writer_feed(state->writer, sectors, len, err);
}

/* The CRC-32 of the data fork as written: read back, in aligned blocks
 * (the output may be O_DIRECT). */
static dc_status data_fork_crc(dc_output *out, int64_t length, uint32_t *crc,
                               dc_error *err)
{
    uint8_t *block = dc_io_alloc(CHUNK_BYTES);
    if (block == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    *crc = 0;
    dc_status status = DC_OK;
    for (int64_t at = 0; at < length && status == DC_OK;) {
        size_t got;
        status = dc_output_read_at(out, at, block, CHUNK_BYTES, &got, err);
        if (status == DC_OK && got == 0)
            status = dc_fail(err, DC_ERR_OUTPUT, "%s: %lld bytes written, "
                             "%lld read back", out->path, (long long)length,
                             (long long)at);
        size_t use = got < (uint64_t)(length - at) ? got
                                                   : (size_t)(length - at);
        if (status == DC_OK)
            *crc = dc_crc32(*crc, block, use);
        at += (int64_t)use;
    }
    free(block);
    return status;
}

/* The plist and the koly after the data fork. */
static dc_status write_tables(dc_output *out, const dc_chunk_map *map,
                              int64_t sectors, uint32_t image_crc,
                              const char *name, dc_error *err)
{
    int64_t data_end = dc_output_position(out);
    dmg_koly_fields koly = {.data_fork_length = (uint64_t)data_end,
                            .plist_offset = (uint64_t)data_end,
                            .sectors = (uint64_t)sectors};
    /* The master checksum covers the blkx checksums: there is one. */
    uint8_t crc_bytes[4];
    put32(crc_bytes, image_crc);
    koly.master_crc = dc_crc32(0, crc_bytes, 4);
    uint8_t *mish = NULL;
    char *plist = NULL;
    size_t mish_len, plist_len;
    dc_status status = data_fork_crc(out, data_end, &koly.data_fork_crc, err);
    if (status == DC_OK)
        status = dmg_mish_encode(map, sectors, data_end, image_crc, &mish,
                                 &mish_len, err);
    if (status == DC_OK)
        status = dmg_plist_build(mish, mish_len, name, &plist, &plist_len,
                                 err);
    if (status == DC_OK) {
        uint8_t trailer[DMG_KOLY_SIZE];
        koly.plist_length = plist_len;
        dmg_koly_encode(trailer, &koly);
        status = dc_output_write(out, plist, plist_len, err);
        if (status == DC_OK)
            status = dc_output_write(out, trailer, sizeof trailer, err);
    }
    free(mish);
    free(plist);
    return status;
}

dc_status dmg_write(dc_write_job *job, dc_error *err)
{
    int pick = pick_track(job, err);
    if (pick < 0)
        return err->status;
    const dc_track *track = &job->source->disc.tracks[pick];
    const char *name = whole_disk_name(job->source, pick, err);
    dc_output *out;
    if (name == NULL ||
        dc_output_set_add(job->outputs, job->output_path, &out, err) != DC_OK)
        return err->status;
    int choice = dc_job_option_choice(job, &dmg_write_options[0]);
    feed_state state = {.crc = 0};
    if (dc_chunk_writer_start(&state.writer, out, codec_choices[choice], 0,
                              CHUNK_BYTES, 0, err) != DC_OK)
        return err->status;
    /* The file system counts from INDEX 01: a stored pregap stays out. */
    int64_t pregap = dc_track_pregap(track);
    int64_t count = track->length - pregap;
    if (dc_stream_track(job, pick, pregap, count, DC_FORM_USER, feed, &state,
                        err) != DC_OK) {
        dc_chunk_writer_abort(state.writer);
        return err->status;
    }
    dc_chunk_map map = {0};
    dc_status status = dc_chunk_writer_finish(state.writer, &map, err);
    if (status == DC_OK)
        status = write_tables(out, &map, count * (ISO_SECTOR / DMG_SECTOR),
                              state.crc, name, err);
    dc_chunk_map_free(&map);
    return status;
}
