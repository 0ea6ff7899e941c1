/*
 * Compressed containers (DMG now; UIF and CHD later): a table of chunks,
 * each compressed on its own, over a plain image.  The core holds the
 * table (a chunk map), the codecs and a source that serves the plain
 * image, decoding chunks on a small worker pool; a container format only
 * parses and writes its own tables.  See doc/architecture.md.
 */
#ifndef DC_CONTAINER_H
#define DC_CONTAINER_H

#include "source.h"

typedef enum dc_codec {
    DC_CODEC_ZERO,    /* no input bytes: reads as zeros (DMG 0x0, 0x2) */
    DC_CODEC_STORED,  /* the input bytes as they are */
    DC_CODEC_ZLIB,    /* a zlib stream (RFC 1950) */
    DC_CODEC_BZIP2,
    DC_CODEC_XZ,      /* an .xz stream (DMG's "LZMA") */
    DC_CODEC_ADC,     /* Apple Data Compression */
    DC_CODEC_LZFSE,   /* LZFSE / LZVN / stored blocks, bvx$-terminated */
    DC_CODEC_LZMA_BCJ, /* UIF's (version >= 3): a flag byte (non-zero: x86
                          BCJ), an .lzma header (5 bytes of properties, an
                          8-byte size that is ignored) and raw LZMA1, end
                          marker optional (../shared/FORMATS.md §5.6);
                          encoded with BCJ and an end marker */
    DC_CODEC_COUNT
} dc_codec;

/* The codec's name for messages and info ("zlib"). */
const char *dc_codec_name(dc_codec codec);

/*
 * Decodes one chunk of in_len bytes into exactly out_len bytes.  A stream
 * that ends before out_len bytes, or holds more, or is corrupt, is
 * DC_ERR_FORMAT naming `where` (e.g. "x.dmg: partition 3 (Apple_HFS)
 * chunk 17 at offset 81920") and what was wrong.  Thread-safe.
 */
dc_status dc_codec_decode(dc_codec codec, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t out_len, const char *where,
                          dc_error *err);
/* Codec-specific decoders (src/core/adc.c, src/core/lzfse.c), the same
 * contract as dc_codec_decode. */
dc_status dc_adc_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len, const char *where, dc_error *err);
dc_status dc_lzfse_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                          size_t out_len, const char *where, dc_error *err);

/*
 * Encodes in_len bytes with a codec that can encode (ZLIB, BZIP2, XZ,
 * UIF_LZMA, STORED) at `level` (0 = the codec's default) into `out`, of out_size
 * bytes (dc_codec_bound() is always enough); *out_len receives the size.
 * Thread-safe.
 */
size_t dc_codec_bound(dc_codec codec, size_t in_len);
dc_status dc_codec_encode(dc_codec codec, int level, const uint8_t *in,
                          size_t in_len, uint8_t *out, size_t out_size,
                          size_t *out_len, dc_error *err);

/* The most bytes one chunk may decode to (DMG's are 1 MiB at most): a map
 * asking for more is refused, so that no file makes us allocate more. */
#define DC_CHUNK_MAX ((int64_t)64 << 20)

/* CRC-32 as zlib computes it (crc32(0, NULL, 0) starts one), through
 * ISA-L's or libdeflate's carry-less-multiply version when configure found
 * one: the containers' checksums cover every byte, so its speed is the
 * speed of verification. */
uint32_t dc_crc32(uint32_t crc, const void *bytes, size_t len);
/* The CRC-32 of A then B, from A's and B's and B's length: a checksum of a
 * whole file from checksums of its pieces, taken by different threads. */
uint32_t dc_crc32_combine(uint32_t crc_a, uint32_t crc_b, int64_t len_b);

/* One chunk: `out_length` bytes of the plain image at `out_offset` come
 * from `in_length` bytes of the input at `in_offset`, through `codec`. */
typedef struct dc_chunk {
    int64_t out_offset;
    int64_t out_length;
    int64_t in_offset;
    int64_t in_length;   /* 0 for DC_CODEC_ZERO */
    dc_codec codec;
    int group;           /* the container's partition, for messages */
    int index;           /* the chunk's number in its group */
} dc_chunk;

typedef struct dc_chunk_map {
    dc_chunk *chunks;    /* sorted by out_offset once validated */
    int count;
    int capacity;
    int64_t size;        /* bytes of the plain image */
    char **group_names;  /* per group, for messages ("partition 3
                            (Apple_HFS : 2)"); may be NULL */
    int group_count;
    const char *chunk_noun; /* what the container calls a chunk in
                               messages ("block"); NULL: "chunk" */
} dc_chunk_map;

dc_status dc_chunk_map_add(dc_chunk_map *map, const dc_chunk *chunk,
                           dc_error *err);
dc_status dc_chunk_map_name_group(dc_chunk_map *map, int group,
                                  const char *name, dc_error *err);
/*
 * Checks the map as a whole against the input it reads (`input_size`
 * bytes) and the plain image's stated `size`: sorts it, and refuses
 * (DC_ERR_FORMAT, naming `name`, the group and the chunk) a chunk of no
 * length, chunks that overlap, one that ends past `size` or reads past
 * the input, an input length absurd for its codec.  Gaps read as zeros.
 */
dc_status dc_chunk_map_validate(dc_chunk_map *map, int64_t input_size,
                                int64_t size, const char *name,
                                dc_error *err);
void dc_chunk_map_free(dc_chunk_map *map);

/*
 * A source serving the plain image: reads decode the chunks they touch,
 * on up to `workers` threads (0: one per core, at most 4) for sequential
 * reads, with output in order and memory bounded (a few chunks per
 * worker).  Takes ownership of *map (validated); `input` must outlive the
 * source.  Decoding errors surface from the read that needs the chunk.
 */
dc_status dc_source_chunked(dc_source **source, dc_source *input,
                            dc_chunk_map *map, int workers, const char *name,
                            dc_error *err);

/*
 * The writer's twin: bytes fed in order are cut into chunks of
 * chunk_size, compressed on worker threads and written to `out` in order
 * from its current position; all-zero chunks are recorded as DC_CODEC_ZERO
 * and written as nothing; a chunk that does not shrink is STORED.  *map
 * receives every chunk (in_offset relative to where writing started).
 */
typedef struct dc_chunk_writer dc_chunk_writer;
dc_status dc_chunk_writer_start(dc_chunk_writer **writer, dc_output *out,
                                dc_codec codec, int level, size_t chunk_size,
                                int workers, dc_error *err);
dc_status dc_chunk_writer_feed(dc_chunk_writer *writer, const uint8_t *bytes,
                               size_t len, dc_error *err);
/* Flushes the last chunk, waits for the workers, hands over the map and
 * frees the writer (also on error). */
dc_status dc_chunk_writer_finish(dc_chunk_writer *writer, dc_chunk_map *map,
                                 dc_error *err);
/* Frees a writer without finishing (after an error elsewhere). */
void dc_chunk_writer_abort(dc_chunk_writer *writer);

#endif
