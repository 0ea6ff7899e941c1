/* Sound files read through libsndfile's virtual I/O from a source. */
#include "sound.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define AUDIO_RATE 44100
#define FRAMES_PER_SECTOR (DC_RAW_SECTOR / 4)

static sf_count_t sound_length(void *user)
{
    return dc_source_size(((dc_sound *)user)->source);
}

static sf_count_t sound_seek(sf_count_t offset, int whence, void *user)
{
    dc_sound *s = user;
    int64_t base = whence == SEEK_CUR   ? s->position
                   : whence == SEEK_END ? dc_source_size(s->source)
                                        : 0;
    if (base + offset < 0)
        return -1;
    s->position = base + offset;
    return s->position;
}

static sf_count_t sound_read(void *data, sf_count_t count, void *user)
{
    dc_sound *s = user;
    dc_error ignored = {0};
    size_t got = 0;
    if (count < 0 || dc_source_read_some(s->source, s->position, data,
                                         (size_t)count, &got,
                                         &ignored) != DC_OK)
        return 0;
    s->position += (int64_t)got;
    return (sf_count_t)got;
}

static sf_count_t sound_write(const void *data, sf_count_t count, void *user)
{
    (void)data;
    (void)count;
    (void)user;
    return 0; /* read only */
}

static sf_count_t sound_tell(void *user)
{
    return ((dc_sound *)user)->position;
}

dc_status dc_sound_open(dc_sound **sound, dc_source *source,
                        const char *where, dc_error *err)
{
    static SF_VIRTUAL_IO io = {sound_length, sound_seek, sound_read,
                               sound_write, sound_tell};
    const char *name = dc_source_name(source);
    dc_sound *s = calloc(1, sizeof *s);
    *sound = s;
    if (s == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    s->source = source;
    s->file = sf_open_virtual(&io, SFM_READ, &s->info, s);
    /* A sound file given itself is named once ("x.wav:"); one a sheet
     * names, after the sheet's line ("disc.cue:3: \"x.wav\""). */
    char who[sizeof err->message];
    if (strcmp(where, name) == 0)
        snprintf(who, sizeof who, "%s:", name);
    else
        snprintf(who, sizeof who, "%s: \"%s\"", where, name);
    if (s->file == NULL)
        return dc_fail(err, DC_ERR_FORMAT, "%s cannot be decoded as audio: "
                       "%s", who, sf_strerror(NULL));
    int subtype = s->info.format & SF_FORMAT_SUBMASK;
    /* 16-bit PCM, or a lossy codec that decodes to it. */
    bool sixteen_bit = subtype == SF_FORMAT_PCM_16 ||
                       subtype == SF_FORMAT_ALAC_16 ||
                       subtype == SF_FORMAT_VORBIS ||
                       subtype == SF_FORMAT_OPUS ||
                       subtype == SF_FORMAT_MPEG_LAYER_I ||
                       subtype == SF_FORMAT_MPEG_LAYER_II ||
                       subtype == SF_FORMAT_MPEG_LAYER_III;
    if (s->info.samplerate != AUDIO_RATE || s->info.channels != 2 ||
        !sixteen_bit)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s is %d Hz, %d "
                       "channel(s)%s: CD audio must be 44100 Hz 16-bit "
                       "stereo", who, s->info.samplerate,
                       s->info.channels, sixteen_bit ? "" : ", not 16-bit");
    /* 2^40 frames is 290 days of audio: anything above is a bad header. */
    if (s->info.frames <= 0 || s->info.frames > ((sf_count_t)1 << 40))
        return dc_fail(err, DC_ERR_FORMAT, "%s has no usable length "
                       "(%lld frames)", who,
                       (long long)s->info.frames);
    s->sectors = (s->info.frames + FRAMES_PER_SECTOR - 1) / FRAMES_PER_SECTOR;
    return DC_OK;
}

void dc_sound_close(dc_sound *sound)
{
    if (sound == NULL)
        return;
    if (sound->file != NULL)
        sf_close(sound->file);
    free(sound);
}

dc_status dc_sound_read_frames(dc_sound *sound, int64_t first, int64_t count,
                               uint8_t *out, dc_error *err)
{
    enum { CHUNK_FRAMES = FRAMES_PER_SECTOR * 16 };
    short samples[CHUNK_FRAMES * 2];
    const char *name = dc_source_name(sound->source);
    if (sf_seek(sound->file, first, SEEK_SET) != first)
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: cannot seek to sample %lld:"
                       " %s", name, (long long)first,
                       sf_strerror(sound->file));
    while (count > 0) {
        sf_count_t ask = count < CHUNK_FRAMES ? count : CHUNK_FRAMES;
        sf_count_t got = sf_readf_short(sound->file, samples, ask);
        if (got < ask && sf_error(sound->file) != SF_ERR_NO_ERROR)
            return dc_fail(err, DC_ERR_INPUT_IO, "%s: %s", name,
                           sf_strerror(sound->file));
        for (sf_count_t i = 0; i < got * 2; i++) {
            uint16_t v = (uint16_t)samples[i];
            *out++ = (uint8_t)(v & 0xFF);
            *out++ = (uint8_t)(v >> 8);
        }
        if (got < ask) {
            memset(out, 0, (size_t)(count - got) * 4);
            return DC_OK;
        }
        count -= got;
    }
    return DC_OK;
}

dc_status dc_sound_read_sectors(dc_sound *sound, int64_t first, int64_t count,
                                uint8_t *out, dc_error *err)
{
    return dc_sound_read_frames(sound, first * FRAMES_PER_SECTOR,
                                count * FRAMES_PER_SECTOR, out, err);
}

static dc_status take_tag(SNDFILE *file, int tag, dc_cdtext *text,
                          dc_cdtext_field field, dc_error *err)
{
    const char *value = sf_get_string(file, tag);
    if (value == NULL || value[0] == '\0' || text->field[field] != NULL)
        return DC_OK;
    return dc_cdtext_set(text, field, value, err);
}

dc_status dc_sound_take_tags(dc_sound *sound, dc_cdtext *track,
                             dc_cdtext *disc, dc_error *err)
{
    if (take_tag(sound->file, SF_STR_TITLE, track, DC_CDTEXT_TITLE, err) !=
            DC_OK ||
        take_tag(sound->file, SF_STR_ARTIST, track, DC_CDTEXT_PERFORMER,
                 err) != DC_OK ||
        take_tag(sound->file, SF_STR_ALBUM, disc, DC_CDTEXT_TITLE, err) !=
            DC_OK)
        return err->status;
    return DC_OK;
}
