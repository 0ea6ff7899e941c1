/*
 * The DMG writer (write.c): what the dmg format's entry (read.c) refers
 * to, and the tables it writes, for the unit tests.
 */
#ifndef DC_DMG_WRITE_H
#define DC_DMG_WRITE_H

#include "container.h"
#include "format.h"

/* The options a DMG target takes (dc_format_info.options). */
#define DMG_WRITE_OPTION_COUNT 1
extern const dc_format_option dmg_write_options[DMG_WRITE_OPTION_COUNT];

/* dc_format.check and dc_format.write of the dmg format. */
dc_status dmg_check(const dc_write_job *job, dc_error *err);
dc_status dmg_write(dc_write_job *job, dc_error *err);

/*
 * The `mish` block of one blkx over the whole image: `map` (as the chunk
 * writer made it, offsets from the data fork's start) must cover
 * [0, sectors * 512) chunk after chunk; runs of zero chunks become one
 * zero-fill entry, and a terminator closes the table at `data_end`, the
 * data fork's length.  `crc` is the CRC-32 of the decoded image.
 * *mish is malloc'ed.  A map that does not fit is DC_ERR_FORMAT (a bug).
 */
dc_status dmg_mish_encode(const dc_chunk_map *map, int64_t sectors,
                          int64_t data_end, uint32_t crc, uint8_t **mish,
                          size_t *mish_len, dc_error *err);

/* The XML property list holding one blkx named `name` (its Data the `mish`
 * bytes) and the plst resource, as hdiutil writes them; *text is
 * malloc'ed, not NUL-counted in *text_len. */
dc_status dmg_plist_build(const uint8_t *mish, size_t mish_len,
                          const char *name, char **text, size_t *text_len,
                          dc_error *err);

/* What the koly trailer records. */
typedef struct dmg_koly_fields {
    uint64_t data_fork_length;
    uint32_t data_fork_crc;
    uint64_t plist_offset;
    uint64_t plist_length;
    uint32_t master_crc;   /* CRC-32 of the blkx checksums, big-endian */
    uint64_t sectors;      /* 512-byte sectors of the decoded image */
} dmg_koly_fields;

#define DMG_KOLY_SIZE 512
void dmg_koly_encode(uint8_t koly[DMG_KOLY_SIZE], const dmg_koly_fields *f);

#endif
