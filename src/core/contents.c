/*
 * What a container holds.  A container format (DMG) parses its own tables
 * and hands the core the plain image they describe, with its partition
 * list; the core picks the partition the caller chose, finds which format
 * reads its bytes (ISO, IMG) and lets that format fill the disc, or reads
 * it as a raw device of 2048-byte sectors: formats never call formats.
 */
#include "format.h"
#include "model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEVICE_SECTOR 512   /* what container partition tables count */
#define DATA_SECTOR 2048    /* what the disc model reads a device in */
#define PLAIN_BLOCK (2048 * DATA_SECTOR) /* bytes per read when copying */

dc_status dc_image_add_partition(dc_image *image, const char *name,
                                 const char *type, int64_t first_sector,
                                 int64_t sectors, const char *codecs,
                                 dc_error *err)
{
    dc_partition *grown = realloc(image->partitions,
                                  (size_t)(image->partition_count + 1) *
                                      sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    image->partitions = grown;
    dc_partition *p = &grown[image->partition_count];
    *p = (dc_partition){
        .number = image->partition_count,
        .name = dc_strdup(name),
        .type = dc_strdup(type),
        .first_sector = first_sector,
        .sectors = sectors,
        .codecs = dc_strdup(codecs),
    };
    image->partition_count++;
    if (p->name == NULL || p->type == NULL || p->codecs == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return DC_OK;
}

static bool all_digits(const char *text)
{
    if (*text == '\0')
        return false;
    for (; *text != '\0'; text++)
        if (!isdigit((unsigned char)*text))
            return false;
    return true;
}

dc_status dc_image_choose_partition(dc_image *image, int *chosen,
                                    dc_error *err)
{
    const char *wanted = image->open_options.partition;
    *chosen = -1;
    if (wanted == NULL)
        return DC_OK;
    if (all_digits(wanted)) {
        long number = strtol(wanted, NULL, 10);
        if (strlen(wanted) > 9 || number >= image->partition_count)
            return dc_fail(err, DC_ERR_USAGE, "%s: no partition %s: it has "
                           "%d, numbered from 0", image->path, wanted,
                           image->partition_count);
        *chosen = (int)number;
    }
    /* A name is exact; a type must be one partition's. */
    for (int i = 0; i < image->partition_count && *chosen < 0; i++)
        if (strcasecmp(image->partitions[i].name, wanted) == 0)
            *chosen = i;
    int typed = 0;
    for (int i = 0; i < image->partition_count && *chosen < 0; i++)
        if (strcasecmp(image->partitions[i].type, wanted) == 0)
            typed++;
    for (int i = 0; i < image->partition_count && *chosen < 0 && typed == 1;
         i++)
        if (strcasecmp(image->partitions[i].type, wanted) == 0)
            *chosen = i;
    if (typed > 1)
        return dc_fail(err, DC_ERR_USAGE, "%s: %d partitions are of type "
                       "'%s': choose one by its number", image->path, typed,
                       wanted);
    if (*chosen < 0)
        return dc_fail(err, DC_ERR_USAGE, "%s: no partition is named '%s' "
                       "(see its partitions with info)", image->path, wanted);
    image->partition_chosen = *chosen;
    return DC_OK;
}

/* --- file systems, by their signatures ---------------------------------- */

static bool at(const uint8_t *head, size_t size, size_t offset,
               const char *magic)
{
    size_t n = strlen(magic);
    return offset + n <= size && memcmp(head + offset, magic, n) == 0;
}

/* The volume descriptors from sector 16 of 2048 bytes: ISO 9660's CD001,
 * UDF's NSR02/NSR03 (ECMA-167). */
static const char *volume_descriptors(const uint8_t *head, size_t size)
{
    bool iso = false, udf = false;
    for (size_t d = 16 * DATA_SECTOR; d + 6 <= size; d += DATA_SECTOR) {
        iso |= at(head, size, d + 1, "CD001");
        udf |= at(head, size, d + 1, "NSR02") || at(head, size, d + 1, "NSR03");
    }
    return iso ? "ISO 9660" : udf ? "UDF" : NULL;
}

/* What the bytes at a partition's start say it holds: an APFS container
 * superblock ("NXSB" at 32), an HFS, HFS+ or HFSX volume header 1024 bytes
 * in, a FAT boot sector (the type text at 54 or 82 and 0x55AA at 510),
 * the volume descriptors. */
static const char *file_system_of(const uint8_t *head, size_t size)
{
    const char *descriptors = volume_descriptors(head, size);
    if (descriptors != NULL)
        return descriptors;
    if (at(head, size, 32, "NXSB"))
        return "APFS";
    if (at(head, size, 1024, "H+") || at(head, size, 1024, "HX"))
        return "HFS+";
    if (at(head, size, 1024, "BD"))
        return "HFS";
    if (size >= 512 && head[510] == 0x55 && head[511] == 0xAA &&
        (at(head, size, 54, "FAT") || at(head, size, 82, "FAT32")))
        return "FAT";
    return NULL;
}

#define SNIFF_BYTES (32 * DATA_SECTOR)

static dc_status find_file_systems(dc_image *image, dc_source *whole,
                                   dc_error *err)
{
    uint8_t *head = malloc(SNIFF_BYTES);
    if (head == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < image->partition_count; i++) {
        dc_partition *p = &image->partitions[i];
        int64_t bytes = p->sectors * DEVICE_SECTOR;
        size_t want = bytes < SNIFF_BYTES ? (size_t)bytes : SNIFF_BYTES;
        size_t got;
        if (dc_source_read_some(whole, p->first_sector * DEVICE_SECTOR, head,
                                want, &got, err) != DC_OK)
            break;
        p->file_system = file_system_of(head, got);
    }
    free(head);
    return err->status;
}

/* --- a raw device -------------------------------------------------------- */

/* The device's bytes in 2048-byte sectors, the last padded with zeros:
 * a disk of 512-byte sectors need not end on a 2048-byte boundary. */
static dc_status device_read_stored(dc_image *image, int track_index,
                                    int64_t first, int64_t count,
                                    uint8_t *buffer, dc_error *err)
{
    size_t len = (size_t)count * DATA_SECTOR;
    size_t got;
    if (dc_source_read_some(image->source, first * DATA_SECTOR, buffer, len,
                            &got, err) != DC_OK)
        return err->status;
    memset(buffer + got, 0, len - got);
    return DC_OK;
}

static const dc_image_ops device_ops = {.read_stored = device_read_stored};

static dc_status open_device(dc_image *image, dc_error *err)
{
    image->ops = &device_ops;
    image->contents = "device";
    int64_t size = dc_source_size(image->source);
    dc_track *track = dc_disc_add_track(&image->disc, err);
    if (track == NULL)
        return err->status;
    track->number = 1;
    track->mode = DC_MODE_MODE1;
    track->stored_size = DATA_SECTOR;
    track->length = (size + DATA_SECTOR - 1) / DATA_SECTOR;
    track->flags = DC_FLAG_DATA;
    return dc_track_add_index(track, 1, 0, err);
}

dc_status dc_image_open_contents(dc_image *image, dc_source *whole,
                                 dc_source *checked, dc_error *err)
{
    if (dc_image_use_source(image, whole, err) != DC_OK ||
        dc_image_use_source(image, checked, err) != DC_OK ||
        find_file_systems(image, whole, err) != DC_OK)
        return err->status;
    dc_source *plain = checked;
    int chosen = image->partition_chosen;
    if (chosen >= 0) {
        const dc_partition *p = &image->partitions[chosen];
        char name[600];
        snprintf(name, sizeof name, "%s: partition %d (%s)", image->path,
                 chosen, p->name);
        if (dc_source_window(&plain, checked, p->first_sector * DEVICE_SECTOR,
                             p->sectors * DEVICE_SECTOR, name, err) != DC_OK ||
            dc_image_use_source(image, plain, err) != DC_OK)
            return err->status;
    }
    image->plain = plain;
    if (dc_source_size(plain) == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: holds no data (0 sectors)",
                       dc_source_name(plain));
    const dc_format *inner;
    if (dc_format_detect_contents(plain, &inner, err) != DC_OK)
        return err->status;
    if (inner == NULL)
        return open_device(image, err);
    /* The inner format's state replaces the container's, which is done. */
    void *priv = calloc(1, inner->priv_size > 0 ? inner->priv_size : 1);
    if (priv == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(image->priv);
    image->priv = priv;
    image->contents = inner->info.name;
    return inner->open(image, err);
}

dc_status dc_write_plain(dc_write_job *job, dc_output *out, dc_error *err)
{
    dc_source *plain = job->source->plain;
    int64_t size = dc_source_size(plain);
    uint8_t *block = dc_io_alloc(PLAIN_BLOCK);
    if (block == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_output_reserve(out, size);
    for (int64_t done = 0; done < size && err->status == DC_OK;) {
        /* Written from where the decoded chunk lies when it can be (one
         * copy fewer), read into the block otherwise. */
        const uint8_t *bytes;
        size_t len;
        if (dc_source_view(plain, done, PLAIN_BLOCK, &bytes, &len, err) !=
                DC_OK ||
            (bytes == NULL &&
             dc_source_read_at(plain, done, block, len, err) != DC_OK) ||
            dc_output_write(out, bytes != NULL ? bytes : block, len, err) !=
                DC_OK)
            break;
        if (len == 0) /* only past the end, which `size` keeps us from */
            break;
        int64_t sectors = (done + (int64_t)len + DATA_SECTOR - 1) /
                              DATA_SECTOR -
                          (done + DATA_SECTOR - 1) / DATA_SECTOR;
        done += (int64_t)len;
        if (!dc_job_progress(job, sectors))
            dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
    }
    free(block);
    return err->status;
}

/* --- the public view ----------------------------------------------------- */

int dc_image_partition_count(const dc_image *image)
{
    return image->partition_count;
}

const dc_partition *dc_image_partition(const dc_image *image, int i)
{
    return i >= 0 && i < image->partition_count ? &image->partitions[i]
                                                : NULL;
}

int dc_image_partition_chosen(const dc_image *image)
{
    return image->partition_chosen;
}

const char *dc_image_contents(const dc_image *image)
{
    return image->contents;
}

