/*
 * Inside the container layer (container.c, chunked.c, source.c): naming a
 * chunk in messages, and the hook that makes the chunked source a source.
 */
#ifndef DC_CHUNKED_H
#define DC_CHUNKED_H

#include "container.h"

/* "x.dmg: partition 3 (Apple_HFS) chunk 17 at offset 81920" (the input
 * offset; a zero chunk's image offset) into buf. */
void dc_chunk_where(const dc_chunk_map *map, const char *name,
                    const dc_chunk *chunk, char *buf, size_t size);

/* The state behind a chunked source (chunked.c). */
typedef struct dc_chunked dc_chunked;
dc_status dc_chunked_read(dc_chunked *chunked, int64_t offset, uint8_t *buffer,
                          size_t len, dc_error *err);
/* dc_source_view for a chunked source. */
dc_status dc_chunked_view(dc_chunked *chunked, int64_t offset, size_t len,
                          const uint8_t **bytes, size_t *got, dc_error *err);
void dc_chunked_free(dc_chunked *chunked);

/* A source of `size` bytes served by dc_chunked_read from `chunked`, which
 * it owns and frees; `input` names the file behind it (source.c). */
dc_status dc_source_new_chunked(dc_source **source, dc_chunked *chunked,
                                dc_source *input, int64_t size,
                                const char *name, dc_error *err);

#endif
