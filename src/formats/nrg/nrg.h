/*
 * Nero Burning ROM images (NRG): what the reader (read.c) and the writer
 * (write.c) share -- the layout's constants, the mode codes, and the
 * functions one side takes from the other.
 *
 * The sectors come first; behind them a chain of chunks (4-byte id, 32-bit
 * big-endian length, payload) describes the disc, and a footer at the very
 * end points at the first chunk: "NER5" and a 64-bit offset (v2), or "NERO"
 * and a 32-bit one (v1).
 *
 * Sessions are CUEX/CUES + DAOX/DAOI pairs (disc-at-once: cue points with
 * absolute LBAs, then per track its file offsets) or one ETN2/ETNF chunk
 * (track-at-once: offsets only, every track after a 150-sector pregap that
 * the file does not hold).  CDTX holds raw CD-TEXT packs.
 */
#ifndef DC_NRG_H
#define DC_NRG_H

#include "format.h"

#define FOOTER_V2_SIZE 12           /* "NER5" + 64-bit offset */
#define FOOTER_V1_SIZE 8            /* "NERO" + 32-bit offset */
#define CHUNK_HEADER_SIZE 8

#define CUE_POINT_SIZE 8
#define DAO_HEADER_SIZE 22
#define DAOX_ENTRY_SIZE 42
#define DAOI_ENTRY_SIZE 30
#define ETN2_ENTRY_SIZE 32
#define ETNF_ENTRY_SIZE 20

#define TRACK_LEADOUT 0xAA
#define ADR_POSITION 0x1           /* low nibble of a cue point's first byte */
#define CONTROL_DATA 0x4           /* DC_FLAG_DATA as a Q control bit */
#define CONTROL_FLAGS (DC_FLAG_PRE | DC_FLAG_DCP | DC_FLAG_4CH)
#define MEDIA_CD 0x1               /* MTYP: NeroAPI's CD bit */
#define SUBCHANNEL_SECTOR (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE)

/* ---------------------------------------------------------------------- */
/* Mode codes (DAO entry byte 14, ETN mode low byte)                       */
/* ---------------------------------------------------------------------- */

typedef enum mode_family {
    FAMILY_AUDIO,
    FAMILY_MODE1,
    FAMILY_MODE2
} mode_family;

typedef struct mode_code {
    uint8_t code;
    mode_family family;
    unsigned size;         /* bytes per sector the code stands for */
} mode_code;

/* read.c: the mode code for a family and stored size (NULL if none), and
 * a track mode's family. */
const mode_code *nrg_code_by_layout(mode_family family, unsigned size);
mode_family nrg_family_of(dc_track_mode mode);
/* read.c: dc_format_nrg's probe and open. */
int nrg_probe(const dc_probe_input *input);
dc_status nrg_open(dc_image *image, dc_error *err);
/* write.c: dc_format_nrg's check and write. */
dc_status nrg_check(const dc_write_job *job, dc_error *err);
dc_status nrg_write(dc_write_job *job, dc_error *err);

#endif
