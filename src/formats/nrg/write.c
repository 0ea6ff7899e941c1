/*
 * Writing NRG images (nrg.h describes the layout): planning where each
 * track goes, the sectors, then the chunk area and the footer.  The writer
 * makes v2 disc-at-once images.
 */
#include "nrg.h"
#include "format.h"
#include "model.h"
#include "sector.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Big-endian fields                                                        */
/* ---------------------------------------------------------------------- */

static void put_be(uint8_t *p, uint64_t value, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, value >>= 8)
        p[i] = (uint8_t)value;
}

static uint8_t to_bcd(int v) { return (uint8_t)((v / 10) << 4 | v % 10); }

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

/* How one track goes into the image. */
typedef struct track_plan {
    const mode_code *code;
    dc_sector_form form;
    int64_t lead;        /* empty sectors written before (track 1: from
                            LBA -150, as Nero stores it) */
    int64_t first_lba;   /* of the first sector written, in the image */
    int64_t offset;      /* file offset of that sector */
    int64_t index1;      /* file offset of INDEX 01 */
    int64_t end;         /* file offset after the track */
    int session;         /* in the image, 1-based */
} track_plan;

/*
 * Sector storage.  By default a track keeps the size its source stores:
 * cooked (2048) Mode 1 stays cooked -- nothing to invent, 13% smaller, what
 * Nero writes for data discs, and the layout nrg2iso and libcdio read (their
 * DAO readers know mode 0x00, not 0x05) -- while raw sources stay raw, so
 * their EDC/ECC travel as dumped, bad ones included.  The exception is a
 * raw Mode 1 track every sector of which its 2048 user bytes regenerate
 * exactly (`regenerable`, see dc_track_regenerates): stored cooked it loses
 * nothing and more readers take it -- chdman refuses the raw code 0x05,
 * 7-Zip finds the ISO 9660 volume only in 2048-byte sectors, and libcdio 2.1
 * knows 0x00 but not 0x05.  (libcdio types every track of a DAO image by
 * the first entry's code: a mixed-mode disc lists all data, where 0x05
 * listed all audio; tests/nrg-layout.sh has the evidence.)  Subchannel
 * travels only from a source that has it.
 */
static dc_sector_form choose_form(const dc_track *track, dc_framing framing,
                                  bool regenerable)
{
    bool subchannel = track->has_subchannel &&
                      track->stored_size == SUBCHANNEL_SECTOR;
    if (track->mode == DC_MODE_AUDIO)
        return subchannel && framing != DC_FRAMING_RAW ? DC_FORM_STORED
                                                       : DC_FORM_RAW;
    bool cooked = track->stored_size < DC_RAW_SECTOR;
    if (framing == DC_FRAMING_DEFAULT && subchannel)
        return DC_FORM_STORED;
    if (framing == DC_FRAMING_RAW ||
        (framing == DC_FRAMING_DEFAULT && !cooked && !regenerable))
        return DC_FORM_RAW;
    /* Cooked: 2048 holds Mode 1 and Form 1; any other Mode 2 keeps its
     * subheaders in 2336 bytes, so no Form 2 sector is cut. */
    if (track->mode == DC_MODE_MODE1 || track->mode == DC_MODE_MODE2_FORM1)
        return DC_FORM_USER;
    return DC_FORM_MODE2_2336;
}

static bool track_selected(const dc_write_job *job, const dc_track *track)
{
    return job->options->track_number == 0 ||
           job->options->track_number == track->number;
}

/* Plans every selected track: storage (`regenerable`, per track, may be
 * NULL: see choose_form), addresses in the image, offsets.  One selected
 * track moves to LBA 0 (its sectors keep their headers, as in a one-track
 * cue). */
static dc_status plan_tracks(const dc_write_job *job, track_plan *plans,
                             const bool *regenerable, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int64_t offset = 0, shift = 0;
    int session = 0, previous_session = 0;
    bool first = true;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (!track_selected(job, t))
            continue;
        track_plan *p = &plans[i];
        /* choose_form picks only layouts that have a mode code. */
        p->form = choose_form(t, job->options->framing,
                              regenerable != NULL && regenerable[i]);
        p->code = nrg_code_by_layout(
            nrg_family_of(t->mode), (unsigned)dc_sector_form_size(t, p->form));
        int64_t first_lba = t->start_lba - t->pregap_unstored;
        if (first) {
            shift = job->options->track_number != 0 ? first_lba : 0;
            p->lead = first_lba - shift + DC_PREGAP_TRACK1;
            if (p->lead < 0)
                return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: track %d starts "
                               "at LBA %lld, before the -150 an NRG can "
                               "hold", job->source->path, t->number,
                               (long long)first_lba);
        }
        if (first || t->session != previous_session)
            session++;
        previous_session = t->session;
        first = false;
        unsigned size = p->code->size;
        p->session = session;
        p->first_lba = first_lba - shift - p->lead;
        p->offset = offset;
        p->index1 = offset + (p->lead + t->pregap_unstored +
                              dc_track_pregap(t)) * size;
        p->end = offset + (p->lead + t->pregap_unstored + t->length +
                           t->postgap_unstored) * size;
        offset = p->end;
    }
    return DC_OK;
}

dc_status nrg_check(const dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    if (plans == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = plan_tracks(job, plans, NULL, err);
    free(plans);
    return status;
}

/* A growing chunk area. */
typedef struct byte_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
} byte_buffer;

/* Room for n more bytes (zeroed); NULL once an allocation has failed. */
static uint8_t *reserve(byte_buffer *b, size_t n)
{
    if (b->failed)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        uint8_t *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = true;
            return NULL;
        }
        b->data = grown;
        b->cap = cap;
    }
    uint8_t *p = b->data + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

/* Starts a chunk; returns where its header begins so that end_chunk can
 * fill in the length. */
static size_t begin_chunk(byte_buffer *b, const char *id)
{
    size_t at = b->len;
    uint8_t *p = reserve(b, CHUNK_HEADER_SIZE);
    if (p != NULL)
        memcpy(p, id, 4);
    return at;
}

static void end_chunk(byte_buffer *b, size_t at)
{
    if (!b->failed)
        put_be(b->data + at + 4, b->len - at - CHUNK_HEADER_SIZE, 4);
}

static void add_u32_chunk(byte_buffer *b, const char *id, uint32_t value)
{
    size_t at = begin_chunk(b, id);
    uint8_t *p = reserve(b, 4);
    if (p != NULL)
        put_be(p, value, 4);
    end_chunk(b, at);
}

static void put_cue_point(byte_buffer *b, unsigned control, int track,
                          int index, int64_t lba)
{
    uint8_t *p = reserve(b, CUE_POINT_SIZE);
    if (p == NULL)
        return;
    p[0] = (uint8_t)(control << 4 | ADR_POSITION);
    p[1] = track == TRACK_LEADOUT ? TRACK_LEADOUT : to_bcd(track);
    p[2] = to_bcd(index);
    put_be(p + 4, (uint32_t)(int32_t)lba, 4);
}

static unsigned control_of(const dc_track *track)
{
    return (track->flags & CONTROL_FLAGS) |
           (dc_track_is_data(track) ? CONTROL_DATA : 0);
}

/* Lead-in, then index 0 (where the written sectors start, as Nero always
 * lists it), index 1 and any later index of each track, then lead-out. */
static void add_cuex(byte_buffer *b, const dc_disc *disc,
                     const track_plan *plans, int from, int to)
{
    size_t at = begin_chunk(b, "CUEX");
    put_cue_point(b, control_of(&disc->tracks[from]) & CONTROL_DATA, 0, 0,
                  plans[from].first_lba);
    int64_t leadout = 0;
    int last = from;
    for (int i = from; i < to; i++) {
        const dc_track *t = &disc->tracks[i];
        const track_plan *p = &plans[i];
        if (p->code == NULL)
            continue;
        unsigned size = p->code->size;
        int64_t stored_lba = p->first_lba + p->lead + t->pregap_unstored;
        put_cue_point(b, control_of(t), t->number, 0, p->first_lba);
        for (int k = 0; k < t->index_count; k++)
            if (t->index[k].number > 0)
                put_cue_point(b, control_of(t), t->number, t->index[k].number,
                              stored_lba + t->index[k].offset);
        leadout = p->first_lba + (p->end - p->offset) / size;
        last = i;
    }
    put_cue_point(b, control_of(&disc->tracks[last]) & CONTROL_DATA,
                  TRACK_LEADOUT, 1, leadout);
    end_chunk(b, at);
}

static void add_daox(byte_buffer *b, const dc_disc *disc,
                     const track_plan *plans, int from, int to)
{
    size_t at = begin_chunk(b, "DAOX");
    reserve(b, DAO_HEADER_SIZE);
    int first_number = 0, last_number = 0;
    for (int i = from; i < to; i++) {
        if (plans[i].code == NULL)
            continue;
        const dc_track *t = &disc->tracks[i];
        const track_plan *p = &plans[i];
        first_number = first_number != 0 ? first_number : t->number;
        last_number = t->number;
        uint8_t *e = reserve(b, DAOX_ENTRY_SIZE);
        if (e == NULL)
            return;
        memcpy(e, t->isrc, strlen(t->isrc));
        put_be(e + 12, p->code->size, 2);
        e[14] = p->code->code;
        e[17] = 1; /* unknown; Nero writes 1 */
        put_be(e + 18, (uint64_t)p->offset, 8);
        put_be(e + 26, (uint64_t)p->index1, 8);
        put_be(e + 34, (uint64_t)p->end, 8);
    }
    if (b->failed)
        return;
    /* Filled in last: the entries decide the track numbers. */
    uint8_t *h = b->data + at + CHUNK_HEADER_SIZE;
    put_be(h, b->len - at - CHUNK_HEADER_SIZE, 4); /* repeated length */
    memcpy(h + 4, disc->mcn, strlen(disc->mcn));
    h[19] = 1; /* unknown; Nero writes 1 */
    h[20] = (uint8_t)first_number;
    h[21] = (uint8_t)last_number;
    end_chunk(b, at);
}

/* Per session CUEX, DAOX (CDTX after the first, as Nero orders them) and
 * SINF; then MTYP, END! and the footer pointing at the first chunk. */
/* CD-TEXT packs: the source's own, or made from its fields. */
typedef struct packs {
    const uint8_t *data;
    size_t size;
} packs;

static void build_chunks(byte_buffer *b, const dc_write_job *job,
                         const track_plan *plans, const packs *cdtext,
                         int64_t first_chunk)
{
    const dc_disc *disc = &job->source->disc;
    for (int from = 0; from < disc->track_count;) {
        if (plans[from].code == NULL) {
            from++;
            continue;
        }
        int to = from + 1, tracks = 1;
        while (to < disc->track_count &&
               (plans[to].code == NULL ||
                plans[to].session == plans[from].session))
            tracks += plans[to++].code != NULL;
        add_cuex(b, disc, plans, from, to);
        add_daox(b, disc, plans, from, to);
        /* The packs describe every track: one track leaves them out. */
        if (plans[from].session == 1 && cdtext->data != NULL &&
            job->options->track_number == 0) {
            size_t at = begin_chunk(b, "CDTX");
            uint8_t *p = reserve(b, cdtext->size);
            if (p != NULL)
                memcpy(p, cdtext->data, cdtext->size);
            end_chunk(b, at);
        }
        add_u32_chunk(b, "SINF", (uint32_t)tracks);
        from = to;
    }
    add_u32_chunk(b, "MTYP", MEDIA_CD);
    end_chunk(b, begin_chunk(b, "END!"));
    uint8_t *footer = reserve(b, FOOTER_V2_SIZE);
    if (footer != NULL) {
        memcpy(footer, "NER5", 4);
        put_be(footer + 4, (uint64_t)first_chunk, 8);
    }
}

/* Which tracks lose nothing stored cooked (see choose_form).  Only a whole
 * disc: a track written alone moves to LBA 0 but keeps the headers it was
 * dumped with, which regenerated sectors would not. */
static dc_status find_regenerable(dc_write_job *job, bool *regenerable,
                                  dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    if (job->options->track_number != 0)
        return DC_OK;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (job->options->framing == DC_FRAMING_DEFAULT &&
            t->mode == DC_MODE_MODE1 &&
            choose_form(t, job->options->framing, false) == DC_FORM_RAW &&
            dc_track_regenerates(job, i, &regenerable[i], err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

static dc_status write_track(dc_write_job *job, dc_output *out, int i,
                             const track_plan *p, dc_error *err)
{
    const dc_track *t = &job->source->disc.tracks[i];
    int64_t first_lba = t->start_lba - t->pregap_unstored;
    /* Generated sectors carry the source's addresses, like the stored
     * ones around them. */
    if (dc_write_gap_sectors(job, out, t, first_lba - p->lead,
                             p->lead + t->pregap_unstored, p->form,
                             err) != DC_OK ||
        dc_write_track_sectors(job, out, i, 0, t->length, p->form,
                               err) != DC_OK)
        return err->status;
    return dc_write_gap_sectors(job, out, t, t->start_lba + t->length,
                                t->postgap_unstored, p->form, err);
}

dc_status nrg_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    bool *regenerable = calloc((size_t)disc->track_count,
                               sizeof *regenerable);
    byte_buffer chunks = {0};
    dc_output *out = NULL;
    dc_status status = plans == NULL || regenerable == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : find_regenerable(job, regenerable, err);
    if (status == DC_OK)
        status = plan_tracks(job, plans, regenerable, err);
    if (status == DC_OK)
        status = dc_output_set_add(job->outputs, job->output_path, &out, err);
    int64_t data_end = 0;
    for (int i = 0; status == DC_OK && i < disc->track_count; i++) {
        if (plans[i].code == NULL)
            continue;
        status = write_track(job, out, i, &plans[i], err);
        data_end = plans[i].end;
    }
    /* A disc whose text came from cue commands has fields but no packs. */
    uint8_t *made = NULL;
    packs cdtext = {disc->cdtext_packs, disc->cdtext_packs_size};
    if (status == DC_OK && cdtext.data == NULL) {
        status = dc_cdtext_encode(disc, job, &made, &cdtext.size, err);
        cdtext.data = made;
    }
    if (status == DC_OK) {
        build_chunks(&chunks, job, plans, &cdtext, data_end);
        status = chunks.failed
                     ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                     : dc_output_write(out, chunks.data, chunks.len, err);
    }
    free(made);
    free(chunks.data);
    free(regenerable);
    free(plans);
    return status;
}
