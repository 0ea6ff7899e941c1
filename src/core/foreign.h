/*
 * Files discconv recognises but does not read: other disc image formats
 * and archives.  Naming them turns "not a disc image format discconv
 * knows" into what the file is and what to do about it.
 */
#ifndef DC_FOREIGN_H
#define DC_FOREIGN_H

#include "format.h"

/* DC_ERR_UNSUPPORTED naming the format when the probe's bytes carry the
 * signature of one, or its name or a descriptor beside it says it is an
 * Alcohol 120% payload; DC_OK when nothing is recognised. */
dc_status dc_foreign_check(const dc_probe_input *probe, dc_error *err);

#endif
