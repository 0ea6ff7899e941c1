/*
 * The binary Mac resource fork old DMGs keep their blkx tables in (read
 * only when the koly's XML length is 0).  Layout (Inside Macintosh: More
 * Macintosh Toolbox, "Resource Manager"), big-endian:
 *   header: data offset (4), map offset (4), data length (4), map length (4)
 *   map: 16 reserved, 4 + 2 reserved, attributes (2), type list offset (2,
 *        from the map), name list offset (2, from the map)
 *   type list: count - 1 (2), then per type: type (4), count - 1 (2),
 *        reference list offset (2, from the type list)
 *   reference: ID (2), name offset (2, from the name list; 0xFFFF none),
 *        attributes (1), data offset (3, from the data), reserved (4)
 *   data: length (4) and the bytes; names: a length byte and the bytes.
 */
#include "dmg.h"

#include <string.h>

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Whether [offset, offset + len) lies inside the fork. */
static bool inside(size_t size, uint64_t offset, uint64_t len)
{
    return offset <= size && len <= size - offset;
}

static dc_status bad(const char *where, const char *what, uint64_t offset,
                     dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: resource fork: %s at offset %llu "
                   "lies outside its bytes", where, what,
                   (unsigned long long)offset);
}

/* One blkx resource: its data and its name. */
static dc_status read_resource(const char *where, const uint8_t *fork,
                               size_t size, uint64_t data_at, uint64_t names_at,
                               const uint8_t *ref, dmg_blkx_list *list,
                               dc_error *err)
{
    uint64_t at = data_at + be24(ref + 5);
    if (!inside(size, at, 4))
        return bad(where, "a blkx resource", at, err);
    uint64_t len = be32(fork + at);
    if (!inside(size, at + 4, len))
        return bad(where, "the end of a blkx resource", at + 4 + len, err);
    char name[256] = "";
    uint32_t name_offset = be16(ref + 2);
    if (name_offset != 0xFFFF) {
        uint64_t n = names_at + name_offset;
        if (!inside(size, n, 1) || !inside(size, n + 1, fork[n]))
            return bad(where, "a resource name", n, err);
        memcpy(name, fork + n + 1, fork[n]);
        name[fork[n]] = '\0';
    }
    return dmg_blkx_list_add(list, name, fork + at + 4, (size_t)len, err);
}

/* Adds every blkx resource of the fork to the list. */
static dc_status read_blkx_resources(const char *where, const uint8_t *fork,
                                     size_t size, dmg_blkx_list *list,
                                     dc_error *err)
{
    if (size < 16)
        return dc_fail(err, DC_ERR_FORMAT, "%s: resource fork of %zu bytes, "
                       "shorter than its 16-byte header", where, size);
    uint64_t data_at = be32(fork), map_at = be32(fork + 4);
    if (!inside(size, map_at, 30))
        return bad(where, "the resource map", map_at, err);
    const uint8_t *map = fork + map_at;
    uint64_t types_at = map_at + be16(map + 24);
    uint64_t names_at = map_at + be16(map + 26);
    if (!inside(size, types_at, 2))
        return bad(where, "the type list", types_at, err);
    uint32_t type_count = (be16(fork + types_at) + 1) & 0xFFFF;
    for (uint32_t t = 0; t < type_count; t++) {
        uint64_t entry = types_at + 2 + 8 * (uint64_t)t;
        if (!inside(size, entry, 8))
            return bad(where, "a type list entry", entry, err);
        if (memcmp(fork + entry, "blkx", 4) != 0)
            continue;
        uint32_t count = be16(fork + entry + 4) + 1;
        uint64_t refs = types_at + be16(fork + entry + 6);
        for (uint32_t r = 0; r < count && err->status == DC_OK; r++) {
            uint64_t ref = refs + 12 * (uint64_t)r;
            if (!inside(size, ref, 12))
                return bad(where, "a resource reference", ref, err);
            read_resource(where, fork, size, data_at, names_at, fork + ref,
                          list, err);
        }
    }
    return err->status;
}

dc_status dmg_rsrc_blkx(const char *where, const uint8_t *fork, size_t size,
                        dmg_blkx_list *list, dc_error *err)
{
    *list = (dmg_blkx_list){0};
    if (read_blkx_resources(where, fork, size, list, err) == DC_OK &&
        list->count == 0)
        dc_fail(err, DC_ERR_FORMAT, "%s: its resource fork has no blkx "
                "resources: no partitions", where);
    /* Whatever was added before a fault goes with it. */
    if (err->status != DC_OK)
        dmg_blkx_list_free(list);
    return err->status;
}
