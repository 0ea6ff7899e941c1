/*
 * Files discconv recognises but does not read: other disc image formats
 * and archives.  Naming them turns "not a disc image format discconv
 * knows" into what the file is and what to do about it.
 */
#ifndef DC_FOREIGN_H
#define DC_FOREIGN_H

#include "format.h"

/* DC_ERR_UNSUPPORTED naming the format when the probe's bytes carry the
 * signature of one; DC_OK when none is recognised. */
dc_status dc_foreign_check(const dc_probe_input *probe, dc_error *err);
/* DC_ERR_UNSUPPORTED when a file that would be read as plain sectors is
 * the data file of an Alcohol 120% image: named .mdf, or with the .mds
 * descriptor beside it; DC_OK otherwise. */
dc_status dc_foreign_check_payload(const dc_probe_input *probe,
                                   dc_error *err);

#endif
