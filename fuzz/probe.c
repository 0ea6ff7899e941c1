/* Fuzz target: format detection, every format's probe over the bytes of
 * one source (probes see bytes only), then the signatures of formats we
 * do not read and the name rule.  The name comes from the input's size,
 * so that a seed keeps its bytes: a raw image's extensions, another
 * format's, none, an Alcohol 120% data file (.mdf), and a payload whose
 * signed .mds lies beside it. */
#include "fuzz.h"

#include <stdlib.h>

static const char *const names[] = {
    "in.dat", "in.iso", "in.img", "in.bin", "in.raw", "in", "in.nrg",
    "in.cue", "in.toc", "in.ccd", "in.flac", "in.mdf", "alcohol.img",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_write("alcohol.mds", "MEDIA DESCRIPTOR\001\005", 18);
        ready = true;
    }
    char *path = fuzz_path(names[size % (sizeof names / sizeof names[0])]);
    const dc_format *format = NULL;
    dc_error err = {0};
    dc_source *source;
    if (dc_source_memory(&source, data, size, path, &err) != DC_OK) {
        free(path);
        return 0;
    }
    dc_status status = dc_format_detect(source, &format, &err);
    fuzz_check_error(status, &err);
    if (status == DC_OK && (format == NULL || format->open == NULL))
        abort(); /* detection must name a format that can read */
    dc_source_close(source);
    free(path);
    return 0;
}
