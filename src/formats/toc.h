/* The cdrdao TOC reader's one entry point besides dc_format_toc, for the
 * unit tests and the fuzz target (src/formats/toc.c). */
#ifndef DC_TOC_H
#define DC_TOC_H

#include "discconv/discconv.h"

/* Opens a TOC given as text; data files resolve from base_dir and
 * messages name `origin`.  The text is not modified. */
dc_status dc_toc_open_text(dc_image *image, const char *text,
                           const char *origin, const char *base_dir,
                           dc_error *err);

#endif
