/*
 * BIN/CUE out: the disc into one BIN, or one per track (redump's names),
 * raw or cooked, gaps named or stored, plus the cue sheet and a .cdt for
 * CD-TEXT packs.
 */
#include "bincue.h"
#include "cuesheet.h"

#include <ctype.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

/* How one track goes into its BIN. */
typedef struct track_plan {
    const char *keyword;  /* cue mode */
    dc_sector_form form;
    int bin;              /* which output */
    int64_t pregap;       /* unstored sectors before it */
    bool write_gaps;      /* store PREGAP/POSTGAP as silence in the bin */
} track_plan;

static void plan_track(const dc_track *track, dc_framing framing,
                       track_plan *plan)
{
    bool user = framing == DC_FRAMING_USER;
    switch (track->mode) {
    case DC_MODE_AUDIO: {
        /* CD+G keeps its stored audio + subchannel sectors as they are. */
        bool cdg = track->has_subchannel && track->stored_size == CDG_SECTOR;
        plan->keyword = cdg ? "CDG" : "AUDIO";
        plan->form = cdg ? DC_FORM_STORED : DC_FORM_RAW;
        return;
    }
    case DC_MODE_MODE1:
        plan->keyword = user ? "MODE1/2048" : "MODE1/2352";
        plan->form = user ? DC_FORM_USER : DC_FORM_RAW;
        return;
    case DC_MODE_MODE2:
    case DC_MODE_MODE2_FORM1:
    case DC_MODE_MODE2_FORM2:
    case DC_MODE_MODE2_MIXED:
        /* 2336 keeps the subheaders: no Form 2 sector loses bytes. */
        if (track->cdi)
            plan->keyword = user ? "CDI/2336" : "CDI/2352";
        else
            plan->keyword = user ? "MODE2/2336" : "MODE2/2352";
        plan->form = user ? DC_FORM_MODE2_2336 : DC_FORM_RAW;
        return;
    }
}

/* "NAME.cue"/"NAME.bin"/"NAME" -> "NAME". */
static char *output_stem(const char *output_path)
{
    const char *ext = dc_path_extension(output_path);
    size_t len = strlen(output_path);
    if (strcasecmp(ext, "cue") == 0 || strcasecmp(ext, "bin") == 0)
        len -= strlen(ext) + 1;
    return dc_strndup(output_path, len);
}

static char *with_suffix(const char *stem, const char *suffix)
{
    size_t len = strlen(stem) + strlen(suffix) + 1;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s%s", stem, suffix);
    return path;
}

/* NAME.bin, or for one track's own file redump's name: NAME (Track N).bin,
 * with two digits when the disc has ten tracks or more. */
static char *bin_path_for(const char *stem, const dc_disc *disc,
                          const dc_track *track)
{
    char suffix[32] = ".bin";
    int digits = disc->tracks[disc->track_count - 1].number >= 10 ? 2 : 1;
    if (track != NULL)
        snprintf(suffix, sizeof suffix, " (Track %0*d).bin", digits,
                 track->number);
    return with_suffix(stem, suffix);
}

static bool selected(const dc_write_job *job, const dc_track *track)
{
    return job->options->track_number == 0 ||
           job->options->track_number == track->number;
}

/* A cue sheet holds every kind of track, but not every file name: FILE
 * lines cannot quote a double quote or hold a control character. */
dc_status cue_check(const dc_write_job *job, dc_error *err)
{
    for (const char *c = dc_path_basename(job->output_path); *c; c++)
        if (*c == '"' || (unsigned char)*c < 0x20)
            return dc_fail(err, DC_ERR_USAGE, "%s: a cue sheet cannot name "
                           "a file with a double quote or a control "
                           "character in its name", job->output_path);
    return DC_OK;
}

/* Output files, added before any byte is written so that an existing
 * target fails the job at once. */
typedef struct cue_outputs {
    char *stem;
    dc_cue_file *files;
    dc_output **bins;
    int bin_count;
    char *cdt_path;
    dc_output *cdt;
    const uint8_t *packs;  /* the .cdt's: the source's, or made */
    size_t packs_size;
    uint8_t *made_packs;
    char *cue_path;
    dc_output *cue;
} cue_outputs;

static void free_outputs(cue_outputs *o)
{
    for (int i = 0; i < o->bin_count; i++)
        free((char *)o->files[i].name);
    free(o->files);
    free(o->bins);
    free(o->cdt_path);
    free(o->made_packs);
    free(o->cue_path);
    free(o->stem);
}

static dc_status add_bin(dc_write_job *job, cue_outputs *o,
                         const dc_track *track, dc_error *err)
{
    char *path = bin_path_for(o->stem, &job->source->disc, track);
    if (path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = dc_output_set_add(job->outputs, path,
                                         &o->bins[o->bin_count], err);
    /* The sheet names the bin by its base name: it sits beside it. */
    o->files[o->bin_count].name = dc_strdup(dc_path_basename(path));
    o->files[o->bin_count].type = "BINARY";
    o->bin_count++;
    free(path);
    if (status == DC_OK && o->files[o->bin_count - 1].name == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return status;
}

static dc_status add_outputs(dc_write_job *job, track_plan *plans,
                             cue_outputs *o, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    bool whole_disc = job->options->track_number == 0;
    o->stem = output_stem(job->output_path);
    o->files = calloc((size_t)disc->track_count, sizeof *o->files);
    o->bins = calloc((size_t)disc->track_count, sizeof *o->bins);
    o->cue_path = o->stem != NULL ? with_suffix(o->stem, ".cue") : NULL;
    if (o->stem == NULL || o->files == NULL || o->bins == NULL ||
        o->cue_path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");

    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *track = &disc->tracks[i];
        if (!selected(job, track))
            continue;
        plan_track(track, job->options->framing, &plans[i]);
        plans[i].pregap = dc_cue_unstored_pregap(disc, i, whole_disc);
        plans[i].write_gaps = dc_job_option_bool(job, "write_gaps");
        bool split = dc_job_option_bool(job, "split");
        if ((o->bin_count == 0 || split) &&
            add_bin(job, o, split ? track : NULL, err) != DC_OK)
            return err->status;
        plans[i].bin = o->bin_count - 1;
    }
    /* The packs describe every track: a one-track cue leaves them out.
     * Text beyond what the cue's commands carry (other languages, genre,
     * disc id) travels in packs made for it. */
    o->packs = disc->cdtext_packs;
    o->packs_size = disc->cdtext_packs_size;
    if (o->packs == NULL && whole_disc && dc_cdtext_beyond_cue(disc)) {
        if (dc_cdtext_encode(disc, job, &o->made_packs, &o->packs_size,
                             err) != DC_OK)
            return err->status;
        o->packs = o->made_packs;
    }
    if (o->packs != NULL && whole_disc) {
        o->cdt_path = with_suffix(o->stem, ".cdt");
        if (o->cdt_path == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        if (dc_output_set_add(job->outputs, o->cdt_path, &o->cdt, err) != DC_OK)
            return err->status;
    }
    return dc_output_set_add(job->outputs, o->cue_path, &o->cue, err);
}

/* Writes one track (and its gaps, when they are to be stored) and says
 * where its indexes landed; *position counts sectors in its bin. */
static dc_status write_track(dc_write_job *job, dc_output *out, int i,
                             const track_plan *plan, int64_t *position,
                             dc_cue_track_layout *layout, dc_error *err)
{
    const dc_track *track = &job->source->disc.tracks[i];
    int64_t gap = plan->write_gaps ? plan->pregap : 0;
    int64_t postgap = plan->write_gaps ? track->postgap_unstored : 0;
    int64_t start = *position;
    layout->keyword = plan->keyword;
    layout->pregap = plan->pregap - gap;
    layout->postgap = track->postgap_unstored - postgap;
    /* Written gap sectors are pregap: INDEX 00 moves to their start. */
    bool stored_index0 = track->index[0].number == 0;
    if (gap > 0 && !stored_index0)
        layout->index[layout->index_count++] = (dc_cue_index){0, plan->bin,
                                                              start};
    for (int k = 0; k < track->index_count; k++) {
        int64_t at = k == 0 && stored_index0 && gap > 0
                         ? start
                         : start + gap + track->index[k].offset;
        layout->index[layout->index_count++] =
            (dc_cue_index){track->index[k].number, plan->bin, at};
    }
    if (dc_write_gap_sectors(job, out, track, track->start_lba - gap, gap,
                             plan->form, err) != DC_OK ||
        dc_write_track_sectors(job, out, i, 0, track->length, plan->form,
                               err) != DC_OK ||
        dc_write_gap_sectors(job, out, track, track->start_lba + track->length,
                             postgap, plan->form, err) != DC_OK)
        return err->status;
    *position = start + gap + track->length + postgap;
    return DC_OK;
}

dc_status cue_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    dc_cue_track_layout *tracks =
        calloc((size_t)disc->track_count, sizeof *tracks);
    cue_outputs o = {0};
    dc_status status = plans == NULL || tracks == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : add_outputs(job, plans, &o, err);
    int64_t position = 0;
    for (int i = 0, bin = -1; status == DC_OK && i < disc->track_count; i++) {
        if (!selected(job, &disc->tracks[i]))
            continue;
        if (plans[i].bin != bin) {
            bin = plans[i].bin;
            position = 0;
        }
        status = write_track(job, o.bins[bin], i, &plans[i], &position,
                             &tracks[i], err);
    }
    if (status == DC_OK && o.cdt != NULL)
        status = dc_output_write(o.cdt, o.packs, o.packs_size, err);
    if (status == DC_OK) {
        dc_cue_layout layout = {
            .file_count = o.bin_count,
            .files = o.files,
            .tracks = tracks,
            .cdtext_file = o.cdt_path != NULL ? dc_path_basename(o.cdt_path)
                                              : NULL,
            .sessions = job->options->track_number == 0 &&
                        disc->session_count > 1,
        };
        char *text = NULL;
        size_t len = 0;
        status = dc_cue_sheet_build(disc, &layout, &text, &len, err);
        if (status == DC_OK)
            status = dc_output_write(o.cue, text, len, err);
        free(text);
    }
    free_outputs(&o);
    free(tracks);
    free(plans);
    return status;
}
