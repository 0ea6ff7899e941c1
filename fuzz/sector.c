/*
 * Fuzz target: the ECMA-130 sector codec.  Raw sectors from the input are
 * classified, verified and split as a reader does; then the input's bytes
 * are encoded as Mode 1, Form 1 and Form 2 sectors, which must classify as
 * such and verify, and must stop verifying when one protected byte
 * changes: a codec bug is a finding, not only a crash.
 */
#include "fuzz.h"
#include "sector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(bool ok, const char *what, int64_t lba, size_t at)
{
    if (!ok) {
        fprintf(stderr, "sector codec: %s (LBA %lld, byte %zu)\n", what,
                (long long)lba, at);
        abort();
    }
}

static void inspect(const uint8_t *raw)
{
    dc_sector_kind kind = dc_sector_classify(raw);
    size_t offset, size;
    dc_sector_user_span(kind, &offset, &size);
    expect(offset + size <= DC_RAW_SECTOR, "user data outside the sector",
           0, offset);
    (void)dc_sector_verify(raw);
    int64_t lba;
    if (dc_sector_header_lba(raw, &lba))
        expect(lba >= -DC_PREGAP_TRACK1 && lba < 450000 - DC_PREGAP_TRACK1,
               "header address out of range", lba, 12);
}

/* Encodes, checks the result, then flips byte `at` (from `from` on; the
 * bytes before it are sync, address and mode, which the check does not
 * cover by design) and checks that verification notices. */
static void round_trip(uint8_t *raw, dc_sector_kind want, int64_t lba,
                       size_t from, size_t to, size_t at, uint8_t flip)
{
    expect(dc_sector_classify(raw) == want, "encoded sector misclassified",
           lba, 15);
    expect(dc_sector_verify(raw) == DC_CHECK_OK,
           "encoded sector fails verification", lba, 0);
    int64_t read_lba;
    int64_t address = (lba + DC_PREGAP_TRACK1) % 450000;
    if (address < 0)
        address += 450000;
    expect(dc_sector_header_lba(raw, &read_lba) &&
           read_lba == address - DC_PREGAP_TRACK1,
           "header address does not read back", lba, 12);
    at = from + at % (to - from);
    raw[at] ^= flip != 0 ? flip : 1;
    expect(dc_sector_verify(raw) != DC_CHECK_OK,
           "a changed byte passes verification", lba, at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t raw[DC_RAW_SECTOR];
    for (size_t at = 0; at < size; at += DC_RAW_SECTOR) {
        size_t n = size - at < DC_RAW_SECTOR ? size - at : DC_RAW_SECTOR;
        memset(raw, 0, sizeof raw);
        memcpy(raw, data + at, n);
        inspect(raw);
    }
    (void)dc_edc_compute(data, size);

    /* Encoding parameters from the first bytes, user data from the rest. */
    enum { PARAMS = 14 };
    if (size < PARAMS)
        return 0;
    int64_t lba = 0;
    for (int i = 0; i < 8; i++)
        lba = (int64_t)((uint64_t)lba << 8 | data[i]);
    lba %= 1000000; /* any address, lead-in and past 100 minutes too */
    size_t flip_at = (size_t)data[8] << 8 | data[9];
    uint8_t flip = data[10];
    uint8_t subheader[4] = {data[11], data[12], data[13], 0};
    uint8_t user[DC_USER_FORM2];
    memset(user, 0, sizeof user);
    memcpy(user, data + PARAMS,
           size - PARAMS < sizeof user ? size - PARAMS : sizeof user);

    dc_sector_encode_mode1(raw, lba, user);
    round_trip(raw, DC_SECTOR_MODE1, lba, 16, DC_RAW_SECTOR, flip_at, flip);

    subheader[2] &= (uint8_t)~DC_XA_SUBMODE_FORM2;
    dc_sector_encode_form1(raw, lba, subheader, user);
    round_trip(raw, DC_SECTOR_MODE2_FORM1, lba, 24, DC_RAW_SECTOR, flip_at,
               flip);

    subheader[2] |= DC_XA_SUBMODE_FORM2;
    dc_sector_encode_form2(raw, lba, subheader, user);
    /* Form 2 carries an EDC only; a zero EDC means "none" and passes. */
    if (raw[2348] | raw[2349] | raw[2350] | raw[2351])
        round_trip(raw, DC_SECTOR_MODE2_FORM2, lba, 24, 2348, flip_at, flip);
    return 0;
}
