/*
 * CD sector codec.  The EDC and the Reed-Solomon P/Q parity are hand-written
 * (no library computes them); the MSF/BCD header arithmetic is libcdio's.
 *
 * Speed matters here (ISO -> raw BIN regenerates every sector), so the EDC
 * and the parity come in several implementations, the fastest one the CPU
 * supports being picked once, at first use:
 *  - portable: the EDC runs four table-driven streams side by side; the
 *    parity works on 16 GF(2^8) symbols at once with GCC/Clang vector types
 *    (SSE2 or NEON where present, plain integer code elsewhere);
 *  - pclmul+avx2 (x86): the EDC folds 64 bytes at a time with carry-less
 *    multiplies; the parity works on 32 symbols at once and divides with
 *    nibble table lookups (PSHUFB);
 *  - vpclmul+avx512+gfni (x86): the EDC folds 256 bytes at a time; the
 *    parity works on 32 symbols at once, multiplying by alpha and dividing
 *    with GFNI affine transforms.
 * The x86 variants are compiled with per-function target attributes, so
 * the build needs no special flags; sector_ecc.h holds the parity once for
 * every vector width.
 */
#include "sector.h"

#include <pthread.h>
#include <string.h>

#include <cdio/sector.h>
#include <cdio/util.h>

#if defined(__x86_64__) || defined(__i386__)
#define DC_X86 1
#include <immintrin.h>
#endif

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
 * (d + k) mod 26, column 2k + plane: diagonal d.  Q reads the 26 rows as
 * if repeated, so that symbol k of diagonal d sits at offset 86d + 88k
 * (modulo the size of the rows).
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
    MAX_LANES = 32
};

#define EDC_POLY 0xD8018001u /* reflected */

static uint32_t edc_table[8][256];
/* edc_skip_table[j][v]: the EDC state reached from state v << 8j after
 * EDC_BLOCK zero bytes; it joins EDCs of blocks computed side by side. */
static uint32_t edc_skip_table[4][256];
static uint8_t gf_div_by_3[256];  /* x / (alpha + 1) in GF(2^8) */
/* Byte i of a parity vector belongs to the Q byte pair i / 2. */
static int8_t lane_pair_index[MAX_LANES];
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

/* The EDC state after `data`, starting from state `crc`. */
static uint32_t edc_tables(uint32_t crc, const uint8_t *data, size_t len)
{
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

static uint32_t edc_portable(const uint8_t *data, size_t len)
{
    return edc_tables(0, data, len);
}

uint64_t dc_crc_fold_constant(uint32_t reflected_poly, unsigned exponent)
{
    /* Reflected, bit 31 - i stands for x^i: multiplying by x shifts right,
     * and the x^32 that falls off bit 0 is replaced by the rest of P. */
    uint32_t power = 0x80000000u;
    for (unsigned i = 0; i < exponent; i++)
        power = (power >> 1) ^ ((power & 1) ? reflected_poly : 0);
    /* A carry-less product of two reflected numbers comes out one bit
     * short of the reflected product: the constant carries the factor x. */
    return (uint64_t)power << 1;
}

static uint8_t gf_mul2(uint8_t x)
{
    return (uint8_t)((x << 1) ^ ((x >> 7) * 0x1D));
}

#define DC_PASTE(a, b) a##b
#define DC_NAME(a, b) DC_PASTE(a, b)

#define ECC_LANES 16
#define ECC_SUFFIX _portable
#define ECC_TARGET
#include "sector_ecc.h"

#ifdef DC_X86
/*
 * Carry-less folding (Intel, "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ", for a reflected CRC): a 128-bit lane is moved d bits
 * further along the message by multiplying its low half by x^(d+32) mod P
 * and its high half by x^(d-32) mod P; the sum of both leaves the EDC of
 * the message unchanged.  edc_fold_by[i] = {x^(d+32), x^(d-32)} mod P for
 * d = 128 * (i + 1) bits, from dc_crc_fold_constant at init.
 */
enum { EDC_FOLD_DISTANCES = 16 };
static uint64_t edc_fold_by[EDC_FOLD_DISTANCES][2];

static void build_fold_constants(void)
{
    for (unsigned i = 0; i < EDC_FOLD_DISTANCES; i++) {
        unsigned distance = 128 * (i + 1);
        edc_fold_by[i][0] = dc_crc_fold_constant(EDC_POLY, distance + 32);
        edc_fold_by[i][1] = dc_crc_fold_constant(EDC_POLY, distance - 32);
    }
}

#define FOLD_128 0 /* index in edc_fold_by: one 128-bit lane */
#define FOLD_512 3 /* four lanes, or one 512-bit vector */
#define FOLD_2048 15 /* four 512-bit vectors */

__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold_constants_128(int distance_index)
{
    return _mm_loadu_si128((const __m128i *)edc_fold_by[distance_index]);
}

__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold_128(__m128i lane, __m128i constants, __m128i next)
{
    return _mm_xor_si128(
        _mm_xor_si128(_mm_clmulepi64_si128(lane, constants, 0x00),
                      _mm_clmulepi64_si128(lane, constants, 0x11)),
        next);
}

/* Folds whole 16-byte blocks into `lane`, then finishes the last lane and
 * the tail with the tables. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
edc_finish_128(__m128i lane, const uint8_t *data, size_t len)
{
    const __m128i by_128 = fold_constants_128(FOLD_128);
    for (; len >= 16; len -= 16, data += 16)
        lane = fold_128(lane, by_128, _mm_loadu_si128((const __m128i *)data));
    uint8_t folded[16];
    _mm_storeu_si128((__m128i *)folded, lane);
    return edc_tables(edc_tables(0, folded, sizeof folded), data, len);
}

__attribute__((target("pclmul,sse4.1"))) static uint32_t
edc_pclmul(const uint8_t *data, size_t len)
{
    if (len < 64)
        return edc_tables(0, data, len);
    const __m128i *in = (const __m128i *)data;
    __m128i x0 = _mm_loadu_si128(in), x1 = _mm_loadu_si128(in + 1),
            x2 = _mm_loadu_si128(in + 2), x3 = _mm_loadu_si128(in + 3);
    const __m128i by_512 = fold_constants_128(FOLD_512);
    for (data += 64, len -= 64; len >= 64; data += 64, len -= 64) {
        in = (const __m128i *)data;
        x0 = fold_128(x0, by_512, _mm_loadu_si128(in));
        x1 = fold_128(x1, by_512, _mm_loadu_si128(in + 1));
        x2 = fold_128(x2, by_512, _mm_loadu_si128(in + 2));
        x3 = fold_128(x3, by_512, _mm_loadu_si128(in + 3));
    }
    const __m128i by_128 = fold_constants_128(FOLD_128);
    __m128i x = fold_128(fold_128(fold_128(x0, by_128, x1), by_128, x2),
                         by_128, x3);
    return edc_finish_128(x, data, len);
}

/* gf_div_by_3 of the low and of the high nibble of a byte: dividing is
 * linear, so the two lookups sum to the quotient. */
static uint8_t gf_div_by_3_nibbles[2][16];

__attribute__((target("avx2"))) static inline __m256i
gf_div_by_3_avx2(__m256i x)
{
    const __m256i low = _mm256_broadcastsi128_si256(
        _mm_loadu_si128((const __m128i *)gf_div_by_3_nibbles[0]));
    const __m256i high = _mm256_broadcastsi128_si256(
        _mm_loadu_si128((const __m128i *)gf_div_by_3_nibbles[1]));
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    return _mm256_xor_si256(
        _mm256_shuffle_epi8(low, _mm256_and_si256(x, nibble)),
        _mm256_shuffle_epi8(high,
                            _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble)));
}

#define ECC_LANES 32
#define ECC_SUFFIX _avx2
#define ECC_TARGET __attribute__((target("avx2")))
#define ECC_DIV3(x) ((lanes)gf_div_by_3_avx2((__m256i)(x)))
#include "sector_ecc.h"

#define AVX512_TARGET \
    __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,gfni")))

/* Four lanes of 128 bits each. */
AVX512_TARGET static inline __m512i fold_constants_512(int distance_index)
{
    return _mm512_broadcast_i32x4(fold_constants_128(distance_index));
}

AVX512_TARGET static inline __m512i fold_512(__m512i four_lanes,
                                             __m512i constants, __m512i next)
{
    /* 0x96: the XOR of all three. */
    return _mm512_ternarylogic_epi64(
        _mm512_clmulepi64_epi128(four_lanes, constants, 0x00),
        _mm512_clmulepi64_epi128(four_lanes, constants, 0x11), next, 0x96);
}

AVX512_TARGET static uint32_t edc_vpclmul(const uint8_t *data, size_t len)
{
    if (len < 256)
        return edc_pclmul(data, len);
    __m512i x0 = _mm512_loadu_si512(data), x1 = _mm512_loadu_si512(data + 64),
            x2 = _mm512_loadu_si512(data + 128),
            x3 = _mm512_loadu_si512(data + 192);
    const __m512i by_2048 = fold_constants_512(FOLD_2048);
    for (data += 256, len -= 256; len >= 256; data += 256, len -= 256) {
        x0 = fold_512(x0, by_2048, _mm512_loadu_si512(data));
        x1 = fold_512(x1, by_2048, _mm512_loadu_si512(data + 64));
        x2 = fold_512(x2, by_2048, _mm512_loadu_si512(data + 128));
        x3 = fold_512(x3, by_2048, _mm512_loadu_si512(data + 192));
    }
    const __m512i by_512 = fold_constants_512(FOLD_512);
    __m512i x = fold_512(fold_512(fold_512(x0, by_512, x1), by_512, x2),
                         by_512, x3);
    for (; len >= 64; data += 64, len -= 64)
        x = fold_512(x, by_512, _mm512_loadu_si512(data));
    /* The four lanes into the last: lane i is 3 - i lanes before it. */
    const __m512i into_last = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_set_m128i(fold_constants_128(1),
                                                fold_constants_128(2))),
        _mm256_set_m128i(_mm_setzero_si128(), fold_constants_128(0)), 1);
    __m512i moved = _mm512_xor_si512(
        _mm512_clmulepi64_epi128(x, into_last, 0x00),
        _mm512_clmulepi64_epi128(x, into_last, 0x11));
    __m256i halves = _mm256_xor_si256(_mm512_castsi512_si256(moved),
                                      _mm512_extracti64x4_epi64(moved, 1));
    __m128i lane = _mm_xor_si128(
        _mm_xor_si128(_mm256_castsi256_si128(halves),
                      _mm256_extracti128_si256(halves, 1)),
        _mm512_extracti32x4_epi32(x, 3));
    return edc_finish_128(lane, data, len);
}

/* Multiplying by a constant is linear over GF(2): an 8x8 bit matrix, which
 * GFNI applies to every byte in one instruction (its own multiply uses
 * another polynomial). */
static uint64_t gf_mul2_matrix, gf_div_by_3_matrix;

/* The matrix of the linear map taking bit b to images[b]: its byte 7 - i
 * picks the input bits whose sum is output bit i. */
static uint64_t gf_matrix(const uint8_t images[8])
{
    uint64_t matrix = 0;
    for (int bit = 0; bit < 8; bit++)
        for (int row = 0; row < 8; row++)
            if (images[bit] >> row & 1)
                matrix |= (uint64_t)1 << (8 * (7 - row) + bit);
    return matrix;
}

static void build_gf_matrices(void)
{
    uint8_t mul2[8], div3[8];
    for (int bit = 0; bit < 8; bit++) {
        mul2[bit] = gf_mul2((uint8_t)(1 << bit));
        div3[bit] = gf_div_by_3[1 << bit];
    }
    gf_mul2_matrix = gf_matrix(mul2);
    gf_div_by_3_matrix = gf_matrix(div3);
}

AVX512_TARGET static inline __m256i gf_affine_256(__m256i x, uint64_t matrix)
{
    return _mm256_gf2p8affine_epi64_epi8(x, _mm256_set1_epi64x((long long)matrix),
                                         0);
}

/* 32 lanes, not 64: one 64-lane Q block is a single dependency chain of
 * 74 steps and measured slower than two 32-lane chains of 58. */
#define ECC_LANES 32
#define ECC_SUFFIX _avx512
#define ECC_TARGET AVX512_TARGET
#define ECC_MUL2(x) ((lanes)gf_affine_256((__m256i)(x), gf_mul2_matrix))
#define ECC_DIV3(x) ((lanes)gf_affine_256((__m256i)(x), gf_div_by_3_matrix))
#include "sector_ecc.h"
#endif /* DC_X86 */

typedef struct codec {
    const char *name;
    uint32_t (*edc)(const uint8_t *data, size_t len);
    void (*ecc)(const uint8_t *raw, uint8_t *parity);
} codec;

static const codec codecs[DC_CODEC_COUNT] = {
    [DC_CODEC_PORTABLE] = {"portable", edc_portable, compute_ecc_portable},
#ifdef DC_X86
    [DC_CODEC_PCLMUL_AVX2] = {"pclmul+avx2", edc_pclmul, compute_ecc_avx2},
    [DC_CODEC_AVX512] = {"vpclmul+avx512+gfni", edc_vpclmul,
                         compute_ecc_avx512},
#endif
};

static const codec *active;

static bool cpu_supports(dc_codec_impl impl)
{
    switch (impl) {
    case DC_CODEC_PORTABLE:
        return true;
#ifdef DC_X86
    case DC_CODEC_PCLMUL_AVX2:
        return __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("sse4.1") &&
               __builtin_cpu_supports("avx2");
    case DC_CODEC_AVX512:
        return __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("vpclmulqdq") &&
               __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("gfni");
#endif
    default:
        return false;
    }
}

static void build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1) ? EDC_POLY : 0);
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
    for (int i = 0; i < MAX_LANES; i++)
        lane_pair_index[i] = (int8_t)(i / 2);

#ifdef DC_X86
    build_fold_constants();
    for (int n = 0; n < 16; n++) {
        gf_div_by_3_nibbles[0][n] = gf_div_by_3[n];
        gf_div_by_3_nibbles[1][n] = gf_div_by_3[n << 4];
    }
    build_gf_matrices();
    __builtin_cpu_init();
#endif
    /* The last implementation the CPU supports is the fastest. */
    for (int impl = 0; impl < DC_CODEC_COUNT; impl++)
        if (cpu_supports((dc_codec_impl)impl))
            active = &codecs[impl];
}

static void ensure_tables(void)
{
    pthread_once(&tables_once, build_tables);
}

bool dc_sector_codec_available(dc_codec_impl impl)
{
    ensure_tables();
    return (unsigned)impl < DC_CODEC_COUNT && cpu_supports(impl);
}

bool dc_sector_codec_select(dc_codec_impl impl)
{
    if (!dc_sector_codec_available(impl))
        return false;
    active = &codecs[impl];
    return true;
}

const char *dc_sector_codec_name(void)
{
    ensure_tables();
    return active->name;
}

uint32_t dc_edc_compute(const uint8_t *data, size_t len)
{
    ensure_tables();
    return active->edc(data, len);
}

static void compute_ecc(const uint8_t *raw, uint8_t *parity)
{
    ensure_tables();
    active->ecc(raw, parity);
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

static bool all_zero(const uint8_t *bytes, size_t len)
{
    return bytes[0] == 0 && memcmp(bytes, bytes + 1, len - 1) == 0;
}

dc_sector_evidence dc_sector_weigh(const uint8_t *raw, int64_t *header_lba)
{
    if (memcmp(raw, dc_sync_pattern, DC_SYNC_SIZE) != 0)
        return all_zero(raw, RAW_SIZE) ? DC_EVIDENCE_NONE : DC_EVIDENCE_AUDIO;
    /* A sync with a valid address and mode is 16 bytes that samples
     * practically never hold; a damaged header proves nothing. */
    if (raw[MODE_OFFSET] > 2 || !dc_sector_header_lba(raw, header_lba))
        return DC_EVIDENCE_NONE;
    return DC_EVIDENCE_DATA;
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

uint16_t dc_subcode_crc(const uint8_t *data, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int bit = 0; bit < 8; bit++)
            crc = (uint16_t)(crc & 0x8000 ? crc << 1 ^ 0x1021 : crc << 1);
    }
    return crc;
}
