/* Fuzz target: raw CD-TEXT packs (a cue's CDTEXTFILE, NRG's CDTX chunk)
 * decoded into the model, its warnings one line each; whatever was
 * decoded must encode again, and the encoder's packs must decode. */
#include "fuzz.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

/* A disc of three tracks for the packs to name, as an image has them. */
static void make_disc(dc_disc *disc)
{
    memset(disc, 0, sizeof *disc);
    dc_error err = {0};
    for (int i = 0; i < 3; i++) {
        dc_track *track = dc_disc_add_track(disc, &err);
        if (track == NULL)
            abort();
        track->number = i + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dc_disc disc, again;
    make_disc(&disc);
    dc_error err = {0};
    dc_image *warn_to = dc_image_new("fuzz.cdt", &dc_format_bincue, &err);
    if (warn_to == NULL)
        abort();
    dc_status status = dc_disc_set_cdtext_packs(&disc, warn_to, data, size,
                                                "fuzz.cdt", &err);
    fuzz_check_error(status, &err);
    for (int i = 0; i < dc_image_warning_count(warn_to); i++)
        if (strchr(dc_image_warning(warn_to, i), '\n') != NULL)
            abort(); /* warnings are printed one per line */
    dc_image_close(warn_to);
    if (status == DC_OK) {
        uint8_t *packs = NULL;
        size_t packs_size = 0;
        status = dc_cdtext_encode(&disc, NULL, &packs, &packs_size, &err);
        fuzz_check_error(status, &err);
        if (status == DC_OK && packs != NULL) {
            make_disc(&again);
            status = dc_disc_set_cdtext_packs(&again, NULL, packs, packs_size,
                                              "encoded", &err);
            if (status != DC_OK)
                abort(); /* our own packs must read back */
            dc_disc_free(&again);
        }
        free(packs);
    }
    dc_disc_free(&disc);
    return 0;
}
