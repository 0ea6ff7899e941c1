/* Fuzz target: the DMG reader's tables -- the XML property list (libxml2),
 * the binary resource fork, and the mish chunk tables they hold, made into
 * a chunk map -- on the input's bytes directly, then the same bytes as a
 * whole file through the public open and read API.  An encrypted image's
 * header and key blobs too, and, when its PBKDF2 is cheap, its data
 * decrypted with the password "pw" (the seed encrcdsa.dmg's) and opened
 * with it. */
#include "fuzz.h"
#include "../src/formats/dmg/dmg.h"

#include <stdlib.h>

static void tables(dc_status (*parse)(const char *, const uint8_t *, size_t,
                                      dmg_blkx_list *, dc_error *),
                   const uint8_t *data, size_t size)
{
    dc_error err = {0};
    dmg_blkx_list list;
    if (parse("fuzz", data, size, &list, &err) != DC_OK) {
        fuzz_check_error(err.status, &err);
        return;
    }
    dmg_partition *parts = calloc((size_t)list.count + 1, sizeof *parts);
    int count = 0;
    for (int i = 0; parts != NULL && i < list.count; i++) {
        dc_error mish_err = {0};
        if (dmg_mish_parse("fuzz", i, &list.items[i], &parts[count],
                           &mish_err) == DC_OK)
            count++;
        else {
            fuzz_check_error(mish_err.status, &mish_err);
            dmg_partition_free(&parts[count]);
        }
    }
    dc_chunk_map map;
    dc_error map_err = {0};
    if (dmg_build_map("fuzz", parts, count, (int64_t)size, INT64_C(1) << 40,
                      &map, &map_err) == DC_OK)
        dc_chunk_map_free(&map);
    else
        fuzz_check_error(map_err.status, &map_err);
    for (int i = 0; i < count; i++)
        dmg_partition_free(&parts[i]);
    free(parts);
    dmg_blkx_list_free(&list);
}

#define PASSWORD "pw"
#define CHEAP_ITERATIONS 64  /* PBKDF2 rounds a run may spend */

/* Reads the whole decrypted source in pieces that start and end inside
 * its blocks and span several. */
static void read_decrypted(dc_source *plain)
{
    static uint8_t buffer[3 * 4096 + 17];
    int64_t size = dc_source_size(plain);
    size_t piece = 1;
    for (int64_t at = 0; at < size; at += (int64_t)piece) {
        dc_error err = {0};
        size_t got;
        if (dc_source_read_some(plain, at, buffer, piece, &got, &err) !=
            DC_OK) {
            fuzz_check_error(err.status, &err);
            return;
        }
        piece = piece * 7 % sizeof buffer + 1;
    }
}

/* Whether unwrapping every key blob costs little. */
static bool cheap(const dmg_crypt *crypt)
{
    for (int i = 0; i < crypt->blob_count; i++)
        if (crypt->blobs[i].iterations > CHEAP_ITERATIONS)
            return false;
    return true;
}

static void decrypt_with_password(dc_source *file, const dmg_crypt *crypt)
{
    dc_error err = {0};
    dc_source *plain;
    if (dmg_decrypting_source(&plain, file, "fuzz", crypt, PASSWORD, &err) !=
        DC_OK) {
        fuzz_check_error(err.status, &err);
        return;
    }
    read_decrypted(plain);
    dc_source_close(plain);
}

static void open_with_password(const char *name)
{
    char *path = fuzz_path(name);
    dc_open_options options = {.format_name = "dmg", .password = PASSWORD};
    dc_image *image = NULL;
    dc_error err = {0};
    if (dc_image_open_with(&image, path, &options, &err) == DC_OK) {
        fuzz_read_image(image);
        dc_image_close(image);
    } else {
        fuzz_check_error(err.status, &err);
    }
    free(path);
}

static void encrypted(const uint8_t *data, size_t size)
{
    dc_error err = {0};
    dc_source *file;
    dmg_crypt crypt;
    if (dc_source_memory(&file, data, size, "fuzz", &err) != DC_OK)
        return;
    if (dmg_crypt_read(file, "fuzz", &crypt, &err) != DC_OK)
        fuzz_check_error(err.status, &err);
    else if (cheap(&crypt)) {
        decrypt_with_password(file, &crypt);
        open_with_password("in.dmg");
    }
    dc_source_close(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tables(dmg_plist_blkx, data, size);
    tables(dmg_rsrc_blkx, data, size);
    fuzz_write("in.dmg", data, size);
    fuzz_open_and_read("in.dmg", "dmg");
    encrypted(data, size);
    return 0;
}
