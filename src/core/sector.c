/*
 * CD sector codec.  The EDC and the Reed-Solomon P/Q parity are hand-written
 * (no library computes them); the MSF/BCD header arithmetic is libcdio's.
 *
 * Speed matters here (ISO -> raw BIN regenerates every sector): the EDC runs
 * four table-driven streams side by side, and the parity works on 16 GF(2^8)
 * symbols at once with GCC/Clang vector types (SSE2 or NEON where present,
 * plain integer code elsewhere), with no per-byte branches.
 */
#include "sector.h"

#include <pthread.h>
#include <string.h>

#include <cdio/sector.h>
#include <cdio/util.h>

const uint8_t dc_sync_pattern[DC_SYNC_SIZE] = {
    0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00
};

/* Raw sector layout (FORMATS.md 1.1). */
enum {
    RAW_SIZE = 2352,
    HEADER_OFFSET = 12,
    MODE_OFFSET = 15,
    USER_OFFSET = 16,
    XA_USER_OFFSET = 24,
    MODE1_EDC_OFFSET = 2064,
    MODE1_ZERO_OFFSET = 2068,
    MODE1_ZERO_SIZE = 8,
    FORM1_EDC_OFFSET = 2072,
    FORM2_EDC_OFFSET = 2348,
    P_OFFSET = 2076,
    Q_OFFSET = 2248,
    P_SIZE = Q_OFFSET - P_OFFSET,
    ECC_SIZE = RAW_SIZE - P_OFFSET
};

/*
 * The ECC input (bytes 12..2075, then the P parity) seen as rows of 86
 * bytes: 24 data rows, then the two rows of P parity.  P vector m is column
 * m of the data rows.  Q vector m = 2d + plane takes its symbol k from row
 * (d + k) mod 26, column 2k + plane: diagonal d.  Q reads the 26 rows
 * repeated ("unwrapped") so that symbol k of diagonal d sits at 86d + 88k.
 */
enum {
    ROW_SIZE = 86,
    DATA_ROWS = 24,
    ECC_ROWS = 26,
    P_VECTORS = ROW_SIZE,
    Q_DIAGONALS = 26,
    Q_VECTORS = 2 * Q_DIAGONALS,
    Q_SYMBOLS = 43,
    Q_STEP = ROW_SIZE + 2,
    LANES = 16,
    /* A row is read as 6 blocks; the 10 bytes past column 85 are ignored. */
    ROW_BLOCKS = (ROW_SIZE + LANES - 1) / LANES,
    /* The 16 bytes read at symbol k of diagonal d also hold symbol k + 1 of
     * diagonal d - 1, k + 2 of d - 2, ... k + 7 of d - 7: a Q block carries
     * 8 diagonals that run 0..7 steps apart. */
    Q_DIAGONALS_PER_BLOCK = LANES / 2,
    Q_SKEW = Q_DIAGONALS_PER_BLOCK - 1,
    Q_BLOCKS = (Q_DIAGONALS + Q_DIAGONALS_PER_BLOCK - 1) / Q_DIAGONALS_PER_BLOCK,
    /* The first step reads Q_LEAD_IN bytes before the rows (masked off). */
    Q_LEAD_IN = Q_SKEW * (Q_STEP - ROW_SIZE),
    /* Where the last block read ends, well past the 26 rows of real data. */
    Q_ROWS_BYTES = ROW_SIZE * (Q_DIAGONALS_PER_BLOCK * Q_BLOCKS - 1) +
                   Q_STEP * (Q_SYMBOLS - 1) + LANES
};

/* 16 GF(2^8) symbols side by side. */
typedef uint8_t gf_lanes __attribute__((vector_size(LANES)));
typedef int8_t gf_signed_lanes __attribute__((vector_size(LANES)));

static uint32_t edc_table[8][256];
/* edc_skip_table[j][v]: the EDC state reached from state v << 8j after
 * EDC_BLOCK zero bytes; it joins EDCs of blocks computed side by side. */
static uint32_t edc_skip_table[4][256];
static uint8_t gf_div_by_3[256];  /* x / (alpha + 1) in GF(2^8) */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* A single chain of table lookups is latency-bound: EDC_STREAMS blocks of
 * EDC_BLOCK bytes run side by side, then are joined (the EDC is linear). */
enum { EDC_STREAMS = 4, EDC_BLOCK = 512 };

/* The EDC is read and stored little-endian whatever the host; compilers
 * turn these into plain loads and stores. */
static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Advances the EDC state over 8 bytes. */
static inline uint32_t edc_step8(uint32_t crc, const uint8_t *data)
{
    uint32_t low = crc ^ load_le32(data);
    uint32_t high = load_le32(data + 4);
    return edc_table[7][low & 0xFF] ^ edc_table[6][(low >> 8) & 0xFF] ^
           edc_table[5][(low >> 16) & 0xFF] ^ edc_table[4][low >> 24] ^
           edc_table[3][high & 0xFF] ^ edc_table[2][(high >> 8) & 0xFF] ^
           edc_table[1][(high >> 16) & 0xFF] ^ edc_table[0][high >> 24];
}

static uint32_t edc_skip_block(uint32_t crc)
{
    return edc_skip_table[0][crc & 0xFF] ^
           edc_skip_table[1][(crc >> 8) & 0xFF] ^
           edc_skip_table[2][(crc >> 16) & 0xFF] ^
           edc_skip_table[3][crc >> 24];
}

static uint8_t gf_mul2(uint8_t x)
{
    return (uint8_t)((x << 1) ^ ((x >> 7) * 0x1D));
}

static void build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0xD8018001u : 0);
        edc_table[0][i] = crc;
    }
    /* edc_table[t][i]: the EDC of byte i followed by t zero bytes. */
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            edc_table[t][i] = (edc_table[t - 1][i] >> 8) ^
                              edc_table[0][edc_table[t - 1][i] & 0xFF];

    /* Skipping zeros is linear: tabulate it from the 32 one-bit states. */
    static const uint8_t zeros[8];
    for (int j = 0; j < 4; j++) {
        edc_skip_table[j][0] = 0;
        for (int bit = 0; bit < 8; bit++) {
            uint32_t image = 1u << (8 * j + bit);
            for (int n = 0; n < EDC_BLOCK; n += 8)
                image = edc_step8(image, zeros);
            for (int v = 0; v < 1 << bit; v++)
                edc_skip_table[j][v | 1 << bit] = edc_skip_table[j][v] ^ image;
        }
    }

    for (int x = 0; x < 256; x++)
        gf_div_by_3[gf_mul2((uint8_t)x) ^ x] = (uint8_t)x;
}

static void ensure_tables(void)
{
    pthread_once(&tables_once, build_tables);
}

uint32_t dc_edc_compute(const uint8_t *data, size_t len)
{
    ensure_tables();
    uint32_t crc = 0;
    for (; len >= EDC_STREAMS * EDC_BLOCK;
         len -= EDC_STREAMS * EDC_BLOCK, data += EDC_STREAMS * EDC_BLOCK) {
        const uint8_t *block = data;
        uint32_t c0 = crc, c1 = 0, c2 = 0, c3 = 0;
        for (size_t i = 0; i < EDC_BLOCK; i += 8, block += 8) {
            c0 = edc_step8(c0, block);
            c1 = edc_step8(c1, block + EDC_BLOCK);
            c2 = edc_step8(c2, block + 2 * EDC_BLOCK);
            c3 = edc_step8(c3, block + 3 * EDC_BLOCK);
        }
        crc = edc_skip_block(edc_skip_block(edc_skip_block(c0) ^ c1) ^ c2) ^ c3;
    }
    for (; len >= 8; len -= 8, data += 8)
        crc = edc_step8(crc, data);
    for (; len > 0; len--, data++)
        crc = (crc >> 8) ^ edc_table[0][(crc ^ *data) & 0xFF];
    return crc;
}

static inline gf_lanes load_lanes(const uint8_t *p)
{
    gf_lanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Multiplies every lane by alpha (= 2): a lane whose top bit falls off is
 * reduced by 0x1D (x^8 = x^4 + x^3 + x^2 + 1). */
static inline gf_lanes gf_mul2_lanes(gf_lanes x)
{
    gf_lanes overflow = (gf_lanes)((gf_signed_lanes)x < 0);
    return (x + x) ^ (overflow & 0x1D);
}

/*
 * Every RS vector keeps a = sum of alpha^(n - i) * s_i and b = sum of s_i.
 * Its two parity symbols make both sums over the whole codeword zero:
 * first = (alpha * a + b) / (alpha + 1), second = first + b.  This spills
 * alpha * a + b and b of every lane into byte arrays.
 */
static void spill_lanes(const gf_lanes *a, const gf_lanes *b, size_t blocks,
                        uint8_t *numerator, uint8_t *sum)
{
    for (size_t i = 0; i < blocks; i++) {
        gf_lanes n = gf_mul2_lanes(a[i]) ^ b[i];
        memcpy(numerator + i * LANES, &n, LANES);
        memcpy(sum + i * LANES, &b[i], LANES);
    }
}

/* Writes the parity of vector m of n at out[m] and out[n + m]. */
static void write_parity(uint8_t numerator, uint8_t sum, uint8_t *out,
                         size_t n, size_t m)
{
    uint8_t first = gf_div_by_3[numerator];
    out[m] = first;
    out[n + m] = first ^ sum;
}

/* P: the 86 columns of the 24 data rows, all at once, row by row. */
static void compute_p(const uint8_t *rows, uint8_t *p_out)
{
    gf_lanes a[ROW_BLOCKS] = {0};
    gf_lanes b[ROW_BLOCKS] = {0};
    for (size_t r = 0; r < DATA_ROWS; r++) {
        const uint8_t *row = rows + r * ROW_SIZE;
        /* Unrolled so that the sums stay in registers. */
#pragma GCC unroll 8
        for (size_t i = 0; i < ROW_BLOCKS; i++) {
            gf_lanes symbols = load_lanes(row + i * LANES);
            a[i] = gf_mul2_lanes(a[i] ^ symbols);
            b[i] ^= symbols;
        }
    }
    uint8_t numerator[ROW_BLOCKS * LANES];
    uint8_t sum[ROW_BLOCKS * LANES];
    spill_lanes(a, b, ROW_BLOCKS, numerator, sum);
    for (size_t m = 0; m < P_VECTORS; m++)
        write_parity(numerator[m], sum[m], p_out, P_VECTORS, m);
}

/* One Q step: block j holds, in its byte pairs 0..7, diagonals 8j + 7 down
 * to 8j.  Lanes outside `valid` are before their first or past their last
 * symbol: they take no symbol and keep their sums. */
static inline void q_step(gf_lanes *a, gf_lanes *b, const uint8_t *at,
                          gf_lanes valid)
{
#pragma GCC unroll 8
    for (size_t j = 0; j < Q_BLOCKS; j++) {
        gf_lanes symbols =
            load_lanes(at + j * Q_DIAGONALS_PER_BLOCK * ROW_SIZE) & valid;
        gf_lanes next = gf_mul2_lanes(a[j] ^ symbols);
        a[j] ^= (next ^ a[j]) & valid;
        b[j] ^= symbols;
    }
}

/* Byte pair i of a block is at symbol t - Q_SKEW + i in step t. */
static gf_lanes q_valid_lanes(int t)
{
    const gf_signed_lanes pair = {0, 0, 1, 1, 2, 2, 3, 3,
                                  4, 4, 5, 5, 6, 6, 7, 7};
    return (gf_lanes)((pair >= (int8_t)(Q_SKEW - t)) &
                      (pair <= (int8_t)(Q_SYMBOLS - 1 + Q_SKEW - t)));
}

/* Q over the unwrapped rows: only the first and last Q_SKEW steps have
 * lanes outside their vector, so only they need masks. */
static void compute_q(const uint8_t *unwrapped_rows, uint8_t *q_out)
{
    gf_lanes a[Q_BLOCKS] = {0};
    gf_lanes b[Q_BLOCKS] = {0};
    const gf_lanes all = ~(gf_lanes){0};
    const uint8_t *at = unwrapped_rows - Q_LEAD_IN;
    int t = 0;
    for (; t < Q_SKEW; t++, at += Q_STEP)
        q_step(a, b, at, q_valid_lanes(t));
    for (; t < Q_SYMBOLS; t++, at += Q_STEP)
        q_step(a, b, at, all);
    for (; t < Q_SYMBOLS + Q_SKEW; t++, at += Q_STEP)
        q_step(a, b, at, q_valid_lanes(t));

    uint8_t numerator[Q_BLOCKS * LANES];
    uint8_t sum[Q_BLOCKS * LANES];
    spill_lanes(a, b, Q_BLOCKS, numerator, sum);
    for (size_t m = 0; m < Q_VECTORS; m++) {
        size_t diagonal = m / 2;
        size_t lane = diagonal / Q_DIAGONALS_PER_BLOCK * LANES +
                      2 * (Q_SKEW - diagonal % Q_DIAGONALS_PER_BLOCK) + m % 2;
        write_parity(numerator[lane], sum[lane], q_out, Q_VECTORS, m);
    }
}

/* P then Q parity of a raw sector, into parity[0..275]. */
static void compute_ecc(const uint8_t *raw, uint8_t *parity)
{
    ensure_tables();
    /* Q's masked lead-in reads fall in the first LANES bytes. */
    uint8_t buffer[LANES + Q_ROWS_BYTES];
    uint8_t *rows = buffer + LANES;
    const size_t data_size = DATA_ROWS * ROW_SIZE;
    const size_t ecc_size = ECC_ROWS * ROW_SIZE;

    memset(buffer, 0, LANES);
    memcpy(rows, raw + HEADER_OFFSET, data_size);
    /* Mode 2 ECC excludes the address so the sector can move. */
    if (raw[MODE_OFFSET] == 2)
        memset(rows, 0, DC_HEADER_SIZE);
    /* The last row's final block reads past the data. */
    memset(rows + data_size, 0, LANES);

    compute_p(rows, rows + data_size);
    memcpy(rows + ecc_size, rows, ecc_size);
    memcpy(rows + 2 * ecc_size, rows, Q_ROWS_BYTES - 2 * ecc_size);
    compute_q(rows, parity + P_SIZE);
    memcpy(parity, rows + data_size, P_SIZE);
}

void dc_ecc_generate(uint8_t *raw)
{
    uint8_t parity[ECC_SIZE];
    compute_ecc(raw, parity);
    memcpy(raw + P_OFFSET, parity, sizeof parity);
}

static bool ecc_matches(const uint8_t *raw)
{
    uint8_t parity[ECC_SIZE];
    compute_ecc(raw, parity);
    return memcmp(raw + P_OFFSET, parity, sizeof parity) == 0;
}

void dc_sector_write_header(uint8_t *raw, int64_t lba, int mode)
{
    /* Headers hold 0..99:59:74; other addresses wrap modulo 100 minutes,
     * which is also how MMC maps lead-in LBAs (lba + 450150). */
    const int64_t address_span = 100 * CDIO_CD_FRAMES_PER_MIN;
    int64_t address = (lba + CDIO_PREGAP_SECTORS) % address_span;
    if (address < 0)
        address += address_span;

    msf_t msf;
    cdio_lsn_to_msf((lsn_t)(address - CDIO_PREGAP_SECTORS), &msf);
    memcpy(raw, dc_sync_pattern, DC_SYNC_SIZE);
    raw[HEADER_OFFSET] = msf.m;
    raw[HEADER_OFFSET + 1] = msf.s;
    raw[HEADER_OFFSET + 2] = msf.f;
    raw[MODE_OFFSET] = (uint8_t)mode;
}

static bool is_bcd_below(uint8_t byte, int limit)
{
    return (byte >> 4) <= 9 && (byte & 0x0F) <= 9 && cdio_from_bcd8(byte) < limit;
}

bool dc_sector_header_lba(const uint8_t *raw, int64_t *lba)
{
    const uint8_t *address = raw + HEADER_OFFSET;
    if (!is_bcd_below(address[0], 100) ||
        !is_bcd_below(address[1], CDIO_CD_SECS_PER_MIN) ||
        !is_bcd_below(address[2], CDIO_CD_FRAMES_PER_SEC))
        return false;
    msf_t msf = {address[0], address[1], address[2]};
    *lba = cdio_msf_to_lsn(&msf);
    return true;
}

static void write_subheaders(uint8_t *raw, const uint8_t subheader[4])
{
    memcpy(raw + USER_OFFSET, subheader, 4);
    memcpy(raw + USER_OFFSET + 4, subheader, 4);
}

void dc_sector_encode_mode1(uint8_t *raw, int64_t lba, const uint8_t *user)
{
    dc_sector_write_header(raw, lba, 1);
    memcpy(raw + USER_OFFSET, user, DC_USER_MODE1);
    store_le32(raw + MODE1_EDC_OFFSET, dc_edc_compute(raw, MODE1_EDC_OFFSET));
    memset(raw + MODE1_ZERO_OFFSET, 0, MODE1_ZERO_SIZE);
    dc_ecc_generate(raw);
}

void dc_sector_encode_form1(uint8_t *raw, int64_t lba,
                            const uint8_t subheader[4], const uint8_t *user)
{
    dc_sector_write_header(raw, lba, 2);
    write_subheaders(raw, subheader);
    memcpy(raw + XA_USER_OFFSET, user, DC_USER_FORM1);
    store_le32(raw + FORM1_EDC_OFFSET,
               dc_edc_compute(raw + USER_OFFSET,
                              FORM1_EDC_OFFSET - USER_OFFSET));
    dc_ecc_generate(raw);
}

void dc_sector_encode_form2(uint8_t *raw, int64_t lba,
                            const uint8_t subheader[4], const uint8_t *user)
{
    dc_sector_write_header(raw, lba, 2);
    write_subheaders(raw, subheader);
    memcpy(raw + XA_USER_OFFSET, user, DC_USER_FORM2);
    store_le32(raw + FORM2_EDC_OFFSET,
               dc_edc_compute(raw + USER_OFFSET,
                              FORM2_EDC_OFFSET - USER_OFFSET));
}

void dc_sector_encode_from_2336(uint8_t *raw, int64_t lba,
                                const uint8_t *stored)
{
    dc_sector_write_header(raw, lba, 2);
    memcpy(raw + USER_OFFSET, stored, DC_USER_MODE2);
}

dc_sector_kind dc_sector_classify(const uint8_t *raw)
{
    if (memcmp(raw, dc_sync_pattern, DC_SYNC_SIZE) != 0)
        return DC_SECTOR_NO_SYNC;
    switch (raw[MODE_OFFSET]) {
    case 0:
        return DC_SECTOR_MODE0;
    case 1:
        return DC_SECTOR_MODE1;
    case 2:
        if (memcmp(raw + USER_OFFSET, raw + USER_OFFSET + 4, 4) != 0)
            return DC_SECTOR_MODE2;
        return (raw[USER_OFFSET + 2] & DC_XA_SUBMODE_FORM2)
                   ? DC_SECTOR_MODE2_FORM2
                   : DC_SECTOR_MODE2_FORM1;
    default:
        return DC_SECTOR_BAD_MODE;
    }
}

static bool edc_matches(const uint8_t *raw, size_t from, size_t edc_offset)
{
    return dc_edc_compute(raw + from, edc_offset - from) ==
           load_le32(raw + edc_offset);
}

dc_sector_check dc_sector_verify(const uint8_t *raw)
{
    switch (dc_sector_classify(raw)) {
    case DC_SECTOR_MODE1:
        if (!edc_matches(raw, 0, MODE1_EDC_OFFSET))
            return DC_CHECK_BAD_EDC;
        return ecc_matches(raw) ? DC_CHECK_OK : DC_CHECK_BAD_ECC;
    case DC_SECTOR_MODE2_FORM1:
        if (!edc_matches(raw, USER_OFFSET, FORM1_EDC_OFFSET))
            return DC_CHECK_BAD_EDC;
        return ecc_matches(raw) ? DC_CHECK_OK : DC_CHECK_BAD_ECC;
    case DC_SECTOR_MODE2_FORM2:
        if (load_le32(raw + FORM2_EDC_OFFSET) != 0 &&
            !edc_matches(raw, USER_OFFSET, FORM2_EDC_OFFSET))
            return DC_CHECK_BAD_EDC;
        return DC_CHECK_OK;
    default:
        return DC_CHECK_OK;
    }
}

void dc_sector_user_span(dc_sector_kind kind, size_t *offset, size_t *size)
{
    switch (kind) {
    case DC_SECTOR_MODE1:
        *offset = USER_OFFSET;
        *size = DC_USER_MODE1;
        return;
    case DC_SECTOR_MODE2_FORM1:
        *offset = XA_USER_OFFSET;
        *size = DC_USER_FORM1;
        return;
    case DC_SECTOR_MODE2_FORM2:
        *offset = XA_USER_OFFSET;
        *size = DC_USER_FORM2;
        return;
    case DC_SECTOR_NO_SYNC:
        *offset = 0;
        *size = RAW_SIZE;
        return;
    case DC_SECTOR_MODE0:
    case DC_SECTOR_MODE2:
    case DC_SECTOR_BAD_MODE:
        break;
    }
    *offset = USER_OFFSET;
    *size = DC_USER_MODE2;
}
