/*
 * The CD sector codec (ECMA-130): sync, header, Mode 2 subheader, EDC and
 * the Reed-Solomon P/Q parity.  Hand-written because no Debian library
 * exposes it: libcdio reads sectors but neither computes nor checks EDC/ECC.
 */
#ifndef DC_SECTOR_H
#define DC_SECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_SYNC_SIZE 12
#define DC_HEADER_SIZE 4          /* M, S, F (BCD) and mode */
#define DC_SUBHEADER_SIZE 8       /* 4 bytes, stored twice */
#define DC_USER_MODE1 2048
#define DC_USER_FORM1 2048
#define DC_USER_FORM2 2324
#define DC_USER_MODE2 2336
#define DC_XA_SUBMODE_FORM2 0x20  /* bit 5 of the subheader submode byte */

/* What the bytes of a raw sector say it is. */
typedef enum dc_sector_kind {
    DC_SECTOR_NO_SYNC,      /* no sync pattern: audio, or not a CD sector */
    DC_SECTOR_MODE0,        /* sync + mode 0: an empty gap sector */
    DC_SECTOR_MODE1,
    DC_SECTOR_MODE2,        /* formless: the subheader copies differ */
    DC_SECTOR_MODE2_FORM1,
    DC_SECTOR_MODE2_FORM2,
    DC_SECTOR_BAD_MODE      /* sync, but a mode byte other than 0, 1, 2 */
} dc_sector_kind;

typedef enum dc_sector_check {
    DC_CHECK_OK,
    DC_CHECK_BAD_EDC,
    DC_CHECK_BAD_ECC
} dc_sector_check;

/* The 12-byte sync pattern 00 FF*10 00. */
extern const uint8_t dc_sync_pattern[DC_SYNC_SIZE];

/* EDC (ECMA-130 CRC-32, reflected 0xD8018001, init 0) over len bytes. */
uint32_t dc_edc_compute(const uint8_t *data, size_t len);
/* The CD subcode CRC: CRC-16/CCITT (polynomial 0x1021, initial 0),
 * which subchannel Q (ECMA-130 22.3.6) and CD-TEXT packs store inverted
 * after their data. */
uint16_t dc_subcode_crc(const uint8_t *data, size_t len);

/* Implementations of the EDC and the P/Q parity, slowest first.  The
 * fastest one that this build and CPU support is used unless a test
 * selects another. */
typedef enum dc_codec_impl {
    DC_CODEC_PORTABLE,     /* table EDC, 16-lane vector parity */
    DC_CODEC_PCLMUL_AVX2,  /* x86: PCLMULQDQ EDC, 32-lane AVX2 parity */
    DC_CODEC_AVX512,       /* x86: VPCLMULQDQ EDC, AVX-512 + GFNI parity */
    DC_CODEC_COUNT
} dc_codec_impl;

bool dc_sector_codec_available(dc_codec_impl impl);
/* For tests and benchmarks: switches the whole process to impl, false if
 * it is not available.  Not thread-safe: no other thread may be using the
 * codec meanwhile. */
bool dc_sector_codec_select(dc_codec_impl impl);
/* "portable", "pclmul+avx2", ...: the implementation in use. */
const char *dc_sector_codec_name(void);

/* The carry-less folding constant x^exponent mod P for a CRC-32 with the
 * given reflected polynomial, bit-reflected and shifted left by one, as
 * the PCLMULQDQ folding wants it (exposed for tests). */
uint64_t dc_crc_fold_constant(uint32_t reflected_poly, unsigned exponent);

/* Writes sync and header (absolute MSF of lba + 150, in BCD) and mode.
 * Addresses outside 00:00:00..99:59:74 wrap modulo 100 minutes, which is
 * how MMC maps lead-in LBAs. */
void dc_sector_write_header(uint8_t *raw, int64_t lba, int mode);
/* Reads the header address; false if a byte is not valid BCD or the
 * seconds or frames are out of range. */
bool dc_sector_header_lba(const uint8_t *raw, int64_t *lba);

/* Computes P then Q parity into raw[2076..2351].  For mode 2 sectors
 * (raw[15] == 2) the header is taken as zero, per ECMA-130. */
void dc_ecc_generate(uint8_t *raw);

/* Full sectors from user data.  `raw` receives 2352 bytes. */
void dc_sector_encode_mode1(uint8_t *raw, int64_t lba, const uint8_t *user);
void dc_sector_encode_form1(uint8_t *raw, int64_t lba,
                            const uint8_t subheader[4], const uint8_t *user);
void dc_sector_encode_form2(uint8_t *raw, int64_t lba,
                            const uint8_t subheader[4], const uint8_t *user);
/* Mode 2 stored as 2336 bytes (everything after the header): adds sync and
 * header and keeps the rest as stored. */
void dc_sector_encode_from_2336(uint8_t *raw, int64_t lba,
                                const uint8_t *stored);

dc_sector_kind dc_sector_classify(const uint8_t *raw);

/* What a 2352-byte sector's bytes say about its track: data or audio. */
typedef enum dc_sector_evidence {
    DC_EVIDENCE_NONE,  /* all zeros (silence, or an empty dump), or a sync
                          pattern without a valid header: says nothing */
    DC_EVIDENCE_AUDIO, /* no sync pattern: samples */
    DC_EVIDENCE_DATA   /* sync, a BCD address and mode 0, 1 or 2 */
} dc_sector_evidence;

/* Weighs one raw sector; for DATA, *header_lba receives its address.
 * Cheap: most sectors are decided by the sync compare. */
dc_sector_evidence dc_sector_weigh(const uint8_t *raw, int64_t *header_lba);

/* Checks EDC and ECC of a Mode 1 / Form 1 sector, EDC of a Form 2 sector
 * (a zero Form 2 EDC means "not computed" and passes).  Audio, Mode 0 and
 * formless Mode 2 sectors have nothing to check and pass. */
dc_sector_check dc_sector_verify(const uint8_t *raw);

/* Offset and size of the user data inside a raw sector of this kind
 * (Mode 0 answers 16/2336 of zeros, NO_SYNC 0/2352). */
void dc_sector_user_span(dc_sector_kind kind, size_t *offset, size_t *size);

#endif
