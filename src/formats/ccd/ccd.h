/*
 * CloneCD images: NAME.ccd (INI text: the disc's full TOC), NAME.img (every
 * sector as 2352 raw bytes, all sessions one after the other without the
 * lead-out/lead-in between them) and optionally NAME.sub (96 bytes of
 * subchannel per sector, P..W as twelve bytes each: "linear").
 *
 * What the reader (read.c) and the writer (write.c) share: the layout's
 * constants and the functions one side takes from the other.
 */
#ifndef DC_CCD_H
#define DC_CCD_H

#include "format.h"

#define SUB_SECTOR (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE)
#define CDTEXT_PACK_SIZE 18
#define POINT_FIRST 0xA0
#define POINT_LAST 0xA1
#define POINT_LEADOUT 0xA2
#define ADR_POSITION 1
#define CONTROL_DATA 0x4
#define CONTROL_FLAGS (DC_FLAG_PRE | DC_FLAG_DCP | DC_FLAG_4CH)
#define DISC_TYPE_XA 0x20

/* read.c: the MODE value of a track mode (0 audio, 1, 2). */
long long ccd_mode_value(dc_track_mode mode);
/* read.c: interleaved subchannel (one bit of each channel per byte, P in
 * bit 7) to linear (12 bytes per channel, P first), as a .sub holds it. */
void ccd_sub_deinterleave(const uint8_t *interleaved, uint8_t *linear);
/* read.c: dc_format_ccd's probe, describes and open. */
int ccd_probe(const dc_probe_input *input);
bool ccd_describes(const dc_probe_input *descriptor, const char *payload,
                   int64_t payload_size);
dc_status ccd_open(dc_image *image, dc_error *err);
/* write.c: dc_format_ccd's check and write. */
dc_status ccd_check(const dc_write_job *job, dc_error *err);
dc_status ccd_write(dc_write_job *job, dc_error *err);

#endif
