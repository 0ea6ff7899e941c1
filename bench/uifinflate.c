/*
 * The UIF benchmark's baseline: zlib's own inflate, on one thread, of an
 * ISO-type zlib UIF's blocks into its plain image, block after block, as
 * uif2iso does it but without its questions.  Only the footer and the
 * block table are read (../shared/FORMATS.md §5); no checks beyond what
 * keeps it from running off its buffers.  Not a test: bench/uif.sh runs
 * it beside discconv (bench/uifinflate IN.uif OUT.iso).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void die(const char *why)
{
    fprintf(stderr, "bench/uifinflate: %s\n", why);
    exit(1);
}

static void read_at(FILE *f, uint64_t at, void *buffer, size_t len)
{
    if (fseeko(f, (off_t)at, SEEK_SET) != 0 || fread(buffer, 1, len, f) != len)
        die("cannot read the UIF");
}

static void inflate_exactly(const uint8_t *in, size_t in_len, uint8_t *out,
                            size_t out_len)
{
    uLongf got = (uLongf)out_len;
    if (uncompress(out, &got, in, (uLong)in_len) != Z_OK || got != out_len)
        die("a block does not inflate to its length");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: bench/uifinflate IN.uif OUT.iso");
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    if (in == NULL || out == NULL)
        die("cannot open the files");
    uint8_t bbis[64], head[16];
    if (fseeko(in, -64, SEEK_END) != 0 || fread(bbis, 1, 64, in) != 64 ||
        memcmp(bbis, "bbis", 4) != 0 || bbis[8] >= 3)
        die("not a zlib UIF");
    uint32_t sector_size = le32(bbis + 20);
    read_at(in, le64(bbis + 28), head, sizeof head);
    uint32_t packed_len = le32(head + 4) - 8, count = le32(head + 12);
    if (memcmp(head, "blhr", 4) != 0 || le32(head + 8) != 1 ||
        count > (1u << 24) || packed_len > (1u << 28))
        die("no compressed block table");
    uint8_t *packed = malloc(packed_len), *table = malloc((size_t)count * 24);
    if (packed == NULL || table == NULL)
        die("out of memory");
    read_at(in, le64(bbis + 28) + sizeof head, packed, packed_len);
    inflate_exactly(packed, packed_len, table, (size_t)count * 24);
    uint8_t *block_in = NULL, *block_out = NULL;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = table + (size_t)i * 24;
        uint32_t zsize = le32(e + 8), type = le32(e + 20);
        size_t size = (size_t)le32(e + 16) * sector_size;
        if (zsize > (64u << 20) || size > (64u << 20))
            die("a block larger than 64 MiB");
        block_in = realloc(block_in, zsize + 1);
        block_out = realloc(block_out, size + 1);
        if (block_in == NULL || block_out == NULL)
            die("out of memory");
        if (zsize > 0)
            read_at(in, le64(e), block_in, zsize);
        if (type == 5)
            inflate_exactly(block_in, zsize, block_out, size);
        else if (type == 1 && zsize <= size) {
            memcpy(block_out, block_in, zsize);
            memset(block_out + zsize, 0, size - zsize);
        } else if (type == 3)
            memset(block_out, 0, size);
        else
            die("a block of an unknown type");
        if (fseeko(out, (off_t)le32(e + 12) * sector_size, SEEK_SET) != 0 ||
            fwrite(block_out, 1, size, out) != size)
            die("cannot write the output");
    }
    if (fclose(out) != 0)
        die("cannot write the output");
    fclose(in);
    free(block_in);
    free(block_out);
    free(packed);
    free(table);
    return 0;
}
