/*
 * The UIF reader: the bbis footer (every field checked against the file),
 * the block table as a chunk map decoded in parallel by the core, the
 * lastdiff cut of the last sector, DES with one of MagicISO's 16 fixed
 * keys or with a password (bsdr).  An ISO-type image's plain image goes
 * to the core's contents rule (ISO, raw sectors, a device); a mixed
 * image's stored descriptor (a cue sheet, a CCD with its .sub, a whole
 * NRG) is read by the core with the plain image as the file it names;
 * without one discconv reads (an MDS, no blss), a cue sheet made from the
 * blms track records is.
 * The cipher cascade MagicISO applies when key2 is 2 is refused by name.
 */
#include "uif.h"
#include "write.h"
#include "container.h"
#include "format.h"
#include "model.h"

#include <nettle/des.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BLOCKS (1 << 22)          /* a 2^32-sector image in 1k blocks */
#define MAX_SECTION (16 << 20)        /* blms, blss: a TOC, a descriptor */
#define MIN_SECTOR 2048
#define MAX_SECTOR 2448

/* The strings MagicISO derives its fixed DES keys from, chosen by
 * (key1 - 1) & 15 (uif2iso 0.1.7c). */
static const char *const fixed_keys[UIF_FIXED_KEYS] = {
    "FAngS)snOt32",  "AglEy29TarsI;",    "bum87OrYx*THeCa", "ARMy67sabot&",
    "FoOTs:blaZe70", "panIc+elD%self79", "Usnea*hest98",    "apex(TUft!BLOKE70",
    "sword18rEpP}",  "ARb10naVY=Rouse",  "PAIR18gAG:swAYs", "gums}Box73yANg",
    "naVal45drain]", "Cams42hEt83faiLs)", "rIaNt$Notch5",   "ExaCT&art*MEteS47",
};

typedef enum { CIPHER_NONE, CIPHER_FIXED, CIPHER_PASSWORD } cipher_kind;

/* A block's data in the file, for decrypting. */
typedef struct data_range {
    int64_t offset, length;
} data_range;

/* What the open works with. */
typedef struct uif_reading {
    dc_image *image;
    const char *path;
    dc_source *file;
    int64_t file_size;
    uif_footer footer;
    int64_t tables_at;     /* the first table header (bsdr or blhr): block
                              data lies before it */
    cipher_kind cipher;
    struct des_ctx des;
    uif_block *blocks;
    uint32_t block_count;
    int64_t after_table;   /* where blms starts */
    uint8_t *blms;
    size_t blms_size;
    bool has_original;
    uint32_t original;     /* UIF_ORIGINAL_* from blss */
    uint8_t *blss;
    size_t blss_size;
} uif_reading;

static int uif_probe(const dc_probe_input *in)
{
    if (in->tail_size < UIF_FOOTER_SIZE)
        return DC_PROBE_NO;
    const uint8_t *footer = in->tail + in->tail_size - UIF_FOOTER_SIZE;
    return memcmp(footer, "bbis", 4) == 0 ? DC_PROBE_CERTAIN : DC_PROBE_NO;
}

/* --- DES -------------------------------------------------------------- */

/* A key as MagicISO makes it from text: the text in 32 zeroed bytes,
 * their four little-endian 64-bit words added, the sum's first 8 bytes. */
static void derive_key(const char *text, struct des_ctx *des)
{
    uint8_t buffer[UIF_KEY_TEXT] = {0};
    size_t len = strlen(text);
    memcpy(buffer, text, len < UIF_PASSWORD_MAX ? len : UIF_PASSWORD_MAX);
    uint64_t sum = 0;
    for (int i = 0; i < 4; i++)
        sum += uif_le64(buffer + 8 * i);
    uint8_t key[DES_KEY_SIZE];
    uif_put64(key, sum);
    des_set_key(des, key); /* a weak key is MagicISO's choice: used */
}

/* Whole 8-byte units are decrypted; a trailing part is left as it is. */
static void decrypt_units(const struct des_ctx *des, uint8_t *bytes,
                          size_t len)
{
    size_t whole = len & ~(size_t)(DES_BLOCK_SIZE - 1);
    if (whole > 0)
        des_decrypt(des, whole, bytes, bytes);
}

/* A source over the file that decrypts each block's data in units
 * counted from the block's start; other bytes pass as they are. */
typedef struct decrypting {
    dc_source *file;
    struct des_ctx des;    /* a copy: the source outlives the open */
    data_range *ranges;    /* sorted by offset, not overlapping */
    int count;
} decrypting;

/* The range holding `offset`, or the index of the first after it
 * (*inside false). */
static int range_at(const decrypting *d, int64_t offset, bool *inside)
{
    int low = 0, high = d->count;
    while (low < high) {
        int mid = low + (high - low) / 2;
        if (d->ranges[mid].offset + d->ranges[mid].length <= offset)
            low = mid + 1;
        else
            high = mid;
    }
    *inside = low < d->count && d->ranges[low].offset <= offset;
    return low;
}

static dc_status decrypting_read(void *context, int64_t offset,
                                 uint8_t *buffer, size_t len, size_t *got,
                                 dc_error *err)
{
    decrypting *d = context;
    int64_t size = dc_source_size(d->file);
    /* Past the end: a short read, as every source gives. */
    int64_t left_in_file = offset < size ? size - offset : 0;
    size_t want = (uint64_t)len > (uint64_t)left_in_file
                      ? (size_t)left_in_file
                      : len;
    *got = 0;
    while (*got < want) {
        int64_t at = offset + (int64_t)*got;
        size_t left = want - *got;
        bool inside;
        int i = range_at(d, at, &inside);
        if (!inside) {
            int64_t next = i < d->count ? d->ranges[i].offset : size;
            size_t n = next - at < (int64_t)left ? (size_t)(next - at) : left;
            if (dc_source_read_at(d->file, at, buffer + *got, n, err) != DC_OK)
                return err->status;
            *got += n;
            continue;
        }
        /* From the unit holding `at` to the end of the range or of the
         * read, whichever comes first, read and decrypted whole. */
        const data_range *r = &d->ranges[i];
        int64_t unit_at = r->offset + ((at - r->offset) & ~(int64_t)7);
        int64_t end = r->offset + r->length;
        if (end > at + (int64_t)left)
            end = at + (int64_t)left;
        int64_t units_end = r->offset + (r->length & ~(int64_t)7);
        int64_t read_end = end;
        if (read_end < units_end && ((read_end - r->offset) & 7) != 0)
            read_end += 8 - ((read_end - r->offset) & 7);
        size_t span = (size_t)(read_end - unit_at);
        uint8_t *work = malloc(span);
        if (work == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        if (dc_source_read_at(d->file, unit_at, work, span, err) == DC_OK) {
            int64_t decryptable = units_end > unit_at
                                      ? (units_end < read_end ? units_end
                                                              : read_end) -
                                            unit_at
                                      : 0;
            if (decryptable > 0)
                des_decrypt(&d->des, (size_t)decryptable, work, work);
            memcpy(buffer + *got, work + (at - unit_at), (size_t)(end - at));
            *got += (size_t)(end - at);
        }
        free(work);
        if (err->status != DC_OK)
            return err->status;
    }
    return DC_OK;
}

static void decrypting_close(void *context)
{
    decrypting *d = context;
    free(d->ranges);
    free(d);
}

static const dc_source_ops decrypting_ops = {
    .read = decrypting_read,
    .close = decrypting_close,
};

/* --- the footer --------------------------------------------------------- */

static dc_status read_footer_at(uif_reading *r, int64_t at, const char *what,
                                dc_error *err)
{
    uint8_t bytes[UIF_FOOTER_SIZE];
    if (dc_source_read_at(r->file, at, bytes, sizeof bytes, err) != DC_OK)
        return err->status;
    if (!uif_footer_parse(bytes, &r->footer))
        return dc_fail(err, DC_ERR_FORMAT, "%s: no bbis footer at offset %lld "
                       "(%s)", r->path, (long long)at, what);
    return DC_OK;
}

/* Every field against the file: the numbers the rest relies on. */
static dc_status check_footer(uif_reading *r, int64_t footer_at,
                              dc_error *err)
{
    const uif_footer *f = &r->footer;
    const char *p = r->path;
    long long at = (long long)footer_at;
    if (f->version < 1 || f->version > 4)
        return dc_fail(err, f->version == 0 ? DC_ERR_FORMAT
                                            : DC_ERR_UNSUPPORTED,
                       "%s: bbis at offset %lld: version %u, not 1 to 4",
                       p, at, (unsigned)f->version);
    if (f->image_type != UIF_TYPE_ISO && f->image_type != UIF_TYPE_MIXED)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: bbis at offset %lld: "
                       "image type %u, neither 8 (ISO) nor 9 (mixed)", p, at,
                       (unsigned)f->image_type);
    if (f->sector_size < MIN_SECTOR || f->sector_size > MAX_SECTOR)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bbis at offset %lld: sectors "
                       "of %u bytes, not %d to %d", p, at,
                       (unsigned)f->sector_size, MIN_SECTOR, MAX_SECTOR);
    if (f->sectors == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bbis at offset %lld: an "
                       "image of 0 sectors", p, at);
    if (f->lastdiff > f->sector_size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bbis at offset %lld: the "
                       "last sector is %u bytes long (lastdiff), more than a "
                       "sector's %u", p, at, (unsigned)f->lastdiff,
                       (unsigned)f->sector_size);
    if (f->table_offset > (uint64_t)footer_at ||
        (uint64_t)footer_at - f->table_offset < UIF_SECTION_HEADER)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bbis at offset %lld: the "
                       "block table at offset %llu lies past the footer", p,
                       at, (unsigned long long)f->table_offset);
    if (f->tables_size > (uint64_t)r->file_size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bbis at offset %lld: tables "
                       "of %u bytes, in a file of %lld", p, at,
                       (unsigned)f->tables_size, (long long)r->file_size);
    if (f->key2 == UIF_KEY2_CASCADE)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "%s: encrypted with "
                       "MagicISO's cipher cascade (key2 = 2: 3-Way, SEAL, "
                       "RC5, LOKI91, IDEA, GOST, Blowfish and an unnamed "
                       "cipher), which discconv does not decrypt", p);
    return DC_OK;
}

static void choose_fixed_key(uif_reading *r)
{
    const uif_footer *f = &r->footer;
    if (f->version < 2 || f->key1 == 0 || f->key1 > UIF_FIXED_KEYS)
        return;
    r->cipher = CIPHER_FIXED;
    derive_key(fixed_keys[(f->key1 - 1) & 15], &r->des);
}

static dc_status read_header(uif_reading *r, int64_t at, uif_section *s,
                             dc_error *err)
{
    uint8_t bytes[UIF_SECTION_HEADER];
    if (at > r->file_size - UIF_SECTION_HEADER)
        return dc_fail(err, DC_ERR_FORMAT, "%s: a table header at offset "
                       "%lld lies past the end (%lld bytes)", r->path,
                       (long long)at, (long long)r->file_size);
    if (dc_source_read_at(r->file, at, bytes, sizeof bytes, err) != DC_OK)
        return err->status;
    uif_section_parse(bytes, s);
    return DC_OK;
}

/* bsdr: the real footer, DES-encrypted with the password's key, 8 bytes
 * into it; the real table 72 bytes past where that footer says. */
static dc_status unlock(uif_reading *r, const uif_section *bsdr,
                        dc_error *err)
{
    const char *password = r->image->open_options.password;
    int64_t at = (int64_t)r->footer.table_offset;
    if (password == NULL)
        return dc_fail_advise(err, DC_ERR_UNSUPPORTED, DC_ADVICE_PASSWORD,
                              "%s: protected by a password (bsdr at offset "
                              "%lld)", r->path, (long long)at);
    if (bsdr->size != UIF_FOOTER_SIZE)
        dc_image_warn(r->image, "%s: bsdr at offset %lld holds %u bytes, "
                      "not a footer's 64", r->path, (long long)at,
                      (unsigned)bsdr->size);
    int64_t inner_at = at + 8;
    if (inner_at > r->file_size - UIF_FOOTER_SIZE)
        return dc_fail(err, DC_ERR_FORMAT, "%s: bsdr at offset %lld: its "
                       "footer runs past the end", r->path, (long long)at);
    uint8_t bytes[UIF_FOOTER_SIZE];
    if (dc_source_read_at(r->file, inner_at, bytes, sizeof bytes, err) !=
        DC_OK)
        return err->status;
    derive_key(password, &r->des);
    decrypt_units(&r->des, bytes, sizeof bytes);
    uint8_t hash[16];
    memcpy(hash, r->footer.hash, sizeof hash);
    if (!uif_footer_parse(bytes, &r->footer))
        return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_PASSWORD,
                              "%s: wrong password (the footer in bsdr at "
                              "offset %lld does not decrypt)", r->path,
                              (long long)at);
    memcpy(r->footer.hash, hash, sizeof hash);
    r->cipher = CIPHER_PASSWORD;
    if (r->footer.table_offset > UINT64_MAX - 72)
        r->footer.table_offset = UINT64_MAX;
    else
        r->footer.table_offset += UIF_FOOTER_SIZE + 8;
    return check_footer(r, r->file_size - UIF_FOOTER_SIZE, err);
}

static dc_status open_footer(uif_reading *r, uif_section *table,
                             dc_error *err)
{
    if (r->file_size < UIF_FOOTER_SIZE + UIF_SECTION_HEADER)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %lld bytes, too short for a "
                       "UIF footer and table", r->path,
                       (long long)r->file_size);
    int64_t footer_at = r->file_size - UIF_FOOTER_SIZE;
    if (read_footer_at(r, footer_at, "the last 64 bytes", err) != DC_OK ||
        check_footer(r, footer_at, err) != DC_OK)
        return err->status;
    r->tables_at = (int64_t)r->footer.table_offset;
    choose_fixed_key(r);
    if (read_header(r, r->tables_at, table, err) != DC_OK)
        return err->status;
    if (strcmp(table->signature, "bsdr") == 0) {
        if (unlock(r, table, err) != DC_OK ||
            read_header(r, (int64_t)r->footer.table_offset, table, err) !=
                DC_OK)
            return err->status;
    }
    if (strcmp(table->signature, "blhr") != 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: no block table (blhr) at "
                       "offset %llu", r->path,
                       (unsigned long long)r->footer.table_offset);
    return DC_OK;
}

/* --- sections ------------------------------------------------------------ */

/* A section's data: `stored` bytes at `at`, decrypted and decompressed
 * when compressed (DES covers compressed sections only), else `size` bytes
 * as they are.  *end receives where it ends. */
static dc_status read_section_data(uif_reading *r, const char *what,
                                   int64_t at, const uif_section *s,
                                   uint32_t overhead, size_t size,
                                   uint8_t **data, int64_t *end,
                                   dc_error *err)
{
    *data = NULL;
    int64_t limit = r->file_size - UIF_FOOTER_SIZE;
    int64_t stored = s->compressed ? (int64_t)s->size - overhead
                                   : (int64_t)size;
    if (stored < 0 || stored > limit - at)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %s at offset %lld: %lld bytes "
                       "of data run past the footer", r->path, what,
                       (long long)(at - UIF_SECTION_HEADER),
                       (long long)stored);
    *end = at + stored;
    /* No codec packs more than about 1000 to 1 (deflate's limit). */
    if (s->compressed && (uint64_t)size > (uint64_t)stored * 1100 + 4096)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %s at offset %lld: %zu bytes "
                       "claimed from %lld compressed", r->path, what,
                       (long long)(at - UIF_SECTION_HEADER), size,
                       (long long)stored);
    uint8_t *out = malloc(size > 0 ? size : 1);
    uint8_t *in = s->compressed ? malloc(stored > 0 ? (size_t)stored : 1)
                                : out;
    if (out == NULL || in == NULL) {
        free(out);
        if (in != out)
            free(in);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    if (dc_source_read_at(r->file, at, in, (size_t)stored, err) == DC_OK &&
        s->compressed) {
        if (r->cipher != CIPHER_NONE)
            decrypt_units(&r->des, in, (size_t)stored);
        char where[600];
        snprintf(where, sizeof where, "%s: %s at offset %lld", r->path, what,
                 (long long)(at - UIF_SECTION_HEADER));
        dc_codec codec = r->footer.version >= UIF_VERSION_LZMA
                             ? DC_CODEC_LZMA_BCJ
                             : DC_CODEC_ZLIB;
        if (size == 0 && stored > 0)
            dc_fail(err, DC_ERR_FORMAT, "%s: compressed, of no bytes", where);
        else if (size > 0)
            dc_codec_decode(codec, in, (size_t)stored, out, size, where, err);
    }
    if (in != out)
        free(in);
    if (err->status != DC_OK) {
        free(out);
        return err->status;
    }
    *data = out;
    return DC_OK;
}

static dc_status read_table(uif_reading *r, const uif_section *table,
                            dc_error *err)
{
    int64_t at = (int64_t)r->footer.table_offset;
    if (table->count > MAX_BLOCKS || table->count > r->footer.sectors)
        return dc_fail(err, DC_ERR_FORMAT, "%s: blhr at offset %lld: %u "
                       "blocks, for an image of %u sectors", r->path,
                       (long long)at, (unsigned)table->count,
                       (unsigned)r->footer.sectors);
    if (table->compressed && table->size < 8)
        return dc_fail(err, DC_ERR_FORMAT, "%s: blhr at offset %lld: size "
                       "%u, less than its own 8 bytes", r->path,
                       (long long)at, (unsigned)table->size);
    uint8_t *bytes;
    size_t size = (size_t)table->count * UIF_BLOCK_ENTRY;
    if (read_section_data(r, "blhr", at + UIF_SECTION_HEADER, table, 8, size,
                          &bytes, &r->after_table, err) != DC_OK)
        return err->status;
    r->block_count = table->count;
    r->blocks = calloc(table->count > 0 ? table->count : 1,
                       sizeof *r->blocks);
    if (r->blocks == NULL) {
        free(bytes);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < table->count; i++)
        uif_block_parse(bytes + (size_t)i * UIF_BLOCK_ENTRY, &r->blocks[i]);
    free(bytes);
    return DC_OK;
}

/* blms (the TOC and names) and blss (the original descriptor), after the
 * table of a mixed image.  A missing or damaged pair leaves the plain
 * image to be read as it is, with a warning, as uif2iso does. */
static dc_status read_mixed_sections(uif_reading *r, dc_error *err)
{
    uif_section blms, blss;
    int64_t at = r->after_table;
    if (read_header(r, at, &blms, err) != DC_OK)
        return err->status;
    if (strcmp(blms.signature, "blms") != 0) {
        dc_image_warn(r->image, "%s: no blms at offset %lld after the block "
                      "table: its sectors are read without the original "
                      "image's layout", r->path, (long long)at);
        return DC_OK;
    }
    if (blms.count > MAX_SECTION || (blms.compressed && blms.size < 8))
        return dc_fail(err, DC_ERR_FORMAT, "%s: blms at offset %lld: %u "
                       "bytes (size %u)", r->path, (long long)at,
                       (unsigned)blms.count, (unsigned)blms.size);
    int64_t end;
    if (read_section_data(r, "blms", at + UIF_SECTION_HEADER, &blms, 8,
                          blms.count, &r->blms, &end, err) != DC_OK)
        return err->status;
    r->blms_size = blms.count;
    at = end;
    uint8_t type[UIF_BLSS_TYPE_SIZE];
    if (read_header(r, at, &blss, err) != DC_OK)
        return err->status;
    if (strcmp(blss.signature, "blss") != 0) {
        dc_image_warn(r->image, "%s: no blss at offset %lld after blms: its "
                      "sectors are read without the original descriptor",
                      r->path, (long long)at);
        return DC_OK;
    }
    if (at + UIF_SECTION_HEADER + UIF_BLSS_TYPE_SIZE > r->file_size ||
        dc_source_read_at(r->file, at + UIF_SECTION_HEADER, type, sizeof type,
                          err) != DC_OK)
        return err->status != DC_OK
                   ? err->status
                   : dc_fail(err, DC_ERR_FORMAT, "%s: blss at offset %lld "
                             "runs past the end", r->path, (long long)at);
    r->original = uif_le32(type);
    if (r->original >= UIF_ORIGINAL_COUNT)
        return dc_fail(err, DC_ERR_FORMAT, "%s: blss at offset %lld: "
                       "original image type %u, not 0 to 4", r->path,
                       (long long)at, (unsigned)r->original);
    r->has_original = true;
    if (blss.count > MAX_SECTION || (blss.compressed && blss.size < 12))
        return dc_fail(err, DC_ERR_FORMAT, "%s: blss at offset %lld: %u "
                       "bytes (size %u)", r->path, (long long)at,
                       (unsigned)blss.count, (unsigned)blss.size);
    if (blss.count == 0)
        return DC_OK;
    r->blss_size = blss.count;
    return read_section_data(r, "blss",
                             at + UIF_SECTION_HEADER + UIF_BLSS_TYPE_SIZE,
                             &blss, 12, blss.count, &r->blss, &end, err);
}

/* --- the blocks as a chunk map ------------------------------------------- */

static int by_sector(const void *a, const void *b)
{
    const uif_block *x = *(const uif_block *const *)a;
    const uif_block *y = *(const uif_block *const *)b;
    if (x->sector != y->sector)
        return x->sector < y->sector ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int by_offset(const void *a, const void *b)
{
    const data_range *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* One block checked alone: its type, its sectors, its data. */
static dc_status check_block(const uif_reading *r, uint32_t i,
                             dc_error *err)
{
    const uif_block *k = &r->blocks[i];
    const uif_footer *f = &r->footer;
    char where[600];
    snprintf(where, sizeof where, "%s: block %u at offset %llu", r->path,
             (unsigned)i, (unsigned long long)k->offset);
    uint64_t bytes = (uint64_t)k->count * f->sector_size;
    bool reads = k->type != UIF_BLOCK_ZERO && k->stored > 0;
    if (k->type != UIF_BLOCK_STORED && k->type != UIF_BLOCK_ZERO &&
        k->type != UIF_BLOCK_COMPRESSED)
        return dc_fail(err, DC_ERR_FORMAT, "%s: unknown block type %u",
                       where, (unsigned)k->type);
    if ((uint64_t)k->sector + k->count > f->sectors)
        return dc_fail(err, DC_ERR_FORMAT, "%s: sectors %u to %llu lie past "
                       "the image's %u", where, (unsigned)k->sector,
                       (unsigned long long)k->sector + k->count,
                       (unsigned)f->sectors);
    if (reads && (k->offset > (uint64_t)r->tables_at ||
                  k->stored > (uint64_t)r->tables_at - k->offset))
        return dc_fail(err, DC_ERR_FORMAT, "%s: its %u bytes run past the "
                       "block data into the tables at offset %lld", where,
                       (unsigned)k->stored, (long long)r->tables_at);
    if (k->type == UIF_BLOCK_STORED && k->stored > bytes)
        return dc_fail(err, DC_ERR_FORMAT, "%s: stores %u bytes for %u "
                       "sectors of %u", where, (unsigned)k->stored,
                       (unsigned)k->count, (unsigned)f->sector_size);
    if (k->type == UIF_BLOCK_COMPRESSED && k->count > 0) {
        if (k->stored == 0)
            return dc_fail(err, DC_ERR_FORMAT, "%s: compressed, in no bytes",
                           where);
        if (bytes > (uint64_t)DC_CHUNK_MAX)
            return dc_fail(err, DC_ERR_FORMAT, "%s: decodes to %llu bytes, "
                           "more than the %lld a block may hold", where,
                           (unsigned long long)bytes,
                           (long long)DC_CHUNK_MAX);
    }
    return DC_OK;
}

/* Sectors in order, none in two blocks. */
static dc_status check_overlaps(const uif_reading *r, dc_error *err)
{
    const uif_block **order = malloc((r->block_count + 1) * sizeof *order);
    if (order == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->block_count; i++)
        if (r->blocks[i].count > 0)
            order[n++] = &r->blocks[i];
    qsort(order, n, sizeof *order, by_sector);
    for (uint32_t i = 1; i < n && err->status == DC_OK; i++) {
        const uif_block *a = order[i - 1], *b = order[i];
        if ((uint64_t)a->sector + a->count > b->sector)
            dc_fail(err, DC_ERR_FORMAT, "%s: block %u at offset %llu: "
                    "sectors %u to %llu overlap block %u's (%u to %llu)",
                    r->path, (unsigned)(b - r->blocks),
                    (unsigned long long)b->offset, (unsigned)b->sector,
                    (unsigned long long)b->sector + b->count,
                    (unsigned)(a - r->blocks), (unsigned)a->sector,
                    (unsigned long long)a->sector + a->count);
    }
    free(order);
    return err->status;
}

static dc_status add_chunk(dc_chunk_map *map, uint32_t i, int64_t out,
                           int64_t out_len, int64_t in, int64_t in_len,
                           dc_codec codec, dc_error *err)
{
    dc_chunk chunk = {.out_offset = out, .out_length = out_len,
                      .in_offset = in, .in_length = in_len, .codec = codec,
                      .group = -1, .index = (int)i};
    return dc_chunk_map_add(map, &chunk, err);
}

/* A block's chunks: a stored block's bytes (in pieces a chunk may hold)
 * then zeros for what it leaves short; a zero block; a compressed one. */
static dc_status add_block(const uif_reading *r, uint32_t i,
                           dc_chunk_map *map, dc_error *err)
{
    const uif_block *k = &r->blocks[i];
    int64_t out = (int64_t)k->sector * r->footer.sector_size;
    int64_t len = (int64_t)k->count * r->footer.sector_size;
    int64_t in = (int64_t)k->offset;
    if (len == 0)
        return DC_OK;
    if (k->type == UIF_BLOCK_COMPRESSED)
        return add_chunk(map, i, out, len, in, k->stored,
                         r->footer.version >= UIF_VERSION_LZMA
                             ? DC_CODEC_LZMA_BCJ
                             : DC_CODEC_ZLIB,
                         err);
    int64_t stored = k->type == UIF_BLOCK_STORED ? k->stored : 0;
    for (int64_t done = 0; done < stored;) {
        int64_t n = stored - done < DC_CHUNK_MAX ? stored - done
                                                 : DC_CHUNK_MAX;
        if (add_chunk(map, i, out + done, n, in + done, n, DC_CODEC_STORED,
                      err) != DC_OK)
            return err->status;
        done += n;
    }
    if (stored < len)
        return add_chunk(map, i, out + stored, len - stored, 0, 0,
                         DC_CODEC_ZERO, err);
    return DC_OK;
}

static dc_status build_map(const uif_reading *r, dc_chunk_map *map,
                           dc_error *err)
{
    *map = (dc_chunk_map){.chunk_noun = "block"};
    for (uint32_t i = 0; i < r->block_count; i++)
        if (check_block(r, i, err) != DC_OK)
            return err->status;
    if (check_overlaps(r, err) != DC_OK)
        return err->status;
    for (uint32_t i = 0; i < r->block_count; i++)
        if (add_block(r, i, map, err) != DC_OK) {
            dc_chunk_map_free(map);
            return err->status;
        }
    map->chunk_noun = "block";
    int64_t size = (int64_t)r->footer.sectors * r->footer.sector_size;
    if (dc_chunk_map_validate(map, r->tables_at, size, r->path, err) !=
        DC_OK) {
        dc_chunk_map_free(map);
        return err->status;
    }
    return DC_OK;
}

/* The file as the blocks read it: decrypted block by block when a key
 * is in use.  Encrypted blocks must not share bytes. */
static dc_status open_input(uif_reading *r, dc_source **input, dc_error *err)
{
    *input = r->file;
    if (r->cipher == CIPHER_NONE)
        return DC_OK;
    decrypting *d = calloc(1, sizeof *d);
    data_range *ranges = calloc(r->block_count + 1, sizeof *ranges);
    if (d == NULL || ranges == NULL) {
        free(d);
        free(ranges);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    int n = 0;
    for (uint32_t i = 0; i < r->block_count; i++)
        if (r->blocks[i].type != UIF_BLOCK_ZERO && r->blocks[i].stored > 0)
            ranges[n++] = (data_range){(int64_t)r->blocks[i].offset,
                                       r->blocks[i].stored};
    qsort(ranges, (size_t)n, sizeof *ranges, by_offset);
    for (int i = 1; i < n; i++)
        if (ranges[i].offset < ranges[i - 1].offset + ranges[i - 1].length) {
            long long shared = (long long)ranges[i].offset;
            free(d);
            free(ranges);
            return dc_fail(err, DC_ERR_FORMAT, "%s: encrypted blocks share "
                           "the bytes at offset %lld", r->path, shared);
        }
    *d = (decrypting){.file = r->file, .des = r->des, .ranges = ranges,
                      .count = n};
    if (dc_source_custom(input, &decrypting_ops, d,
                         dc_source_size(r->file), r->path, err) != DC_OK)
        return err->status;
    return dc_image_use_source(r->image, *input, err);
}

/* The plain image: the blocks decoded, the last sector cut to lastdiff;
 * *plain is not yet the image's. */
static dc_status open_plain(uif_reading *r, dc_source **plain, dc_error *err)
{
    dc_chunk_map map;
    dc_source *input, *whole;
    if (build_map(r, &map, err) != DC_OK)
        return err->status;
    if (open_input(r, &input, err) != DC_OK) {
        dc_chunk_map_free(&map);
        return err->status;
    }
    if (dc_source_chunked(&whole, input, &map, 0, r->path, err) != DC_OK)
        return err->status;
    const uif_footer *f = &r->footer;
    int64_t cut = f->lastdiff == 0 ? 0 : f->sector_size - f->lastdiff;
    if (dc_image_use_source(r->image, whole, err) != DC_OK ||
        dc_source_window(plain, whole, 0, dc_source_size(whole) - cut,
                         r->path, err) != DC_OK)
        return err->status;
    return DC_OK;
}

/* --- what the plain image is --------------------------------------------- */

static const char *const original_names[UIF_ORIGINAL_COUNT] = {
    "ISO", "BIN/CUE", "MDS/MDF", "CloneCD (CCD/IMG/SUB)", "NRG"};

/* The text after a cue line's keyword, if the line's first word is `word`
 * (any case); NULL otherwise.  *end receives the line's end, spaces
 * trimmed. */
static const char *cue_argument(const char *line, const char *line_end,
                                const char *word, const char **end)
{
    size_t len = strlen(word);
    while (line < line_end && (*line == ' ' || *line == '\t'))
        line++;
    if ((size_t)(line_end - line) <= len || strncasecmp(line, word, len) != 0 ||
        (line[len] != ' ' && line[len] != '\t'))
        return NULL;
    const char *arg = line + len;
    while (arg < line_end && (*arg == ' ' || *arg == '\t'))
        arg++;
    *end = line_end;
    while (*end > arg && ((*end)[-1] == ' ' || (*end)[-1] == '\t' ||
                          (*end)[-1] == '\r'))
        (*end)--;
    return arg;
}

/* A stored cue sheet names one file, the payload: a UIF keeps the files
 * of a several-file BIN/CUE one after the other, and the sheet does not
 * say where each ends, so a second file is refused rather than read as
 * the whole payload again. */
static dc_status check_one_file(const char *name, const char *text,
                                size_t size, dc_error *err)
{
    const char *first = NULL, *first_end = NULL;
    int line_number = 0;
    for (const char *line = text; line < text + size; line_number++) {
        const char *line_end = memchr(line, '\n', (size_t)(text + size - line));
        if (line_end == NULL)
            line_end = text + size;
        const char *end;
        const char *arg = cue_argument(line, line_end, "FILE", &end);
        if (arg != NULL && first == NULL) {
            first = arg;
            first_end = end;
        } else if (arg != NULL &&
                   (end - arg != first_end - first ||
                    memcmp(arg, first, (size_t)(end - arg)) != 0))
            return dc_fail(err, DC_ERR_UNSUPPORTED, "%s:%d: a second file "
                           "(FILE %.*s), but a UIF keeps one: its parts' "
                           "sizes are not recorded", name, line_number + 1,
                           (int)(end - arg > 200 ? 200 : end - arg), arg);
        line = line_end + 1;
    }
    return DC_OK;
}

/* A stored descriptor, with the plain image as the file it names. */
static dc_status open_descriptor(uif_reading *r, dc_source *plain,
                                 dc_error *err)
{
    dc_source *descriptor = NULL;
    dc_stored_file files[2] = {{.name = NULL, .source = plain}};
    int count = 1;
    char name[600];
    if (r->original == UIF_ORIGINAL_NRG) /* the plain image is the NRG */
        return dc_source_window(&descriptor, plain, 0, dc_source_size(plain),
                                r->path, err) == DC_OK
                   ? dc_image_open_stored(r->image, descriptor, NULL, 0, err)
                   : err->status;
    const uint8_t *text = r->blss;
    size_t text_size = r->blss_size;
    if (r->original == UIF_ORIGINAL_CCD) {
        uint32_t ccd = r->blss_size >= 8 ? uif_le32(r->blss) : 0;
        uint32_t sub = r->blss_size >= 8 ? uif_le32(r->blss + 4) : 0;
        if (r->blss_size < 8 || ccd > r->blss_size - 8 ||
            sub > r->blss_size - 8 - ccd)
            return dc_fail(err, DC_ERR_FORMAT, "%s: blss: a CloneCD control "
                           "file of %u bytes and subchannel of %u in %zu "
                           "bytes", r->path, (unsigned)ccd, (unsigned)sub,
                           r->blss_size);
        text = r->blss + 8;
        text_size = ccd;
        if (sub > 0) {
            snprintf(name, sizeof name, "%s (its stored .sub)", r->path);
            dc_source *sub_source;
            if (dc_source_memory(&sub_source, r->blss + 8 + ccd, sub, name,
                                 err) != DC_OK ||
                dc_image_use_source(r->image, sub_source, err) != DC_OK)
                return err->status;
            files[count++] = (dc_stored_file){.name = "*.sub",
                                              .source = sub_source};
        }
    }
    snprintf(name, sizeof name, "%s (its stored %s)", r->path,
             r->original == UIF_ORIGINAL_CCD ? "CloneCD control file"
                                             : "cue sheet");
    if ((r->original == UIF_ORIGINAL_CUE &&
         check_one_file(name, (const char *)text, text_size, err) != DC_OK) ||
        dc_source_memory(&descriptor, text, text_size, name, err) != DC_OK)
        return err->status;
    return dc_image_open_stored(r->image, descriptor, files, count, err);
}

/* --- a disc from the blms track records ---------------------------------- */

/* Where the records start: after the NUL of the last name blms keeps (its
 * offsets at +0x04 and +0x10, 0 for none), else at 0x40. */
static dc_status blms_records_at(const uif_reading *r, size_t *start,
                                 dc_error *err)
{
    static const size_t name_fields[] = {0x04, 0x10};
    *start = UIF_BLMS_NAMES;
    if (r->blms_size < UIF_BLMS_NAMES)
        return dc_fail(err, DC_ERR_FORMAT, "%s: blms: %zu bytes, less than "
                       "its %d-byte header", r->path, r->blms_size,
                       UIF_BLMS_NAMES);
    for (size_t i = 0; i < sizeof name_fields / sizeof name_fields[0]; i++) {
        uint32_t at = uif_le32(r->blms + name_fields[i]);
        if (at == 0)
            continue;
        const uint8_t *end = at < r->blms_size
                                 ? memchr(r->blms + at, '\0', r->blms_size - at)
                                 : NULL;
        if (at < UIF_BLMS_NAMES || end == NULL)
            return dc_fail(err, DC_ERR_FORMAT, "%s: blms: the name at offset "
                           "%u (field +0x%02zx) does not end inside its %zu "
                           "bytes", r->path, (unsigned)at, name_fields[i],
                           r->blms_size);
        if ((size_t)(end + 1 - r->blms) > *start)
            *start = (size_t)(end + 1 - r->blms);
    }
    if ((r->blms_size - *start) % UIF_BLMS_RECORD != 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: blms: %zu bytes of track "
                       "records from offset %zu, not a whole number of %d",
                       r->path, r->blms_size - *start, *start,
                       UIF_BLMS_RECORD);
    return DC_OK;
}

/* The cue keyword of a record's kind and sector size; NULL if none fits. */
static const char *blms_keyword(bool audio, unsigned mode, uint32_t size)
{
    if (audio)
        return size == 2352 ? "AUDIO" : size == 2448 ? "CDG" : NULL;
    if (mode == 1)
        return size == 2048 ? "MODE1/2048" : size == 2352 ? "MODE1/2352"
                                                          : NULL;
    if (mode == 2)
        return size == 2336 ? "MODE2/2336" : size == 2352 ? "MODE2/2352"
                                                          : NULL;
    return NULL;
}

/* One record's line of the cue sheet, every field checked: a track number
 * after the last, a kind and sector size a cue can say (the payload's),
 * a start after the last and inside the image. */
static dc_status blms_track(const uif_reading *r, int record,
                            const uint8_t *rec, int *last_number,
                            int64_t *last_start, char *line, size_t size,
                            dc_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s: blms track record %d", r->path,
             record);
    unsigned control = rec[1] & 0x0F, number = rec[3], mode = rec[11];
    bool audio = (control & 0x04) == 0;
    uint32_t sector_size = uif_le32(rec + 24);
    int64_t start = ((int64_t)rec[8] * 60 + rec[9]) * 75 + rec[10] - 150;
    const char *keyword = blms_keyword(audio, mode, sector_size);
    if (number < 1 || number > 99 || (int)number <= *last_number)
        return dc_fail(err, DC_ERR_FORMAT, "%s: track %u, not 1 to 99 after "
                       "track %d", where, number, *last_number);
    if (rec[9] >= 60 || rec[10] >= 75 || start < 0 || start <= *last_start ||
        start >= (int64_t)r->footer.sectors)
        return dc_fail(err, DC_ERR_FORMAT, "%s: track %u starts at "
                       "%u:%02u:%02u (sector %lld), not after the last track's "
                       "start and inside the image's %u sectors", where,
                       number, rec[8], rec[9], rec[10], (long long)start,
                       (unsigned)r->footer.sectors);
    if (keyword == NULL || sector_size != r->footer.sector_size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: track %u is %s (mode %u) in "
                       "%u-byte sectors, in an image of %u-byte sectors",
                       where, number, audio ? "audio" : "data", mode,
                       (unsigned)sector_size,
                       (unsigned)r->footer.sector_size);
    char msf[DC_MSF_TEXT_SIZE], first[DC_MSF_TEXT_SIZE + 16] = "";
    dc_msf_format(start, msf);
    /* Sectors before the first track's start are its pregap. */
    if (*last_number == 0 && start > 0)
        snprintf(first, sizeof first, "    INDEX 00 00:00:00\n");
    const char *flags = !audio ? ""
                        : (control & 0x03) == 0x03 ? "    FLAGS DCP PRE\n"
                        : control & 0x02           ? "    FLAGS DCP\n"
                        : control & 0x01           ? "    FLAGS PRE\n"
                                                   : "";
    snprintf(line, size, "  TRACK %02u %s\n%s%s    INDEX 01 %s\n", number,
             keyword, flags, first, msf);
    *last_number = (int)number;
    *last_start = start;
    return DC_OK;
}

/* A cue sheet of the blms records over the payload as one FILE; *cue is
 * NULL when blms holds no track. */
static dc_status blms_cue(const uif_reading *r, char **cue, size_t *len,
                          dc_error *err)
{
    size_t start;
    *cue = NULL;
    *len = 0;
    if (blms_records_at(r, &start, err) != DC_OK)
        return err->status;
    size_t records = (r->blms_size - start) / UIF_BLMS_RECORD;
    if (records == 0)
        return DC_OK;
    /* The payload answers to any name: the UIF's, without quotes. */
    char name[256];
    snprintf(name, sizeof name, "%s", dc_path_basename(r->path));
    for (char *c = name; *c != '\0'; c++)
        if (*c == '"')
            *c = '_';
    enum { LINE = 160 };
    size_t size = sizeof name + 32 + records * LINE;
    char *text = malloc(size);
    if (text == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    size_t used = (size_t)snprintf(text, size, "FILE \"%s\" BINARY\n", name);
    int last_number = 0;
    int64_t last_start = -1;
    for (size_t i = 0; i < records; i++) {
        const uint8_t *rec = r->blms + start + i * UIF_BLMS_RECORD;
        if (rec[3] >= 0xA0) /* lead-in points A0-A2 and the like */
            continue;
        if (blms_track(r, (int)i + 1, rec, &last_number, &last_start,
                       text + used, size - used, err) != DC_OK) {
            free(text);
            return err->status;
        }
        used += strlen(text + used);
    }
    if (last_number == 0) {
        free(text);
        return DC_OK;
    }
    *cue = text;
    *len = used;
    return DC_OK;
}

/* The disc the blms records describe, over the plain image. */
static dc_status open_blms(uif_reading *r, dc_source *plain, char *cue,
                           size_t len, dc_error *err)
{
    dc_source *descriptor;
    dc_stored_file payload = {.name = NULL, .source = plain};
    char name[600];
    snprintf(name, sizeof name, "%s (its track table, blms)", r->path);
    dc_status status = dc_source_memory(&descriptor, (const uint8_t *)cue,
                                        len, name, err);
    if (status == DC_OK)
        status = dc_image_open_stored(r->image, descriptor, &payload, 1, err);
    return status;
}

static dc_status open_disc(uif_reading *r, dc_source *plain, dc_error *err)
{
    bool stored = r->has_original &&
                  (r->original == UIF_ORIGINAL_NRG ||
                   ((r->original == UIF_ORIGINAL_CUE ||
                     r->original == UIF_ORIGINAL_CCD) &&
                    r->blss != NULL));
    if (stored)
        return dc_image_use_source(r->image, plain, err) == DC_OK
                   ? open_descriptor(r, plain, err)
                   : err->status;
    /* No descriptor discconv reads (an MDS, none kept): the track table
     * still says where each track starts and what it is. */
    char *cue = NULL;
    size_t cue_len = 0;
    if (r->blms != NULL && blms_cue(r, &cue, &cue_len, err) != DC_OK) {
        dc_source_close(plain);
        return err->status;
    }
    if (cue != NULL) {
        dc_status status = dc_image_use_source(r->image, plain, err) == DC_OK
                               ? open_blms(r, plain, cue, cue_len, err)
                               : err->status;
        free(cue);
        return status;
    }
    if (r->blms != NULL)
        dc_image_warn(r->image, "%s: blms lists no track, and no descriptor "
                      "discconv reads is kept: its sectors are read as a "
                      "plain image", r->path);
    /* The same bytes twice: the core owns both. */
    dc_source *checked;
    int chosen;
    if (dc_source_window(&checked, plain, 0, dc_source_size(plain), r->path,
                         err) != DC_OK) {
        dc_source_close(plain);
        return err->status;
    }
    if (dc_image_choose_partition(r->image, &chosen, err) != DC_OK) {
        dc_source_close(checked);
        dc_source_close(plain);
        return err->status;
    }
    return dc_image_open_contents(r->image, plain, checked, err);
}

/* version, compression, encryption, original image: for info. */
static dc_status set_facts(uif_reading *r, dc_error *err)
{
    static const char *const versions[] = {"1", "2", "3", "4"};
    bool compressed = false;
    for (uint32_t i = 0; i < r->block_count; i++)
        compressed |= r->blocks[i].type == UIF_BLOCK_COMPRESSED;
    const char *compression =
        !compressed ? "none"
        : r->footer.version >= UIF_VERSION_LZMA ? "LZMA (x86 BCJ)" : "zlib";
    const char *cipher = r->cipher == CIPHER_FIXED ? "DES (fixed key)"
                         : r->cipher == CIPHER_PASSWORD ? "DES (password)"
                                                        : "none";
    const char *original =
        r->footer.image_type == UIF_TYPE_ISO ? "ISO"
        : r->has_original ? original_names[r->original] : "unknown";
    const char *facts[] = {
        "UIF version", versions[r->footer.version - 1],
        "compression", compression,
        "encryption", cipher,
        "original image", original,
    };
    return dc_image_set_facts(r->image, facts,
                              (int)(sizeof facts / sizeof facts[0]) / 2, err);
}

static dc_status uif_open(dc_image *image, dc_error *err)
{
    uif_reading r = {.image = image, .path = image->path,
                     .file = image->source};
    r.file_size = dc_source_size(r.file);
    uif_section table;
    dc_source *plain;
    if (open_footer(&r, &table, err) == DC_OK &&
        read_table(&r, &table, err) == DC_OK &&
        (r.footer.image_type != UIF_TYPE_MIXED ||
         read_mixed_sections(&r, err) == DC_OK) &&
        set_facts(&r, err) == DC_OK && open_plain(&r, &plain, err) == DC_OK)
        open_disc(&r, plain, err);
    free(r.blocks);
    free(r.blms);
    free(r.blss);
    return err->status;
}

const dc_format dc_format_uif = {
    .info = {
        .name = "uif",
        .description = "MagicISO UIF (zlib or LZMA blocks, fixed-key or "
                       "password DES)",
        .extensions = "uif",
        .can_read = true,
        .can_write = true,
        .options = uif_write_options,
        .option_count = UIF_WRITE_OPTION_COUNT,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS |
            DC_CAP_CDTEXT, /* what the stored cue keeps; write.c notes
                              the rest */
    .probe = uif_probe,
    .open = uif_open,
    .check = uif_check,   /* write.c */
    .write = uif_write,
};
