/*
 * Apple UDIF disk images (DMG): a 512-byte "koly" trailer, a property
 * list (XML, or a binary Mac resource fork in old images) whose "blkx"
 * resources are "mish" tables of chunks, each compressed on its own, over
 * the plain image of a whole device.  FORMATS.md section 6.  All
 * integers big-endian.
 */
#ifndef DC_DMG_H
#define DC_DMG_H

#include "container.h"
#include "format.h"

#define DMG_KOLY_SIZE 512
#define DMG_SECTOR 512
#define DMG_MISH_HEADER 204
#define DMG_MISH_ENTRY 40
#define DMG_CHECKSUM_BYTES 128

/* Checksum types (koly, mish). */
enum { DMG_CHECKSUM_NONE = 0, DMG_CHECKSUM_CRC32 = 2, DMG_CHECKSUM_MD5 = 4 };

/* Chunk types of a mish table. */
enum {
    DMG_CHUNK_ZERO = 0x00000000,
    DMG_CHUNK_RAW = 0x00000001,
    DMG_CHUNK_IGNORE = 0x00000002,  /* free space: zeros, left out of the
                                       partition's checksum */
    DMG_CHUNK_ADC = 0x80000004,
    DMG_CHUNK_ZLIB = 0x80000005,
    DMG_CHUNK_BZIP2 = 0x80000006,
    DMG_CHUNK_LZFSE = 0x80000007,
    DMG_CHUNK_XZ = 0x80000008,
    DMG_CHUNK_COMMENT = 0x7FFFFFFE,
    DMG_CHUNK_END = 0xFFFFFFFF
};

typedef struct dmg_checksum {
    uint32_t type;
    uint32_t bits;
    uint8_t value[DMG_CHECKSUM_BYTES];
} dmg_checksum;

/* The trailer's fields discconv uses. */
typedef struct dmg_koly {
    uint32_t version;
    uint32_t flags;
    int64_t running_offset;   /* this segment's start in the data fork */
    int64_t data_offset, data_length;
    int64_t rsrc_offset, rsrc_length;
    uint32_t segment_number, segment_count;
    uint8_t segment_id[16];
    dmg_checksum data_checksum;
    int64_t xml_offset, xml_length;
    int64_t signature_offset, signature_length; /* code signature: skipped */
    dmg_checksum master_checksum;
    uint32_t variant;
    int64_t sector_count;
} dmg_koly;

/* Reads a trailer from its 512 bytes; false unless it starts "koly". */
bool dmg_koly_parse(const uint8_t *bytes, dmg_koly *koly);

/* One blkx resource, as the property list or resource fork holds it. */
typedef struct dmg_blkx {
    char *name;      /* Name, else CFName; never NULL */
    uint8_t *data;   /* the mish block */
    size_t size;
} dmg_blkx;

typedef struct dmg_blkx_list {
    dmg_blkx *items;
    int count;
} dmg_blkx_list;

/* The blkx resources of an XML property list (plist.c), in order;
 * `where` names it in messages ("x.dmg: property list at offset N"). */
dc_status dmg_plist_blkx(const char *where, const uint8_t *xml, size_t size,
                         dmg_blkx_list *list, dc_error *err);
/* The blkx resources of a binary Mac resource fork (rsrc.c). */
dc_status dmg_rsrc_blkx(const char *where, const uint8_t *fork, size_t size,
                        dmg_blkx_list *list, dc_error *err);
dc_status dmg_blkx_list_add(dmg_blkx_list *list, const char *name,
                            const uint8_t *data, size_t size, dc_error *err);
void dmg_blkx_list_free(dmg_blkx_list *list);

/* One chunk entry of a mish table. */
typedef struct dmg_entry {
    uint32_t type;
    int64_t sector_offset, sector_count; /* relative to the partition */
    int64_t in_offset, in_length;        /* relative to its data start */
    int index;                           /* its place in the table */
} dmg_entry;

/* A partition: one blkx and its mish table. */
typedef struct dmg_partition {
    char *name;
    char *type;          /* "Apple_HFS" from "disk image (Apple_HFS : 1)" */
    int64_t first_sector, sector_count;
    int64_t data_start;  /* the chunks' input offsets count from here */
    dmg_checksum checksum;
    dmg_entry *entries;  /* data chunks only: comments and the end left out */
    int entry_count;
} dmg_partition;

/* Parses blkx number `number` into *part: every entry checked (known
 * type, inside the partition, contiguous, offsets that add up). */
dc_status dmg_mish_parse(const char *path, int number, const dmg_blkx *blkx,
                         dmg_partition *part, dc_error *err);
void dmg_partition_free(dmg_partition *part);
/* "partition 3 (disk image (Apple_HFS : 1))" */
void dmg_partition_label(const dmg_partition *part, int number, char *text,
                         size_t size);

/* The chunk map of every partition's entries over a data fork of
 * `input_size` bytes, the image `size` bytes; validated. */
dc_status dmg_build_map(const char *path, const dmg_partition *parts,
                        int count, int64_t input_size, int64_t size,
                        dc_chunk_map *map, dc_error *err);

/* The data fork's CRC-32, taken from the reads the chunks make of it
 * (verify.c): a separate pass over the fork would cost as much as the
 * conversion's own reads.  dmg_fork_tap_open() puts a source over `fork` that
 * records the CRC-32 of every read (from any thread); dmg_fork_tap_check()
 * reads only what no read covered and compares the whole with `checksum`.
 * The tap is owned by its source, `what` names the fork in messages. */
typedef struct dmg_fork_tap dmg_fork_tap;
dc_status dmg_fork_tap_open(dc_source **source, dmg_fork_tap **tap,
                       dc_source *fork, const dmg_checksum *checksum,
                       const char *what, dc_error *err);
dc_status dmg_fork_tap_check(dmg_fork_tap *tap, dc_error *err);

/* A source over `plain` that verifies each partition's checksum as its
 * bytes are read in order, from the start of partition `first` on (verify.c);
 * a mismatch fails the read that completes the partition.  With a `tap`,
 * the read that completes the image checks the data fork too. */
dc_status dmg_verifying_source(dc_source **source, dc_source *plain,
                               const char *path, const dmg_partition *parts,
                               int count, int first, dmg_fork_tap *tap,
                               dc_error *err);

/* Checks `len` bytes of a source against a checksum (CRC-32 or MD5);
 * `what` names it in the message. */
dc_status dmg_check_bytes(dc_source *source, int64_t offset, int64_t len,
                          const dmg_checksum *checksum, const char *what,
                          dc_error *err);
/* Whether discconv computes this kind of checksum. */
bool dmg_checksum_known(const dmg_checksum *checksum);
/* "CRC-32 12345678" for messages. */
void dmg_checksum_text(const dmg_checksum *checksum, const uint8_t *value,
                       char *text, size_t size);

/* Encrypted images (crypt.c): an "encrcdsa" (version 2) header at offset
 * 0, then the UDIF in AES-encrypted blocks. */
#define DMG_CRYPT_MAX_BLOBS 4
#define DMG_CRYPT_MAX_WRAPPED 256

/* A password key blob: what unwraps the data's keys. */
typedef struct dmg_crypt_blob {
    int64_t offset;
    uint32_t iterations;          /* of PBKDF2-HMAC-SHA1 */
    uint8_t salt[20];
    uint32_t wrap_algorithm, wrap_key_bits; /* 3DES 192, AES 128/192/256 */
    uint8_t iv[16];
    uint8_t wrapped[DMG_CRYPT_MAX_WRAPPED];
    size_t wrapped_size;
} dmg_crypt_blob;

typedef struct dmg_crypt {
    uint32_t key_bits;            /* the data's AES key: 128 or 256 */
    uint32_t hmac_key_bits;       /* the key of the blocks' IVs */
    uint32_t block_size;
    int64_t data_size, data_offset;
    dmg_crypt_blob blobs[DMG_CRYPT_MAX_BLOBS];
    int blob_count;
} dmg_crypt;

/* Whether a file starts with the encrcdsa magic. */
bool dmg_crypt_magic(const uint8_t *head, size_t size);
/* Reads and checks the header and its password blobs. */
dc_status dmg_crypt_read(dc_source *file, const char *path, dmg_crypt *crypt,
                         dc_error *err);
/* "AES-256, encrcdsa v2": a string literal (an image fact). */
const char *dmg_crypt_name(const dmg_crypt *crypt);
/* The decrypted data as a source over `file` (which must outlive it); a
 * password that unlocks no blob is DC_ERR_USAGE with DC_ADVICE_PASSWORD. */
dc_status dmg_decrypting_source(dc_source **source, dc_source *file,
                                const char *path, const dmg_crypt *crypt,
                                const char *password, dc_error *err);

#endif
