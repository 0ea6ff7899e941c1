/*
 * The DMG reader: the koly trailer (at the end, or at offset 0), the blkx
 * tables of the XML property list (or of the resource fork when the XML
 * length is 0), their mish chunk tables as a chunk map, the checksums, and
 * segmented sets (NAME.dmg, NAME.002.dmgpart...: their data forks are one
 * stream, and a chunk may cross from one file to the next).  The plain
 * image goes to the core, which reads it as ISO, raw CD sectors or a raw
 * device (dc_image_open_contents).  An encrypted image (encrcdsa) is
 * read through its decryption (crypt.c) with the caller's password;
 * version 1 encrypted, sparse and MacBinary-wrapped images are recognised
 * and refused.
 */
#include "dmg.h"
#include "write.h"
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 999        /* NAME.002 .. NAME.999 */
#define MAX_SECTORS (INT64_C(1) << 50) /* bytes fit an int64_t easily */
#define MAX_OFFSET (INT64_C(1) << 62)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* An offset or size field: anything past 2^62 is as good as past the end. */
static int64_t field(const uint8_t *p)
{
    uint64_t v = be64(p);
    return v > (uint64_t)MAX_OFFSET ? MAX_OFFSET : (int64_t)v;
}

static void read_checksum(const uint8_t *p, dmg_checksum *c)
{
    c->type = be32(p);
    c->bits = be32(p + 4);
    memcpy(c->value, p + 8, DMG_CHECKSUM_BYTES);
}

bool dmg_koly_parse(const uint8_t *b, dmg_koly *k)
{
    if (memcmp(b, "koly", 4) != 0)
        return false;
    *k = (dmg_koly){
        .version = be32(b + 4),
        .flags = be32(b + 12),
        .running_offset = field(b + 16),
        .data_offset = field(b + 24),
        .data_length = field(b + 32),
        .rsrc_offset = field(b + 40),
        .rsrc_length = field(b + 48),
        .segment_number = be32(b + 56),
        .segment_count = be32(b + 60),
        .xml_offset = field(b + 216),
        .xml_length = field(b + 224),
        .signature_offset = field(b + 296),
        .signature_length = field(b + 304),
        .variant = be32(b + 488),
        .sector_count = field(b + 492),
    };
    memcpy(k->segment_id, b + 64, sizeof k->segment_id);
    read_checksum(b + 80, &k->data_checksum);
    read_checksum(b + 352, &k->master_checksum);
    return true;
}

/* --- mish tables --------------------------------------------------------- */

void dmg_partition_label(const dmg_partition *part, int number, char *text,
                         size_t size)
{
    snprintf(text, size, "partition %d (%s)", number, part->name);
}

void dmg_partition_free(dmg_partition *part)
{
    free(part->name);
    free(part->type);
    free(part->entries);
    *part = (dmg_partition){0};
}

/* "Apple_HFS" from "disk image (Apple_HFS : 1)"; the name itself when it
 * has no such part ("DDM"). */
static char *type_of(const char *name)
{
    const char *open = strrchr(name, '(');
    const char *colon = open != NULL ? strstr(open, " : ") : NULL;
    if (open == NULL || colon == NULL)
        return dc_strdup(name);
    size_t n = (size_t)(colon - open - 1);
    char *type = malloc(n + 1);
    if (type != NULL) {
        memcpy(type, open + 1, n);
        type[n] = '\0';
    }
    return type;
}

static bool known_type(uint32_t type)
{
    switch (type) {
    case DMG_CHUNK_ZERO: case DMG_CHUNK_RAW: case DMG_CHUNK_IGNORE:
    case DMG_CHUNK_ADC: case DMG_CHUNK_ZLIB: case DMG_CHUNK_BZIP2:
    case DMG_CHUNK_LZFSE: case DMG_CHUNK_XZ: case DMG_CHUNK_COMMENT:
    case DMG_CHUNK_END:
        return true;
    }
    return false;
}

/* One entry, checked against the partition; *stop at the terminator. */
static dc_status read_entry(const char *label, const dmg_partition *part,
                            const uint8_t *e, int index, int64_t *next_sector,
                            dmg_entry *entry, bool *keep, bool *stop,
                            dc_error *err)
{
    *keep = *stop = false;
    uint32_t type = be32(e);
    uint64_t sector = be64(e + 8), count = be64(e + 16);
    uint64_t in_offset = be64(e + 24), in_length = be64(e + 32);
    if (!known_type(type))
        return dc_fail(err, DC_ERR_FORMAT, "%s chunk %d: unknown chunk type "
                       "0x%08x", label, index, (unsigned)type);
    if (type == DMG_CHUNK_COMMENT)
        return DC_OK;
    if (sector != (uint64_t)*next_sector)
        return dc_fail(err, DC_ERR_FORMAT, "%s chunk %d: starts at sector "
                       "%llu of the partition, not at %lld where the chunk "
                       "before it ends", label, index,
                       (unsigned long long)sector, (long long)*next_sector);
    if (type == DMG_CHUNK_END) {
        *stop = true;
        return DC_OK;
    }
    if (count > (uint64_t)(part->sector_count - *next_sector))
        return dc_fail(err, DC_ERR_FORMAT, "%s chunk %d: %llu sectors from "
                       "sector %lld run past the partition's %lld", label,
                       index, (unsigned long long)count,
                       (long long)*next_sector, (long long)part->sector_count);
    bool reads_input = type != DMG_CHUNK_ZERO && type != DMG_CHUNK_IGNORE;
    if (reads_input && (in_offset > (uint64_t)MAX_OFFSET ||
                        in_length > (uint64_t)MAX_OFFSET))
        return dc_fail(err, DC_ERR_FORMAT, "%s chunk %d: input offset %llu "
                       "and length %llu lie past any file's end", label,
                       index, (unsigned long long)in_offset,
                       (unsigned long long)in_length);
    if (type == DMG_CHUNK_RAW && in_length != count * DMG_SECTOR)
        return dc_fail(err, DC_ERR_FORMAT, "%s chunk %d: stored as it is in "
                       "%llu bytes, for %llu sectors of %d bytes", label,
                       index, (unsigned long long)in_length,
                       (unsigned long long)count, DMG_SECTOR);
    *next_sector += (int64_t)count;
    *entry = (dmg_entry){
        .type = type,
        .sector_offset = (int64_t)sector,
        .sector_count = (int64_t)count,
        .in_offset = reads_input ? (int64_t)in_offset : 0,
        .in_length = reads_input ? (int64_t)in_length : 0,
        .index = index,
    };
    *keep = count > 0;
    return DC_OK;
}

dc_status dmg_mish_parse(const char *path, int number, const dmg_blkx *blkx,
                         dmg_partition *part, dc_error *err)
{
    *part = (dmg_partition){0};
    part->name = dc_strdup(blkx->name);
    part->type = type_of(blkx->name);
    if (part->name == NULL || part->type == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    char label[600];
    snprintf(label, sizeof label, "%s: partition %d (%s)", path, number,
             blkx->name);
    const uint8_t *m = blkx->data;
    if (blkx->size < DMG_MISH_HEADER || memcmp(m, "mish", 4) != 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: its table (%zu bytes) is no "
                       "mish block", label, blkx->size);
    uint64_t first = be64(m + 8), sectors = be64(m + 16);
    uint64_t data_start = be64(m + 24);
    if (first > (uint64_t)MAX_SECTORS || sectors > (uint64_t)MAX_SECTORS ||
        data_start > (uint64_t)MAX_OFFSET)
        return dc_fail(err, DC_ERR_FORMAT, "%s: sectors %llu+%llu or data "
                       "start %llu lie past any disk's end", label,
                       (unsigned long long)first, (unsigned long long)sectors,
                       (unsigned long long)data_start);
    part->first_sector = (int64_t)first;
    part->sector_count = (int64_t)sectors;
    part->data_start = (int64_t)data_start;
    read_checksum(m + 64, &part->checksum);
    uint64_t count = be32(m + 200);
    if (count > (blkx->size - DMG_MISH_HEADER) / DMG_MISH_ENTRY)
        return dc_fail(err, DC_ERR_FORMAT, "%s: its table counts %llu "
                       "chunks, its %zu bytes hold %zu", label,
                       (unsigned long long)count, blkx->size,
                       (blkx->size - DMG_MISH_HEADER) / DMG_MISH_ENTRY);
    part->entries = calloc(count > 0 ? (size_t)count : 1,
                           sizeof *part->entries);
    if (part->entries == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    int64_t next_sector = 0;
    bool stop = false;
    for (uint64_t i = 0; i < count && !stop; i++) {
        bool keep;
        dmg_entry *entry = &part->entries[part->entry_count];
        if (read_entry(label, part, m + DMG_MISH_HEADER + i * DMG_MISH_ENTRY,
                       (int)i, &next_sector, entry, &keep, &stop, err) !=
            DC_OK)
            return err->status;
        part->entry_count += keep;
    }
    if (next_sector != part->sector_count)
        return dc_fail(err, DC_ERR_FORMAT, "%s: its chunks cover %lld of its "
                       "%lld sectors", label, (long long)next_sector,
                       (long long)part->sector_count);
    return DC_OK;
}

static dc_codec codec_of(uint32_t type)
{
    switch (type) {
    case DMG_CHUNK_RAW: return DC_CODEC_STORED;
    case DMG_CHUNK_ADC: return DC_CODEC_ADC;
    case DMG_CHUNK_ZLIB: return DC_CODEC_ZLIB;
    case DMG_CHUNK_BZIP2: return DC_CODEC_BZIP2;
    case DMG_CHUNK_LZFSE: return DC_CODEC_LZFSE;
    case DMG_CHUNK_XZ: return DC_CODEC_XZ;
    default: return DC_CODEC_ZERO;
    }
}

dc_status dmg_build_map(const char *path, const dmg_partition *parts,
                        int count, int64_t input_size, int64_t size,
                        dc_chunk_map *map, dc_error *err)
{
    *map = (dc_chunk_map){0};
    for (int i = 0; i < count && err->status == DC_OK; i++) {
        const dmg_partition *p = &parts[i];
        char label[400];
        dmg_partition_label(p, i, label, sizeof label);
        if (dc_chunk_map_name_group(map, i, label, err) != DC_OK)
            break;
        for (int k = 0; k < p->entry_count; k++) {
            const dmg_entry *e = &p->entries[k];
            dc_chunk chunk = {
                .out_offset = (p->first_sector + e->sector_offset) *
                              DMG_SECTOR,
                .out_length = e->sector_count * DMG_SECTOR,
                .in_offset = p->data_start + e->in_offset,
                .in_length = e->in_length,
                .codec = codec_of(e->type),
                .group = i,
                .index = e->index,
            };
            if (dc_chunk_map_add(map, &chunk, err) != DC_OK)
                break;
        }
    }
    if (err->status == DC_OK)
        dc_chunk_map_validate(map, input_size, size, path, err);
    if (err->status != DC_OK)
        dc_chunk_map_free(map);
    return err->status;
}

/* --- recognising ---------------------------------------------------------- */

static bool koly_at_start(const uint8_t *head, size_t size)
{
    return size >= DMG_KOLY_SIZE && memcmp(head, "koly", 4) == 0 &&
           be32(head + 8) == DMG_KOLY_SIZE;
}

static bool koly_at_end(const uint8_t *tail, size_t size)
{
    return size >= DMG_KOLY_SIZE &&
           memcmp(tail + size - DMG_KOLY_SIZE, "koly", 4) == 0;
}

/* A version 1 encrypted image keeps its "cdsaencr" header at the end. */
static bool v1_encrypted(const uint8_t *tail, size_t size)
{
    for (size_t i = 0; i + 8 <= size; i++)
        if (memcmp(tail + i, "cdsaencr", 8) == 0)
            return true;
    return false;
}

/* MacBinary: a 128-byte header (version 0 bytes at 0 and 74, a name of 1
 * to 63 characters, the data fork's length at 83) before a DMG whose
 * trailer ends its data fork. */
static bool macbinary_dmg(const dc_probe_input *in)
{
    const uint8_t *h = in->head;
    if (in->head_size < 128 || h[0] != 0 || h[74] != 0 || h[82] != 0 ||
        h[1] == 0 || h[1] > 63)
        return false;
    int64_t koly_at = 128 + (int64_t)be32(h + 83) - DMG_KOLY_SIZE;
    int64_t tail_at = in->file_size - (int64_t)in->tail_size;
    return koly_at >= tail_at && koly_at + 4 <= in->file_size &&
           memcmp(in->tail + (koly_at - tail_at), "koly", 4) == 0;
}

static int dmg_probe(const dc_probe_input *in)
{
    if (koly_at_end(in->tail, in->tail_size) ||
        koly_at_start(in->head, in->head_size) ||
        dmg_crypt_magic(in->head, in->head_size) ||
        v1_encrypted(in->tail, in->tail_size) || macbinary_dmg(in))
        return DC_PROBE_CERTAIN;
    /* A sparse image's header: a 4-byte magic only, so not certain. */
    if (in->head_size >= 4 && memcmp(in->head, "sprs", 4) == 0)
        return DC_PROBE_LIKELY;
    return DC_PROBE_NO;
}

/* What the file is when it is no UDIF discconv reads: said and refused. */
static dc_status refuse_other(const char *path, const dc_probe_input *in,
                              dc_error *err)
{
    if (v1_encrypted(in->tail, in->tail_size))
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: an encrypted Apple disk "
                       "image (cdsaencr v1): discconv decrypts only version 2 "
                       "(encrcdsa); convert it with hdiutil first", path);
    if (macbinary_dmg(in))
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: a MacBinary-wrapped "
                       "Apple disk image: unwrap it first (its data fork, "
                       "after the 128-byte header, is the DMG)", path);
    if (in->head_size >= 4 && memcmp(in->head, "sprs", 4) == 0)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: an Apple sparse disk "
                       "image (sprs), a format discconv does not read; "
                       "convert it to UDZO with hdiutil first", path);
    return dc_fail(err, DC_ERR_FORMAT, "%s: no UDIF trailer (koly) at its "
                   "end or start: not a UDIF disk image (Disk Copy NDIF "
                   "images, sparse images and sparse bundles are not read)",
                   path);
}

/* --- opening -------------------------------------------------------------- */

/* What the open works with, freed at its end. */
typedef struct dmg_reading {
    dc_image *image;
    const char *path;
    dmg_koly koly;
    int64_t koly_at;
    dmg_blkx_list blkx;
    dmg_partition *parts;
    int part_count;
    dc_source *data;  /* the data fork: one window, or the segments' */
    dmg_fork_tap *tap; /* its CRC-32 from the chunks' reads, or NULL */
} dmg_reading;

static dc_status fork_inside(const char *path, const char *what,
                             int64_t offset, int64_t length, int64_t limit,
                             dc_error *err)
{
    if (offset <= limit && length <= limit - offset)
        return DC_OK;
    return dc_fail(err, DC_ERR_FORMAT, "%s: koly: the %s (%lld bytes at "
                   "offset %lld) lies past the end of the image's %lld bytes",
                   path, what, (long long)length, (long long)offset,
                   (long long)limit);
}

/* Finds the trailer; *limit is where the forks must end (the trailer, or
 * the file's end when it starts the file). */
static dc_status read_koly(dc_source *file, const char *path, dmg_koly *koly,
                           int64_t *koly_at, int64_t *limit, dc_error *err)
{
    uint8_t head[DC_PROBE_HEAD], tail[DC_PROBE_TAIL];
    int64_t size = dc_source_size(file);
    dc_probe_input in = {.path = path, .file_size = size, .head = head,
                         .tail = tail};
    int64_t tail_at = size > DC_PROBE_TAIL ? size - DC_PROBE_TAIL : 0;
    if (dc_source_read_some(file, 0, head, sizeof head, &in.head_size,
                            err) != DC_OK ||
        dc_source_read_some(file, tail_at, tail, sizeof tail, &in.tail_size,
                            err) != DC_OK)
        return err->status;
    if (koly_at_end(tail, in.tail_size)) {
        *koly_at = size - DMG_KOLY_SIZE;
        *limit = *koly_at;
        dmg_koly_parse(tail + in.tail_size - DMG_KOLY_SIZE, koly);
    } else if (koly_at_start(head, in.head_size)) {
        *koly_at = 0;
        *limit = size;
        dmg_koly_parse(head, koly);
    } else {
        return refuse_other(path, &in, err);
    }
    if (koly->sector_count > MAX_SECTORS || koly->sector_count == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: koly at offset %lld: a disk "
                       "of %lld sectors", path, (long long)*koly_at,
                       (long long)koly->sector_count);
    return fork_inside(path, "data fork", koly->data_offset,
                       koly->data_length, *limit, err);
}

/* The blkx resources: from the XML property list, or from the resource
 * fork when there is no XML. */
static dc_status read_blkx(dmg_reading *r, dc_source *file, int64_t limit,
                           dc_error *err)
{
    bool xml = r->koly.xml_length > 0;
    int64_t offset = xml ? r->koly.xml_offset : r->koly.rsrc_offset;
    int64_t length = xml ? r->koly.xml_length : r->koly.rsrc_length;
    const char *what = xml ? "property list" : "resource fork";
    if (length == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: koly: no property list and "
                       "no resource fork: no partitions", r->path);
    if (fork_inside(r->path, what, offset, length, limit, err) != DC_OK)
        return err->status;
    if (length > (64 << 20))
        return dc_fail(err, DC_ERR_FORMAT, "%s: a %s of %lld bytes at offset "
                       "%lld, more than a disk image's tables need", r->path,
                       what, (long long)length, (long long)offset);
    uint8_t *bytes = malloc((size_t)length);
    if (bytes == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    char where[600];
    snprintf(where, sizeof where, "%s: %s at offset %lld", r->path, what,
             (long long)offset);
    if (dc_source_read_at(file, offset, bytes, (size_t)length, err) == DC_OK)
        (xml ? dmg_plist_blkx : dmg_rsrc_blkx)(where, bytes, (size_t)length,
                                               &r->blkx, err);
    free(bytes);
    return err->status;
}

static dc_status read_partitions(dmg_reading *r, dc_error *err)
{
    r->parts = calloc((size_t)r->blkx.count + 1, sizeof *r->parts);
    if (r->parts == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r->blkx.count; i++) {
        r->part_count++;
        if (dmg_mish_parse(r->path, i, &r->blkx.items[i], &r->parts[i], err) !=
            DC_OK)
            return err->status;
    }
    return DC_OK;
}

/* --- checksums ------------------------------------------------------------ */

/* The master checksum: of the partitions' checksum values, end to end. */
static dc_status check_master(dmg_reading *r, dc_error *err)
{
    const dmg_checksum *master = &r->koly.master_checksum;
    if (!dmg_checksum_known(master))
        return DC_OK;
    size_t size = 0;
    uint8_t *values = malloc((size_t)r->part_count * DMG_CHECKSUM_BYTES + 1);
    if (values == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r->part_count; i++) {
        const dmg_checksum *c = &r->parts[i].checksum;
        size_t n = c->bits / 8 <= DMG_CHECKSUM_BYTES ? c->bits / 8 : 0;
        memcpy(values + size, c->value, n);
        size += n;
    }
    dc_source *memory;
    char what[600];
    snprintf(what, sizeof what, "%s: the master checksum (koly, of the "
             "partitions' checksums)", r->path);
    if (dc_source_memory(&memory, values, size, what, err) == DC_OK) {
        dmg_check_bytes(memory, 0, (int64_t)size, master, what, err);
        dc_source_close(memory);
    }
    free(values);
    return err->status;
}

static void fork_label(const char *path, const dmg_koly *koly, char *what,
                       size_t size)
{
    snprintf(what, size, "%s: the data fork (%lld bytes at offset %lld)",
             path, (long long)koly->data_length, (long long)koly->data_offset);
}

static dc_status check_data_fork(const char *path, dc_source *file,
                                 const dmg_koly *koly, dc_error *err)
{
    if (!dmg_checksum_known(&koly->data_checksum))
        return DC_OK;
    char what[600];
    fork_label(path, koly, what, sizeof what);
    return dmg_check_bytes(file, koly->data_offset, koly->data_length,
                           &koly->data_checksum, what, err);
}

/* A one-file image's CRC-32 data fork is checked from the chunks' own
 * reads when the image has been read to its end (dmg_fork_tap), not by a
 * pass of its own at open: that pass cost as much as the conversion's
 * reads.  An MD5 (which cannot be put together from pieces) and a
 * segmented set's forks are read at open. */
static bool fork_tapped(const dmg_reading *r)
{
    return !r->image->open_options.ignore_checksums &&
           r->koly.segment_count <= 1 &&
           r->koly.data_checksum.type == DMG_CHECKSUM_CRC32 &&
           dmg_checksum_known(&r->koly.data_checksum);
}

/* --- segmented sets ------------------------------------------------------- */

/* Segment `n`'s name beside the first: NAME.dmg -> NAME.00n.dmgpart, and
 * NAME.001.dmg -> NAME.00n.dmg. */
static void segment_name(const char *stem, int n, char *name, size_t size)
{
    size_t len = strlen(stem);
    bool numbered = len > 4 && strcmp(stem + len - 4, ".001") == 0;
    snprintf(name, size, "%.*s.%03d.%s", (int)(numbered ? len - 4 : len),
             stem, n, numbered ? "dmg" : "dmgpart");
}

/* Opens segment n, checks its trailer against the first's, and adds its
 * data fork to `forks`. */
static dc_status add_segment(dmg_reading *r, int n, int64_t running,
                             dc_source **fork, dc_error *err)
{
    char *dir = dc_path_dirname(r->path);
    char *stem = dc_path_stem(r->path);
    char name[1024];
    char *path = NULL;
    if (dir != NULL && stem != NULL) {
        segment_name(dc_path_basename(stem), n, name, sizeof name);
        path = dc_path_find(dir, name);
    }
    free(dir);
    free(stem);
    if (path == NULL)
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: segment %d of %u, %s, is "
                       "not beside it", r->path, n,
                       (unsigned)r->koly.segment_count, name);
    dc_source *file;
    dmg_koly koly;
    int64_t koly_at, limit;
    if (dc_image_open_file(r->image, path, &file, err) == DC_OK &&
        read_koly(file, path, &koly, &koly_at, &limit, err) == DC_OK) {
        if (koly.segment_number != (uint32_t)n ||
            koly.segment_count != r->koly.segment_count ||
            memcmp(koly.segment_id, r->koly.segment_id, 16) != 0)
            dc_fail(err, DC_ERR_FORMAT, "%s: koly: segment %u of %u of "
                    "another set, where segment %d of %s's %u belongs",
                    path, (unsigned)koly.segment_number,
                    (unsigned)koly.segment_count, n, r->path,
                    (unsigned)r->koly.segment_count);
        else if (koly.running_offset != running)
            dc_fail(err, DC_ERR_FORMAT, "%s: koly: its data starts at offset "
                    "%lld of the set's, where the segments before it end at "
                    "%lld", path, (long long)koly.running_offset,
                    (long long)running);
        else if (r->image->open_options.ignore_checksums ||
                 check_data_fork(path, file, &koly, err) == DC_OK)
            dc_source_window(fork, file, koly.data_offset, koly.data_length,
                             path, err);
    }
    free(path);
    return err->status;
}

/* The data fork the chunks read: the file's, or the segments' end to end. */
static dc_status open_data(dmg_reading *r, dc_source *file, dc_error *err)
{
    dc_source *first;
    if (dc_source_window(&first, file, r->koly.data_offset,
                         r->koly.data_length, r->path, err) != DC_OK)
        return err->status;
    uint32_t count = r->koly.segment_count;
    if (count <= 1 && fork_tapped(r)) {
        char what[600];
        fork_label(r->path, &r->koly, what, sizeof what);
        if (dc_image_use_source(r->image, first, err) == DC_OK &&
            dmg_fork_tap_open(&r->data, &r->tap, first, &r->koly.data_checksum,
                         what, err) == DC_OK)
            dc_image_use_source(r->image, r->data, err);
        return err->status;
    }
    if (count <= 1) {
        r->data = first;
        return dc_image_use_source(r->image, first, err);
    }
    if (r->koly.segment_number != 1) {
        dc_source_close(first);
        return dc_fail(err, DC_ERR_USAGE, "%s: segment %u of a set of %u: "
                       "open the first segment", r->path,
                       (unsigned)r->koly.segment_number, (unsigned)count);
    }
    if (count > MAX_SEGMENTS) {
        dc_source_close(first);
        return dc_fail(err, DC_ERR_FORMAT, "%s: koly: a set of %u segments",
                       r->path, (unsigned)count);
    }
    dc_source **forks = calloc(count, sizeof *forks);
    if (forks == NULL || dc_image_use_source(r->image, first, err) != DC_OK) {
        free(forks);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    forks[0] = first;
    int64_t running = r->koly.data_length;
    for (uint32_t n = 2; n <= count && err->status == DC_OK; n++)
        if (add_segment(r, (int)n, running, &forks[n - 1], err) == DC_OK &&
            dc_image_use_source(r->image, forks[n - 1], err) == DC_OK)
            running += dc_source_size(forks[n - 1]);
    if (err->status == DC_OK &&
        dc_source_concat(&r->data, forks, (int)count, r->path, err) == DC_OK)
        dc_image_use_source(r->image, r->data, err);
    free(forks);
    return err->status;
}

/* --- the partitions for the image ----------------------------------------- */

/* "zlib, zero": the codecs of a partition's chunks, each once. */
static void codec_mix(const dmg_partition *p, char *text, size_t size)
{
    text[0] = '\0';
    for (int k = 0; k < p->entry_count; k++) {
        dc_codec codec = codec_of(p->entries[k].type);
        const char *name = codec == DC_CODEC_ZERO ? "zero"
                                                  : dc_codec_name(codec);
        if (strstr(text, name) != NULL)
            continue;
        size_t used = strlen(text);
        snprintf(text + used, size - used, "%s%s", used > 0 ? ", " : "", name);
    }
    if (text[0] == '\0')
        snprintf(text, size, "none");
}

static dc_status list_partitions(dmg_reading *r, dc_error *err)
{
    for (int i = 0; i < r->part_count; i++) {
        const dmg_partition *p = &r->parts[i];
        char codecs[128];
        codec_mix(p, codecs, sizeof codecs);
        if (dc_image_add_partition(r->image, p->name, p->type,
                                   p->first_sector, p->sector_count, codecs,
                                   err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

/* The plain image as the chunks make it, and the same checked. */
static dc_status open_plain(dmg_reading *r, dc_error *err)
{
    dc_chunk_map map;
    int64_t size = r->koly.sector_count * DMG_SECTOR;
    if (dmg_build_map(r->path, r->parts, r->part_count,
                      dc_source_size(r->data), size, &map, err) != DC_OK)
        return err->status;
    dc_source *whole, *checked;
    if (dc_source_chunked(&whole, r->data, &map, 0, r->path, err) != DC_OK)
        return err->status;
    int chosen;
    if (dc_image_choose_partition(r->image, &chosen, err) != DC_OK) {
        dc_source_close(whole);
        return err->status;
    }
    dc_status status;
    if (r->image->open_options.ignore_checksums)
        status = dc_source_window(&checked, whole, 0, size, r->path, err);
    else
        status = dmg_verifying_source(&checked, whole, r->path, r->parts,
                                      r->part_count, chosen < 0 ? 0 : chosen,
                                      r->tap, err);
    if (status != DC_OK) {
        dc_source_close(whole);
        return err->status;
    }
    return dc_image_open_contents(r->image, whole, checked, err);
}

/* An encrypted image's UDIF, decrypted with the caller's password, in
 * place of the file.  A wrong password fails the key blob's padding check
 * but for a chance of about 1 in 256; then the data decrypts to noise
 * with no trailer, and that is said here. */
static dc_status open_decrypted(dc_image *image, dc_source **file,
                                dc_error *err)
{
    dmg_crypt crypt;
    dc_source *plain;
    const char *what = "encrcdsa";
    /* Without the password nothing can be read: said first, with what
     * the header tells when it can be read. */
    if (image->open_options.password == NULL) {
        dc_error unread = {0};
        if (dmg_crypt_read(*file, image->path, &crypt, &unread) == DC_OK)
            what = dmg_crypt_name(&crypt);
        return dc_fail_advise(err, DC_ERR_UNSUPPORTED, DC_ADVICE_PASSWORD,
                              "%s: an encrypted Apple disk image (%s): it "
                              "opens only with its password", image->path,
                              what);
    }
    if (dmg_crypt_read(*file, image->path, &crypt, err) != DC_OK ||
        dmg_decrypting_source(&plain, *file, image->path, &crypt,
                              image->open_options.password, err) != DC_OK ||
        dc_image_use_source(image, plain, err) != DC_OK)
        return err->status;
    what = dmg_crypt_name(&crypt);
    uint8_t head[DMG_KOLY_SIZE], tail[DMG_KOLY_SIZE];
    size_t head_size, tail_size;
    int64_t size = dc_source_size(plain);
    int64_t tail_at = size > DMG_KOLY_SIZE ? size - DMG_KOLY_SIZE : 0;
    if (dc_source_read_some(plain, 0, head, sizeof head, &head_size,
                            err) != DC_OK ||
        dc_source_read_some(plain, tail_at, tail, sizeof tail, &tail_size,
                            err) != DC_OK)
        return err->status;
    if (!koly_at_end(tail, tail_size) && !koly_at_start(head, head_size))
        return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_PASSWORD, "%s: an "
                              "encrypted Apple disk image (%s): decrypted "
                              "with the password given, its data holds no "
                              "UDIF trailer (koly): a wrong password, or a "
                              "damaged image", image->path, what);
    *file = plain;
    const char *facts[] = {"encryption", what};
    return dc_image_set_facts(image, facts, 1, err);
}

static dc_status dmg_open(dc_image *image, dc_error *err)
{
    dmg_reading r = {.image = image, .path = image->path};
    dc_source *file = image->source;
    int64_t limit;
    bool verify = !image->open_options.ignore_checksums;
    uint8_t magic[8];
    size_t got;
    if (dc_source_read_some(file, 0, magic, sizeof magic, &got, err) != DC_OK ||
        (dmg_crypt_magic(magic, got) &&
         open_decrypted(image, &file, err) != DC_OK))
        return err->status;
    if (read_koly(file, r.path, &r.koly, &r.koly_at, &limit, err) == DC_OK &&
        read_blkx(&r, file, limit, err) == DC_OK &&
        read_partitions(&r, err) == DC_OK &&
        (!verify || check_master(&r, err) == DC_OK) &&
        (!verify || fork_tapped(&r) ||
         check_data_fork(r.path, file, &r.koly, err) == DC_OK) &&
        open_data(&r, file, err) == DC_OK &&
        list_partitions(&r, err) == DC_OK)
        open_plain(&r, err);
    dmg_blkx_list_free(&r.blkx);
    for (int i = 0; i < r.part_count; i++)
        dmg_partition_free(&r.parts[i]);
    free(r.parts);
    return err->status;
}

const dc_format dc_format_dmg = {
    .info = {
        .name = "dmg",
        .description = "Apple disk image (UDIF: zlib, bzip2, LZFSE, LZMA, "
                       "ADC or raw chunks)",
        .extensions = "dmg",
        .can_read = true,
        .can_write = true,
        .options = dmg_write_options,
        .option_count = DMG_WRITE_OPTION_COUNT,
    },
    .probe = dmg_probe,
    .open = dmg_open,
    .check = dmg_check,   /* write.c */
    .write = dmg_write,
};
