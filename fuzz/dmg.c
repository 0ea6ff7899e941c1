/* Fuzz target: the DMG reader's tables -- the XML property list (libxml2),
 * the binary resource fork, and the mish chunk tables they hold, made into
 * a chunk map -- on the input's bytes directly, then the same bytes as a
 * whole file through the public open and read API. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tables(dmg_plist_blkx, data, size);
    tables(dmg_rsrc_blkx, data, size);
    fuzz_write("in.dmg", data, size);
    fuzz_open_and_read("in.dmg", "dmg");
    return 0;
}
