/*
 * LZFSE (DMG chunk type 0x80000007), decoded from the published format
 * (Apple's lzfse repository, 7-Zip's and keramics' descriptions;
 * FORMATS.md §6.7).  A stream is a run of blocks, each led by a 4-byte
 * little-endian magic, and ends with `bvx$`:
 *   bvx-  stored: u32 byte count, the bytes
 *   bvxn  LZVN: u32 output bytes, u32 payload bytes, byte-coded LZ77
 *   bvx1  LZFSE with its frequency tables stored as 16-bit values
 *   bvx2  LZFSE with its header fields packed in three u64 and its
 *         frequency tables in a variable-length code
 * An LZFSE block holds up to 40,000 literal bytes, entropy-coded in four
 * interleaved FSE streams, then up to 10,000 (L, M, D) triples -- L
 * literals, then M bytes copied from D back (D = 0: the previous D) --
 * each an FSE-coded symbol plus extra bits.  Both bit streams are read
 * backwards, from their last byte.  Matches may reach into earlier
 * blocks of the same stream, never before its start.
 */
#include "container.h"
#include "lz_copy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define MAGIC(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
     (uint32_t)(d) << 24)
#define MAGIC_END MAGIC('b', 'v', 'x', '$')
#define MAGIC_STORED MAGIC('b', 'v', 'x', '-')
#define MAGIC_LZVN MAGIC('b', 'v', 'x', 'n')
#define MAGIC_V1 MAGIC('b', 'v', 'x', '1')
#define MAGIC_V2 MAGIC('b', 'v', 'x', '2')

enum {
    L_SYMBOLS = 20, M_SYMBOLS = 20, D_SYMBOLS = 64, LITERAL_SYMBOLS = 256,
    L_STATES = 64, M_STATES = 64, D_STATES = 256, LITERAL_STATES = 1024,
    MAX_MATCHES = 10000, MAX_LITERALS = 40000,
    FREQ_COUNT = L_SYMBOLS + M_SYMBOLS + D_SYMBOLS + LITERAL_SYMBOLS,
    V1_HEADER_SIZE = 772, /* 48 bytes of fields, 360 u16 tables, 2 pad */
    V2_FIXED_SIZE = 32,
};

/* Extra bits after each L, M and D symbol; a symbol's base value is the
 * previous one's plus 2^(its extra bits). */
static const uint8_t l_extra_bits[L_SYMBOLS] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 5, 8};
static const uint8_t m_extra_bits[M_SYMBOLS] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 8, 11};
/* D: four symbols with no extra bits, then four each with 1..15. */
static uint8_t d_extra_bits(int symbol)
{
    return (uint8_t)(symbol / 4);
}

/* One state of a literal decoder: the byte, and the next state is
 * next_base + the next `bits` bits. */
typedef struct {
    uint8_t bits;
    uint8_t symbol;
    uint16_t next_base;
} literal_entry;

/* One state of an L, M or D decoder: `total_bits` bits are read at
 * once, the state's part above `value_bits`, the extra bits below. */
typedef struct {
    uint8_t total_bits;
    uint8_t value_bits;
    uint16_t next_base;
    uint32_t value_base;
} value_entry;

/* A block's header, v1 and v2 alike. */
typedef struct {
    uint32_t raw_bytes, literals, matches;
    uint32_t literal_payload, lmd_payload;
    int literal_bits, lmd_bits; /* -7..0: unused bits of the last byte */
    uint16_t literal_state[4], l_state, m_state, d_state;
    uint16_t freq[FREQ_COUNT]; /* L, M, D, then literal frequencies */
    size_t header_size;
} block_header;

/* Per-call scratch: fixed size, whatever the input says. */
typedef struct {
    literal_entry literal[LITERAL_STATES];
    value_entry l[L_STATES], m[M_STATES], d[D_STATES];
    /* Room for wide copies past the last literal. */
    uint8_t literals[MAX_LITERALS + 64];
} lzfse_scratch;

/* The place decoding is at, for messages. */
typedef struct {
    const char *where;
    size_t block_at;
    dc_error *err;
} context;

static dc_status lzfse_fail(const context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static dc_status lzfse_fail(const context *ctx, const char *fmt, ...)
{
    char why[200];
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, sizeof why, fmt, args);
    va_end(args);
    return dc_fail(ctx->err, DC_ERR_FORMAT,
                   "%s: LZFSE block at input offset %zu: %s", ctx->where,
                   ctx->block_at, why);
}

/* ---- bit stream, read from its end towards its start ---------------- */

/* `bits` holds `count` unread bits (56..63 after a refill) below which
 * lie the bytes from `floor` to `next`.  Bits above `count` are junk. */
typedef struct {
    uint64_t bits;
    int count;
    const uint8_t *next;
    const uint8_t *floor;
} back_bits;

/* Starts at `end`; the last byte has -unused_bits (0..7) unused high
 * bits, which must be zero. */
static bool bits_start(back_bits *b, const uint8_t *floor, const uint8_t *end,
                       int unused_bits)
{
    b->floor = floor;
    if (unused_bits != 0) {
        if (end - floor < 8)
            return false;
        b->next = end - 8;
        b->bits = lz_load_le64(b->next);
        b->count = 64 + unused_bits;
    } else {
        if (end - floor < 7)
            return false;
        b->next = end - 7;
        b->bits = (uint64_t)lz_load_le32(b->next) |
                  (uint64_t)lz_load_le32(b->next + 3) << 24;
        b->count = 56;
    }
    return b->bits >> b->count == 0;
}

/* Tops the stream up to at least 56 bits; false when the bytes run out. */
static inline bool bits_refill(back_bits *b)
{
    int bytes = (63 - b->count) >> 3;
    if (bytes == 0)
        return true;
    if (b->next - b->floor < bytes)
        return false;
    b->next -= bytes;
    int shift = bytes * 8;
    /* `next` + 8 stays inside what was read before. */
    b->bits = b->bits << shift |
              (lz_load_le64(b->next) & (((uint64_t)1 << shift) - 1));
    b->count += shift;
    return true;
}

static inline uint32_t bits_pull(back_bits *b, int n)
{
    b->count -= n;
    return (uint32_t)(b->bits >> b->count) & (uint32_t)(((uint64_t)1 << n) - 1);
}

/* ---- FSE decoder tables --------------------------------------------- */

/* The shift k that puts f << k in [states, 2 * states). */
static int state_shift(uint32_t freq, int states)
{
    return __builtin_clz(freq) - __builtin_clz((unsigned)states);
}

/* Frequencies summing to more than the states are corrupt; fewer leave
 * states no valid stream reaches, which decode as state 0. */
static bool freq_fits(const uint16_t *freq, int symbols, int states)
{
    uint32_t sum = 0;
    for (int i = 0; i < symbols; i++)
        sum += freq[i];
    return sum <= (uint32_t)states;
}

/*
 * Symbol s owns freq[s] consecutive states.  Its j-th state reads k bits
 * to reach the states [((f + j) << k) - N, +2^k) while j < 2N/2^k - f,
 * and k - 1 bits to reach [(j - j0) << (k - 1), +2^(k-1)) after that:
 * every next state stays below N.
 */
static void build_literal_table(literal_entry *table, const uint16_t *freq)
{
    int state = 0;
    for (int s = 0; s < LITERAL_SYMBOLS; s++) {
        int f = freq[s];
        if (f == 0)
            continue;
        int k = state_shift((uint32_t)f, LITERAL_STATES);
        int j0 = ((2 * LITERAL_STATES) >> k) - f;
        for (int j = 0; j < f; j++, state++) {
            literal_entry *e = &table[state];
            e->symbol = (uint8_t)s;
            if (j < j0) {
                e->bits = (uint8_t)k;
                e->next_base = (uint16_t)(((f + j) << k) - LITERAL_STATES);
            } else {
                e->bits = (uint8_t)(k - 1);
                e->next_base = (uint16_t)((j - j0) << (k - 1));
            }
        }
    }
    memset(&table[state], 0, (size_t)(LITERAL_STATES - state) * sizeof *table);
}

static void build_value_table(value_entry *table, int states, int symbols,
                              const uint16_t *freq, const uint8_t *extra)
{
    int state = 0;
    uint32_t base = 0;
    for (int s = 0; s < symbols; s++) {
        int f = freq[s];
        uint32_t symbol_base = base;
        base += (uint32_t)1 << extra[s];
        if (f == 0)
            continue;
        int k = state_shift((uint32_t)f, states);
        int j0 = ((2 * states) >> k) - f;
        for (int j = 0; j < f; j++, state++) {
            value_entry *e = &table[state];
            e->value_bits = extra[s];
            e->value_base = symbol_base;
            if (j < j0) {
                e->total_bits = (uint8_t)(k + extra[s]);
                e->next_base = (uint16_t)(((f + j) << k) - states);
            } else {
                e->total_bits = (uint8_t)(k - 1 + extra[s]);
                e->next_base = (uint16_t)((j - j0) << (k - 1));
            }
        }
    }
    memset(&table[state], 0, (size_t)(states - state) * sizeof *table);
}

static inline uint8_t decode_literal(const literal_entry *table,
                                     uint32_t *state, back_bits *b)
{
    literal_entry e = table[*state];
    *state = e.next_base + bits_pull(b, e.bits);
    return e.symbol;
}

static inline uint32_t decode_value(const value_entry *table, uint32_t *state,
                                    back_bits *b)
{
    value_entry e = table[*state];
    uint32_t bits = bits_pull(b, e.total_bits);
    *state = e.next_base + (bits >> e.value_bits);
    return e.value_base + (bits & (((uint32_t)1 << e.value_bits) - 1));
}

/* ---- block headers -------------------------------------------------- */

/* One frequency of a v2 header, in a prefix code read from the low bits
 * of `bits`: ..0 (2 bits) 0-1, .01 (3) 2-3, .011 (5) 4-7, 0111 (8)
 * 8-23, 1111 (14) 24-1047. */
static int freq_code(uint32_t bits, int *value)
{
    if ((bits & 1) == 0) {
        *value = (int)(bits >> 1 & 1);
        return 2;
    }
    if ((bits & 2) == 0) {
        *value = 2 + (int)(bits >> 2 & 1);
        return 3;
    }
    if ((bits & 4) == 0) {
        *value = 4 + (int)(bits >> 3 & 3);
        return 5;
    }
    if ((bits & 8) == 0) {
        *value = 8 + (int)(bits >> 4 & 15);
        return 8;
    }
    *value = 24 + (int)(bits >> 4 & 0x3FF);
    return 14;
}

static dc_status read_v2_header(const context *ctx, const uint8_t *block,
                                size_t avail, block_header *h)
{
    if (avail < V2_FIXED_SIZE)
        return lzfse_fail(ctx, "a header cut off by the input's end");
    uint64_t v0 = lz_load_le64(block + 8);
    uint64_t v1 = lz_load_le64(block + 16);
    uint64_t v2 = lz_load_le64(block + 24);
    h->raw_bytes = lz_load_le32(block + 4);
    h->literals = (uint32_t)(v0 & 0xFFFFF);
    h->literal_payload = (uint32_t)(v0 >> 20 & 0xFFFFF);
    h->matches = (uint32_t)(v0 >> 40 & 0xFFFFF);
    h->literal_bits = (int)(v0 >> 60 & 7) - 7;
    for (int i = 0; i < 4; i++)
        h->literal_state[i] = (uint16_t)(v1 >> (10 * i) & 0x3FF);
    h->lmd_payload = (uint32_t)(v1 >> 40 & 0xFFFFF);
    h->lmd_bits = (int)(v1 >> 60 & 7) - 7;
    h->header_size = (size_t)(v2 & 0xFFFFFFFF);
    h->l_state = (uint16_t)(v2 >> 32 & 0x3FF);
    h->m_state = (uint16_t)(v2 >> 42 & 0x3FF);
    h->d_state = (uint16_t)(v2 >> 52 & 0x3FF);
    if (h->header_size < V2_FIXED_SIZE || h->header_size > avail)
        return lzfse_fail(ctx, "header size %zu outside 32..%zu",
                          h->header_size, avail);

    /* No table bytes at all: every frequency is zero. */
    memset(h->freq, 0, sizeof h->freq);
    const uint8_t *src = block + V2_FIXED_SIZE;
    const uint8_t *end = block + h->header_size;
    if (src == end)
        return DC_OK;
    uint32_t accum = 0;
    int have = 0;
    for (int i = 0; i < FREQ_COUNT; i++) {
        while (src < end && have <= 24) {
            accum |= (uint32_t)*src++ << have;
            have += 8;
        }
        int value;
        int used = freq_code(accum, &value);
        if (used > have)
            return lzfse_fail(ctx, "frequency tables cut off after %d of "
                              "%d values", i, FREQ_COUNT);
        h->freq[i] = (uint16_t)value;
        accum >>= used;
        have -= used;
    }
    if (src != end || have >= 8)
        return lzfse_fail(ctx, "%zu header bytes past its frequency tables",
                          (size_t)(end - src) + (size_t)have / 8);
    return DC_OK;
}

static uint16_t load_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static dc_status read_v1_header(const context *ctx, const uint8_t *block,
                                size_t avail, block_header *h)
{
    if (avail < V1_HEADER_SIZE)
        return lzfse_fail(ctx, "a header cut off by the input's end");
    /* magic, raw, payload, literals, matches, literal payload, LMD
     * payload, literal bits (s32), 4 literal states, LMD bits (s32), L, M
     * and D states, then the tables. */
    h->raw_bytes = lz_load_le32(block + 4);
    h->literals = lz_load_le32(block + 12);
    h->matches = lz_load_le32(block + 16);
    h->literal_payload = lz_load_le32(block + 20);
    h->lmd_payload = lz_load_le32(block + 24);
    int32_t literal_bits = (int32_t)lz_load_le32(block + 28);
    int32_t lmd_bits = (int32_t)lz_load_le32(block + 40);
    if (literal_bits < -7 || literal_bits > 0 || lmd_bits < -7 || lmd_bits > 0)
        return lzfse_fail(ctx, "final bit counts %d and %d outside -7..0",
                          (int)literal_bits, (int)lmd_bits);
    h->literal_bits = literal_bits;
    h->lmd_bits = lmd_bits;
    for (int i = 0; i < 4; i++)
        h->literal_state[i] = load_le16(block + 32 + 2 * i);
    h->l_state = load_le16(block + 44);
    h->m_state = load_le16(block + 46);
    h->d_state = load_le16(block + 48);
    for (int i = 0; i < FREQ_COUNT; i++)
        h->freq[i] = load_le16(block + 50 + 2 * i);
    h->header_size = V1_HEADER_SIZE;
    return DC_OK;
}

/* Counts and states inside what the decoder holds. */
static dc_status check_header(const context *ctx, const block_header *h,
                              size_t avail, size_t out_room)
{
    if (h->literals > MAX_LITERALS || h->matches > MAX_MATCHES)
        return lzfse_fail(ctx, "%u literals and %u matches, more than a "
                          "block holds (%d, %d)", h->literals, h->matches,
                          MAX_LITERALS, MAX_MATCHES);
    for (int i = 0; i < 4; i++)
        if (h->literal_state[i] >= LITERAL_STATES)
            return lzfse_fail(ctx, "literal state %u out of range",
                              h->literal_state[i]);
    if (h->l_state >= L_STATES || h->m_state >= M_STATES ||
        h->d_state >= D_STATES)
        return lzfse_fail(ctx, "L, M, D states %u, %u, %u out of range",
                          h->l_state, h->m_state, h->d_state);
    const uint16_t *freq = h->freq;
    if (!freq_fits(freq, L_SYMBOLS, L_STATES) ||
        !freq_fits(freq + L_SYMBOLS, M_SYMBOLS, M_STATES) ||
        !freq_fits(freq + L_SYMBOLS + M_SYMBOLS, D_SYMBOLS, D_STATES) ||
        !freq_fits(freq + L_SYMBOLS + M_SYMBOLS + D_SYMBOLS, LITERAL_SYMBOLS,
                   LITERAL_STATES))
        return lzfse_fail(ctx, "a frequency table sums to more than its "
                          "states");
    if ((uint64_t)h->header_size + h->literal_payload + h->lmd_payload > avail)
        return lzfse_fail(ctx, "payload of %u + %u bytes runs past the "
                          "input's end", h->literal_payload, h->lmd_payload);
    if (h->raw_bytes > out_room)
        return lzfse_fail(ctx, "%u bytes, more than the %zu the output has "
                          "left", h->raw_bytes, out_room);
    return DC_OK;
}

/* ---- LZFSE block body ----------------------------------------------- */

static dc_status decode_literals(const context *ctx, lzfse_scratch *sc,
                                 const uint8_t *block, const block_header *h)
{
    const uint8_t *end = block + h->header_size + h->literal_payload;
    back_bits b;
    /* The stream's first bits may sit just after the header: a refill
     * may load (never use) header bytes, so the floor is the block. */
    if (!bits_start(&b, block, end, h->literal_bits))
        return lzfse_fail(ctx, "literal stream does not start cleanly");
    uint32_t s0 = h->literal_state[0], s1 = h->literal_state[1];
    uint32_t s2 = h->literal_state[2], s3 = h->literal_state[3];
    const literal_entry *table = sc->literal;
    uint8_t *lit = sc->literals;
    /* Four per refill: 40 bits at most. */
    for (uint32_t i = 0; i < h->literals; i += 4) {
        if (!bits_refill(&b))
            return lzfse_fail(ctx, "literal stream ends after %u of %u "
                              "literals", i, h->literals);
        lit[i] = decode_literal(table, &s0, &b);
        lit[i + 1] = decode_literal(table, &s1, &b);
        lit[i + 2] = decode_literal(table, &s2, &b);
        lit[i + 3] = decode_literal(table, &s3, &b);
    }
    return DC_OK;
}

static dc_status decode_lmd(const context *ctx, const lzfse_scratch *sc,
                            const uint8_t *block, const block_header *h,
                            uint8_t *out, uint8_t **dst_at, uint8_t *out_end)
{
    const uint8_t *floor = block + h->header_size + h->literal_payload;
    back_bits b;
    if (!bits_start(&b, floor, floor + h->lmd_payload, h->lmd_bits))
        return lzfse_fail(ctx, "match stream does not start cleanly");
    uint32_t l_state = h->l_state, m_state = h->m_state, d_state = h->d_state;
    const uint8_t *lit = sc->literals;
    const uint8_t *lit_end = lit + h->literals;
    uint8_t *dst = *dst_at;
    uint8_t *block_end = dst + h->raw_bytes;
    uint32_t distance = 0; /* none yet */
    for (uint32_t i = 0; i < h->matches; i++) {
        /* L, M and D take 14 + 17 + 23 bits at most. */
        if (!bits_refill(&b))
            return lzfse_fail(ctx, "match stream ends after %u of %u "
                              "matches", i, h->matches);
        uint32_t l = decode_value(sc->l, &l_state, &b);
        uint32_t m = decode_value(sc->m, &m_state, &b);
        uint32_t d = decode_value(sc->d, &d_state, &b);
        if (d != 0)
            distance = d;
        if (l > (size_t)(lit_end - lit))
            return lzfse_fail(ctx, "match %u takes %u literals, %zu left", i,
                              l, (size_t)(lit_end - lit));
        if ((size_t)l + m > (size_t)(block_end - dst))
            return lzfse_fail(ctx, "match %u runs past the block's %u bytes",
                              i, h->raw_bytes);
        lz_literal(dst, lit, l, out_end, true);
        dst += l;
        lit += l;
        if (m == 0)
            continue;
        if (distance == 0 || distance > (size_t)(dst - out))
            return lzfse_fail(ctx, "match distance %u reaches before the "
                              "output start", distance);
        lz_match(dst, distance, m, out_end);
        dst += m;
    }
    if (dst != block_end)
        return lzfse_fail(ctx, "%zu bytes decoded, the header says %u",
                          (size_t)(dst - *dst_at), h->raw_bytes);
    *dst_at = dst;
    return DC_OK;
}

static dc_status decode_lzfse_block(const context *ctx, lzfse_scratch *sc,
                                    const uint8_t *block, size_t avail,
                                    bool v2, uint8_t *out, uint8_t **dst,
                                    uint8_t *out_end, size_t *used)
{
    block_header h;
    dc_status st = v2 ? read_v2_header(ctx, block, avail, &h)
                      : read_v1_header(ctx, block, avail, &h);
    if (st == DC_OK)
        st = check_header(ctx, &h, avail, (size_t)(out_end - *dst));
    if (st != DC_OK)
        return st;
    const uint16_t *freq = h.freq;
    build_value_table(sc->l, L_STATES, L_SYMBOLS, freq, l_extra_bits);
    build_value_table(sc->m, M_STATES, M_SYMBOLS, freq + L_SYMBOLS,
                      m_extra_bits);
    uint8_t d_extra[D_SYMBOLS];
    for (int i = 0; i < D_SYMBOLS; i++)
        d_extra[i] = d_extra_bits(i);
    build_value_table(sc->d, D_STATES, D_SYMBOLS,
                      freq + L_SYMBOLS + M_SYMBOLS, d_extra);
    build_literal_table(sc->literal,
                        freq + L_SYMBOLS + M_SYMBOLS + D_SYMBOLS);
    st = decode_literals(ctx, sc, block, &h);
    if (st == DC_OK)
        st = decode_lmd(ctx, sc, block, &h, out, dst, out_end);
    *used = h.header_size + h.literal_payload + h.lmd_payload;
    return st;
}

/* ---- LZVN block ----------------------------------------------------- */

/*
 * LZVN codes, by their first byte (L literal bytes follow the code, then
 * M bytes are copied from D back; D carries over when not given):
 *   LLMMMDDD DDDDDDDD           L 0-3, M 3-10, D 11 bits ("small")
 *   LLMMM111 DDDDDDDD DDDDDDDD  D 16 bits little-endian ("large")
 *   LLMMM110                    previous D
 *   101LLMMM DDDDDDMM DDDDDDDD  L 0-3, M 3-34, D 14 bits ("medium")
 *   1110LLLL / 11100000 LLLLLLLL           literal only, L 1-15 / 16-271
 *   1111MMMM / 11110000 MMMMMMMM           match only, M 1-15 / 16-271
 *   0x06 + 7 bytes end of stream; 0x0E, 0x16 no-ops; 0x1E-0x3E (step 8),
 *   0x70-0x7F, 0xD0-0xDF undefined.
 */
static dc_status decode_lzvn_block(const context *ctx, const uint8_t *src,
                                   size_t src_len, uint32_t raw_bytes,
                                   uint8_t *out, uint8_t **dst_at,
                                   uint8_t *out_end)
{
    const uint8_t *s = src;
    const uint8_t *s_end = src + src_len;
    uint8_t *dst = *dst_at;
    uint8_t *block_end = dst + raw_bytes;
    size_t distance = 0;
    for (;;) {
        if (s == s_end)
            return lzfse_fail(ctx, "LZVN payload ends without its end code");
        unsigned op = s[0];
        size_t avail = (size_t)(s_end - s);
        size_t code_len, literal = 0, match = 0;
        if (op >= 0xF0) {
            code_len = op == 0xF0 ? 2 : 1;
            if (avail < code_len)
                break;
            match = op == 0xF0 ? (size_t)s[1] + 16 : op & 0x0F;
        } else if (op >= 0xE0) {
            code_len = op == 0xE0 ? 2 : 1;
            if (avail < code_len)
                break;
            literal = op == 0xE0 ? (size_t)s[1] + 16 : op & 0x0F;
        } else if (op >= 0xD0 || (op >= 0x70 && op < 0x80)) {
            return lzfse_fail(ctx, "undefined LZVN code 0x%02x at payload "
                              "offset %zu", op, (size_t)(s - src));
        } else if (op >= 0xA0 && op < 0xC0) {
            code_len = 3;
            if (avail < code_len)
                break;
            unsigned word = (unsigned)s[1] | (unsigned)s[2] << 8;
            literal = op >> 3 & 3;
            match = ((op & 7) << 2 | (word & 3)) + 3;
            distance = word >> 2;
        } else if ((op & 7) == 6) {
            if (op == 0x06) {
                if (avail < 8)
                    break;
                s += 8;
                if (s != s_end)
                    return lzfse_fail(ctx, "%zu LZVN payload bytes after its "
                                      "end code", (size_t)(s_end - s));
                if (dst != block_end)
                    return lzfse_fail(ctx, "LZVN payload ends after %zu of "
                                      "%u bytes", (size_t)(dst - *dst_at),
                                      raw_bytes);
                *dst_at = dst;
                return DC_OK;
            }
            if (op == 0x0E || op == 0x16) {
                s++;
                continue;
            }
            if (op < 0x40)
                return lzfse_fail(ctx, "undefined LZVN code 0x%02x at "
                                  "payload offset %zu", op, (size_t)(s - src));
            code_len = 1;
            literal = op >> 6;
            match = (op >> 3 & 7) + 3;
        } else {
            code_len = (op & 7) == 7 ? 3 : 2;
            if (avail < code_len)
                break;
            literal = op >> 6;
            match = (op >> 3 & 7) + 3;
            distance = (op & 7) == 7 ? ((size_t)s[1] | (size_t)s[2] << 8)
                                     : ((size_t)(op & 7) << 8 | s[1]);
        }
        if (avail - code_len < literal)
            break;
        if (literal + match > (size_t)(block_end - dst))
            return lzfse_fail(ctx, "LZVN code at payload offset %zu runs "
                              "past the block's %u bytes", (size_t)(s - src),
                              raw_bytes);
        s += code_len;
        lz_literal(dst, s, literal, out_end,
                   (size_t)(s_end - s) >= literal + LZ_SLACK);
        s += literal;
        dst += literal;
        if (match == 0)
            continue;
        if (distance == 0 || distance > (size_t)(dst - out))
            return lzfse_fail(ctx, "match distance %zu reaches before the "
                              "output start", distance);
        lz_match(dst, distance, match, out_end);
        dst += match;
    }
    return lzfse_fail(ctx, "LZVN code at payload offset %zu cut off by the "
                      "payload's end", (size_t)(s - src));
}

/* ---- the stream ----------------------------------------------------- */

dc_status dc_lzfse_decode(const uint8_t *in, size_t in_len, uint8_t *out,
                          size_t out_len, const char *where, dc_error *err)
{
    context ctx = {where, 0, err};
    uint8_t *dst = out;
    uint8_t *out_end = out + out_len;
    size_t pos = 0;
    lzfse_scratch *scratch = NULL;
    dc_status st = DC_OK;

    while (st == DC_OK) {
        ctx.block_at = pos;
        size_t avail = in_len - pos;
        size_t room = (size_t)(out_end - dst);
        if (avail < 4) {
            st = lzfse_fail(&ctx, "the stream ends after %zu of %zu bytes, "
                            "without its end marker",
                            (size_t)(dst - out), out_len);
            break;
        }
        const uint8_t *block = in + pos;
        uint32_t magic = lz_load_le32(block);
        if (magic == MAGIC_END) {
            if (dst != out_end)
                st = lzfse_fail(&ctx, "the stream ends after %zu of %zu "
                                "bytes", (size_t)(dst - out), out_len);
            else if (avail != 4)
                st = lzfse_fail(&ctx, "%zu input bytes follow the end marker",
                                avail - 4);
            break;
        }
        if (magic == MAGIC_STORED) {
            if (avail < 8) {
                st = lzfse_fail(&ctx, "a header cut off by the input's end");
                break;
            }
            uint32_t n = lz_load_le32(block + 4);
            if (n > room)
                st = lzfse_fail(&ctx, "%u stored bytes, more than the %zu "
                                "the output has left", n, room);
            else if (n > avail - 8)
                st = lzfse_fail(&ctx, "%u stored bytes run past the input's "
                                "end", n);
            else {
                memcpy(dst, block + 8, n);
                dst += n;
                pos += 8 + (size_t)n;
            }
        } else if (magic == MAGIC_LZVN) {
            if (avail < 12) {
                st = lzfse_fail(&ctx, "a header cut off by the input's end");
                break;
            }
            uint32_t raw = lz_load_le32(block + 4);
            uint32_t payload = lz_load_le32(block + 8);
            if (raw > room)
                st = lzfse_fail(&ctx, "%u bytes, more than the %zu the output "
                                "has left", raw, room);
            else if (payload > avail - 12)
                st = lzfse_fail(&ctx, "LZVN payload of %u bytes runs past the "
                                "input's end", payload);
            else {
                st = decode_lzvn_block(&ctx, block + 12, payload, raw, out,
                                       &dst, out_end);
                pos += 12 + (size_t)payload;
            }
        } else if (magic == MAGIC_V1 || magic == MAGIC_V2) {
            if (scratch == NULL && (scratch = malloc(sizeof *scratch)) == NULL) {
                st = dc_fail(err, DC_ERR_NOMEM, "%s: out of memory", where);
                break;
            }
            size_t used = 0;
            st = decode_lzfse_block(&ctx, scratch, block, avail,
                                    magic == MAGIC_V2, out, &dst, out_end,
                                    &used);
            pos += used;
        } else {
            st = lzfse_fail(&ctx, "unknown block magic %02x %02x %02x %02x",
                            block[0], block[1], block[2], block[3]);
        }
    }
    free(scratch);
    return st;
}
