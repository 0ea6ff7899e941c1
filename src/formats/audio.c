/*
 * Sound files as a disc, and the "audio" target.  In: each sound file
 * (WAV, AIFF, FLAC... 44.1 kHz 16-bit stereo, read by the core's sound
 * module) is one audio track.  Out: extract-audio writes the chosen tracks
 * as sound files with a cue sheet, through the core's audio output.
 */
#include "audio_out.h"
#include "format.h"
#include "model.h"
#include "sound.h"

#include <stdlib.h>
#include <string.h>

/* --- reading sound files ------------------------------------------------ */

static int audio_probe(const dc_probe_input *input)
{
    const uint8_t *h = input->head;
    if (input->head_size < 12)
        return DC_PROBE_NO;
    bool wav = memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0;
    bool aiff = memcmp(h, "FORM", 4) == 0 &&
                (memcmp(h + 8, "AIFF", 4) == 0 || memcmp(h + 8, "AIFC", 4) == 0);
    bool flac = memcmp(h, "fLaC", 4) == 0;
    return wav || aiff || flac ? DC_PROBE_CERTAIN : DC_PROBE_NO;
}

/* Each sound file is one audio track, the tracks back to back. */
typedef struct audio_state {
    dc_sound *sounds[DC_MAX_TRACKS];
} audio_state;

static dc_status audio_read_stored(dc_image *image, int track_index,
                                   int64_t first, int64_t count,
                                   uint8_t *buffer, dc_error *err)
{
    audio_state *state = image->priv;
    return dc_sound_read_sectors(state->sounds[track_index], first, count,
                                 buffer, err);
}

static void audio_close(dc_image *image)
{
    audio_state *state = image->priv;
    for (int i = 0; i < image->disc.track_count; i++)
        dc_sound_close(state->sounds[i]);
}

static const dc_image_ops audio_ops = {
    .read_stored = audio_read_stored,
    .close = audio_close,
};

static dc_status add_sound_track(dc_image *image, dc_source *source,
                                 dc_error *err)
{
    audio_state *state = image->priv;
    dc_disc *disc = &image->disc;
    int n = disc->track_count;
    const char *name = dc_source_name(source);
    dc_sound *sound;
    dc_status status = dc_sound_open(&sound, source, name, err);
    state->sounds[n] = sound;
    dc_track *track = status == DC_OK ? dc_disc_add_track(disc, err) : NULL;
    if (track == NULL) {
        dc_sound_close(sound);
        state->sounds[n] = NULL;
        return err->status;
    }
    track->number = n + 1;
    track->mode = DC_MODE_AUDIO;
    track->stored_size = DC_RAW_SECTOR;
    track->length = sound->sectors;
    track->start_lba = n == 0 ? 0 : disc->tracks[n - 1].start_lba +
                                        disc->tracks[n - 1].length;
    if (sound->info.frames % (DC_RAW_SECTOR / 4) != 0)
        dc_image_warn(image, "%s: does not end on a whole sector; its last "
                      "sector is padded with silence", name);
    if (dc_track_add_index(track, 1, 0, err) != DC_OK ||
        dc_sound_take_tags(sound, &track->cdtext, &disc->cdtext, err) != DC_OK)
        return err->status;
    return DC_OK;
}

static dc_status audio_open(dc_image *image, dc_error *err)
{
    image->ops = &audio_ops;
    return add_sound_track(image, image->source, err);
}

dc_status dc_image_open_audio_files(dc_image **image,
                                    const char *const *paths, int count,
                                    dc_error *err)
{
    *image = NULL;
    if (count < 1 || count > DC_MAX_TRACKS)
        return dc_fail(err, DC_ERR_USAGE, "an audio disc takes 1 to %d "
                       "files, not %d", DC_MAX_TRACKS, count);
    dc_image *img = dc_image_new(paths[0], &dc_format_audio, err);
    if (img == NULL)
        return err->status;
    img->ops = &audio_ops;
    for (int i = 0; i < count && err->status == DC_OK; i++) {
        dc_source *source;
        if (dc_image_open_file(img, paths[i], &source, err) == DC_OK)
            add_sound_track(img, source, err);
    }
    if (err->status != DC_OK ||
        dc_disc_validate(&img->disc, paths[0], err) != DC_OK) {
        dc_image_close(img);
        return err->status;
    }
    *image = img;
    return DC_OK;
}

/* --- the "audio" target: extract-audio ---------------------------------- */

/* The tracks the list names (dc_convert checked they are on the disc),
 * or every audio track when it is NULL, into selected[position].  A data
 * track named is refused: it would make a sound file of noise. */
static dc_status select_tracks(const dc_image *image, const char *list,
                               bool *selected, dc_error *err)
{
    const dc_disc *disc = &image->disc;
    bool wanted[DC_MAX_TRACKS + 1];
    if (list != NULL && dc_track_list_parse(list, wanted, err) != DC_OK)
        return err->status;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        selected[i] = list == NULL || wanted[t->number];
        if (list != NULL && selected[i] && t->mode != DC_MODE_AUDIO) {
            char audio[DC_TRACK_TEXT_SIZE];
            dc_disc_describe_tracks(disc, true, audio, sizeof audio);
            return dc_fail(err, DC_ERR_USAGE, "%s: track %d is a data track, "
                           "not audio (the disc's audio: %s)", image->path,
                           t->number, audio);
        }
    }
    return DC_OK;
}

static dc_status audio_check(const dc_write_job *job, dc_error *err)
{
    if (job->options->to_stream &&
        job->options->audio_format == DC_AUDIO_FLAC)
        return dc_fail(err, DC_ERR_USAGE, "%s: FLAC rewrites its header once "
                       "the samples are written, which a stream cannot take: "
                       "write WAV or AIFF, or to a folder", job->output_path);
    return DC_OK;
}

static dc_status audio_write(dc_write_job *job, dc_error *err)
{
    if (job->options->to_stream) {
        bool selected[DC_MAX_TRACKS];
        if (select_tracks(job->source, job->options->track_list, selected,
                          err) != DC_OK)
            return err->status;
        return dc_audio_write_stream(job, selected, err);
    }
    const char *dir = job->output_path;
    if (dc_output_set_make_dir(job->outputs, dir, err) != DC_OK)
        return err->status;
    bool selected[DC_MAX_TRACKS];
    const char *disc_name = job->options->disc_name;
    if (disc_name != NULL &&
        (disc_name[0] == '\0' || strchr(disc_name, '/') != NULL ||
         strcmp(disc_name, ".") == 0 || strcmp(disc_name, "..") == 0))
        return dc_fail(err, DC_ERR_USAGE, "'%s' is no name for the disc's "
                       "files: a file name, without '/'", disc_name);
    char *name = disc_name != NULL ? dc_strdup(disc_name)
                                   : dc_path_stem(job->source->path);
    char *cue_name = name != NULL ? dc_path_with_extension(name, "cue") : NULL;
    char *cue_path = cue_name != NULL ? dc_path_join(dir, cue_name) : NULL;
    dc_status status = cue_path == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : select_tracks(job->source,
                                           job->options->track_list, selected,
                                           err);
    if (status == DC_OK)
        status = dc_audio_write_tracks(job, dir, name, selected, cue_path, err);
    free(cue_path);
    free(cue_name);
    free(name);
    return status;
}

const dc_format dc_format_audio = {
    .info = {
        .name = "audio",
        .description = "sound files: WAV, AIFF, FLAC (44.1 kHz 16-bit "
                       "stereo)",
        .extensions = "wav,aiff,aif,flac",
        .can_read = true,
        .can_write = true,
        .streams = true,
        .writes_folder = true,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_FILES | DC_CAP_TRACK_LIST |
            DC_CAP_SOUND_FILES,
    .priv_size = sizeof(audio_state),
    .probe = audio_probe,
    .open = audio_open,
    .check = audio_check,
    .write = audio_write,
};
