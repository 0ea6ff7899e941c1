/*
 * The P/Q parity kernel, written once for any vector width: sector.c
 * includes it once per width with
 *   ECC_LANES   GF(2^8) symbols per vector (16, 32 or 64),
 *   ECC_SUFFIX  appended to every name defined here (compute_ecc is the
 *               entry point),
 *   ECC_TARGET  function attributes (the instruction set), maybe empty,
 *   ECC_MUL2    optionally, a faster multiply-by-alpha: ECC_MUL2(x) of a
 *               `lanes` vector,
 *   ECC_DIV3    optionally, a vector division by alpha + 1 (else tables),
 * so that the subtle Q indexing exists once.  See sector.c for the layout.
 */
#define LANES ECC_LANES
#define ECC_FN static inline ECC_TARGET
/* Every name below gets the suffix (macros cannot re-expand themselves). */
#define lanes DC_NAME(lanes, ECC_SUFFIX)
#define signed_lanes DC_NAME(signed_lanes, ECC_SUFFIX)
#define load_lanes DC_NAME(load_lanes, ECC_SUFFIX)
#define mul2_lanes DC_NAME(mul2_lanes, ECC_SUFFIX)
#define parity_lanes DC_NAME(parity_lanes, ECC_SUFFIX)
#define compute_p DC_NAME(compute_p, ECC_SUFFIX)
#define q_step DC_NAME(q_step, ECC_SUFFIX)
#define q_valid_lanes DC_NAME(q_valid_lanes, ECC_SUFFIX)
#define compute_q DC_NAME(compute_q, ECC_SUFFIX)
#define compute_ecc DC_NAME(compute_ecc, ECC_SUFFIX)
/* A row is read as ROW_BLOCKS blocks; bytes past column 85 are ignored. */
#define ROW_BLOCKS ((ROW_SIZE + LANES - 1) / LANES)
/* The LANES bytes read at symbol k of diagonal d also hold symbol k + 1 of
 * diagonal d - 1, k + 2 of d - 2, ...: a Q block carries LANES / 2
 * diagonals that run 0..LANES / 2 - 1 steps apart. */
#define Q_DIAGONALS_PER_BLOCK (LANES / 2)
#define Q_SKEW (Q_DIAGONALS_PER_BLOCK - 1)
#define Q_BLOCKS \
    ((Q_DIAGONALS + Q_DIAGONALS_PER_BLOCK - 1) / Q_DIAGONALS_PER_BLOCK)
/* The first step reads Q_LEAD_IN bytes before the rows (masked off). */
#define Q_LEAD_IN (Q_SKEW * (Q_STEP - ROW_SIZE))

typedef uint8_t lanes __attribute__((vector_size(LANES)));
typedef int8_t signed_lanes __attribute__((vector_size(LANES)));

ECC_FN lanes load_lanes(const uint8_t *p)
{
    lanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

#ifdef ECC_MUL2
ECC_FN lanes mul2_lanes(lanes x)
{
    return ECC_MUL2(x);
}
#else
/* Multiplies every lane by alpha (= 2): a lane whose top bit falls off is
 * reduced by 0x1D (x^8 = x^4 + x^3 + x^2 + 1). */
ECC_FN lanes mul2_lanes(lanes x)
{
    lanes overflow = (lanes)((signed_lanes)x < 0);
    return (x + x) ^ (overflow & 0x1D);
}
#endif

/*
 * Every RS vector keeps a = sum of alpha^(n - i) * s_i and b = sum of s_i.
 * Its two parity symbols make both sums over the whole codeword zero:
 * first = (alpha * a + b) / (alpha + 1), second = first + b.  This writes
 * them for every lane of `blocks` blocks to first[] and second[].
 */
ECC_FN void parity_lanes(const lanes *a, const lanes *b, size_t blocks,
                         uint8_t *first, uint8_t *second)
{
    for (size_t i = 0; i < blocks; i++) {
        lanes numerator = mul2_lanes(a[i]) ^ b[i];
#ifdef ECC_DIV3
        lanes first_lanes = ECC_DIV3(numerator);
        lanes second_lanes = first_lanes ^ b[i];
        memcpy(first + i * LANES, &first_lanes, LANES);
        memcpy(second + i * LANES, &second_lanes, LANES);
#else
        uint8_t numerators[LANES], sums[LANES];
        memcpy(numerators, &numerator, LANES);
        memcpy(sums, &b[i], LANES);
        for (size_t k = 0; k < LANES; k++) {
            first[i * LANES + k] = gf_div_by_3[numerators[k]];
            second[i * LANES + k] = first[i * LANES + k] ^ sums[k];
        }
#endif
    }
}

/* P: the 86 columns of the 24 data rows, all at once, row by row. */
ECC_FN void compute_p(const uint8_t *rows, uint8_t *p_out)
{
    lanes a[ROW_BLOCKS] = {0};
    lanes b[ROW_BLOCKS] = {0};
    for (size_t r = 0; r < DATA_ROWS; r++) {
        const uint8_t *row = rows + r * ROW_SIZE;
        /* Unrolled so that the sums stay in registers. */
#pragma GCC unroll 8
        for (size_t i = 0; i < ROW_BLOCKS; i++) {
            lanes symbols = load_lanes(row + i * LANES);
            a[i] = mul2_lanes(a[i] ^ symbols);
            b[i] ^= symbols;
        }
    }
    uint8_t first[ROW_BLOCKS * LANES], second[ROW_BLOCKS * LANES];
    parity_lanes(a, b, ROW_BLOCKS, first, second);
    memcpy(p_out, first, P_VECTORS);
    memcpy(p_out + P_VECTORS, second, P_VECTORS);
}

/* One Q step at `offset` into the rows: block j holds, in its byte pairs
 * 0.., diagonals (j + 1) * Q_DIAGONALS_PER_BLOCK - 1 down to
 * j * Q_DIAGONALS_PER_BLOCK.  Lanes outside `valid` are before their first
 * or past their last symbol: they take no symbol and keep their sums. */
ECC_FN void q_step(lanes *a, lanes *b, const uint8_t *rows, ptrdiff_t offset,
                   lanes valid)
{
#pragma GCC unroll 8
    for (size_t j = 0; j < Q_BLOCKS; j++) {
        ptrdiff_t at = offset + (ptrdiff_t)(j * Q_DIAGONALS_PER_BLOCK) *
                                    ROW_SIZE;
        if (at >= ECC_ROWS * ROW_SIZE)
            at -= ECC_ROWS * ROW_SIZE;
        lanes symbols = load_lanes(rows + at) & valid;
        lanes next = mul2_lanes(a[j] ^ symbols);
        a[j] ^= (next ^ a[j]) & valid;
        b[j] ^= symbols;
    }
}

/* Byte pair i of a block is at symbol t - Q_SKEW + i in step t. */
ECC_FN lanes q_valid_lanes(int t)
{
    signed_lanes pair;
    memcpy(&pair, lane_pair_index, sizeof pair);
    return (lanes)((pair >= (int8_t)(Q_SKEW - t)) &
                   (pair <= (int8_t)(Q_SYMBOLS - 1 + Q_SKEW - t)));
}

/* Q over the 26 rows, which repeat: symbol k of diagonal d is at offset
 * 86d + 88k modulo their size.  Only the first and last Q_SKEW steps have
 * lanes outside their vector, so only they need masks. */
ECC_FN void compute_q(const uint8_t *rows, uint8_t *q_out)
{
    lanes a[Q_BLOCKS] = {0};
    lanes b[Q_BLOCKS] = {0};
    const lanes all = ~(lanes){0};
    ptrdiff_t offset = -Q_LEAD_IN;
    int t = 0;
    for (; t < Q_SKEW; t++, offset += Q_STEP)
        q_step(a, b, rows, offset, q_valid_lanes(t));
    for (; t < Q_SYMBOLS; t++) {
        q_step(a, b, rows, offset, all);
        offset += Q_STEP;
        if (offset >= ECC_ROWS * ROW_SIZE)
            offset -= ECC_ROWS * ROW_SIZE;
    }
    for (; t < Q_SYMBOLS + Q_SKEW; t++) {
        q_step(a, b, rows, offset, q_valid_lanes(t));
        offset += Q_STEP;
        if (offset >= ECC_ROWS * ROW_SIZE)
            offset -= ECC_ROWS * ROW_SIZE;
    }

    uint8_t first[Q_BLOCKS * LANES], second[Q_BLOCKS * LANES];
    parity_lanes(a, b, Q_BLOCKS, first, second);
    for (size_t m = 0; m < Q_VECTORS; m++) {
        size_t diagonal = m / 2;
        size_t lane = diagonal / Q_DIAGONALS_PER_BLOCK * LANES +
                      2 * (Q_SKEW - diagonal % Q_DIAGONALS_PER_BLOCK) + m % 2;
        q_out[m] = first[lane];
        q_out[Q_VECTORS + m] = second[lane];
    }
}

/* P then Q parity of a raw sector, into parity[0..275]. */
ECC_TARGET static void compute_ecc(const uint8_t *raw, uint8_t *parity)
{
    /* The 26 rows, after LANES bytes for Q's masked lead-in reads and
     * before their first LANES bytes again, for reads across their end. */
    uint8_t buffer[LANES + ECC_ROWS * ROW_SIZE + LANES];
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
    memcpy(rows + ecc_size, rows, LANES);
    compute_q(rows, parity + P_SIZE);
    memcpy(parity, rows + data_size, P_SIZE);
}

#undef LANES
#undef ECC_FN
#undef lanes
#undef signed_lanes
#undef ROW_BLOCKS
#undef Q_DIAGONALS_PER_BLOCK
#undef Q_SKEW
#undef Q_BLOCKS
#undef Q_LEAD_IN
#undef load_lanes
#undef mul2_lanes
#undef parity_lanes
#undef compute_p
#undef q_step
#undef q_valid_lanes
#undef compute_q
#undef compute_ecc
#undef ECC_LANES
#undef ECC_SUFFIX
#undef ECC_TARGET
#undef ECC_MUL2
#undef ECC_DIV3
