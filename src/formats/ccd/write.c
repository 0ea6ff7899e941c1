/*
 * Writing CloneCD images (ccd.h describes the files): planning where each
 * track goes, the .ccd text, and the sectors split into .img and .sub.
 *
 * Writing: .ccd + .img, and .sub when the source has subchannel.  CloneCD
 * stores every sector between a session's first track and its lead-out,
 * so gaps the source leaves out are written as generated sectors.
 */
#include "ccd.h"
#include "text.h"
#include "format.h"
#include "model.h"
#include "sector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

/* Where one track goes: `lead` generated sectors, its stored ones, its
 * postgap generated; addresses as the written disc has them. */
typedef struct ccd_plan {
    bool selected;
    int session;             /* in the written disc */
    int64_t lead;
    int64_t first_lba;       /* of the first written sector */
    int64_t plba;            /* INDEX 01 */
    int64_t end;             /* after the last written sector */
} ccd_plan;

static bool track_selected(const dc_write_job *job, const dc_track *t)
{
    return job->options->track_number == 0 ||
           job->options->track_number == t->number;
}

static dc_status plan_tracks(const dc_write_job *job, ccd_plan *plans,
                             dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int session = 0, previous_session = 0;
    int64_t shift = 0, previous_end = 0;
    bool first = true;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        ccd_plan *pl = &plans[i];
        if (!track_selected(job, t))
            continue;
        bool new_session = first || t->session != previous_session;
        int64_t lead;
        if (first) {
            /* The .img starts at LBA 0: track 1's implied pregap stays
             * out, one selected track moves there. */
            shift = job->options->track_number != 0
                        ? t->start_lba - t->pregap_unstored : 0;
            lead = t->start_lba - shift < t->pregap_unstored
                       ? t->start_lba - shift : t->pregap_unstored;
        } else if (new_session) {
            lead = t->pregap_unstored;
        } else {
            /* Everything between a session's tracks is stored. */
            lead = t->start_lba - shift - previous_end;
        }
        if (lead < 0 || t->start_lba - shift - lead < previous_end)
            return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: track %d overlaps "
                           "the track before it", job->source->path,
                           t->number);
        if (new_session)
            session++;
        previous_session = t->session;
        first = false;
        pl->selected = true;
        pl->session = session;
        pl->lead = lead;
        pl->first_lba = t->start_lba - shift - lead;
        pl->plba = t->start_lba - shift + dc_track_pregap(t);
        pl->end = t->start_lba - shift + t->length + t->postgap_unstored;
        previous_end = pl->end;
    }
    return DC_OK;
}

dc_status ccd_check(const dc_write_job *job, dc_error *err)
{
    if (job->options->framing == DC_FRAMING_USER)
        return dc_fail(err, DC_ERR_USAGE, "a CloneCD image holds 2352-byte "
                       "sectors; for 2048-byte user data write an ISO");
    const dc_disc *disc = &job->source->disc;
    ccd_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    if (plans == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = plan_tracks(job, plans, err);
    free(plans);
    return status;
}

static unsigned control_of(const dc_track *t)
{
    return (t->flags & CONTROL_FLAGS) | (dc_track_is_data(t) ? CONTROL_DATA : 0);
}

static void put_entry(dc_text_buffer *b, int *n, int session, int point,
                      unsigned control, int pmin, int psec, int pframe,
                      int64_t plba)
{
    dc_text_append(b, "[Entry %d]\r\nSession=%d\r\nPoint=0x%02x\r\nADR=0x01\r\n"
        "Control=0x%02x\r\nTrackNo=0\r\nAMin=0\r\nASec=0\r\nAFrame=0\r\n"
        "ALBA=-150\r\nZero=0\r\nPMin=%d\r\nPSec=%d\r\nPFrame=%d\r\n"
        "PLBA=%lld\r\n", (*n)++, session, point, control, pmin, psec, pframe,
        (long long)plba);
}

static void put_position(dc_text_buffer *b, int *n, int session, int point,
                         unsigned control, int64_t lba)
{
    int64_t f = lba + DC_PREGAP_TRACK1;
    put_entry(b, n, session, point, control, (int)(f / 4500),
              (int)(f / 75 % 60), (int)(f % 75), lba);
}

static void build_ccd(dc_text_buffer *b, const dc_write_job *job,
                      const ccd_plan *plans, const uint8_t *packs,
                      size_t packs_size)
{
    const dc_disc *disc = &job->source->disc;
    int sessions = 0, entries = 0;
    bool xa = false;
    for (int i = 0; i < disc->track_count; i++) {
        if (!plans[i].selected)
            continue;
        sessions = plans[i].session;
        entries++;
        xa |= dc_track_is_data(&disc->tracks[i]) &&
              disc->tracks[i].mode != DC_MODE_MODE1;
    }
    entries += 3 * sessions;
    dc_text_append(b, "[CloneCD]\r\nVersion=3\r\n[Disc]\r\nTocEntries=%d\r\n"
        "Sessions=%d\r\nDataTracksScrambled=0\r\nCDTextLength=%zu\r\n",
        entries, sessions, packs_size);
    if (disc->mcn[0] != '\0' && job->options->track_number == 0)
        dc_text_append(b, "CATALOG=%s\r\n", disc->mcn);
    for (int s = 1; s <= sessions; s++) {
        int first = -1;
        for (int i = 0; i < disc->track_count && first < 0; i++)
            if (plans[i].selected && plans[i].session == s)
                first = i;
        dc_text_append(b, "[Session %d]\r\nPreGapMode=%lld\r\nPreGapSubC=0\r\n", s,
            ccd_mode_value(disc->tracks[first].mode));
    }
    int n = 0;
    for (int s = 1; s <= sessions; s++) {
        int first = -1, last = -1;
        for (int i = 0; i < disc->track_count; i++)
            if (plans[i].selected && plans[i].session == s) {
                first = first < 0 ? i : first;
                last = i;
            }
        const dc_track *ft = &disc->tracks[first], *lt = &disc->tracks[last];
        put_entry(b, &n, s, POINT_FIRST, control_of(ft), ft->number,
                  xa ? DISC_TYPE_XA : 0, 0,
                  ft->number * 4500 + (xa ? DISC_TYPE_XA : 0) * 75 - 150);
        put_entry(b, &n, s, POINT_LAST, control_of(lt), lt->number, 0, 0,
                  lt->number * 4500 - 150);
        put_position(b, &n, s, POINT_LEADOUT, control_of(lt) & CONTROL_DATA,
                     plans[last].end);
        for (int i = first; i <= last; i++)
            if (plans[i].selected)
                put_position(b, &n, s, disc->tracks[i].number,
                             control_of(&disc->tracks[i]), plans[i].plba);
    }
    if (packs != NULL) {
        dc_text_append(b, "[CDText]\r\nEntries=%zu\r\n", packs_size / CDTEXT_PACK_SIZE);
        for (size_t k = 0; k < packs_size / CDTEXT_PACK_SIZE; k++) {
            dc_text_append(b, "Entry %zu=", k);
            for (int j = 0; j < CDTEXT_PACK_SIZE; j++)
                dc_text_append(b, j > 0 ? " %02x" : "%02x",
                    packs[k * CDTEXT_PACK_SIZE + j]);
            dc_text_append(b, "\r\n");
        }
    }
    /* INDEX values count from the session's first written sector (from
     * LBA 0 in session 1), as libmirage reads them. */
    int64_t base = 0;
    for (int i = 0, session = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        const ccd_plan *pl = &plans[i];
        if (!pl->selected)
            continue;
        if (pl->session != session) {
            session = pl->session;
            base = session == 1 ? 0 : pl->first_lba;
        }
        dc_text_append(b, "[TRACK %d]\r\nMODE=%lld\r\n", t->number,
            ccd_mode_value(t->mode));
        if (t->isrc[0] != '\0')
            dc_text_append(b, "ISRC=%s\r\n", t->isrc);
        if (pl->plba > pl->first_lba)
            dc_text_append(b, "INDEX 0=%lld\r\n", (long long)(pl->first_lba - base));
        dc_text_append(b, "INDEX 1=%lld\r\n", (long long)(pl->plba - base));
        int64_t stored0 = pl->first_lba + pl->lead;
        for (int k = 0; k < t->index_count; k++)
            if (t->index[k].number >= 2)
                dc_text_append(b, "INDEX %d=%lld\r\n", t->index[k].number,
                    (long long)(stored0 + t->index[k].offset - base));
    }
}

/* Splits streamed sectors into the .img and the .sub. */
typedef struct split_sink {
    dc_output *img, *sub;
    const dc_track *track;
    bool stored_sub;         /* sectors carry 96 interleaved bytes */
    uint8_t *sub_buffer;     /* DC_STREAM_CHUNK_SECTORS * 96 */
} split_sink;

static dc_status split_chunk(void *context, const uint8_t *sectors,
                             int64_t count, dc_error *err)
{
    split_sink *k = context;
    if (!k->stored_sub) {
        if (dc_output_write(k->img, sectors, (size_t)count * DC_RAW_SECTOR,
                            err) != DC_OK)
            return err->status;
        memset(k->sub_buffer, 0, (size_t)count * DC_SUBCHANNEL_SIZE);
        return k->sub == NULL
                   ? DC_OK
                   : dc_output_write(k->sub, k->sub_buffer,
                                     (size_t)count * DC_SUBCHANNEL_SIZE, err);
    }
    for (int64_t i = 0; i < count; i++) {
        const uint8_t *s = sectors + i * SUB_SECTOR;
        if (dc_output_write(k->img, s, DC_RAW_SECTOR, err) != DC_OK)
            return err->status;
        ccd_sub_deinterleave(s + DC_RAW_SECTOR,
                         k->sub_buffer + i * DC_SUBCHANNEL_SIZE);
    }
    return dc_output_write(k->sub, k->sub_buffer,
                           (size_t)count * DC_SUBCHANNEL_SIZE, err);
}

static dc_status write_zero_sub(dc_output *sub, int64_t count, dc_error *err)
{
    static const uint8_t zero[DC_SUBCHANNEL_SIZE];
    for (int64_t i = 0; sub != NULL && i < count; i++)
        if (dc_output_write(sub, zero, sizeof zero, err) != DC_OK)
            return err->status;
    return DC_OK;
}

static dc_status write_track(dc_write_job *job, split_sink *sink, int i,
                             const ccd_plan *pl, dc_error *err)
{
    const dc_track *t = &job->source->disc.tracks[i];
    sink->track = t;
    sink->stored_sub = sink->sub != NULL && t->has_subchannel &&
                       t->stored_size == SUB_SECTOR;
    /* Generated sectors carry the source's addresses. */
    if (dc_write_gap_sectors(job, sink->img, t, t->start_lba - pl->lead,
                             pl->lead, DC_FORM_RAW, err) != DC_OK ||
        write_zero_sub(sink->sub, pl->lead, err) != DC_OK ||
        dc_stream_track(job, i, 0, t->length,
                        sink->stored_sub ? DC_FORM_STORED : DC_FORM_RAW,
                        split_chunk, sink, err) != DC_OK ||
        dc_write_gap_sectors(job, sink->img, t, t->start_lba + t->length,
                             t->postgap_unstored, DC_FORM_RAW, err) != DC_OK)
        return err->status;
    return write_zero_sub(sink->sub, t->postgap_unstored, err);
}

/* NAME.ccd / NAME.img / NAME.sub / NAME -> NAME + "." + ext. */
static char *output_name(const char *output_path, const char *ext)
{
    const char *e = dc_path_extension(output_path);
    size_t len = strlen(output_path);
    if (strcasecmp(e, "ccd") == 0 || strcasecmp(e, "img") == 0 ||
        strcasecmp(e, "sub") == 0)
        len -= strlen(e) + 1;
    char *path = malloc(len + strlen(ext) + 2);
    if (path != NULL)
        snprintf(path, len + strlen(ext) + 2, "%.*s.%s", (int)len,
                 output_path, ext);
    return path;
}

static dc_status add_output(dc_write_job *job, const char *ext,
                            dc_output **out, dc_error *err)
{
    char *path = output_name(job->output_path, ext);
    if (path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = dc_output_set_add(job->outputs, path, out, err);
    free(path);
    return status;
}

dc_status ccd_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    ccd_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    split_sink sink = {0};
    dc_output *ccd = NULL;
    dc_text_buffer text = {0};
    uint8_t *made = NULL;
    const uint8_t *packs = NULL;
    size_t packs_size = 0;
    bool subchannel = false;
    for (int i = 0; i < disc->track_count; i++)
        subchannel |= track_selected(job, &disc->tracks[i]) &&
                      disc->tracks[i].has_subchannel &&
                      disc->tracks[i].stored_size == SUB_SECTOR;
    sink.sub_buffer = malloc((size_t)DC_STREAM_CHUNK_SECTORS *
                             DC_SUBCHANNEL_SIZE);
    dc_status status = plans == NULL || sink.sub_buffer == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : plan_tracks(job, plans, err);
    if (status == DC_OK)
        status = add_output(job, "ccd", &ccd, err);
    if (status == DC_OK)
        status = add_output(job, "img", &sink.img, err);
    if (status == DC_OK && subchannel)
        status = add_output(job, "sub", &sink.sub, err);
    for (int i = 0; status == DC_OK && i < disc->track_count; i++)
        if (plans[i].selected)
            status = write_track(job, &sink, i, &plans[i], err);
    /* The packs describe every track: one track leaves them out.  A disc
     * whose text came from cue commands has fields but no packs. */
    if (status == DC_OK && job->options->track_number == 0) {
        packs = disc->cdtext_packs;
        packs_size = disc->cdtext_packs_size;
        if (packs == NULL) {
            status = dc_cdtext_encode(disc, job, &made, &packs_size, err);
            packs = made;
        }
        if (packs_size % CDTEXT_PACK_SIZE != 0)
            packs_size -= packs_size % CDTEXT_PACK_SIZE;
        if (packs_size == 0)
            packs = NULL;
    }
    if (status == DC_OK) {
        build_ccd(&text, job, plans, packs, packs_size);
        status = text.failed ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                             : dc_output_write(ccd, text.data, text.len, err);
    }
    free(text.data);
    free(made);
    free(sink.sub_buffer);
    free(plans);
    return status;
}
