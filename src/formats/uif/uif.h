/*
 * MagicISO UIF ("Universal Image Format"): the on-disk layout, shared by
 * the reader (read.c) and the writer (write.c).  FORMATS.md section 5,
 * with the corrections of 5.6.  Everything is little-endian:
 *
 *   [block data ...] [table section] [blms section] [blss section] [bbis]
 *
 * The 64-byte `bbis` footer ends the file and points at the table; the
 * table (`blhr`, or `bsdr` in front of an encrypted copy of the footer
 * when a password protects the image) lists blocks of sectors, each
 * stored, zero or compressed (zlib below version 3, LZMA from 3 on).
 * Image type 9 ("mixed") adds `blms` (a raw TOC with the original file
 * names) and `blss` (the original descriptor: a cue sheet, an MDS, a
 * CCD with its .sub, or nothing for an NRG, whose blocks are the whole
 * NRG file).
 */
#ifndef DC_UIF_H
#define DC_UIF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define UIF_FOOTER_SIZE 64
#define UIF_SECTION_HEADER 16  /* signature, size, compressed flag, count */
#define UIF_BLOCK_ENTRY 24
#define UIF_BLSS_TYPE_SIZE 4   /* the original image type after blss */
/* Below version 3 blocks and sections are zlib (MagicISO writes 2);
 * from 3 on, LZMA. */
#define UIF_VERSION_ZLIB 2
#define UIF_VERSION_LZMA 3
/* The prefix of an LZMA block or section: a flag byte (x86 BCJ after
 * decoding when non-zero), 5 bytes of LZMA properties, an 8-byte size
 * (ignored: the table gives it). */
#define UIF_LZMA_PREFIX 14
/* The key a password or fixed string makes (DES uses the first 8). */
#define UIF_KEY_TEXT 32
#define UIF_PASSWORD_MAX 31
#define UIF_FIXED_KEYS 16

enum { UIF_TYPE_ISO = 8, UIF_TYPE_MIXED = 9 };

/* Block types of the table. */
enum { UIF_BLOCK_STORED = 1, UIF_BLOCK_ZERO = 3, UIF_BLOCK_COMPRESSED = 5 };

/* The original image of a mixed UIF (the 4 bytes after `blss`). */
enum {
    UIF_ORIGINAL_ISO = 0,
    UIF_ORIGINAL_CUE = 1,
    UIF_ORIGINAL_MDS = 2,
    UIF_ORIGINAL_CCD = 3,
    UIF_ORIGINAL_NRG = 4,
    UIF_ORIGINAL_COUNT
};

/* What the cascade (key2 = 2) is: MagicISO's own chain of ciphers. */
#define UIF_KEY2_CASCADE 2

/* blms track records: 68 bytes each after the stored names. */
#define UIF_BLMS_RECORD 68
#define UIF_BLMS_NAMES 0x40   /* where records start when no name is kept */
/* A record's ADR (1, high nibble) and control (low nibble: 4 = data). */
enum { UIF_BLMS_AUDIO = 0x10, UIF_BLMS_DATA = 0x14 };
/* A record's MSF counts the 2 s before LBA 0. */
#define UIF_BLMS_MSF_LEAD 150

static inline uint16_t uif_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t uif_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t uif_le64(const uint8_t *p)
{
    return (uint64_t)uif_le32(p) | (uint64_t)uif_le32(p + 4) << 32;
}

static inline void uif_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void uif_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void uif_put64(uint8_t *p, uint64_t v)
{
    uif_put32(p, (uint32_t)v);
    uif_put32(p + 4, (uint32_t)(v >> 32));
}

/* The footer, field by field. */
typedef struct uif_footer {
    uint32_t struct_size;    /* ignored by readers */
    uint16_t version;
    uint16_t image_type;
    uint16_t unknown;
    uint16_t padding;
    uint32_t sectors;        /* of the plain image */
    uint32_t sector_size;
    uint32_t lastdiff;       /* non-zero: the last sector's length */
    uint64_t table_offset;   /* where `blhr` (or `bsdr`) starts */
    uint32_t tables_size;    /* bytes of the table sections and footer */
    uint8_t hash[16];
    uint8_t key1, key2, key3, key4;
    uint32_t unknown2;
} uif_footer;

/* Reads a footer from its 64 bytes; false unless it starts "bbis". */
static inline bool uif_footer_parse(const uint8_t *b, uif_footer *f)
{
    if (memcmp(b, "bbis", 4) != 0)
        return false;
    *f = (uif_footer){
        .struct_size = uif_le32(b + 4),
        .version = uif_le16(b + 8),
        .image_type = uif_le16(b + 10),
        .unknown = uif_le16(b + 12),
        .padding = uif_le16(b + 14),
        .sectors = uif_le32(b + 16),
        .sector_size = uif_le32(b + 20),
        .lastdiff = uif_le32(b + 24),
        .table_offset = uif_le64(b + 28),
        .tables_size = uif_le32(b + 36),
        .key1 = b[56], .key2 = b[57], .key3 = b[58], .key4 = b[59],
        .unknown2 = uif_le32(b + 60),
    };
    memcpy(f->hash, b + 40, sizeof f->hash);
    return true;
}

/* Writes a footer's 64 bytes. */
static inline void uif_footer_pack(const uif_footer *f, uint8_t *b)
{
    memcpy(b, "bbis", 4);
    uif_put32(b + 4, f->struct_size);
    uif_put16(b + 8, f->version);
    uif_put16(b + 10, f->image_type);
    uif_put16(b + 12, f->unknown);
    uif_put16(b + 14, f->padding);
    uif_put32(b + 16, f->sectors);
    uif_put32(b + 20, f->sector_size);
    uif_put32(b + 24, f->lastdiff);
    uif_put64(b + 28, f->table_offset);
    uif_put32(b + 36, f->tables_size);
    memcpy(b + 40, f->hash, sizeof f->hash);
    b[56] = f->key1;
    b[57] = f->key2;
    b[58] = f->key3;
    b[59] = f->key4;
    uif_put32(b + 60, f->unknown2);
}

/* A section header: `blhr`/`bsdr` (count = entries), `blms` and `blss`
 * (count = the uncompressed bytes).  Compressed data after it is
 * size - 8 bytes long (size - 12 for blss, whose type field counts). */
typedef struct uif_section {
    char signature[5];
    uint32_t size;
    uint32_t compressed;
    uint32_t count;
} uif_section;

static inline void uif_section_parse(const uint8_t *b, uif_section *s)
{
    memcpy(s->signature, b, 4);
    s->signature[4] = '\0';
    s->size = uif_le32(b + 4);
    s->compressed = uif_le32(b + 8);
    s->count = uif_le32(b + 12);
}

static inline void uif_section_pack(const uif_section *s, uint8_t *b)
{
    memcpy(b, s->signature, 4);
    uif_put32(b + 4, s->size);
    uif_put32(b + 8, s->compressed);
    uif_put32(b + 12, s->count);
}

/* One block of the table. */
typedef struct uif_block {
    uint64_t offset;      /* of its data in the file */
    uint32_t stored;      /* bytes of data (compressed or not) */
    uint32_t sector;      /* first sector of the plain image */
    uint32_t count;       /* sectors */
    uint32_t type;        /* UIF_BLOCK_* */
} uif_block;

static inline void uif_block_parse(const uint8_t *b, uif_block *k)
{
    *k = (uif_block){
        .offset = uif_le64(b),
        .stored = uif_le32(b + 8),
        .sector = uif_le32(b + 12),
        .count = uif_le32(b + 16),
        .type = uif_le32(b + 20),
    };
}

static inline void uif_block_pack(const uif_block *k, uint8_t *b)
{
    uif_put64(b, k->offset);
    uif_put32(b + 8, k->stored);
    uif_put32(b + 12, k->sector);
    uif_put32(b + 16, k->count);
    uif_put32(b + 20, k->type);
}

/* One blms track record: where the track's INDEX 01 is in the payload and
 * what it holds. */
typedef struct uif_blms_track {
    uint8_t session;
    uint8_t adr_control;  /* UIF_BLMS_AUDIO or UIF_BLMS_DATA */
    uint8_t number;
    uint8_t minute, second, frame;  /* binary MSF, UIF_BLMS_MSF_LEAD on */
    uint8_t mode;         /* 0 audio, 1 Mode 1, 2 Mode 2 */
    uint32_t sector_size;
} uif_blms_track;

/* Writes a record's UIF_BLMS_RECORD bytes; the fields not named are 0. */
static inline void uif_blms_track_pack(const uif_blms_track *t, uint8_t *b)
{
    memset(b, 0, UIF_BLMS_RECORD);
    b[0] = t->session;
    b[1] = t->adr_control;
    b[3] = t->number;
    b[8] = t->minute;
    b[9] = t->second;
    b[10] = t->frame;
    b[11] = t->mode;
    uif_put32(b + 24, t->sector_size);
}

#endif
