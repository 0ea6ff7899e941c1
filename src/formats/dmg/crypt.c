/*
 * Encrypted Apple disk images ("encrcdsa", version 2): a header at offset
 * 0, key blobs, then the data -- an ordinary UDIF -- in blocks each
 * encrypted with AES-CBC on its own.  A password blob wraps the AES key
 * and an HMAC-SHA1 key: PBKDF2-HMAC-SHA1 of the password unlocks it (3DES
 * or AES, CBC, PKCS#7 padding), and block n's IV is the first 16 bytes of
 * HMAC-SHA1(hmac key, n as a big-endian uint32).  The decrypted data is
 * served as a source, so the rest of the reader runs on it unchanged.
 * FORMATS.md section 6.5.  All integers big-endian.
 */
#include "dmg.h"

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/pbkdf2.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 0x4C        /* through the key blob count */
#define POINTER_SIZE 20         /* type, offset, size */
#define MAX_BLOBS 64
#define BLOB_FIXED 104          /* a password blob before its wrapped key */
#define KDF_PBKDF2 103
#define SALT_SIZE 20
#define ALG_3DES 17             /* CSSM_ALGID_3DES_3KEY_EDE */
#define ALG_AES 0x80000001u     /* CSSM_ALGID_AES */
#define MODE_CBC 6
#define PADDING_PKCS7 7
#define MAX_ITERATIONS 10000000u
#define MIN_BLOCK 512
#define MAX_BLOCK (1 << 20)
#define CACHE_SLOTS 4
#define BULK_BLOCKS 64          /* whole blocks decrypted in one read */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

bool dmg_crypt_magic(const uint8_t *head, size_t size)
{
    return size >= 8 && memcmp(head, "encrcdsa", 8) == 0;
}

/* --- the header and its password blobs ----------------------------------- */

static bool power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* A password blob's fields, checked: DC_ERR_UNSUPPORTED for a key
 * derivation or wrapping discconv does not know. */
static dc_status parse_blob(const char *path, const uint8_t *b, size_t size,
                            int64_t at, dmg_crypt_blob *blob, dc_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "password key blob at offset %lld",
             (long long)at);
    if (size < BLOB_FIXED)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa %s: %zu bytes, "
                       "fewer than its %d-byte header", path, where, size,
                       BLOB_FIXED);
    uint32_t kdf = be32(b), iterations = be32(b + 8), salt_size = be32(b + 12);
    uint32_t iv_size = be32(b + 48), key_bits = be32(b + 84);
    uint32_t algorithm = be32(b + 88), padding = be32(b + 92);
    uint32_t mode = be32(b + 96), wrapped = be32(b + 100);
    if (kdf != KDF_PBKDF2 || salt_size != SALT_SIZE)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrcdsa %s: key "
                       "derivation %u with a %u-byte salt, where discconv "
                       "reads PBKDF2 (103) with 20", path, where,
                       (unsigned)kdf, (unsigned)salt_size);
    if (iterations == 0 || iterations > MAX_ITERATIONS)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa %s: %u PBKDF2 "
                       "iterations (1 to %u make sense)", path, where,
                       (unsigned)iterations, MAX_ITERATIONS);
    bool des3 = algorithm == ALG_3DES && key_bits == 192;
    bool aes = algorithm == ALG_AES &&
               (key_bits == 128 || key_bits == 192 || key_bits == 256);
    if ((!des3 && !aes) || mode != MODE_CBC || padding != PADDING_PKCS7)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrcdsa %s: its key is "
                       "wrapped with algorithm 0x%x (%u bits), mode %u, "
                       "padding %u, where discconv reads 3DES or AES in CBC "
                       "mode with PKCS#7 padding", path, where,
                       (unsigned)algorithm, (unsigned)key_bits,
                       (unsigned)mode, (unsigned)padding);
    size_t block = des3 ? DES3_BLOCK_SIZE : AES_BLOCK_SIZE;
    if (iv_size == 0 || iv_size > block)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa %s: a %u-byte IV for "
                       "a cipher of %zu-byte blocks", path, where,
                       (unsigned)iv_size, block);
    if (wrapped == 0 || wrapped % block != 0 ||
        wrapped > sizeof blob->wrapped || wrapped > size - BLOB_FIXED)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa %s: a wrapped key of "
                       "%u bytes (whole %zu-byte blocks, at most %zu, inside "
                       "the blob's %zu)", path, where, (unsigned)wrapped,
                       block, sizeof blob->wrapped, size - BLOB_FIXED);
    *blob = (dmg_crypt_blob){
        .offset = at,
        .iterations = iterations,
        .wrap_algorithm = algorithm,
        .wrap_key_bits = key_bits,
        .wrapped_size = wrapped,
    };
    memcpy(blob->salt, b + 16, SALT_SIZE);
    memcpy(blob->iv, b + 52, iv_size);   /* zero-extended for AES */
    memcpy(blob->wrapped, b + BLOB_FIXED, wrapped);
    return DC_OK;
}

/* The fixed header: what the data is and how it is encrypted. */
static dc_status parse_fixed(const char *path, const uint8_t *h,
                             int64_t file_size, dmg_crypt *c, dc_error *err)
{
    uint32_t version = be32(h + 8), iv_size = be32(h + 12);
    uint32_t algorithm = be32(h + 20);
    c->key_bits = be32(h + 24);
    c->hmac_key_bits = be32(h + 32);
    c->block_size = be32(h + 52);
    uint64_t data_size = be64(h + 56), data_offset = be64(h + 64);
    if (version != 2)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrcdsa header version "
                       "%u: discconv reads version 2", path,
                       (unsigned)version);
    if (algorithm != ALG_AES || iv_size != AES_BLOCK_SIZE)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrcdsa header: data "
                       "encrypted with algorithm 0x%x and a %u-byte IV, where "
                       "discconv reads AES (0x80000001) with 16", path,
                       (unsigned)algorithm, (unsigned)iv_size);
    if (c->key_bits != 128 && c->key_bits != 256)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrcdsa header: an "
                       "AES key of %u bits, where discconv reads 128 and 256",
                       path, (unsigned)c->key_bits);
    if (c->hmac_key_bits == 0 || c->hmac_key_bits % 8 != 0 ||
        c->hmac_key_bits > 512)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: an HMAC key "
                       "of %u bits (whole bytes, at most 512)", path,
                       (unsigned)c->hmac_key_bits);
    if (!power_of_two(c->block_size) || c->block_size < MIN_BLOCK ||
        c->block_size > MAX_BLOCK)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: data blocks "
                       "of %u bytes (a power of two from %d to %d)", path,
                       (unsigned)c->block_size, MIN_BLOCK, MAX_BLOCK);
    if (data_offset < HEADER_SIZE || data_offset > (uint64_t)file_size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: data at "
                       "offset %llu, outside the file's %lld bytes", path,
                       (unsigned long long)data_offset, (long long)file_size);
    /* Every block is whole in the file; the data size trims the last. */
    uint64_t room = (uint64_t)file_size - data_offset;
    uint64_t blocks = data_size / c->block_size +
                      (data_size % c->block_size != 0);
    if (data_size == 0 || blocks > room / c->block_size ||
        blocks > UINT32_MAX)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: %llu bytes "
                       "of data in %u-byte blocks from offset %llu do not fit "
                       "the file's %lld bytes", path,
                       (unsigned long long)data_size,
                       (unsigned)c->block_size,
                       (unsigned long long)data_offset, (long long)file_size);
    c->data_size = (int64_t)data_size;
    c->data_offset = (int64_t)data_offset;
    return DC_OK;
}

/* The password blobs the pointer array names; others (certificates) are
 * passed over. */
static dc_status read_blobs(dc_source *file, const char *path,
                            uint32_t count, dmg_crypt *c, dc_error *err)
{
    int64_t file_size = dc_source_size(file);
    uint8_t pointers[MAX_BLOBS * POINTER_SIZE];
    if (dc_source_read_at(file, HEADER_SIZE, pointers,
                          (size_t)count * POINTER_SIZE, err) != DC_OK)
        return err->status;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *p = pointers + i * POINTER_SIZE;
        uint64_t offset = be64(p + 4), size = be64(p + 12);
        if (offset > (uint64_t)file_size || size > (uint64_t)file_size - offset)
            return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: key blob "
                           "%u (%llu bytes at offset %llu) lies past the "
                           "file's end (%lld bytes)", path, (unsigned)i,
                           (unsigned long long)size,
                           (unsigned long long)offset, (long long)file_size);
        if (be32(p) != 1 || c->blob_count == DMG_CRYPT_MAX_BLOBS)
            continue;
        uint8_t bytes[BLOB_FIXED + DMG_CRYPT_MAX_WRAPPED];
        size_t n = size < sizeof bytes ? (size_t)size : sizeof bytes;
        if (dc_source_read_at(file, (int64_t)offset, bytes, n, err) != DC_OK ||
            parse_blob(path, bytes, n, (int64_t)offset,
                       &c->blobs[c->blob_count], err) != DC_OK)
            return err->status;
        c->blob_count++;
    }
    if (c->blob_count == 0)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: an encrypted Apple disk "
                       "image whose key no password unlocks (its %u key "
                       "blobs are for certificates or keychains)", path,
                       (unsigned)count);
    return DC_OK;
}

dc_status dmg_crypt_read(dc_source *file, const char *path, dmg_crypt *c,
                         dc_error *err)
{
    *c = (dmg_crypt){0};
    uint8_t h[HEADER_SIZE];
    size_t got;
    if (dc_source_read_some(file, 0, h, sizeof h, &got, err) != DC_OK)
        return err->status;
    if (got < sizeof h || !dmg_crypt_magic(h, got))
        return dc_fail(err, DC_ERR_FORMAT, "%s: the file's %zu bytes end "
                       "inside its %d-byte encrcdsa header", path, got,
                       HEADER_SIZE);
    if (parse_fixed(path, h, dc_source_size(file), c, err) != DC_OK)
        return err->status;
    uint32_t count = be32(h + 72);
    uint64_t end = HEADER_SIZE + (uint64_t)count * POINTER_SIZE;
    if (count == 0 || count > MAX_BLOBS || end > (uint64_t)c->data_offset)
        return dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa header: %u key "
                       "blobs (1 to %d, their pointers before the data at "
                       "offset %lld)", path, (unsigned)count, MAX_BLOBS,
                       (long long)c->data_offset);
    return read_blobs(file, path, count, c, err);
}

const char *dmg_crypt_name(const dmg_crypt *c)
{
    return c->key_bits == 128 ? "AES-128, encrcdsa v2" : "AES-256, encrcdsa v2";
}

/* --- the keys ------------------------------------------------------------- */

/* The cipher contexts used here, and a block function of nettle's type
 * for each (called directly: no casts between function types). */
typedef union cipher_ctx {
    struct des3_ctx des3;
    struct aes128_ctx aes128;
    struct aes192_ctx aes192;
    struct aes256_ctx aes256;
} cipher_ctx;

static void des3_blocks(const void *ctx, size_t length, uint8_t *dst,
                        const uint8_t *src)
{
    des3_decrypt(ctx, length, dst, src);
}

static void aes128_blocks(const void *ctx, size_t length, uint8_t *dst,
                          const uint8_t *src)
{
    aes128_decrypt(ctx, length, dst, src);
}

static void aes192_blocks(const void *ctx, size_t length, uint8_t *dst,
                          const uint8_t *src)
{
    aes192_decrypt(ctx, length, dst, src);
}

static void aes256_blocks(const void *ctx, size_t length, uint8_t *dst,
                          const uint8_t *src)
{
    aes256_decrypt(ctx, length, dst, src);
}

/* Sets an AES decryption key of `bits`; the block function for it. */
static nettle_cipher_func *aes_key(cipher_ctx *ctx, uint32_t bits,
                                   const uint8_t *key)
{
    switch (bits) {
    case 128:
        aes128_set_decrypt_key(&ctx->aes128, key);
        return aes128_blocks;
    case 192:
        aes192_set_decrypt_key(&ctx->aes192, key);
        return aes192_blocks;
    default:
        aes256_set_decrypt_key(&ctx->aes256, key);
        return aes256_blocks;
    }
}

/* Unwraps a blob with the password into `plain`; false when the padding
 * is wrong, as it is (but for a chance of about 1 in 256) when the
 * password is. */
static bool unwrap(const dmg_crypt_blob *blob, const char *password,
                   uint8_t *plain, size_t *plain_size)
{
    uint8_t key[32], iv[AES_BLOCK_SIZE];
    size_t key_size = blob->wrap_key_bits / 8;
    pbkdf2_hmac_sha1(strlen(password), (const uint8_t *)password,
                     blob->iterations, SALT_SIZE, blob->salt, key_size, key);
    cipher_ctx ctx;
    nettle_cipher_func *decrypt;
    size_t block;
    if (blob->wrap_algorithm == ALG_3DES) {
        des3_set_key(&ctx.des3, key);   /* a weak key is unwrapped too */
        decrypt = des3_blocks;
        block = DES3_BLOCK_SIZE;
    } else {
        decrypt = aes_key(&ctx, blob->wrap_key_bits, key);
        block = AES_BLOCK_SIZE;
    }
    memcpy(iv, blob->iv, sizeof iv);
    cbc_decrypt(&ctx, decrypt, block, iv, blob->wrapped_size, plain,
                blob->wrapped);
    memset(key, 0, sizeof key);
    memset(&ctx, 0, sizeof ctx);
    uint8_t pad = plain[blob->wrapped_size - 1];
    if (pad == 0 || pad > block)
        return false;
    for (size_t i = 1; i <= pad; i++)
        if (plain[blob->wrapped_size - i] != pad)
            return false;
    *plain_size = blob->wrapped_size - pad;
    return true;
}

/* --- the decrypted data --------------------------------------------------- */

typedef struct block_slot {
    int64_t number;          /* -1: empty */
    uint64_t used_at;
    uint8_t *bytes;
} block_slot;

typedef struct decryptor {
    dc_source *file;
    int64_t data_offset, data_size;
    size_t block_size;
    cipher_ctx aes;
    nettle_cipher_func *decrypt;
    struct hmac_sha1_ctx hmac;   /* keyed; copied for each block's IV */
    pthread_mutex_t lock;        /* the slots: chunk decoders read at once */
    block_slot slots[CACHE_SLOTS];
    uint64_t clock;
} decryptor;

/* Decrypts `count` whole blocks from block `first` in place. */
static void decrypt_blocks(decryptor *d, int64_t first, int64_t count,
                           uint8_t *bytes)
{
    for (int64_t k = 0; k < count; k++) {
        uint32_t n = (uint32_t)(first + k);
        uint8_t number[4] = {n >> 24, n >> 16, n >> 8, n};
        uint8_t iv[AES_BLOCK_SIZE];
        struct hmac_sha1_ctx h = d->hmac;
        hmac_sha1_update(&h, sizeof number, number);
        hmac_sha1_digest(&h, sizeof iv, iv);
        uint8_t *block = bytes + k * (int64_t)d->block_size;
        cbc_decrypt(&d->aes, d->decrypt, AES_BLOCK_SIZE, iv, d->block_size,
                    block, block);
    }
}

static dc_status read_blocks(decryptor *d, int64_t first, int64_t count,
                             uint8_t *bytes, dc_error *err)
{
    if (dc_source_read_at(d->file,
                          d->data_offset + first * (int64_t)d->block_size,
                          bytes, (size_t)count * d->block_size, err) != DC_OK)
        return err->status;
    decrypt_blocks(d, first, count, bytes);
    return DC_OK;
}

/* Block n, decrypted: from the cache, or read into its oldest slot. */
static dc_status cached_block(decryptor *d, int64_t n, const uint8_t **bytes,
                              dc_error *err)
{
    block_slot *oldest = &d->slots[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        block_slot *s = &d->slots[i];
        if (s->number == n) {
            s->used_at = ++d->clock;
            *bytes = s->bytes;
            return DC_OK;
        }
        if (s->used_at < oldest->used_at)
            oldest = s;
    }
    oldest->number = -1;
    if (read_blocks(d, n, 1, oldest->bytes, err) != DC_OK)
        return err->status;
    oldest->number = n;
    oldest->used_at = ++d->clock;
    *bytes = oldest->bytes;
    return DC_OK;
}

static dc_status decryptor_read(void *context, int64_t offset,
                                uint8_t *buffer, size_t len, size_t *got,
                                dc_error *err)
{
    decryptor *d = context;
    int64_t bs = (int64_t)d->block_size;
    if ((int64_t)len > d->data_size - offset)
        len = (size_t)(d->data_size - offset);
    *got = 0;
    while (*got < len) {
        int64_t at = offset + (int64_t)*got;
        int64_t n = at / bs, within = at % bs;
        int64_t left = (int64_t)(len - *got);
        /* Whole blocks straight into the buffer, a part one through the
         * cache (a chunk boundary often falls inside a block). */
        int64_t whole = within == 0 ? left / bs : 0;
        if (whole > BULK_BLOCKS)
            whole = BULK_BLOCKS;
        if (whole > 0) {
            if (read_blocks(d, n, whole, buffer + *got, err) != DC_OK)
                return err->status;
            *got += (size_t)(whole * bs);
            continue;
        }
        const uint8_t *block;
        size_t take = (size_t)(bs - within < left ? bs - within : left);
        pthread_mutex_lock(&d->lock);
        if (cached_block(d, n, &block, err) == DC_OK)
            memcpy(buffer + *got, block + within, take);
        pthread_mutex_unlock(&d->lock);
        if (err->status != DC_OK)
            return err->status;
        *got += take;
    }
    return DC_OK;
}

static void decryptor_free(void *context)
{
    decryptor *d = context;
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(d->slots[i].bytes);
    pthread_mutex_destroy(&d->lock);
    memset(d, 0, sizeof *d);   /* the keys */
    free(d);
}

static const dc_source_ops decryptor_ops = {
    .read = decryptor_read,
    .close = decryptor_free,
};

/* A source of the data decrypted with keys from `plain`, an unwrapped
 * blob: the AES key, then the HMAC key. */
static dc_status open_decryptor(dc_source **source, dc_source *file,
                                const char *path, const dmg_crypt *c,
                                const uint8_t *plain, dc_error *err)
{
    decryptor *d = calloc(1, sizeof *d);
    if (d == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    *d = (decryptor){
        .file = file,
        .data_offset = c->data_offset,
        .data_size = c->data_size,
        .block_size = c->block_size,
    };
    pthread_mutex_init(&d->lock, NULL);
    d->decrypt = aes_key(&d->aes, c->key_bits, plain);
    hmac_sha1_set_key(&d->hmac, c->hmac_key_bits / 8, plain + c->key_bits / 8);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        d->slots[i].number = -1;
        d->slots[i].bytes = malloc(c->block_size);
        if (d->slots[i].bytes == NULL) {
            decryptor_free(d);
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        }
    }
    return dc_source_custom(source, &decryptor_ops, d, c->data_size, path,
                            err);
}

dc_status dmg_decrypting_source(dc_source **source, dc_source *file,
                                const char *path, const dmg_crypt *c,
                                const char *password, dc_error *err)
{
    *source = NULL;
    const char *what = dmg_crypt_name(c);
    size_t keys = c->key_bits / 8 + c->hmac_key_bits / 8;
    for (int i = 0; i < c->blob_count; i++) {
        uint8_t plain[DMG_CRYPT_MAX_WRAPPED];
        size_t size;
        if (!unwrap(&c->blobs[i], password, plain, &size))
            continue;
        dc_status status = DC_OK;
        if (size < keys)
            status = dc_fail(err, DC_ERR_FORMAT, "%s: encrcdsa password key "
                             "blob at offset %lld: it unwraps to %zu bytes, "
                             "fewer than the %zu of its keys", path,
                             (long long)c->blobs[i].offset, size, keys);
        else
            status = open_decryptor(source, file, path, c, plain, err);
        memset(plain, 0, sizeof plain);
        return status;
    }
    return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_PASSWORD, "%s: an "
                          "encrypted Apple disk image (%s): the password "
                          "given does not unlock it", path, what);
}
