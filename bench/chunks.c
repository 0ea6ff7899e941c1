/*
 * Container-layer speed: a file cut into zlib chunks by the chunk writer,
 * then read back sequentially through the chunked source, with 1 and 2
 * workers each; MB/s of plain bytes (the best of RUNS: other load on the
 * machine only ever slows a run down).  The read-back
 * is compared with the file once, untimed.  Not a test: run it by hand,
 * e.g. on an ISO of /usr/share (bench/chunks FILE [CODEC [CHUNK_KIB]]).
 */
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { RUNS = 5, BLOCK = 1 << 20 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process used so far, every thread. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void check(dc_status status, const dc_error *err)
{
    if (status != DC_OK) {
        fprintf(stderr, "bench/chunks: %s\n", err->message);
        exit(1);
    }
}

static double best(const double *runs)
{
    double least = runs[0];
    for (int i = 1; i < RUNS; i++)
        if (runs[i] < least)
            least = runs[i];
    return least;
}

/* Writes the file's bytes as chunks to `path`; returns the seconds. */
static double write_chunks(const uint8_t *plain, size_t size, const char *path,
                           dc_codec codec, size_t chunk, int workers,
                           dc_chunk_map *map)
{
    dc_error err = {0};
    dc_output_policy policy = {.force = true, .stream_fd = -1};
    dc_output_set set;
    dc_output_set_init(&set, &policy);
    dc_output *out;
    check(dc_output_set_add(&set, path, &out, &err), &err);
    double start = now();
    dc_chunk_writer *writer;
    check(dc_chunk_writer_start(&writer, out, codec, 0, chunk, workers, &err),
          &err);
    for (size_t at = 0; at < size; at += BLOCK)
        check(dc_chunk_writer_feed(writer, plain + at,
                                   size - at < BLOCK ? size - at : BLOCK, &err),
              &err);
    check(dc_chunk_writer_finish(writer, map, &err), &err);
    check(dc_output_set_commit(&set, &err), &err);
    double seconds = now() - start;
    dc_output_set_abort(&set);
    return seconds;
}

static double read_chunks(const char *path, const dc_chunk_map *map,
                          int workers, const uint8_t *compare)
{
    dc_error err = {0};
    dc_chunk_map copy = *map;
    copy.chunks = malloc((size_t)map->count * sizeof *copy.chunks);
    memcpy(copy.chunks, map->chunks, (size_t)map->count * sizeof *copy.chunks);
    copy.group_names = NULL;
    copy.group_count = 0;
    dc_source *file, *source;
    check(dc_source_open_file(&file, path, &err), &err);
    check(dc_chunk_map_validate(&copy, dc_source_size(file), map->size, path,
                                &err),
          &err);
    uint8_t *block = malloc(BLOCK);
    double start = now();
    check(dc_source_chunked(&source, file, &copy, workers, path, &err), &err);
    for (int64_t at = 0; at < map->size; at += BLOCK) {
        size_t n = map->size - at < BLOCK ? (size_t)(map->size - at) : BLOCK;
        check(dc_source_read_at(source, at, block, n, &err), &err);
        if (compare != NULL && memcmp(block, compare + at, n) != 0) {
            fprintf(stderr, "bench/chunks: read back differs near %lld\n",
                    (long long)at);
            exit(1);
        }
    }
    dc_source_close(source);
    double seconds = now() - start;
    dc_source_close(file);
    free(block);
    return seconds;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench/chunks FILE [zlib|bzip2|xz [CHUNK_KIB]]\n");
        return 2;
    }
    dc_codec codec = DC_CODEC_ZLIB;
    if (argc > 2)
        for (int c = 0; c < DC_CODEC_COUNT; c++)
            if (strcmp(argv[2], dc_codec_name(c)) == 0)
                codec = (dc_codec)c;
    size_t chunk = (argc > 3 ? (size_t)atoi(argv[3]) : 1024) * 1024;
    dc_error err = {0};
    dc_source *file;
    uint8_t *plain;
    size_t size;
    check(dc_source_open_file(&file, argv[1], &err), &err);
    check(dc_source_read_all(file, SIZE_MAX / 2, &plain, &size, &err), &err);
    dc_source_close(file);

    char path[] = "/dev/shm/discconv-bench-chunks.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    double mb = (double)size / 1e6;
    printf("%s: %.0f MB, %s chunks of %zu KiB\n", argv[1], mb,
           dc_codec_name(codec), chunk / 1024);
    /* Runs alternate between 1 and 2 workers, so that both meet the same
     * load from elsewhere. */
    double write_s[2][RUNS], read_s[2][RUNS], read_cpu[2] = {0, 0};
    long packed = 0;
    for (int r = 0; r < RUNS; r++)
        for (int w = 0; w < 2; w++) {
            dc_chunk_map map = {0};
            write_s[w][r] = write_chunks(plain, size, path, codec, chunk, w + 1,
                                         &map);
            packed = 0;
            for (int i = 0; i < map.count; i++)
                packed += (long)map.chunks[i].in_length;
            if (r == 0) /* checks the bytes, warms the cache */
                read_chunks(path, &map, w + 1, plain);
            double cpu_start = cpu();
            read_s[w][r] = read_chunks(path, &map, w + 1, NULL);
            read_cpu[w] += (cpu() - cpu_start) / RUNS;
            dc_chunk_map_free(&map);
        }
    printf("packed to %.1f%% of the size\n", 100.0 * (double)packed /
                                                (double)size);
    for (int w = 0; w < 2; w++)
        printf("workers %d: write %6.0f MB/s (%.3f s)   read %6.0f MB/s "
               "(%.3f s; %.3f s CPU on average)\n", w + 1,
               mb / best(write_s[w]), best(write_s[w]), mb / best(read_s[w]),
               best(read_s[w]), read_cpu[w]);
    unlink(path);
    free(plain);
    return 0;
}
