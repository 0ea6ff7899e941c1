/* Disc ids from a table of contents, against the published test vectors
 * of an independent implementation (the Rust crate cdtoc, its tests of
 * AccurateRip, CDDB and CTDB ids), given as CDTOC strings: "N+" audio
 * tracks, their starts in hex (LBA + 150), a CD-Extra's data track, the
 * lead-out. */
#include "testutil.h"

#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_cdtoc(const char *text, dc_toc *toc)
{
    char *end;
    long audio = strtol(text, &end, 16);
    int64_t value[DC_MAX_TRACKS + 2];
    int n = 0;
    while (*end == '+')
        value[n++] = strtoll(end + 1, &end, 16) - DC_PREGAP_TRACK1;
    assert_true(n == audio + 1 || n == audio + 2);
    toc->count = n - 1;
    for (int i = 0; i < toc->count; i++) {
        toc->start[i] = value[i];
        toc->data[i] = i >= audio; /* a CD-Extra's last track */
    }
    toc->leadout = value[n - 1];
}

static void test_toc_ids(void **state)
{
    static const struct {
        const char *cdtoc, *accuraterip, *ctdb;
    } cases[] = {
        {"4+96+2D2B+6256+B327+D84A", "004-0002189a-00087f33-1f02e004",
         "VukMWWItblELRM.CEFpXxw0FlME-"},
        {"D+96+3B5D+78E3+B441+EC83+134F4+17225+1A801+1EA5C+23B5B+27CEF+"
         "2B58B+2F974+35D56+514C8",
         "013-001802ed-00f8ee31-b611560e", "gmEsiU5wvQFA1Nq9YE_posiwgK8-"},
        {"10+B6+5352+62AC+99D6+E218+12AC0+135E7+142E9+178B0+19D22+1B0D0+"
         "1E7FA+22882+247DB+27074+2A1BD+2C0FB",
         "016-0018be61-012232a8-d6096410", "iL4EZ56YD5WmG..M4v5qzPG0cFY-"},
        {"15+247E+2BEC+4AF4+7368+9704+B794+E271+110D0+12B7A+145C1+16CAF+"
         "195CF+1B40F+1F04A+21380+2362D+2589D+2793D+2A760+2DA32+300E1+32B46",
         "021-0022250d-020afc1b-100a5515", "8geCxI4CSyw_ydvHWGmPQUGF1UE-"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dc_toc toc;
        dc_toc_ids_result ids;
        parse_cdtoc(cases[i].cdtoc, &toc);
        dc_toc_ids(&toc, &ids);
        char text[64];
        snprintf(text, sizeof text, "%03d-%08x-%08x-%08x", ids.audio_tracks,
                 ids.accuraterip_id1, ids.accuraterip_id2, ids.cddb);
        assert_string_equal(text, cases[i].accuraterip);
        assert_string_equal(ids.ctdb, cases[i].ctdb);
    }
}

/* A data-only disc has a freedb id but no audio ids. */
static void test_data_disc(void **state)
{
    dc_toc toc = {.count = 1, .start = {0}, .data = {true}, .leadout = 1000};
    dc_toc_ids_result ids;
    dc_toc_ids(&toc, &ids);
    assert_int_equal(ids.audio_tracks, 0);
    assert_string_equal(ids.ctdb, "");
    /* 2 s at 00:02:00, 1150 / 75 = 15 s at the lead-out: 13 s, 1 track */
    assert_int_equal(ids.cddb, 0x02000d01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toc_ids),
        cmocka_unit_test(test_data_disc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
