/*
 * The uif format's entry while only its writer exists: the reader's
 * read.c (issue 14) defines dc_format_uif with its probe and open, and
 * this file goes when it does.
 */
#include "write.h"

const dc_format dc_format_uif = {
    .info = {
        .name = "uif",
        .description = "MagicISO image (UIF: zlib or LZMA blocks)",
        .extensions = "uif",
        .can_write = true,
        .options = uif_write_options,
        .option_count = UIF_WRITE_OPTION_COUNT,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS |
            DC_CAP_CDTEXT, /* what the stored cue keeps; write.c notes
                              the rest */
    .check = uif_check,   /* write.c */
    .write = uif_write,
};
