/*
 * The formats discconv recognises but does not read, in one table: each
 * entry is a signature that public documentation or the format's own
 * tools define, so that a user who hands us one hears what it is (and the
 * "unsupported" status) rather than "not a disc image", and is never
 * handed a conversion of its container bytes as if they were sectors.
 */
#include "foreign.h"
#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum foreign_kind {
    FOREIGN_IMAGE,   /* a disc image format discconv does not read */
    FOREIGN_PLANNED, /* one it is meant to read, not yet */
    FOREIGN_ARCHIVE  /* a compressed file or archive: unpack it first */
} foreign_kind;

typedef struct foreign_format {
    const char *what;       /* "a 7-Zip archive" */
    foreign_kind kind;
    int64_t at;             /* where the signature sits; negative: from the
                               end of the file */
    const char *magic;
    size_t magic_size;
    /* A further check for short or tail signatures, or NULL. */
    bool (*confirm)(const dc_probe_input *probe);
} foreign_format;

#define MAGIC(s) s, sizeof s - 1

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* DiscJuggler: the version is followed by the header's offset, which
 * must point inside the file (cdirip, libdiscmage). */
static bool cdi_header_inside(const dc_probe_input *probe)
{
    if (probe->tail_size < 4)
        return false;
    uint32_t header = get_le32(probe->tail + probe->tail_size - 4);
    return header != 0 && (int64_t)header < probe->file_size;
}

/* bzip2: "BZh" and the block size, '1' to '9' (bzip2's format notes). */
static bool bzip2_level(const dc_probe_input *probe)
{
    return probe->head_size > 3 && probe->head[3] >= '1' &&
           probe->head[3] <= '9';
}

static const foreign_format foreign_formats[] = {
    /* Alcohol 120% (and DAEMON Tools) descriptor: the file starts with its
     * 16-byte signature; the sectors are in a .mdf beside it. */
    {"an Alcohol 120% image descriptor (MDS)", FOREIGN_IMAGE, 0,
     MAGIC("MEDIA DESCRIPTOR"), NULL},
    /* MAME Compressed Hunks of Data: chd.h's header tag, every version. */
    {"a MAME CHD image", FOREIGN_IMAGE, 0, MAGIC("MComprHD"), NULL},
    /* DiscJuggler: no header magic; the last 8 bytes are the image
     * version (0x80000004 v2, 0x80000005 v3, 0x80000006 v3.5, little-
     * endian) and the header offset (cdirip, libdiscmage's cdi.c). */
    {"a DiscJuggler image (CDI)", FOREIGN_IMAGE, -8,
     MAGIC("\x04\x00\x00\x80"), cdi_header_inside},
    {"a DiscJuggler image (CDI)", FOREIGN_IMAGE, -8,
     MAGIC("\x05\x00\x00\x80"), cdi_header_inside},
    {"a DiscJuggler image (CDI)", FOREIGN_IMAGE, -8,
     MAGIC("\x06\x00\x00\x80"), cdi_header_inside},
    /* Error Code Modeler: sectors with their EDC/ECC taken out; "ECM"
     * and a zero byte (Neill Corlett's unecm). */
    {"an ECM-encoded image (ECM)", FOREIGN_IMAGE, 0, MAGIC("ECM\0"), NULL},
    /* UltraISO's compressed ISO: "IsZ!" (EZB Systems' ISZ specification). */
    {"an UltraISO compressed image (ISZ)", FOREIGN_IMAGE, 0, MAGIC("IsZ!"),
     NULL},
    /* PowerISO Direct Access Archive and gBurner's variant: a 16-byte
     * signature field, "DAA" or "GBI", "... VOL" for the later parts of a
     * split image (daa2iso). */
    {"a PowerISO image (DAA)", FOREIGN_IMAGE, 0, MAGIC("DAA\0"), NULL},
    {"a part of a split PowerISO image (DAA)", FOREIGN_IMAGE, 0,
     MAGIC("DAA VOL\0"), NULL},
    {"a gBurner image (GBI)", FOREIGN_IMAGE, 0, MAGIC("GBI\0"), NULL},
    {"a part of a split gBurner image (GBI)", FOREIGN_IMAGE, 0,
     MAGIC("GBI VOL\0"), NULL},
    /* Compressed ISO of PSP tools: "CISO" (ciso.h, maxcso's notes). */
    {"a compressed ISO (CSO)", FOREIGN_IMAGE, 0, MAGIC("CISO"), NULL},
    /* BlindWrite 5 and 6 descriptors (.b5t, .b6t) start with this
     * signature (and end with "BWT5 STREAM FOOT"). */
    {"a BlindWrite image descriptor (B5T/B6T)", FOREIGN_IMAGE, 0,
     MAGIC("BWT5 STREAM SIGN"), NULL},
    /* Apple disk images, encrypted ones included, are the DMG reader's
     * (src/formats/dmg/read.c), which refuses what it does not read. */
    /* MagicISO images (UIF) are the UIF reader's (src/formats/uif/),
     * which refuses the cipher cascade it does not decrypt. */
    /* Archives and compressed files, by their formats' own magic numbers:
     * RFC 1952 (gzip, deflate), the .xz file format, PKWARE's APPNOTE
     * (local file header), 7-Zip's 7zFormat.txt, bzip2, RFC 8878
     * (Zstandard frame), RAR (4 and 5 share the first 6 bytes), POSIX
     * ustar. */
    {"a gzip-compressed file", FOREIGN_ARCHIVE, 0, MAGIC("\x1f\x8b\x08"),
     NULL},
    {"an xz-compressed file", FOREIGN_ARCHIVE, 0,
     MAGIC("\xfd\x37\x7a\x58\x5a\x00"), NULL},
    {"a ZIP archive", FOREIGN_ARCHIVE, 0, MAGIC("PK\x03\x04"), NULL},
    {"a 7-Zip archive", FOREIGN_ARCHIVE, 0,
     MAGIC("\x37\x7a\xbc\xaf\x27\x1c"), NULL},
    {"a bzip2-compressed file", FOREIGN_ARCHIVE, 0, MAGIC("BZh"),
     bzip2_level},
    {"a Zstandard-compressed file", FOREIGN_ARCHIVE, 0,
     MAGIC("\x28\xb5\x2f\xfd"), NULL},
    {"a RAR archive", FOREIGN_ARCHIVE, 0, MAGIC("Rar!\x1a\x07"), NULL},
    {"a tar archive", FOREIGN_ARCHIVE, 257, MAGIC("ustar"), NULL},
};

static bool signature_matches(const dc_probe_input *probe,
                              const foreign_format *f)
{
    const uint8_t *bytes;
    if (f->at >= 0) {
        if (probe->head_size < (size_t)f->at + f->magic_size)
            return false;
        bytes = probe->head + f->at;
    } else {
        size_t back = (size_t)-f->at;
        if (probe->tail_size < back)
            return false;
        bytes = probe->tail + probe->tail_size - back;
    }
    return memcmp(bytes, f->magic, f->magic_size) == 0 &&
           (f->confirm == NULL || f->confirm(probe));
}

static dc_status refuse(const dc_probe_input *probe, const char *what,
                        foreign_kind kind, dc_error *err)
{
    static const char *const verdicts[] = {
        [FOREIGN_IMAGE] = "a format discconv does not read",
        [FOREIGN_PLANNED] = "not yet supported",
        [FOREIGN_ARCHIVE] = "not a disc image: unpack it first",
    };
    return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: %s, %s", probe->path, what,
                   verdicts[kind]);
}

/* The descriptor an Alcohol 120% payload has beside it: same stem, .mds,
 * starting with the MDS signature. */
static char *mds_beside(const char *path)
{
    char *dir = dc_path_dirname(path);
    char *stem = dc_path_stem(path);
    char *name = stem != NULL ? malloc(strlen(stem) + 5) : NULL;
    char *found = NULL;
    if (dir != NULL && name != NULL) {
        strcpy(name, stem);
        strcat(name, ".mds");
        found = dc_path_find(dir, name);
    }
    free(dir);
    free(stem);
    free(name);
    if (found == NULL || strcmp(found, path) == 0) {
        free(found);
        return NULL;
    }
    dc_error ignored = {0};
    dc_source *mds;
    bool signed_mds = false;
    if (dc_source_open_file(&mds, found, &ignored) == DC_OK) {
        uint8_t head[16];
        size_t got = 0;
        signed_mds = dc_source_read_some(mds, 0, head, sizeof head, &got,
                                         &ignored) == DC_OK &&
                     got == sizeof head &&
                     memcmp(head, "MEDIA DESCRIPTOR", sizeof head) == 0;
        dc_source_close(mds);
    }
    if (!signed_mds) {
        free(found);
        return NULL;
    }
    return found;
}

dc_status dc_foreign_check(const dc_probe_input *probe, dc_error *err)
{
    size_t count = sizeof foreign_formats / sizeof foreign_formats[0];
    for (size_t i = 0; i < count; i++)
        if (signature_matches(probe, &foreign_formats[i]))
            return refuse(probe, foreign_formats[i].what,
                          foreign_formats[i].kind, err);
    return DC_OK;
}

/* The sectors of an Alcohol 120% image are a plain dump: only the name,
 * or the descriptor beside it, tells them apart; without the descriptor
 * the tracks are unknown. */
dc_status dc_foreign_check_payload(const dc_probe_input *probe, dc_error *err)
{
    if (strcasecmp(dc_path_extension(probe->path), "mdf") == 0)
        return refuse(probe, "the data file of an Alcohol 120% image (MDF)",
                      FOREIGN_IMAGE, err);
    char *mds = mds_beside(probe->path);
    if (mds != NULL) {
        dc_fail(err, DC_ERR_UNSUPPORTED, "%s: the data file of an Alcohol "
                "120%% image (described by %s), a format discconv does not "
                "read", probe->path, dc_path_basename(mds));
        free(mds);
        return err->status;
    }
    return DC_OK;
}
