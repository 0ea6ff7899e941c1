/* The DMG writer's tables: the mish block, the property list and the koly
 * trailer, checked field by field against the layout in FORMATS.md §6
 * (offsets from Apple's UDIF as 7-Zip and libdmg-hfsplus read it) and
 * base64 against RFC 4648's test vectors.  tests/dmg-write.sh has 7-Zip
 * and dmg2img read whole files back. */
#include "testutil.h"

#include "../src/formats/dmg/write.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void add_chunk(dc_chunk_map *map, int64_t out_offset,
                      int64_t out_length, int64_t in_offset,
                      int64_t in_length, dc_codec codec)
{
    if (map->count == map->capacity) {
        map->capacity = map->capacity * 2 + 4;
        map->chunks = realloc(map->chunks, sizeof *map->chunks *
                                               (size_t)map->capacity);
        assert_non_null(map->chunks);
    }
    map->chunks[map->count++] = (dc_chunk){out_offset, out_length, in_offset,
                                           in_length, codec, 0, map->count};
}

#define MIB (1 << 20)

/* One entry: type, (comment), first sector, sectors, in offset, in length. */
static void assert_entry(const uint8_t *mish, int i, uint32_t type,
                         uint64_t first, uint64_t sectors, uint64_t in_offset,
                         uint64_t in_length)
{
    const uint8_t *e = mish + 204 + 40 * i;
    assert_int_equal(be32(e), type);
    assert_int_equal(be32(e + 4), 0);
    assert_int_equal(be64(e + 8), first);
    assert_int_equal(be64(e + 16), sectors);
    assert_int_equal(be64(e + 24), in_offset);
    assert_int_equal(be64(e + 32), in_length);
}

/* zlib, two zero chunks, stored, xz: the zero chunks become one run
 * placed where the data stands, and a terminator ends the table. */
static void test_mish_entries(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add_chunk(&map, 0, MIB, 0, 1000, DC_CODEC_ZLIB);
    add_chunk(&map, MIB, MIB, 1000, 0, DC_CODEC_ZERO);
    add_chunk(&map, 2 * MIB, MIB, 1000, 0, DC_CODEC_ZERO);
    add_chunk(&map, 3 * MIB, MIB, 1000, MIB, DC_CODEC_STORED);
    add_chunk(&map, 4 * MIB, 4096, 1000 + MIB, 300, DC_CODEC_XZ);
    int64_t sectors = (4 * MIB + 4096) / 512;
    uint8_t *mish;
    size_t len;
    dc_error err = {0};
    assert_int_equal(dmg_mish_encode(&map, sectors, 1300 + MIB, 0xCAFEF00D,
                                     &mish, &len, &err), DC_OK);
    assert_int_equal(len, 204 + 5 * 40);
    assert_memory_equal(mish, "mish", 4);
    assert_int_equal(be32(mish + 4), 1);           /* version */
    assert_int_equal(be64(mish + 8), 0);           /* first sector */
    assert_int_equal(be64(mish + 16), sectors);
    assert_int_equal(be64(mish + 24), 0);          /* data start */
    assert_int_equal(be32(mish + 32), 0x808);      /* 1 MiB chunks */
    assert_int_equal(be32(mish + 64), 2);          /* CRC-32 */
    assert_int_equal(be32(mish + 68), 32);
    assert_int_equal(be32(mish + 72), 0xCAFEF00D);
    assert_int_equal(be32(mish + 200), 5);
    assert_entry(mish, 0, 0x80000005, 0, 2048, 0, 1000);
    assert_entry(mish, 1, 0x00000000, 2048, 4096, 1000, 0);
    assert_entry(mish, 2, 0x00000001, 6144, 2048, 1000, MIB);
    assert_entry(mish, 3, 0x80000008, 8192, 8, 1000 + MIB, 300);
    assert_entry(mish, 4, 0xFFFFFFFF, sectors, 0, 1300 + MIB, 0);
    free(mish);
    free(map.chunks);
}

/* A map that leaves a hole, or stops short, is the writer's bug: said,
 * not written. */
static void test_mish_refuses_gaps(void **state)
{
    (void)state;
    dc_chunk_map map = {0};
    add_chunk(&map, 0, MIB, 0, 10, DC_CODEC_ZLIB);
    add_chunk(&map, 2 * MIB, MIB, 10, 10, DC_CODEC_ZLIB);
    uint8_t *mish;
    size_t len;
    dc_error err = {0};
    assert_int_equal(dmg_mish_encode(&map, 3 * MIB / 512, 20, 0, &mish, &len,
                                     &err), DC_ERR_FORMAT);
    assert_null(mish);
    assert_non_null(strstr(err.message, "chunk 1"));
    map.count = 1;
    dc_error err2 = {0};
    assert_int_equal(dmg_mish_encode(&map, 3 * MIB / 512, 20, 0, &mish, &len,
                                     &err2), DC_ERR_FORMAT);
    assert_non_null(strstr(err2.message, "2048 sectors of 6144"));
    free(map.chunks);
}

static char *plist_of(const char *data, const char *name)
{
    char *text;
    size_t len;
    dc_error err = {0};
    assert_int_equal(dmg_plist_build((const uint8_t *)data, strlen(data),
                                     name, &text, &len, &err), DC_OK);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    free(text);
    return copy;
}

/* The blkx's Data is the mish in base64: RFC 4648 §10's vectors. */
static void test_plist_base64(void **state)
{
    (void)state;
    static const char *const vectors[][2] = {
        {"f", "Zg=="},     {"fo", "Zm8="},     {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char *text = plist_of(vectors[i][0], "x");
        char want[64];
        snprintf(want, sizeof want, "<data>\n\t\t\t\t%s\n\t\t\t\t</data>",
                 vectors[i][1]);
        assert_non_null(strstr(text, want));
        free(text);
    }
    /* 34 bytes: a line of 44 characters (33 bytes), then one more. */
    char *text = plist_of("0123456789abcdefghijklmnopqrstuvwx", "x");
    assert_non_null(strstr(text, "<data>\n\t\t\t\t"
                                 "MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3"
                                 "\n\t\t\t\teA==\n"));
    free(text);
}

/* The keys readers look for, in hdiutil's order, and the plist's end
 * where dmg2img looks for it (in the last 20 bytes). */
static void test_plist_keys(void **state)
{
    (void)state;
    char *text = plist_of("mish", "whole disk (Apple_ISO : 0)");
    const char *order[] = {
        "<plist version=\"1.0\">", "<key>resource-fork</key>",
        "<key>blkx</key>", "<key>Attributes</key>", "<string>0x0050</string>",
        "<key>CFName</key>", "<string>whole disk (Apple_ISO : 0)</string>",
        "<key>Data</key>", "<data>", "</data>", "<key>ID</key>",
        "<string>0</string>", "<key>Name</key>",
        "<string>whole disk (Apple_ISO : 0)</string>", "</array>",
        "<key>plst</key>", "<key>Data</key>", "<key>Name</key>",
        "<string></string>",
    };
    const char *at = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *found = strstr(at, order[i]);
        if (found == NULL)
            fail_msg("'%s' missing after offset %td", order[i], at - text);
        at = found + strlen(order[i]);
    }
    size_t len = strlen(text);
    assert_non_null(strstr(text + len - 20, "</plist>"));
    free(text);
}

static void test_koly_fields(void **state)
{
    (void)state;
    uint8_t koly[DMG_KOLY_SIZE];
    dmg_koly_fields f = {.data_fork_length = 0x123456789,
                         .data_fork_crc = 0x11223344,
                         .plist_offset = 0x123456789,
                         .plist_length = 5000,
                         .master_crc = 0x55667788,
                         .sectors = 0x987654321};
    dmg_koly_encode(koly, &f);
    assert_memory_equal(koly, "koly", 4);
    assert_int_equal(be32(koly + 4), 4);            /* version */
    assert_int_equal(be32(koly + 8), 512);          /* header size */
    assert_int_equal(be32(koly + 12), 1);           /* flattened */
    assert_int_equal(be64(koly + 16), 0);           /* running offset */
    assert_int_equal(be64(koly + 24), 0);           /* data fork offset */
    assert_int_equal(be64(koly + 32), 0x123456789); /* data fork length */
    assert_int_equal(be64(koly + 40), 0);           /* no resource fork */
    assert_int_equal(be64(koly + 48), 0);
    assert_int_equal(be32(koly + 56), 1);           /* segment 1 of 1 */
    assert_int_equal(be32(koly + 60), 1);
    assert_int_equal(be32(koly + 80), 2);           /* data fork CRC-32 */
    assert_int_equal(be32(koly + 84), 32);
    assert_int_equal(be32(koly + 88), 0x11223344);
    assert_int_equal(be64(koly + 216), 0x123456789); /* plist */
    assert_int_equal(be64(koly + 224), 5000);
    assert_int_equal(be64(koly + 296), 0);          /* no code signature */
    assert_int_equal(be64(koly + 304), 0);
    assert_int_equal(be32(koly + 352), 2);          /* master CRC-32 */
    assert_int_equal(be32(koly + 356), 32);
    assert_int_equal(be32(koly + 360), 0x55667788);
    assert_int_equal(be32(koly + 488), 1);          /* device image */
    assert_int_equal(be64(koly + 492), 0x987654321);
    for (int i = 500; i < 512; i++)
        assert_int_equal(koly[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mish_entries),
        cmocka_unit_test(test_mish_refuses_gaps),
        cmocka_unit_test(test_plist_base64),
        cmocka_unit_test(test_plist_keys),
        cmocka_unit_test(test_koly_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
