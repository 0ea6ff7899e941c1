/*
 * The claims a data track makes about its own size, whatever format holds
 * it: the ISO 9660 volume space size in the primary volume descriptor and
 * the end of UDF's partition.  A volume larger than its track means the
 * image was cut short (a failed download, a dump that stopped); a smaller
 * one means padding or something appended, which is only worth a word.
 *
 * A volume of a later session counts blocks from the start of the disc
 * (mkisofs -C), one of a first session or a lone ISO from its own start;
 * the root directory's place tells which.
 */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 2048
#define PVD_BLOCK 16
#define UDF_ANCHOR_BLOCK 256
#define UDF_MAX_DESCRIPTORS 64
#define UDF_TAG_ANCHOR 2
#define UDF_TAG_PARTITION 5
#define UDF_TAG_TERMINATOR 8
/* No disc holds more: 128 GB, a quad-layer BD-XL.  A size past it is a
 * damaged descriptor, not a claim. */
#define MAX_VOLUME_BLOCKS (128LL * 1000 * 1000 * 1000 / BLOCK)

static unsigned le16(const uint8_t *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One track's 2048-byte blocks, counted from its INDEX 01. */
typedef struct volume_track {
    dc_image *image;
    int index;
    int64_t first;  /* stored sector of block 0 */
    int64_t blocks; /* blocks stored from there on */
} volume_track;

/* Reads block `block`; *ok is false when the track does not hold it. */
static dc_status read_block(const volume_track *t, int64_t block,
                            uint8_t *sector, bool *ok, dc_error *err)
{
    *ok = block >= 0 && block < t->blocks;
    if (!*ok)
        return DC_OK;
    /* Form 2 sectors are cut to their first 2048 bytes: descriptors are
     * Form 1, and a Form 2 sector here is simply no descriptor. */
    dc_read_options options = {.allow_form2_truncation = true};
    return dc_image_read(t->image, t->index, t->first + block, 1,
                         DC_FORM_USER, &options, sector, NULL, err);
}

/* What a volume says: its size in blocks, and where its root directory
 * lies (-1 when it does not say). */
typedef struct volume_claim {
    const char *what;  /* "ISO 9660 volume", "UDF partition" */
    const char *verb;  /* "says", or "needs at least" for a bound */
    int64_t blocks;    /* 0: no claim */
    int64_t anchor;    /* a block the volume places, to tell its origin */
} volume_claim;

/* The PVD's volume space size, both-endian: the two halves must agree,
 * and a size smaller than the descriptor's own place or larger than any
 * disc claims nothing (a bare or damaged descriptor). */
static dc_status iso_claim(const volume_track *t, volume_claim *claim,
                           dc_error *err)
{
    uint8_t sector[BLOCK];
    bool ok;
    claim->what = "ISO 9660 volume";
    claim->verb = "says";
    claim->blocks = 0;
    if (read_block(t, PVD_BLOCK, sector, &ok, err) != DC_OK)
        return err->status;
    if (!ok || sector[0] != 1 || memcmp(sector + 1, "CD001", 5) != 0)
        return DC_OK;
    uint32_t size = le32(sector + 80);
    if (size != be32(sector + 84) || size <= PVD_BLOCK ||
        size > MAX_VOLUME_BLOCKS)
        return DC_OK;
    claim->blocks = size;
    claim->anchor = le32(sector + 156 + 2); /* root directory extent */
    return DC_OK;
}

/* A track too short to hold block 256 whose volume recognition sequence
 * (from block 16 on) names a UDF volume: UDF always puts an anchor at
 * block 256 or past it, so the volume needs more blocks than are there. */
static dc_status udf_anchor_claim(const volume_track *t, volume_claim *claim,
                                  dc_error *err)
{
    uint8_t sector[BLOCK];
    bool ok = true;
    for (int64_t block = PVD_BLOCK; ok && block < UDF_ANCHOR_BLOCK; block++) {
        if (read_block(t, block, sector, &ok, err) != DC_OK)
            return err->status;
        if (!ok || (memcmp(sector + 1, "CD001", 5) != 0 &&
                    memcmp(sector + 1, "BEA01", 5) != 0 &&
                    memcmp(sector + 1, "TEA01", 5) != 0 &&
                    memcmp(sector + 1, "NSR0", 4) != 0))
            return DC_OK; /* the sequence ended without naming UDF */
        if (memcmp(sector + 1, "NSR02", 5) == 0 ||
            memcmp(sector + 1, "NSR03", 5) == 0) {
            claim->what = "UDF volume (its anchor is block 256)";
            claim->verb = "needs at least";
            claim->blocks = UDF_ANCHOR_BLOCK + 1;
            claim->anchor = -1;
            return DC_OK;
        }
    }
    return DC_OK;
}

/* UDF: the anchor at block 256 points to the volume descriptor sequence,
 * whose partition descriptor says where the partition starts and how long
 * it is. */
static dc_status udf_claim(const volume_track *t, volume_claim *claim,
                           dc_error *err)
{
    uint8_t sector[BLOCK];
    bool ok;
    claim->what = "UDF partition";
    claim->verb = "says";
    claim->blocks = 0;
    if (UDF_ANCHOR_BLOCK >= t->blocks)
        return udf_anchor_claim(t, claim, err);
    if (read_block(t, UDF_ANCHOR_BLOCK, sector, &ok, err) != DC_OK)
        return err->status;
    if (!ok || le16(sector) != UDF_TAG_ANCHOR ||
        le32(sector + 12) != UDF_ANCHOR_BLOCK)
        return DC_OK;
    int64_t sequence = le32(sector + 20);
    int64_t count = le32(sector + 16) / BLOCK;
    if (count > UDF_MAX_DESCRIPTORS)
        count = UDF_MAX_DESCRIPTORS;
    for (int64_t i = 0; i < count; i++) {
        if (read_block(t, sequence + i, sector, &ok, err) != DC_OK)
            return err->status;
        /* The tag's own location must be where we read it. */
        unsigned tag = le16(sector);
        if (!ok || le32(sector + 12) != (uint32_t)(sequence + i) ||
            tag == UDF_TAG_TERMINATOR)
            return DC_OK;
        if (tag == UDF_TAG_PARTITION) {
            int64_t start = le32(sector + 188), length = le32(sector + 192);
            if (length > 0 && start > UDF_ANCHOR_BLOCK &&
                start + length <= MAX_VOLUME_BLOCKS) {
                claim->blocks = start + length;
                claim->anchor = start;
            }
            return DC_OK;
        }
    }
    return DC_OK;
}

/* Compares one claim with the track: short is recorded, long noted.  A
 * track that ends in a part sector (`partial`, the reader's words for it)
 * says so first, and the claim after it. */
static void compare(const volume_track *t, const volume_claim *claim,
                    const char *partial)
{
    dc_image *image = t->image;
    const dc_track *track = &image->disc.tracks[t->index];
    if (claim->blocks == 0)
        return;
    /* A later session's volume counts from the disc's start: its anchor
     * lies at or after the track's first block. */
    int64_t origin = dc_track_index1_lba(track);
    bool from_disc_start = origin > 0 && claim->anchor >= origin;
    int64_t held = t->blocks + (from_disc_start ? origin : 0);
    bool whole_file = image->source_count == 1 && image->disc.track_count == 1;
    char holder[64];
    if (whole_file)
        snprintf(holder, sizeof holder, "the file");
    else
        snprintf(holder, sizeof holder, "track %d", track->number);
    const char *counted = from_disc_start ? " from the disc's start" : "";
    if (claim->blocks > held) {
        if (partial != NULL && whole_file)
            dc_image_short(image, claim->blocks - held, "%s; the %s %s "
                           "%lld blocks", partial, claim->what, claim->verb,
                           (long long)claim->blocks);
        else if (partial != NULL)
            dc_image_short(image, claim->blocks - held, "%s; the %s of "
                           "track %d %s %lld blocks%s", partial,
                           claim->what, track->number, claim->verb,
                           (long long)claim->blocks, counted);
        else if (whole_file)
            dc_image_short(image, claim->blocks - held, "%s: truncated: the "
                           "%s %s %lld blocks, the file holds %lld",
                           image->path, claim->what, claim->verb,
                           (long long)claim->blocks, (long long)held);
        else
            dc_image_short(image, claim->blocks - held, "%s: truncated: the "
                           "%s of track %d %s %lld blocks%s, the track "
                           "holds %lld", image->path, claim->what,
                           track->number, claim->verb, (long long)claim->blocks, counted,
                           (long long)held);
    } else if (claim->blocks < held) {
        dc_image_warn(image, "%s: %s holds %lld sectors past the end of its "
                      "%s (%lld blocks%s): padding or appended data, kept",
                      image->path, holder,
                      (long long)(held - claim->blocks), claim->what,
                      (long long)claim->blocks, counted);
    }
}

/* Whether the part sector a track ends with is bytes appended to a volume
 * that the whole sectors hold entirely: then it is said and kept (or left
 * out, as the reader does), and is no truncation -- as whole sectors of
 * padding past the volume are none. */
static bool partial_is_appended(const volume_track *t,
                                const volume_claim *claim)
{
    dc_image *image = t->image;
    if (image->partial == NULL || image->partial_track != t->index ||
        claim->blocks == 0 || claim->blocks > t->blocks)
        return false;
    dc_image_warn(image, "%s: %lld bytes past the last whole sector, after "
                  "the end of its %s (%lld blocks): appended data, %s",
                  image->path, (long long)image->partial_bytes, claim->what,
                  (long long)claim->blocks,
                  image->partial_kept ? "kept, padded with zeros to a whole "
                                        "sector"
                                      : "left out");
    free(image->partial);
    image->partial = NULL;
    return true;
}

dc_status dc_image_check_claims(dc_image *image, dc_error *err)
{
    /* The reader has already found the image short: that claim stands. */
    for (int i = 0; i < image->disc.track_count &&
                    image->missing_sectors == 0; i++) {
        const dc_track *track = &image->disc.tracks[i];
        if (dc_track_user_size(track) != BLOCK)
            continue;
        volume_track t = {image, i, dc_track_pregap(track),
                          track->length - dc_track_pregap(track)};
        /* A part sector read padded is no block the volume can claim. */
        if (image->partial != NULL && image->partial_track == i &&
            image->partial_kept)
            t.blocks--;
        volume_claim iso, udf;
        if (iso_claim(&t, &iso, err) != DC_OK ||
            udf_claim(&t, &udf, err) != DC_OK)
            return err->status;
        /* The larger claim speaks for the track: a UDF partition may
         * reach past the ISO 9660 volume of a bridge disc, or stop short
         * of it. */
        const volume_claim *claim = udf.blocks > iso.blocks ? &udf : &iso;
        if (partial_is_appended(&t, claim)) {
            compare(&t, claim, NULL); /* whole sectors of padding before it */
            continue;
        }
        /* A volume past a part sector: the file's own size says it first,
         * and the volume what it claims and how much is missing. */
        bool part_here = image->partial != NULL && image->partial_track == i;
        compare(&t, claim, part_here ? image->partial : NULL);
        if (part_here && claim->blocks > t.blocks) {
            free(image->partial);
            image->partial = NULL;
        }
    }
    /* Nothing says the part sector is extra: it is a sector cut short. */
    if (image->partial != NULL) {
        dc_image_short(image, 1, "%s", image->partial);
        free(image->partial);
        image->partial = NULL;
    }
    return DC_OK;
}
