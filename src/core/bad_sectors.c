/*
 * The list of bad sectors a conversion found (dc_convert_result.bad_ranges):
 * runs of one kind, so a disc with a scratch makes a few entries, and a
 * disc of bad sectors at most one per sector per kind.
 */
#include "format.h"

#include <stdlib.h>

void dc_bad_list_free(dc_bad_list *list)
{
    free(list->ranges);
    *list = (dc_bad_list){0};
}

static dc_status grow(dc_bad_list *list, int more, dc_error *err)
{
    if (list->count + more <= list->capacity)
        return DC_OK;
    int capacity = list->capacity > 0 ? list->capacity : 16;
    while (capacity < list->count + more)
        capacity *= 2;
    dc_bad_range *grown = realloc(list->ranges,
                                  (size_t)capacity * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    list->ranges = grown;
    list->capacity = capacity;
    return DC_OK;
}

dc_status dc_bad_list_add(dc_bad_list *list, int64_t lba, dc_bad_kind kind,
                          dc_error *err)
{
    /* Reads go forward: a sector usually continues the last run. */
    for (int i = list->count - 1; i >= 0 && i >= list->count - 2; i--) {
        dc_bad_range *r = &list->ranges[i];
        if (r->kind != kind)
            continue;
        if (lba >= r->first_lba && lba <= r->first_lba + r->count) {
            if (lba == r->first_lba + r->count)
                r->count++;
            return DC_OK;
        }
        break;
    }
    if (grow(list, 1, err) != DC_OK)
        return err->status;
    list->ranges[list->count++] = (dc_bad_range){lba, 1, kind};
    return DC_OK;
}

static int by_kind_then_lba(const void *a, const void *b)
{
    const dc_bad_range *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->first_lba < y->first_lba ? -1 : x->first_lba > y->first_lba;
}

static int by_lba_then_kind(const void *a, const void *b)
{
    const dc_bad_range *x = a, *y = b;
    if (x->first_lba != y->first_lba)
        return x->first_lba < y->first_lba ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

dc_status dc_bad_list_merge(dc_bad_list *into, dc_bad_list *from,
                            dc_error *err)
{
    if (from->count == 0)
        return DC_OK;
    if (grow(into, from->count, err) != DC_OK)
        return err->status;
    for (int i = 0; i < from->count; i++)
        into->ranges[into->count++] = from->ranges[i];
    dc_bad_list_free(from);
    /* Runs of one kind that touch or overlap become one. */
    qsort(into->ranges, (size_t)into->count, sizeof *into->ranges,
          by_kind_then_lba);
    int kept = 0;
    for (int i = 0; i < into->count; i++) {
        dc_bad_range *last = kept > 0 ? &into->ranges[kept - 1] : NULL;
        const dc_bad_range *r = &into->ranges[i];
        if (last != NULL && last->kind == r->kind &&
            r->first_lba <= last->first_lba + last->count) {
            int64_t end = r->first_lba + r->count;
            if (end > last->first_lba + last->count)
                last->count = end - last->first_lba;
        } else {
            into->ranges[kept++] = *r;
        }
    }
    into->count = kept;
    qsort(into->ranges, (size_t)into->count, sizeof *into->ranges,
          by_lba_then_kind);
    return DC_OK;
}
