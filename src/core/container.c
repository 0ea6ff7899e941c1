/*
 * The chunk map: where each piece of a container's plain image comes from,
 * checked as a whole before anything is read through it.
 */
#include "chunked.h"
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dc_status dc_chunk_map_add(dc_chunk_map *map, const dc_chunk *chunk,
                           dc_error *err)
{
    if (map->count == map->capacity) {
        if (map->capacity > INT_MAX / 2)
            return dc_fail(err, DC_ERR_UNSUPPORTED, "more than %d chunks",
                           INT_MAX / 2);
        int capacity = map->capacity != 0 ? map->capacity * 2 : 64;
        dc_chunk *grown = realloc(map->chunks, (size_t)capacity * sizeof *grown);
        if (grown == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        map->chunks = grown;
        map->capacity = capacity;
    }
    map->chunks[map->count++] = *chunk;
    return DC_OK;
}

dc_status dc_chunk_map_name_group(dc_chunk_map *map, int group,
                                  const char *name, dc_error *err)
{
    if (group < 0 || group == INT_MAX)
        return dc_fail(err, DC_ERR_USAGE, "chunk group %d", group);
    if (group >= map->group_count) {
        char **grown = realloc(map->group_names,
                               (size_t)(group + 1) * sizeof *grown);
        if (grown == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        for (int g = map->group_count; g <= group; g++)
            grown[g] = NULL;
        map->group_names = grown;
        map->group_count = group + 1;
    }
    char *copy = dc_strdup(name);
    if (copy == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(map->group_names[group]);
    map->group_names[group] = copy;
    return DC_OK;
}

void dc_chunk_where(const dc_chunk_map *map, const char *name,
                    const dc_chunk *chunk, char *buf, size_t size)
{
    const char *group = chunk->group >= 0 && chunk->group < map->group_count
                            ? map->group_names[chunk->group]
                            : NULL;
    bool zero = chunk->codec == DC_CODEC_ZERO;
    snprintf(buf, size, "%s: %s%s%s %d at %soffset %lld", name,
             group != NULL ? group : "", group != NULL ? " " : "",
             map->chunk_noun != NULL ? map->chunk_noun : "chunk", chunk->index, zero ? "image " : "",
             (long long)(zero ? chunk->out_offset : chunk->in_offset));
}

static int by_out_offset(const void *a, const void *b)
{
    const dc_chunk *x = a, *y = b;
    if (x->out_offset != y->out_offset)
        return x->out_offset < y->out_offset ? -1 : 1;
    /* Equal offsets overlap, and are refused; the order only has to be
     * the same on every run for the message to be. */
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Why a chunk cannot be read as it stands, alone, or NULL. */
static const char *chunk_problem(const dc_chunk *c, int64_t input_size,
                                 int64_t size, char *why, size_t why_size)
{
    if ((unsigned)c->codec >= DC_CODEC_COUNT)
        return "has an unknown codec";
    if (c->out_length <= 0)
        return "holds no bytes";
    if (c->out_offset < 0 || c->out_offset > size - c->out_length) {
        snprintf(why, why_size, "covers bytes %lld to %lld of the image, "
                 "which holds %lld", (long long)c->out_offset,
                 (long long)c->out_offset + c->out_length, (long long)size);
        return why;
    }
    if (c->codec == DC_CODEC_ZERO)
        return NULL; /* reads nothing */
    if (c->out_length > DC_CHUNK_MAX) {
        snprintf(why, why_size, "decodes to %lld bytes, more than the %lld "
                 "a chunk may hold", (long long)c->out_length,
                 (long long)DC_CHUNK_MAX);
        return why;
    }
    if (c->in_offset < 0 || c->in_length <= 0 ||
        c->in_offset > input_size - c->in_length) {
        snprintf(why, why_size, "reads %lld bytes from offset %lld, past "
                 "the end of the input (%lld bytes)", (long long)c->in_length,
                 (long long)c->in_offset, (long long)input_size);
        return why;
    }
    if (c->codec == DC_CODEC_STORED && c->in_length != c->out_length) {
        snprintf(why, why_size, "is stored as %lld bytes but stands for %lld",
                 (long long)c->in_length, (long long)c->out_length);
        return why;
    }
    /* Generous (padding happens), but no encoder grows data this much. */
    int64_t most = (int64_t)dc_codec_bound(c->codec, (size_t)c->out_length) +
                   4096;
    if (c->in_length > most) {
        snprintf(why, why_size, "is %lld bytes of %s for %lld bytes, more "
                 "than any encoder makes", (long long)c->in_length,
                 dc_codec_name(c->codec), (long long)c->out_length);
        return why;
    }
    return NULL;
}

dc_status dc_chunk_map_validate(dc_chunk_map *map, int64_t input_size,
                                int64_t size, const char *name,
                                dc_error *err)
{
    if (size < 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: image size %lld", name,
                       (long long)size);
    map->size = size;
    if (map->count > 1)
        qsort(map->chunks, (size_t)map->count, sizeof *map->chunks,
              by_out_offset);
    char where[384], why[160], other[384];
    for (int i = 0; i < map->count; i++) {
        const dc_chunk *c = &map->chunks[i];
        const char *problem = chunk_problem(c, input_size, size, why,
                                            sizeof why);
        if (problem != NULL) {
            dc_chunk_where(map, name, c, where, sizeof where);
            return dc_fail(err, DC_ERR_FORMAT, "%s: %s", where, problem);
        }
        const dc_chunk *before = i > 0 ? &map->chunks[i - 1] : NULL;
        if (before != NULL &&
            c->out_offset < before->out_offset + before->out_length) {
            dc_chunk_where(map, name, c, where, sizeof where);
            /* The other chunk by group and number only: one line. */
            const char *group =
                before->group >= 0 && before->group < map->group_count
                    ? map->group_names[before->group]
                    : NULL;
            snprintf(other, sizeof other, "%s%schunk %d",
                     group != NULL ? group : "", group != NULL ? " " : "",
                     before->index);
            return dc_fail(err, DC_ERR_FORMAT, "%s: overlaps %s (image bytes "
                           "%lld to %lld)", where, other,
                           (long long)c->out_offset,
                           (long long)before->out_offset + before->out_length);
        }
    }
    return DC_OK;
}

void dc_chunk_map_free(dc_chunk_map *map)
{
    if (map == NULL)
        return;
    free(map->chunks);
    for (int g = 0; g < map->group_count; g++)
        free(map->group_names[g]);
    free(map->group_names);
    *map = (dc_chunk_map){0};
}
