/*
 * Test driver for the chunk decoders (tests/codecs.sh): decodes one chunk
 * file to exactly OUT_LEN bytes and writes them to OUT; with -r N decodes
 * it N times and prints the nanoseconds the decoding took.  A refusal
 * prints its message and exits 4, as the CLI does.
 *
 * usage: codec_tool [-r N] adc|lzfse OUT_LEN IN [OUT]
 */
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *bytes = NULL;
    size_t size = 0, cap = 0, got;
    do {
        if (size == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(bytes, cap);
            if (grown == NULL) {
                free(bytes);
                fclose(f);
                return NULL;
            }
            bytes = grown;
        }
        got = fread(bytes + size, 1, cap - size, f);
        size += got;
    } while (got > 0);
    fclose(f);
    *len = size;
    return bytes;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long repeat = 0;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        repeat = strtol(argv[2], NULL, 10);
        argc -= 2;
        argv += 2;
    }
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: codec_tool [-r N] adc|lzfse OUT_LEN IN [OUT]\n");
        return 2;
    }
    dc_status (*decode)(const uint8_t *, size_t, uint8_t *, size_t,
                        const char *, dc_error *) =
        strcmp(argv[1], "adc") == 0     ? dc_adc_decode
        : strcmp(argv[1], "lzfse") == 0 ? dc_lzfse_decode
                                        : NULL;
    if (decode == NULL) {
        fprintf(stderr, "codec_tool: unknown codec %s\n", argv[1]);
        return 2;
    }
    size_t out_len = (size_t)strtoull(argv[2], NULL, 10);
    size_t in_len;
    uint8_t *in = read_all(argv[3], &in_len);
    uint8_t *out = malloc(out_len ? out_len : 1);
    if (in == NULL || out == NULL) {
        fprintf(stderr, "codec_tool: cannot read %s\n", argv[3]);
        free(in);
        free(out);
        return 3;
    }
    dc_error err = {0};
    double start = now_ns();
    long runs = repeat > 0 ? repeat : 1;
    for (long i = 0; i < runs && err.status == DC_OK; i++)
        decode(in, in_len, out, out_len, argv[3], &err);
    double took = now_ns() - start;
    int rc = 0;
    if (err.status != DC_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = 4;
    } else if (repeat > 0) {
        printf("%.0f\n", took);
    }
    if (rc == 0 && argc == 5) {
        FILE *f = fopen(argv[4], "wb");
        if (f == NULL || fwrite(out, 1, out_len, f) != out_len ||
            fclose(f) != 0) {
            fprintf(stderr, "codec_tool: cannot write %s\n", argv[4]);
            rc = 6;
        }
    }
    free(in);
    free(out);
    return rc;
}
