/*
 * File system detection for `discconv info`.  The primary volume descriptor
 * is decoded by libiso9660.  libiso9660 opens only files and CdIo devices,
 * not a track served by our readers (a BIN/CUE track, a Mode 2 track), so
 * we read the descriptor sectors ourselves and hand libiso9660 the bytes;
 * the few checks it has no buffer API for (Joliet escapes, El Torito, UDF
 * identifiers, the Rock Ridge SP entry) are done here.
 */
#include "discconv/discconv.h"
#include "format.h"

#include <cdio/iso9660.h>
#include <cdio/utf8.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 2048
#define FIRST_DESCRIPTOR 16
#define MAX_DESCRIPTORS 32

static void copy_id(char *dest, size_t size, char *value)
{
    dest[0] = '\0';
    if (value == NULL)
        return;
    size_t len = strlen(value);
    while (len > 0 && value[len - 1] == ' ')
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dest, value, len);
    dest[len] = '\0';
    free(value);
}

/* Returns the root directory's block. */
static int64_t read_pvd(const uint8_t *sector, dc_fsinfo *info)
{
    iso9660_pvd_t pvd;
    memcpy(&pvd, sector, sizeof pvd);
    info->iso9660 = true;
    copy_id(info->volume_id, sizeof info->volume_id,
            iso9660_get_volume_id(&pvd));
    copy_id(info->system_id, sizeof info->system_id,
            iso9660_get_system_id(&pvd));
    copy_id(info->application_id, sizeof info->application_id,
            iso9660_get_application_id(&pvd));
    copy_id(info->preparer_id, sizeof info->preparer_id,
            iso9660_get_preparer_id(&pvd));
    info->iso_blocks = iso9660_get_pvd_space_size(&pvd);
    return iso9660_get_root_lsn(&pvd);
}

/* Joliet keeps the volume name in UCS-2, big-endian, at the PVD's place. */
static void read_joliet_volume_id(const uint8_t *sector, dc_fsinfo *info)
{
    cdio_utf8_t *text = NULL;
    if (!cdio_charset_to_utf8((const char *)sector + 40, ISO_MAX_VOLUME_ID,
                              &text, "UCS-2BE"))
        return;
    copy_id(info->joliet_volume_id, sizeof info->joliet_volume_id, text);
}

static int joliet_level(const uint8_t *sector)
{
    /* Escape sequences %/@, %/C, %/E at byte 88 mark Joliet levels 1-3. */
    if (sector[88] != '%' || sector[89] != '/')
        return 0;
    switch (sector[90]) {
    case '@': return 1;
    case 'C': return 2;
    case 'E': return 3;
    }
    return 0;
}

/* The root directory's "." record carries the SUSP "SP" entry when the
 * disc uses Rock Ridge (it may follow a 14-byte CD-XA record). */
static bool root_has_rock_ridge(const uint8_t *dir)
{
    unsigned record_length = dir[0];
    unsigned name_length = dir[32];
    if (record_length < 34 || record_length > BLOCK)
        return false;
    unsigned su = 33 + name_length + (name_length % 2 == 0);
    static const uint8_t sp[] = {'S', 'P', 7, 1, 0xBE, 0xEF};
    for (unsigned at = su; at + sizeof sp <= record_length; at++)
        if (memcmp(dir + at, sp, sizeof sp) == 0)
            return true;
    return false;
}

static dc_status read_block(dc_image *image, int track_index, int64_t block,
                            uint8_t *sector, bool *ok, dc_error *err)
{
    const dc_track *track = &image->disc.tracks[track_index];
    int64_t at = dc_track_pregap(track) + block;
    *ok = false;
    if (block < 0 || at >= track->length)
        return DC_OK;
    dc_read_options options = {.allow_form2_truncation = true};
    if (dc_image_read(image, track_index, at, 1, DC_FORM_USER, &options,
                      sector, NULL, err) != DC_OK)
        return err->status;
    *ok = true;
    return DC_OK;
}

dc_status dc_fsinfo_probe(dc_image *image, int track_index, dc_fsinfo *info,
                          dc_error *err)
{
    memset(info, 0, sizeof *info);
    const dc_track *track = &image->disc.tracks[track_index];
    if (dc_track_user_size(track) != BLOCK)
        return DC_OK;
    uint8_t sector[BLOCK];
    int64_t root_lsn = -1;
    for (int i = 0; i < MAX_DESCRIPTORS; i++) {
        bool ok;
        if (read_block(image, track_index, FIRST_DESCRIPTOR + i, sector, &ok,
                       err) != DC_OK)
            return err->status;
        if (!ok)
            break;
        if (memcmp(sector + 1, "BEA01", 5) == 0 ||
            memcmp(sector + 1, "NSR02", 5) == 0 ||
            memcmp(sector + 1, "NSR03", 5) == 0) {
            info->udf |= sector[1] == 'N';
            continue;
        }
        if (memcmp(sector + 1, "TEA01", 5) == 0)
            break;
        /* The UDF recognition sequence follows the ISO terminator, so a
         * terminator does not end the walk. */
        if (memcmp(sector + 1, "CD001", 5) != 0)
            break;
        switch (sector[0]) {
        case ISO_VD_BOOT_RECORD:
            info->el_torito |= memcmp(sector + 7, "EL TORITO SPECIFICATION",
                                      23) == 0;
            break;
        case ISO_VD_PRIMARY:
            if (!info->iso9660)
                root_lsn = read_pvd(sector, info);
            break;
        case ISO_VD_SUPPLEMENTARY:
            if (joliet_level(sector) > info->joliet_level) {
                info->joliet_level = joliet_level(sector);
                read_joliet_volume_id(sector, info);
            }
            break;
        }
    }
    if (root_lsn > 0) {
        bool ok;
        if (read_block(image, track_index, root_lsn, sector, &ok, err) != DC_OK)
            return err->status;
        info->rock_ridge = ok && root_has_rock_ridge(sector);
    }
    return DC_OK;
}
