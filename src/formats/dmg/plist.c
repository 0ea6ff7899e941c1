/*
 * The XML property list of a DMG, parsed by libxml2 as XML (never by
 * searching its text: key order is not fixed).  What is read:
 *   plist > dict > key "resource-fork" > dict > key "blkx" > array of dict,
 * each dict's "Name" (or "CFName") string and "Data" (base64, with any
 * white space in it).  Other resources (plst, cSum, nsiz, size) are not
 * needed.
 */
#include "dmg.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dc_status dmg_blkx_list_add(dmg_blkx_list *list, const char *name,
                            const uint8_t *data, size_t size, dc_error *err)
{
    dmg_blkx *grown = realloc(list->items, (size_t)(list->count + 1) *
                                               sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    list->items = grown;
    dmg_blkx *b = &grown[list->count];
    b->name = dc_strdup(name);
    b->data = malloc(size > 0 ? size : 1);
    b->size = size;
    if (b->name == NULL || b->data == NULL) {
        free(b->name);
        free(b->data);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    memcpy(b->data, data, size);
    list->count++;
    return DC_OK;
}

void dmg_blkx_list_free(dmg_blkx_list *list)
{
    for (int i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].data);
    }
    free(list->items);
    *list = (dmg_blkx_list){0};
}

/* --- base64 ------------------------------------------------------------- */

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decodes RFC 4648 base64 with white space anywhere and the padding
 * optional; *bad is the position of the first character that does not
 * belong, or of the end when the last group is incomplete. */
static bool base64_decode(const char *text, uint8_t *out, size_t *out_len,
                          size_t *bad)
{
    uint32_t bits = 0;
    int symbols = 0, padding = 0;
    size_t len = 0, i;
    for (i = 0; text[i] != '\0'; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_space(c))
            continue;
        if (c == '=' && symbols % 4 >= 2 && padding < 2) {
            padding++;
            continue;
        }
        int v = base64_value(c);
        if (v < 0 || padding > 0) {
            *bad = i;
            return false;
        }
        bits = bits << 6 | (uint32_t)v;
        if (++symbols % 4 == 0) {
            out[len++] = (uint8_t)(bits >> 16);
            out[len++] = (uint8_t)(bits >> 8);
            out[len++] = (uint8_t)bits;
            bits = 0;
        }
    }
    switch (symbols % 4) {
    case 1:
        *bad = i;
        return false;
    case 2:
        out[len++] = (uint8_t)(bits >> 4);
        break;
    case 3:
        out[len++] = (uint8_t)(bits >> 10);
        out[len++] = (uint8_t)(bits >> 2);
        break;
    }
    *out_len = len;
    return true;
}

/* --- the tree ----------------------------------------------------------- */

static bool named(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

static xmlNode *element_from(xmlNode *node)
{
    while (node != NULL && node->type != XML_ELEMENT_NODE)
        node = node->next;
    return node;
}

/* The element's text: its text and CDATA children, nothing expanded. */
static char *text_of(const xmlNode *element, dc_error *err)
{
    size_t len = 0;
    for (const xmlNode *c = element->children; c != NULL; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content != NULL)
            len += strlen((const char *)c->content);
    char *text = malloc(len + 1);
    if (text == NULL) {
        dc_fail(err, DC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    text[0] = '\0';
    size_t used = 0;
    for (const xmlNode *c = element->children; c != NULL; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content != NULL) {
            size_t n = strlen((const char *)c->content);
            memcpy(text + used, c->content, n + 1);
            used += n;
        }
    return text;
}

static bool key_is(const xmlNode *key, const char *wanted)
{
    size_t n = strlen(wanted);
    const xmlNode *c = key->children;
    /* Keys are short plain text: one text node. */
    return c != NULL && c->next == NULL && c->type == XML_TEXT_NODE &&
           c->content != NULL &&
           strncmp((const char *)c->content, wanted, n + 1) == 0;
}

/* The value of `key` in a dict: the element after its <key>; NULL when the
 * dict has none.  A dict that is not key/value pairs is an error. */
static dc_status dict_get(const char *where, xmlNode *dict, const char *key,
                          xmlNode **value, dc_error *err)
{
    *value = NULL;
    for (xmlNode *k = element_from(dict->children); k != NULL;) {
        xmlNode *v = element_from(k->next);
        if (!named(k, "key") || v == NULL || named(v, "key"))
            return dc_fail(err, DC_ERR_FORMAT, "%s: line %ld: a <dict> that "
                           "is not <key>/value pairs", where,
                           (long)xmlGetLineNo(k));
        if (*value == NULL && key_is(k, key))
            *value = v;
        k = element_from(v->next);
    }
    return DC_OK;
}

/* A string value of the dict, or NULL (not an error) when missing. */
static dc_status dict_string(const char *where, xmlNode *dict, const char *key,
                             char **text, dc_error *err)
{
    xmlNode *v;
    *text = NULL;
    if (dict_get(where, dict, key, &v, err) != DC_OK || v == NULL)
        return err->status;
    if (!named(v, "string"))
        return dc_fail(err, DC_ERR_FORMAT, "%s: line %ld: %s is a <%s>, not "
                       "a <string>", where, (long)xmlGetLineNo(v), key,
                       (const char *)v->name);
    *text = text_of(v, err);
    return err->status;
}

static dc_status read_blkx(const char *where, xmlNode *dict, int number,
                           dmg_blkx_list *list, dc_error *err)
{
    if (!named(dict, "dict"))
        return dc_fail(err, DC_ERR_FORMAT, "%s: line %ld: blkx %d is a <%s>, "
                       "not a <dict>", where, (long)xmlGetLineNo(dict),
                       number, (const char *)dict->name);
    char *name = NULL, *base64 = NULL;
    uint8_t *data = NULL;
    xmlNode *v;
    if (dict_string(where, dict, "Name", &name, err) != DC_OK ||
        (name == NULL &&
         dict_string(where, dict, "CFName", &name, err) != DC_OK) ||
        dict_get(where, dict, "Data", &v, err) != DC_OK)
        goto done;
    const char *label = name != NULL ? name : "";
    if (v == NULL || !named(v, "data")) {
        dc_fail(err, DC_ERR_FORMAT, "%s: blkx %d (%s): no <data> for its "
                "Data key", where, number, label);
        goto done;
    }
    if ((base64 = text_of(v, err)) == NULL)
        goto done;
    data = malloc(strlen(base64) / 4 * 3 + 3);
    size_t len, bad;
    if (data == NULL)
        dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (!base64_decode(base64, data, &len, &bad))
        dc_fail(err, DC_ERR_FORMAT, "%s: line %ld: blkx %d (%s): its Data is "
                "not base64 (at character %zu of it)", where,
                (long)xmlGetLineNo(v), number, label, bad);
    else
        dmg_blkx_list_add(list, label, data, len, err);
done:
    free(name);
    free(base64);
    free(data);
    return err->status;
}

/* The parser's own message, one line. */
static dc_status not_xml(const char *where, dc_error *err)
{
    const xmlError *e = xmlGetLastError();
    char why[200] = "not well-formed";
    if (e != NULL && e->message != NULL) {
        snprintf(why, sizeof why, "%s", e->message);
        why[strcspn(why, "\n")] = '\0';
    }
    return dc_fail(err, DC_ERR_FORMAT, "%s: not XML: line %d: %s", where,
                   e != NULL ? e->line : 0, why);
}

#define MAX_PLIST_SIZE (64 << 20)

static void ignore_libxml_message(void *context, const char *format, ...)
{
    (void)context;
    (void)format;
}

dc_status dmg_plist_blkx(const char *where, const uint8_t *xml, size_t size,
                         dmg_blkx_list *list, dc_error *err)
{
    *list = (dmg_blkx_list){0};
    if (size > MAX_PLIST_SIZE)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %zu bytes, more than a "
                       "property list of a disk image needs (%d MiB at most)",
                       where, size, MAX_PLIST_SIZE >> 20);
    xmlResetLastError();
    /* No network, no DTD loading, no messages of the parser's own.  Some
     * faults (a text its encoding converter rejects) libxml2 still prints
     * on stderr through its generic handler, whatever the options: a
     * library prints nothing, so this thread's handler is silenced for the
     * parse and given back after it. */
    xmlGenericErrorFunc handler = xmlGenericError;
    void *context = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, ignore_libxml_message);
    xmlDoc *doc = xmlReadMemory((const char *)xml, (int)size, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    xmlSetGenericErrorFunc(context, handler);
    if (doc == NULL)
        return not_xml(where, err);
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *top = root != NULL ? element_from(root->children) : NULL;
    xmlNode *fork = NULL, *blkx = NULL;
    if (!named(root, "plist") || !named(top, "dict"))
        dc_fail(err, DC_ERR_FORMAT, "%s: XML, but not a property list (its "
                "root is <%s>, not <plist> holding a <dict>)", where,
                root != NULL ? (const char *)root->name : "nothing");
    else if (dict_get(where, top, "resource-fork", &fork, err) == DC_OK &&
             fork != NULL && named(fork, "dict") &&
             dict_get(where, fork, "blkx", &blkx, err) == DC_OK &&
             (blkx == NULL || !named(blkx, "array")))
        blkx = NULL;
    if (err->status == DC_OK && blkx == NULL)
        dc_fail(err, DC_ERR_FORMAT, "%s: its property list has no "
                "resource-fork blkx array: no partitions", where);
    int number = 0;
    for (xmlNode *d = blkx != NULL ? element_from(blkx->children) : NULL;
         d != NULL && err->status == DC_OK; d = element_from(d->next))
        read_blkx(where, d, number++, list, err);
    xmlFreeDoc(doc);
    if (err->status != DC_OK)
        dmg_blkx_list_free(list);
    return err->status;
}
