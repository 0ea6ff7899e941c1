/*
 * What dc_disc_digest_compute is made of, for tests: the ids a table of
 * contents gives and one sector's AccurateRip sums.
 */
#ifndef DC_DIGEST_H
#define DC_DIGEST_H

#include "discconv/discconv.h"

/* A table of contents: INDEX 01 of each track as an absolute LBA (LBA 0 is
 * MSF 00:02:00), whether it is data, and the lead-out. */
typedef struct dc_toc {
    int count;
    int64_t start[DC_MAX_TRACKS];
    bool data[DC_MAX_TRACKS];
    int64_t leadout;
} dc_toc;

typedef struct dc_toc_ids_result {
    int audio_tracks;          /* 0: no AccurateRip or CTDB id */
    uint32_t accuraterip_id1;
    uint32_t accuraterip_id2;
    uint32_t cddb;
    char ctdb[29];
} dc_toc_ids_result;

/* The freedb (CDDB) id of every track; AccurateRip's ids of the audio
 * tracks with the disc's lead-out; the CTDB TOC id of the audio tracks,
 * which on a CD-Extra end 11400 sectors before the data track. */
void dc_toc_ids(const dc_toc *toc, dc_toc_ids_result *ids);

/* Adds one 2352-byte audio sector to AccurateRip v1/v2 sums: its first
 * sample is at `position` (from 1); only samples at positions from..to
 * count. */
void dc_accuraterip_sum(uint32_t *v1, uint32_t *v2, const uint8_t *sector,
                        uint64_t position, uint64_t from, uint64_t to);

#endif
