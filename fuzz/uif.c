/* Fuzz target: the UIF reader -- the bbis footer, the blhr table (zlib or
 * LZMA, DES), blms and blss, the blocks made into a chunk map, a stored
 * descriptor read with the plain image as its file -- through the public
 * open and read API, with the input as a whole file; the layout helpers
 * of uif.h on the input's last bytes first. */
#include "fuzz.h"
#include "../src/formats/uif/uif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= UIF_FOOTER_SIZE) {
        uif_footer footer;
        uint8_t again[UIF_FOOTER_SIZE];
        if (uif_footer_parse(data + size - UIF_FOOTER_SIZE, &footer)) {
            uif_footer_pack(&footer, again);
            if (memcmp(again, data + size - UIF_FOOTER_SIZE, sizeof again))
                __builtin_trap(); /* packing undoes parsing */
        }
    }
    fuzz_write("in.uif", data, size);
    fuzz_open_and_read("in.uif", "uif");
    return 0;
}
